//! What the survey page shows: the three answers of SPEC §4.5 and a comment box.

use crate::kernel::{templates, time};
use chrono_tz::Tz;
use dealerdesk_domain::lead::{Lead, SurveyAnswer};
use dealerdesk_store::DealerRecord;
use serde::Serialize;

/// Adds the survey's pages.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    for (name, source) in [
        (
            "lead/survey/layout.html",
            include_str!("../../../templates/lead/survey/layout.html"),
        ),
        (
            "lead/survey/form.html",
            include_str!("../../../templates/lead/survey/form.html"),
        ),
        (
            "lead/survey/done.html",
            include_str!("../../../templates/lead/survey/done.html"),
        ),
        (
            "lead/survey/refused.html",
            include_str!("../../../templates/lead/survey/refused.html"),
        ),
    ] {
        templates::add(env, name, source);
    }
}

/// One answer the customer may choose.
#[derive(Clone, Debug, Serialize)]
pub struct AnswerChoice {
    pub code: &'static str,
    pub label: &'static str,
}

/// The three answers, in the order of SPEC §4.5.
pub fn answer_choices() -> Vec<AnswerChoice> {
    SurveyAnswer::ALL
        .into_iter()
        .map(|a| AnswerChoice {
            code: a.code(),
            label: a.label(),
        })
        .collect()
}

/// What the page tells the customer about the lead asked about: what the customer knows
/// anyway — nothing of the dealer's notes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SurveyLeadView {
    /// «Предзаказ», «Тест-драйв», …
    pub lead_type: String,
    /// The dealer's name.
    pub dealer_name: String,
    /// The day the lead was sent, in the dealer's time zone («12.03.2026»).
    pub created_local: String,
}

impl SurveyLeadView {
    pub fn of(lead: &Lead, dealer: Option<&DealerRecord>) -> Self {
        let tz: Tz = dealer
            .and_then(|d| d.timezone.parse().ok())
            .unwrap_or(time::DISPLAY_TZ);
        SurveyLeadView {
            lead_type: lead.kind().label().to_string(),
            dealer_name: dealer.map(|d| d.name.clone()).unwrap_or_default(),
            created_local: lead
                .created_at()
                .with_timezone(&tz)
                .format("%d.%m.%Y")
                .to_string(),
        }
    }
}

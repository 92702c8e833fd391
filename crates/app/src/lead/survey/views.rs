//! What the survey page shows: the three answers of SPEC §4.5 and a comment box.

use crate::kernel::templates;
use dealerdesk_domain::lead::SurveyAnswer;
use serde::Serialize;

/// Adds the survey's pages.
pub fn add_templates(env: &mut minijinja::Environment<'static>) {
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

/// What the page tells the customer about the lead asked about: no personal data beyond
/// what the customer knows, nothing of the dealer's notes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SurveyLeadView {
    /// «Предзаказ», «Тест-драйв», …
    pub lead_type: String,
    /// The dealer's name.
    pub dealer_name: String,
    /// When the lead was sent, in the dealer's zone («12.03.2026»).
    pub created_local: String,
}

//! How a lead looks on the outside: the list's rows, the card with its two blocks and its
//! history, the redacted search result.

use crate::kernel::templates;
use crate::kernel::time::{DISPLAY_TZ, local, utc};
use crate::report::export::{Cell, Column, Kind, Sheet};
use chrono::{DateTime, Utc};
use dealerdesk_domain::DealerId;
use dealerdesk_domain::billing::format_rub;
use dealerdesk_domain::lead::{
    ContactOutcome, ContractOutcome, CustomerProfile, Lead, LeadField, LeadHistoryEntry,
    LeadStatus, NoContactReason, NoContractReason, RedactedLead,
};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// Adds the lead pages.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    templates::add(
        env,
        "lead/card/leads.html",
        include_str!("../../../templates/lead/card/leads.html"),
    );
    templates::add(
        env,
        "lead/card/lead.html",
        include_str!("../../../templates/lead/card/lead.html"),
    );
    templates::add(
        env,
        "lead/card/search.html",
        include_str!("../../../templates/lead/card/search.html"),
    );
    templates::add(
        env,
        "lead/card/customer.html",
        include_str!("../../../templates/lead/card/customer.html"),
    );
}

/// One answer of a block: `yes` / `no` with the reason.
#[derive(Serialize, ToSchema)]
pub struct OutcomeView {
    /// `yes` or `no`.
    pub outcome: &'static str,
    /// The reason's code, for «Нет».
    pub reason: Option<&'static str>,
    /// Its Russian label.
    pub reason_label: Option<&'static str>,
    /// The text of «Другое».
    pub reason_text: Option<String>,
    /// «Да», «Нет — Не дозвонились», «Нет — Другое: …».
    pub label: String,
}

impl OutcomeView {
    fn contact(o: &ContactOutcome) -> Self {
        match o {
            ContactOutcome::Yes => OutcomeView::yes(o.describe()),
            ContactOutcome::No { reason, text } => OutcomeView {
                outcome: "no",
                reason: Some(reason.code()),
                reason_label: Some(reason.label()),
                reason_text: text.clone(),
                label: o.describe(),
            },
        }
    }

    fn contract(o: &ContractOutcome) -> Self {
        match o {
            ContractOutcome::Yes => OutcomeView::yes(o.describe()),
            ContractOutcome::No { reason, text } => OutcomeView {
                outcome: "no",
                reason: Some(reason.code()),
                reason_label: Some(reason.label()),
                reason_text: text.clone(),
                label: o.describe(),
            },
        }
    }

    fn yes(label: String) -> Self {
        OutcomeView {
            outcome: "yes",
            reason: None,
            reason_label: None,
            reason_text: None,
            label,
        }
    }
}

/// The block «Контакт».
#[derive(Serialize, ToSchema)]
pub struct ContactView {
    pub answer: Option<OutcomeView>,
    pub comment: Option<String>,
    /// Stamped by the first «Да»; never changes. RFC 3339 UTC.
    pub contacted_at: Option<String>,
}

/// The block «Договор».
#[derive(Serialize, ToSchema)]
pub struct ContractView {
    pub answer: Option<OutcomeView>,
    pub comment: Option<String>,
    /// Stamped by the first «Да»; never changes. RFC 3339 UTC.
    pub contract_at: Option<String>,
    /// Whether the block may be answered: only after «Контакт — Да».
    pub enabled: bool,
}

/// A lead as the list shows it.
#[derive(Serialize, ToSchema)]
pub struct LeadRow {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub type_label: &'static str,
    pub name: String,
    pub surname: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub model: Option<String>,
    /// Rubles, as a decimal string.
    pub price: Option<String>,
    /// «1 000 ₽».
    pub price_label: Option<String>,
    pub status: &'static str,
    pub status_label: &'static str,
    pub dealer_id: String,
    pub observer_id: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// The last change, RFC 3339 UTC.
    pub updated_at: String,
    pub version: u64,
}

impl LeadRow {
    pub fn new(lead: &Lead) -> Self {
        let person = lead.person();
        let status = lead.status();
        LeadRow {
            id: lead.id().to_string(),
            kind: lead.kind().code(),
            type_label: lead.kind().label(),
            name: person.name.clone(),
            surname: person.surname.clone(),
            phone: person.phone.as_ref().map(|p| p.to_string()),
            email: person.email.as_ref().map(|e| e.to_string()),
            model: lead.model().map(str::to_string),
            price: lead.price().map(|p| p.to_string()),
            price_label: lead.price().map(format_rub),
            status: status.code(),
            status_label: status.label(),
            dealer_id: lead.dealer().to_string(),
            observer_id: lead.observer().map(ToString::to_string),
            created_at: utc(lead.created_at()),
            updated_at: utc(lead.updated_at()),
            version: lead.version(),
        }
    }
}

/// The list as a file's table: a row per lead with typed cells — times as Moscow date
/// cells, the price as money — and the dealer by name.
pub fn lead_sheet(leads: &[Lead], dealers: &HashMap<DealerId, String>) -> Sheet {
    let moscow = |at: DateTime<Utc>| at.with_timezone(&DISPLAY_TZ).naive_local();
    let text = |t: &str| Cell::Text(t.to_owned());
    let rows = leads
        .iter()
        .map(|lead| {
            let person = lead.person();
            vec![
                Cell::Text(lead.id().to_string()),
                Cell::DateTime(moscow(lead.created_at())),
                text(lead.kind().label()),
                text(lead.status().label()),
                Cell::from(person.surname.clone()),
                text(&person.name),
                Cell::from(person.phone.as_ref().map(ToString::to_string)),
                Cell::from(person.email.as_ref().map(ToString::to_string)),
                Cell::from(lead.model().map(str::to_string)),
                lead.price().map_or(Cell::Empty, Cell::Number),
                Cell::Text(
                    dealers
                        .get(lead.dealer())
                        .cloned()
                        .unwrap_or_else(|| lead.dealer().to_string()),
                ),
                Cell::DateTime(moscow(lead.updated_at())),
            ]
        })
        .collect();
    Sheet {
        name: "Заявки".to_owned(),
        columns: vec![
            Column::new("Номер заявки", Kind::Text, 28),
            Column::new("Дата и время (МСК)", Kind::DateTime, 18),
            Column::new("Тип", Kind::Text, 22),
            Column::new("Статус", Kind::Text, 18),
            Column::new("Фамилия", Kind::Text, 16),
            Column::new("Имя", Kind::Text, 14),
            Column::new("Телефон", Kind::Text, 16),
            Column::new("Эл. почта", Kind::Text, 24),
            Column::new("Модель", Kind::Text, 18),
            Column::new("Цена, ₽", Kind::Money, 14),
            Column::new("Дилер", Kind::Text, 24),
            Column::new("Последнее изменение (МСК)", Kind::DateTime, 18),
        ],
        rows,
    }
}

/// The file's name without its extension: «Заявки 2026-12-31» (the Moscow day of `now`).
pub fn lead_file_stem(now: DateTime<Utc>) -> String {
    format!(
        "Заявки {}",
        now.with_timezone(&DISPLAY_TZ).format("%Y-%m-%d")
    )
}

/// A page of the list.
#[derive(Serialize, ToSchema)]
pub struct LeadPage {
    pub items: Vec<LeadRow>,
    pub next_cursor: Option<String>,
}

/// UTM tags of the visit.
#[derive(Serialize, ToSchema)]
pub struct UtmView {
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub content: Option<String>,
    pub term: Option<String>,
}

/// The card: the form's data, the dealer, the blocks and the editable fields.
#[derive(Serialize, ToSchema)]
pub struct LeadView {
    #[serde(flatten)]
    pub row: LeadRow,
    pub source: &'static str,
    pub source_label: &'static str,
    /// The dealer the lead was routed to first (a key property).
    pub original_dealer_id: String,
    pub customer_id: Option<String>,
    pub city: Option<String>,
    /// Informational: it never moves the lead.
    pub preferred_dealer_id: Option<String>,
    /// The model's version (editable).
    pub model_version: Option<String>,
    pub trim: Option<String>,
    pub comment: Option<String>,
    pub contact: ContactView,
    pub contract: ContractView,
    pub utm: UtmView,
    /// The customer's survey answer, once given.
    pub survey: Option<SurveyView>,
    /// The escalations sent.
    pub escalations: Vec<&'static str>,
    /// Whether the caller may change the card.
    pub editable: bool,
}

/// The customer's survey answer.
#[derive(Serialize, ToSchema)]
pub struct SurveyView {
    pub answer: &'static str,
    pub answer_label: &'static str,
    pub comment: Option<String>,
    /// RFC 3339 UTC.
    pub answered_at: String,
}

impl LeadView {
    pub fn new(lead: &Lead, editable: bool) -> Self {
        let utm = lead.utm();
        LeadView {
            row: LeadRow::new(lead),
            source: lead.keys().source.code(),
            source_label: lead.keys().source.label(),
            original_dealer_id: lead.keys().original_dealer.to_string(),
            customer_id: lead.customer().map(ToString::to_string),
            city: lead.city().map(str::to_string),
            preferred_dealer_id: lead.preferred_dealer().map(ToString::to_string),
            model_version: lead.model_version().map(str::to_string),
            trim: lead.trim().map(str::to_string),
            comment: lead.comment().map(str::to_string),
            contact: ContactView {
                answer: lead.contact().outcome().map(OutcomeView::contact),
                comment: lead.contact().comment().map(str::to_string),
                contacted_at: lead.contact().contacted_at().map(utc),
            },
            contract: ContractView {
                answer: lead.contract().outcome().map(OutcomeView::contract),
                comment: lead.contract().comment().map(str::to_string),
                contract_at: lead.contract().contract_at().map(utc),
                enabled: lead.contact().outcome() == Some(&ContactOutcome::Yes),
            },
            utm: UtmView {
                source: utm.source.clone(),
                medium: utm.medium.clone(),
                campaign: utm.campaign.clone(),
                content: utm.content.clone(),
                term: utm.term.clone(),
            },
            survey: lead.survey().map(|s| SurveyView {
                answer: s.answer.code(),
                answer_label: s.answer.label(),
                comment: s.comment.clone(),
                answered_at: utc(s.answered_at),
            }),
            escalations: lead.escalated().iter().map(|s| s.label()).collect(),
            editable,
        }
    }
}

/// One line of the history: who, when, which field, old and new.
#[derive(Serialize, ToSchema)]
pub struct HistoryView {
    /// RFC 3339 UTC.
    pub at: String,
    /// Moscow time.
    pub at_local: String,
    /// The person; null for the platform itself.
    pub by: Option<String>,
    /// Their name and role, as people read it («Платформа» for the platform).
    pub who: String,
    pub field: &'static str,
    pub field_label: &'static str,
    /// A stamped time (`contacted_at`, `contract_at`) as RFC 3339 UTC; other values as
    /// people read them.
    pub old: Option<String>,
    pub new: Option<String>,
    /// The values as the portal shows them: a stamped time in Moscow time.
    pub old_shown: Option<String>,
    pub new_shown: Option<String>,
}

impl HistoryView {
    pub fn new(entry: &LeadHistoryEntry, who: String) -> Self {
        let stamped = matches!(entry.field, LeadField::ContactedAt | LeadField::ContractAt);
        let instant = |v: &Option<String>| {
            v.as_deref()
                .filter(|_| stamped)
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                .map(|at| at.with_timezone(&chrono::Utc))
        };
        let api = |v: &Option<String>| instant(v).map(utc).or_else(|| v.clone());
        let shown = |v: &Option<String>| {
            instant(v)
                .map(|at| format!("{} (МСК)", local(at)))
                .or_else(|| v.clone())
        };
        HistoryView {
            at: utc(entry.at),
            at_local: local(entry.at),
            by: entry.by.as_ref().map(ToString::to_string),
            who,
            field: entry.field.code(),
            field_label: entry.field.label(),
            old: api(&entry.old),
            new: api(&entry.new),
            old_shown: shown(&entry.old),
            new_shown: shown(&entry.new),
        }
    }
}

/// The card with its history.
#[derive(Serialize, ToSchema)]
pub struct LeadCard {
    pub lead: LeadView,
    pub history: Vec<HistoryView>,
}

/// A lead found by the search across dealers: only what recognises the customer.
#[derive(Serialize, ToSchema)]
pub struct FoundLead {
    pub id: String,
    pub name: String,
    pub surname: Option<String>,
    /// Masked: `+7 912 ***-**-89`.
    pub phone: Option<String>,
    /// Masked: `i***@mail.ru`.
    pub email: Option<String>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub type_label: &'static str,
    pub model: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub dealer_id: String,
    /// Whether the lead is the caller's dealer's already.
    pub yours: bool,
    /// The version a transfer names.
    pub version: u64,
}

impl FoundLead {
    pub fn new(r: &RedactedLead, yours: bool, version: u64) -> Self {
        FoundLead {
            id: r.id.to_string(),
            name: r.name.clone(),
            surname: r.surname.clone(),
            phone: r.phone.clone(),
            email: r.email.clone(),
            kind: r.kind.code(),
            type_label: r.type_label,
            model: r.model.clone(),
            created_at: utc(r.created_at),
            status: r.status.code(),
            status_label: r.status_label,
            dealer_id: r.dealer.to_string(),
            yours,
            version,
        }
    }
}

/// The search's answer.
#[derive(Serialize, ToSchema)]
pub struct SearchResult {
    pub items: Vec<FoundLead>,
}

/// A survey answer of one of the customer's leads.
#[derive(Serialize, ToSchema)]
pub struct CustomerSurveyView {
    pub lead_id: String,
    pub answer: &'static str,
    pub answer_label: &'static str,
    pub comment: Option<String>,
    /// RFC 3339 UTC.
    pub answered_at: String,
}

/// The customer's profile as far as the caller sees its leads.
#[derive(Serialize, ToSchema)]
pub struct CustomerCard {
    pub id: String,
    pub name: String,
    pub surname: Option<String>,
    /// The leads the caller may see, newest first.
    pub leads: Vec<LeadRow>,
    /// The survey answers of those leads.
    pub surveys: Vec<CustomerSurveyView>,
}

impl CustomerCard {
    /// `leads` are the profile's leads the caller sees; only their data is shown.
    pub fn new(profile: &CustomerProfile, leads: &[Lead]) -> Self {
        CustomerCard {
            id: profile.id().to_string(),
            name: profile.name().to_string(),
            surname: profile.surname().map(str::to_string),
            leads: leads.iter().map(LeadRow::new).collect(),
            surveys: leads
                .iter()
                .filter_map(|l| {
                    l.survey().map(|s| CustomerSurveyView {
                        lead_id: l.id().to_string(),
                        answer: s.answer.code(),
                        answer_label: s.answer.label(),
                        comment: s.comment.clone(),
                        answered_at: utc(s.answered_at),
                    })
                })
                .collect(),
        }
    }
}

/// A code list for the forms: the reasons and statuses with their labels.
pub fn choices() -> serde_json::Value {
    let pair = |code: &str, label: &str| serde_json::json!({"code": code, "label": label});
    serde_json::json!({
        "statuses": LeadStatus::ALL.iter().map(|s| pair(s.code(), s.label())).collect::<Vec<_>>(),
        "types": dealerdesk_domain::lead::LeadType::ALL.iter().map(|s| pair(s.code(), s.label())).collect::<Vec<_>>(),
        "contact_reasons": NoContactReason::ALL.iter().map(|s| pair(s.code(), s.label())).collect::<Vec<_>>(),
        "contract_reasons": NoContractReason::ALL.iter().map(|s| pair(s.code(), s.label())).collect::<Vec<_>>(),
    })
}

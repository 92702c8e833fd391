//! How a ticket looks on the outside: its API JSON (with the SLA and cost parts), its
//! history, and the portal's words for the reaction clock.

use crate::attachment::views::AttachmentView;
use crate::comment::views::CommentView;
use crate::cost::views::{CostPart, TimeEntryView};
use crate::kernel::templates;
use crate::kernel::time::{local, utc};
use chrono::{DateTime, Utc};
use dealerdesk_domain::{
    DealerId, HistoryEvent, Status, Ticket, TicketId, UserId, WorkingCalendar, reaction_time,
};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use utoipa::ToSchema;

/// A ticket as the API returns it: its own fields, the SLA part and the cost part.
#[derive(Serialize, ToSchema)]
pub struct TicketView {
    #[schema(value_type = String)]
    pub id: TicketId,
    /// `DD-1001`.
    pub number: String,
    #[schema(value_type = String)]
    pub dealer_id: DealerId,
    #[schema(value_type = String)]
    pub author_id: UserId,
    pub title: String,
    pub text: String,
    pub category: &'static str,
    pub category_label: &'static str,
    pub criticality: &'static str,
    pub criticality_label: &'static str,
    pub billing: &'static str,
    pub billing_label: &'static str,
    /// The dealer filed a paid kind of work free, with low priority (SPEC §2.2): their
    /// choice, never billed, and no reclassification makes it paid.
    pub free_by_choice: bool,
    /// The state of the lifecycle: `new`, `approval`, `in_progress`, `review`, `done`.
    pub state: &'static str,
    pub state_label: &'static str,
    /// The detailed status within the state.
    pub status: &'static str,
    pub status_label: &'static str,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
    /// The version to send back with the next move (optimistic locking).
    pub version: u64,
    #[serde(flatten)]
    pub sla: SlaPart,
    #[serde(flatten)]
    pub cost: CostPart,
}

impl TicketView {
    /// The ticket at `now` (whether its reaction is late depends on it).
    pub fn new(t: &Ticket, now: DateTime<Utc>) -> Self {
        TicketView {
            id: t.id.clone(),
            number: t.display_number(),
            dealer_id: t.dealer_id.clone(),
            author_id: t.author_id.clone(),
            title: t.title.clone(),
            text: t.text.clone(),
            category: t.category.code(),
            category_label: t.category.label(),
            criticality: t.criticality.code(),
            criticality_label: t.criticality.label(),
            billing: t.billing.code(),
            billing_label: t.billing.label(),
            free_by_choice: t.free_by_choice,
            state: t.status.state().code(),
            state_label: t.status.state().label(),
            status: t.status.code(),
            status_label: t.status.label(),
            created_at: utc(t.created_at),
            updated_at: utc(t.updated_at),
            version: t.version,
            sla: SlaPart::new(t, now),
            cost: CostPart::new(t),
        }
    }
}

/// A page of tickets: `{items, next_cursor}`.
#[derive(Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<TicketView>,
    /// Pass as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

/// The ticket card of the API: the ticket, its history with the cost events merged in
/// (`kind` = `status` or `cost`), the caller's moves, the time entries, comments and files.
#[derive(Serialize, ToSchema)]
pub struct TicketCard {
    #[serde(flatten)]
    pub ticket: TicketView,
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<Value>,
    /// The lifecycle moves the caller may make now.
    pub available_actions: Vec<&'static str>,
    pub time_entries: Vec<TimeEntryView>,
    /// The time-and-cost moves the caller may make now.
    pub cost_actions: Vec<&'static str>,
    pub comments: Vec<CommentView>,
    pub attachments: Vec<AttachmentView>,
    #[serde(flatten)]
    pub auto_accept: AutoAcceptPart,
}

/// When the system will accept a result under review (SPEC §2.4), on the card: null and
/// false unless the ticket is in «Результат на проверке».
#[derive(Serialize, ToSchema, Default)]
pub struct AutoAcceptPart {
    /// RFC 3339 UTC; null while the countdown is stopped or the ticket is not under review.
    pub auto_accept_at: Option<String>,
    /// The dealer's remark stopped the countdown; the platform's reply starts it again.
    pub auto_accept_paused: bool,
    /// In Moscow time: «Будет принято автоматически 05.12 в 18:00, если замечаний не
    /// будет», or that the countdown is stopped.
    pub auto_accept_label: Option<String>,
}

impl AutoAcceptPart {
    /// The ticket's countdown in `calendar`, `days` working days long.
    pub fn new(t: &Ticket, calendar: &WorkingCalendar, days: u32) -> Self {
        AutoAcceptPart {
            auto_accept_at: t.review_deadline(calendar, days).map(utc),
            auto_accept_paused: t.status == Status::InReview && t.review_paused(),
            auto_accept_label: t.auto_accept_note(calendar, days),
        }
    }
}

/// A ticket as the API returns it at `now`, as JSON (the portal adds its words to it).
pub fn ticket_json(t: &Ticket, now: DateTime<Utc>) -> Value {
    serde_json::to_value(TicketView::new(t, now)).unwrap_or_default()
}

/// A history event as the API returns it.
pub fn event_json(e: &HistoryEvent) -> Value {
    json!({
        "at": utc(e.at),
        "actor_id": e.actor_id,
        "actor_role": e.actor_role.map(|r| r.code()),
        "action": e.action.map(|a| a.code()),
        "action_label": e.action.map(|a| a.label()).unwrap_or("Обращение создано"),
        "from_status": e.from.map(|s| s.code()),
        "from_label": e.from.map(|s| s.label()),
        "to_status": e.to.code(),
        "to_label": e.to.label(),
        "comment": e.comment,
    })
}

/// A history event for the portal: who by name, when in local time.
pub fn event_view(e: &HistoryEvent, names: &HashMap<UserId, String>) -> Value {
    let who = match (&e.actor_id, e.actor_role) {
        (Some(id), role) => {
            let name = names.get(id).cloned().unwrap_or_else(|| id.to_string());
            match role {
                Some(role) => format!("{name} ({})", role.label()),
                None => name,
            }
        }
        (None, _) => "Система".to_string(),
    };
    let mut v = event_json(e);
    v["who"] = json!(who);
    v["at_local"] = json!(local(e.at));
    v
}

/// Adds the ticket pages: the list, the new-ticket form, the card and its SLA block.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    for (name, source) in [
        ("tickets.html", include_str!("../../templates/tickets.html")),
        (
            "ticket_new.html",
            include_str!("../../templates/ticket_new.html"),
        ),
        ("ticket.html", include_str!("../../templates/ticket.html")),
        (
            "ticket_sla.html",
            include_str!("../../templates/ticket_sla.html"),
        ),
    ] {
        templates::add(env, name, source);
    }
}

/// The API's SLA fields of a ticket: `sla_due_at` (RFC 3339 UTC, or null while no reaction
/// is owed), `sla_paused` (waiting on the dealer), `sla_overdue` (a reaction owed now and
/// past its due time at `now`: what puts a ticket on top of the queue) and `sla_breached`
/// (overdue now, or a late reaction in the past: what the card and the reports keep).
#[derive(Serialize, ToSchema)]
pub struct SlaPart {
    pub sla_due_at: Option<String>,
    pub sla_paused: bool,
    pub sla_overdue: bool,
    pub sla_breached: bool,
}

impl SlaPart {
    /// The ticket's clock at `now`.
    pub fn new(t: &Ticket, now: DateTime<Utc>) -> Self {
        SlaPart {
            sla_due_at: t.sla.due_at.map(utc),
            sla_paused: t.sla.paused,
            sla_overdue: t.sla.is_overdue(now),
            sla_breached: t.sla.is_breached(now),
        }
    }
}

/// Adds what the portal shows about the clock (Moscow time): `sla_due_local`,
/// `sla_reacted_local`, `sla_reaction_label` («3 рабочих часа»).
pub fn add_sla_view(v: &mut Value, t: &Ticket) {
    v["sla_due_local"] = json!(t.sla.due_at.map(local));
    v["sla_reacted_local"] = json!(t.sla.reacted_at.map(local));
    v["sla_reaction_label"] = json!(reaction_time(t.criticality).label());
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use dealerdesk_domain::{
        Actor, DealerId, Role, TicketDraft, TicketId, UserId, WorkingCalendar,
    };

    #[test]
    fn the_due_time_is_utc_in_the_api_and_moscow_in_the_portal() {
        let author = Actor {
            user_id: UserId::new("u"),
            role: Role::Dealer,
            dealer_id: Some(DealerId::new("d")),
        };
        let new = TicketDraft {
            title: Some("Новость".into()),
            text: Some("Текст".into()),
            category: Some("individual_news".into()),
            criticality: Some("high".into()),
            billing: None,
        }
        .validate()
        .unwrap();
        // Mon 02.03.2026 10:00 MSK → due 13:00 MSK.
        let filed = Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap();
        let cal = WorkingCalendar::platform_default();
        let (t, _) = Ticket::file(
            TicketId::new("t"),
            1001,
            DealerId::new("d"),
            &author,
            new,
            &cal,
            filed,
        );
        let mut v = serde_json::to_value(SlaPart::new(&t, filed)).unwrap();
        add_sla_view(&mut v, &t);
        assert_eq!(v["sla_due_at"], "2026-03-02T10:00:00Z");
        assert_eq!(v["sla_paused"], false);
        assert_eq!(v["sla_breached"], false);
        assert_eq!(v["sla_overdue"], false);
        assert_eq!(v["sla_due_local"], "02.03.2026 13:00");
        assert_eq!(v["sla_reaction_label"], "3 рабочих часа");
        let v = serde_json::to_value(SlaPart::new(&t, filed + chrono::Duration::hours(4))).unwrap();
        assert_eq!(v["sla_breached"], true, "overdue counts as breached");
        assert_eq!(v["sla_overdue"], true);
    }
}

//! How a ticket looks on the outside: its API JSON (with the SLA and cost parts), its
//! history, and the portal's words for the reaction clock.

use crate::kernel::templates;
use crate::kernel::time::{local, utc};
use chrono::{DateTime, Utc};
use dealerdesk_domain::{HistoryEvent, Ticket, UserId, reaction_time};
use serde_json::{Value, json};
use std::collections::HashMap;

/// A ticket as the API returns it at `now` (whether its reaction is late depends on it).
pub fn ticket_json(t: &Ticket, now: DateTime<Utc>) -> Value {
    let mut v = json!({
        "id": t.id,
        "number": t.display_number(),
        "dealer_id": t.dealer_id,
        "author_id": t.author_id,
        "title": t.title,
        "text": t.text,
        "category": t.category.code(),
        "category_label": t.category.label(),
        "criticality": t.criticality.code(),
        "criticality_label": t.criticality.label(),
        "billing": t.billing.code(),
        "billing_label": t.billing.label(),
        "state": t.status.state().code(),
        "state_label": t.status.state().label(),
        "status": t.status.code(),
        "status_label": t.status.label(),
        "created_at": utc(t.created_at),
        "updated_at": utc(t.updated_at),
        "version": t.version,
    });
    add_sla_json(&mut v, t, now);
    crate::cost::views::add_cost_fields(&mut v, t);
    v
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
pub fn add_templates(env: &mut minijinja::Environment<'static>) {
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

/// Adds the API's SLA fields to a ticket's JSON: `sla_due_at` (RFC 3339 UTC, or null while
/// no reaction is owed), `sla_paused` (waiting on the dealer) and `sla_breached` (a late
/// reaction, or an owed one past its due time at `now`).
pub fn add_sla_json(v: &mut Value, t: &Ticket, now: DateTime<Utc>) {
    v["sla_due_at"] = json!(t.sla.due_at.map(utc));
    v["sla_paused"] = json!(t.sla.paused);
    v["sla_breached"] = json!(t.sla.is_breached(now));
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
    use serde_json::json;

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
        let mut v = json!({});
        add_sla_json(&mut v, &t, filed);
        add_sla_view(&mut v, &t);
        assert_eq!(v["sla_due_at"], "2026-03-02T10:00:00Z");
        assert_eq!(v["sla_paused"], false);
        assert_eq!(v["sla_breached"], false);
        assert_eq!(v["sla_due_local"], "02.03.2026 13:00");
        assert_eq!(v["sla_reaction_label"], "3 рабочих часа");
        add_sla_json(&mut v, &t, filed + chrono::Duration::hours(4));
        assert_eq!(v["sla_breached"], true, "overdue counts as breached");
    }
}

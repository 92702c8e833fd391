//! How a ticket's reaction clock looks on the outside: the API fields and the portal's
//! Moscow-time words. Kept apart from `views.rs` so the SLA's presentation lives in one place.

use crate::views::{local, utc};
use chrono::{DateTime, Utc};
use dealerdesk_domain::{Ticket, reaction_time};
use serde_json::{Value, json};

/// Adds the ticket card's SLA block (`ticket_sla.html`, included by `ticket.html`).
pub fn add_templates(env: &mut minijinja::Environment<'static>) {
    if let Err(e) = env.add_template(
        "ticket_sla.html",
        include_str!("../templates/ticket_sla.html"),
    ) {
        // Compiled in and rendered by the portal tests: not an input-dependent failure.
        tracing::error!(error = %e, "ticket_sla.html does not compile");
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

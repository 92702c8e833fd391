//! How domain objects look on the outside: API JSON and the portal's view models.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use dealerdesk_domain::{HistoryEvent, Ticket, UserId};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The platform's display time zone (SPEC §2.3: working hours are Moscow time).
pub const DISPLAY_TZ: Tz = chrono_tz::Europe::Moscow;

/// RFC 3339 in UTC, as at rest.
pub fn utc(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `02.03.2026 09:00` in Moscow time, for people.
pub fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&DISPLAY_TZ).format("%d.%m.%Y %H:%M").to_string()
}

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
    crate::sla_views::add_sla_json(&mut v, t, now);
    crate::costs::add_cost_fields(&mut v, t);
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_utc_at_rest_and_moscow_for_people() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap();
        assert_eq!(utc(at), "2026-03-02T06:00:00Z");
        assert_eq!(local(at), "02.03.2026 09:00");
    }
}

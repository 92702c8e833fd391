//! How a wish looks on the outside.

use crate::kernel::templates;
use crate::kernel::time::utc;
use dealerdesk_domain::{Wish, WishActionKind, WishEvent, WishStatus};
use serde_json::{Value, json};

/// Adds the wish pages: the list with its form, and the card.
pub fn add_templates(env: &mut minijinja::Environment<'static>) {
    templates::add(
        env,
        "wishes.html",
        include_str!("../../templates/wishes.html"),
    );
    templates::add(env, "wish.html", include_str!("../../templates/wish.html"));
}

/// A wish as the API returns it.
pub fn wish_json(w: &Wish) -> Value {
    json!({
        "id": w.id,
        "dealer_id": w.dealer_id,
        "author_id": w.author_id,
        "title": w.title,
        "text": w.text,
        "status": w.status.code(),
        "status_label": w.status.label(),
        "plan": w.plan.as_ref().map(|p| json!({
            "sprint": p.sprint,
            "planned_from": p.planned_from.to_string(),
            "planned_to": p.planned_to.to_string(),
        })),
        "reason": w.reason,
        "dealer_notice": w.dealer_notice(),
        "created_at": utc(w.created_at),
        "updated_at": utc(w.updated_at),
        "version": w.version,
    })
}

/// A wish history event as the API returns it.
pub fn wish_event_json(e: &WishEvent) -> Value {
    json!({
        "at": utc(e.at),
        "actor_id": e.actor_id,
        "actor_role": e.actor_role.code(),
        "action": e.action.map(WishActionKind::code),
        "action_label": e.action.map(WishActionKind::label).unwrap_or("Пожелание подано"),
        "from_status": e.from.map(WishStatus::code),
        "from_label": e.from.map(WishStatus::label),
        "to_status": e.to.code(),
        "to_label": e.to.label(),
        "comment": e.comment,
        "dealer_notice": e.dealer_notice,
    })
}

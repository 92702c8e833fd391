//! How a wish looks on the outside.

use crate::kernel::templates;
use crate::kernel::time::utc;
use crate::wish::DatedWish;
use dealerdesk_domain::{DealerId, UserId, WishActionKind, WishEvent, WishId, WishStatus};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// Adds the wish pages: the list with its form, and the card.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    templates::add(
        env,
        "wishes.html",
        include_str!("../../templates/wishes.html"),
    );
    templates::add(env, "wish.html", include_str!("../../templates/wish.html"));
}

/// A wish as the API returns it.
#[derive(Serialize, ToSchema)]
pub struct WishView {
    #[schema(value_type = String)]
    pub id: WishId,
    #[schema(value_type = String)]
    pub dealer_id: DealerId,
    #[schema(value_type = String)]
    pub author_id: UserId,
    pub title: String,
    pub text: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub plan: Option<WishPlanView>,
    pub reason: Option<String>,
    /// What the dealer is told about the wish now.
    pub dealer_notice: String,
    /// What the current stage is due for: `review` (the account manager), `decision`
    /// (development), `implementation` (an accepted wish's plan); null once decided for good.
    pub due_for: Option<&'static str>,
    /// Its Russian label («Рассмотрение аккаунт-менеджером», …).
    pub due_label: Option<&'static str>,
    /// When the current stage is due, in working days on the platform calendar; RFC 3339 UTC.
    pub due_at: Option<String>,
    /// Past `due_at` and still in that stage.
    pub overdue: bool,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
    pub version: u64,
}

/// When a planned wish is to be done.
#[derive(Serialize, ToSchema)]
pub struct WishPlanView {
    pub sprint: String,
    /// `YYYY-MM-DD`.
    pub planned_from: String,
    /// `YYYY-MM-DD`.
    pub planned_to: String,
}

impl WishView {
    /// The wish's fields and its stage's due date.
    pub fn new(dated: &DatedWish) -> Self {
        let w = &dated.wish;
        let due = dated.due;
        WishView {
            id: w.id.clone(),
            dealer_id: w.dealer_id.clone(),
            author_id: w.author_id.clone(),
            title: w.title.clone(),
            text: w.text.clone(),
            status: w.status.code(),
            status_label: w.status.label(),
            plan: w.plan.as_ref().map(|p| WishPlanView {
                sprint: p.sprint.clone(),
                planned_from: p.planned_from.to_string(),
                planned_to: p.planned_to.to_string(),
            }),
            reason: w.reason.clone(),
            dealer_notice: w.dealer_notice(),
            due_for: due.map(|d| d.what.code()),
            due_label: due.map(|d| d.what.label()),
            due_at: due.map(|d| utc(d.due_at)),
            overdue: due.is_some_and(|d| d.overdue),
            created_at: utc(w.created_at),
            updated_at: utc(w.updated_at),
            version: w.version,
        }
    }
}

/// A wish as JSON (the portal adds its words to it).
pub fn wish_json(w: &DatedWish) -> Value {
    serde_json::to_value(WishView::new(w)).unwrap_or_default()
}

/// A wish history event as the API returns it.
#[derive(Serialize, ToSchema)]
pub struct WishEventView {
    /// RFC 3339 UTC.
    pub at: String,
    #[schema(value_type = String)]
    pub actor_id: UserId,
    pub actor_role: &'static str,
    pub action: Option<&'static str>,
    pub action_label: &'static str,
    pub from_status: Option<&'static str>,
    pub from_label: Option<&'static str>,
    pub to_status: &'static str,
    pub to_label: &'static str,
    pub comment: Option<String>,
    pub dealer_notice: String,
}

impl WishEventView {
    /// The event's fields.
    pub fn new(e: &WishEvent) -> Self {
        WishEventView {
            at: utc(e.at),
            actor_id: e.actor_id.clone(),
            actor_role: e.actor_role.code(),
            action: e.action.map(WishActionKind::code),
            action_label: e
                .action
                .map(WishActionKind::label)
                .unwrap_or("Пожелание подано"),
            from_status: e.from.map(WishStatus::code),
            from_label: e.from.map(WishStatus::label),
            to_status: e.to.code(),
            to_label: e.to.label(),
            comment: e.comment.clone(),
            dealer_notice: e.dealer_notice.clone(),
        }
    }
}

/// A wish history event as JSON (the portal adds its words to it).
pub fn wish_event_json(e: &WishEvent) -> Value {
    serde_json::to_value(WishEventView::new(e)).unwrap_or_default()
}

/// A page of wishes: `{items, next_cursor}`.
#[derive(Serialize, ToSchema)]
pub struct WishPage {
    pub items: Vec<WishView>,
    /// Pass as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

/// The wish card of the API: the wish, its history and the caller's decisions.
#[derive(Serialize, ToSchema)]
pub struct WishCard {
    #[serde(flatten)]
    pub wish: WishView,
    pub history: Vec<WishEventView>,
    pub available_actions: Vec<&'static str>,
}

//! Central improvement wishes (SPEC §2.7): use cases, JSON API and portal pages.
//!
//! Who sees what: a dealer its own dealer's wishes, an account manager the wishes of the
//! dealers they look after, an admin (who stands for the development department) every
//! wish; everyone else gets 403. Another dealer's wish is a 404, so its existence does not
//! leak. Who decides what is the domain's [`Wish::apply`]; an account manager only ever
//! reaches wishes of their own dealers, because the visibility check comes first.
//!
//! Every step is one transaction of the wish, its history event and its notices: the dealer
//! is told the status, the planned dates or the reason (`wish_status`), and whoever must
//! decide next hears of it (`wish_task`: the account manager of a new wish, the admins of a
//! wish sent to development), both with the stage's due date.
//!
//! Every use case answers a [`DatedWish`]: the wish with its stage's due date and whether it
//! is overdue, counted on the working calendar at the injected clock's "now", so the lists
//! of the account manager and development flag what is late.

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::calendar;
use crate::kernel::error::AppError;
use crate::kernel::names::dealer_name;
use crate::kernel::time::local;
use crate::kernel::visibility::{ensure_area, ensure_visible};
use chrono::NaiveDate;
use dealerdesk_domain::error::FieldError;
use dealerdesk_domain::kernel::{Area, Scope};
use dealerdesk_domain::{
    Actor, Audience, Notice, Role, StageDue, ValidationError, Wish, WishAction, WishActionKind,
    WishDeadline, WishDraft, WishError, WishEvent, WishId, WorkingCalendar,
};
use dealerdesk_store::{DirectoryRepo, Page, PageRequest, WishRepo};
use serde::Deserialize;

/// Whether `actor` has wishes at all: dealers, account managers and admins.
pub fn reads_wishes(actor: &Actor) -> bool {
    actor.scope(Area::Wishes).is_open()
}

/// A wish with its current stage's due date, as of the moment it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatedWish {
    /// The wish as stored.
    pub wish: Wish,
    /// `None` once rejected or implemented.
    pub due: Option<StageDue>,
}

impl DatedWish {
    fn new(wish: Wish, calendar: &WorkingCalendar, now: chrono::DateTime<chrono::Utc>) -> Self {
        let due = wish.stage_due(calendar, now);
        DatedWish { wish, due }
    }

    /// The due date in people's words: «04.12.2026 12:00 (МСК)» for a stage counted in
    /// working days, «14.06.2026 включительно» for a plan, whose last day is a whole day
    /// (its due instant is the following midnight, which would read as the wrong date).
    pub fn due_words(&self) -> Option<String> {
        let due = self.due?;
        Some(match (due.what, &self.wish.plan) {
            (WishDeadline::Implementation, Some(plan)) => {
                format!("{} включительно", ru_date(plan.planned_to))
            }
            _ => format!("{} (МСК)", local(due.due_at)),
        })
    }
}

// ---------------------------------------------------------------- notices

pub(crate) fn ru_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// Who hears of a step: always the dealer; the account manager of a new wish; the admins
/// (the development department) of a wish handed to them. Each is told when the new stage
/// is due (Moscow time), so the dealer knows when to expect the next step.
fn notices(dated: &DatedWish, event: &WishEvent, dealer_name: &str) -> Vec<Notice> {
    let wish = &dated.wish;
    let plan = wish.plan.as_ref();
    let due_words = dated.due_words().unwrap_or_default();
    let due_label = dated.due.map(|d| d.what.label()).unwrap_or_default();
    let dealer = Notice::new(
        format!("wish:{}:v{}", wish.id, wish.version),
        "wish_status",
        Audience::DealerStaff {
            dealer_id: wish.dealer_id.clone(),
        },
        event.at,
    )
    .with("wish_id", wish.id.as_str())
    .with("title", wish.title.clone())
    .with("status", wish.status.code())
    .with("status_label", wish.status.label())
    .with("message", event.dealer_notice.clone())
    .with("comment", event.comment.clone().unwrap_or_default())
    .with("sprint", plan.map(|p| p.sprint.clone()).unwrap_or_default())
    .with(
        "planned_from",
        plan.map(|p| ru_date(p.planned_from)).unwrap_or_default(),
    )
    .with(
        "planned_to",
        plan.map(|p| ru_date(p.planned_to)).unwrap_or_default(),
    )
    .with("reason", wish.reason.clone().unwrap_or_default())
    .with("due_label", due_label)
    .with("due_words", due_words.clone());
    let mut out = vec![dealer];
    let next = match (event.action, wish.status) {
        (None, _) => Some((
            "manager",
            Audience::AccountManagerOf {
                dealer_id: wish.dealer_id.clone(),
            },
            "Новое пожелание дилера: рассмотрите и уточните его в течение 1–2 рабочих дней.",
        )),
        (Some(WishActionKind::SendToDevelopment), _) => Some((
            "development",
            Audience::Role { role: Role::Admin },
            "Пожелание передано в разработку: примите решение в течение 2–3 рабочих дней.",
        )),
        _ => None,
    };
    if let Some((suffix, audience, task)) = next {
        out.push(
            Notice::new(
                format!("wish:{}:v{}:{suffix}", wish.id, wish.version),
                "wish_task",
                audience,
                event.at,
            )
            .with("wish_id", wish.id.as_str())
            .with("title", wish.title.clone())
            .with("text", wish.text.clone())
            .with("status_label", wish.status.label())
            .with("dealer_name", dealer_name)
            .with("task", task)
            .with("due_words", due_words.clone())
            .with("comment", event.comment.clone().unwrap_or_default()),
        );
    }
    out
}

// ---------------------------------------------------------------- use cases

/// A dealer submits a wish.
pub async fn submit(
    state: &AppState,
    actor: &Actor,
    draft: &WishDraft,
) -> Result<DatedWish, AppError> {
    let dealer = actor
        .filing_dealer()
        .ok_or_else(AppError::forbidden)?
        .clone();
    let new = draft.validate()?;
    let id = WishId::new(ulid::Ulid::new().to_string());
    let now = state.clock.now();
    let (wish, event) = Wish::submit(id, dealer, actor, new, now);
    let dated = DatedWish::new(wish, &calendar::load(state).await?, now);
    let name = dealer_name(state, &dated.wish.dealer_id).await?;
    state
        .store
        .create_wish(&dated.wish, &event, &notices(&dated, &event, &name))
        .await?;
    tracing::info!(wish = %dated.wish.id, dealer = %dated.wish.dealer_id, "wish submitted");
    Ok(dated)
}

/// The wishes the caller may see, newest first, each with its stage's due date.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    page: &PageRequest,
) -> Result<Page<DatedWish>, AppError> {
    let page = visible_wishes(state, actor, page).await?;
    let calendar = calendar::load(state).await?;
    let now = state.clock.now();
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|w| DatedWish::new(w, &calendar, now))
            .collect(),
        next_cursor: page.next_cursor,
    })
}

async fn visible_wishes(
    state: &AppState,
    actor: &Actor,
    page: &PageRequest,
) -> Result<Page<Wish>, AppError> {
    match actor.scope(Area::Wishes) {
        Scope::All => Ok(state.store.all_wishes(page).await?),
        Scope::OwnDealer(dealer) => Ok(state.store.dealer_wishes(&dealer, page).await?),
        Scope::ManagedDealers(manager) => {
            // The first page of each of their dealers, merged: a manager looks after a
            // handful of dealers, so one merged page is what they read.
            let first = PageRequest {
                limit: page.limit,
                cursor: None,
            };
            let mut items = Vec::new();
            for dealer in state.store.dealers().await? {
                if dealer.account_manager_id.as_ref() == Some(&manager) {
                    items.extend(state.store.dealer_wishes(&dealer.id, &first).await?.items);
                }
            }
            items.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
            items.truncate(page.limit.clamp(1, 100) as usize);
            Ok(Page {
                items,
                next_cursor: None,
            })
        }
        Scope::Nothing => Err(AppError::forbidden()),
    }
}

/// One wish with its stage's due date and its history.
pub async fn card(
    state: &AppState,
    actor: &Actor,
    id: &WishId,
) -> Result<(DatedWish, Vec<WishEvent>), AppError> {
    ensure_area(actor, Area::Wishes)?;
    let (wish, history) = state
        .store
        .wish_with_history(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    ensure_visible(state, actor, Area::Wishes, &wish.dealer_id).await?;
    let dated = DatedWish::new(wish, &calendar::load(state).await?, state.clock.now());
    Ok((dated, history))
}

/// A decision as it arrives from a form or a JSON body, before its data is checked.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DecisionInput {
    pub action: String,
    pub note: Option<String>,
    pub reason: Option<String>,
    pub sprint: Option<String>,
    /// `YYYY-MM-DD`
    pub planned_from: Option<String>,
    /// `YYYY-MM-DD`
    pub planned_to: Option<String>,
}

fn unknown_action() -> AppError {
    AppError::bad_request(
        "unknown_action",
        "Неизвестное действие. Допустимы: review, send_to_development, reject, accept, implement.",
    )
}

impl DecisionInput {
    pub(crate) fn kind(&self) -> Result<WishActionKind, AppError> {
        WishActionKind::from_code(self.action.trim()).ok_or_else(unknown_action)
    }

    /// The decision, or which of its fields cannot be read.
    pub(crate) fn action(&self, kind: WishActionKind) -> Result<WishAction, ValidationError> {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Ok(match kind {
            WishActionKind::Review => WishAction::Review {
                note: self.note.clone().filter(|n| !n.trim().is_empty()),
            },
            WishActionKind::SendToDevelopment => WishAction::SendToDevelopment,
            WishActionKind::Reject => WishAction::Reject {
                reason: text(&self.reason),
            },
            WishActionKind::Implement => WishAction::Implement,
            WishActionKind::Accept => {
                let mut errors = Vec::new();
                let mut date = |field: &'static str, raw: &Option<String>, what: &str| {
                    let parsed = raw
                        .as_deref()
                        .map(str::trim)
                        .and_then(|r| NaiveDate::parse_from_str(r, "%Y-%m-%d").ok());
                    if parsed.is_none() {
                        errors.push(FieldError {
                            field,
                            message: format!("Укажите {what} в формате ГГГГ-ММ-ДД."),
                        });
                    }
                    parsed
                };
                let from = date("planned_from", &self.planned_from, "дату начала работ");
                let to = date("planned_to", &self.planned_to, "планируемую дату окончания");
                match (from, to) {
                    (Some(planned_from), Some(planned_to)) => WishAction::Accept {
                        sprint: text(&self.sprint),
                        planned_from,
                        planned_to,
                    },
                    _ => return Err(ValidationError { errors }),
                }
            }
        })
    }
}

/// A decision on a wish, made against the version the caller saw.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: &WishId,
    input: &DecisionInput,
    seen_version: u64,
) -> Result<DatedWish, AppError> {
    ensure_area(actor, Area::Wishes)?;
    let kind = input.kind()?;
    let wish = state
        .store
        .wish(id)
        .await?
        .ok_or_else(AppError::not_found)?;
    ensure_visible(state, actor, Area::Wishes, &wish.dealer_id).await?;
    if wish.version != seen_version {
        return Err(AppError::stale(dealerdesk_store::Entity::Wish));
    }
    let now = state.clock.now();
    let action = match input.action(kind) {
        Ok(action) => action,
        // Unreadable dates: an illegal or foreign decision is still reported as such.
        Err(invalid) => {
            wish.check_move(actor, kind)?;
            return Err(WishError::from(invalid).into());
        }
    };
    let (decided, event) = wish.apply(actor, action, now)?;
    let decided = DatedWish::new(decided, &calendar::load(state).await?, now);
    let name = dealer_name(state, &decided.wish.dealer_id).await?;
    state
        .store
        .save_wish_move(
            &wish,
            &decided.wish,
            &event,
            &notices(&decided, &event, &name),
        )
        .await?;
    tracing::info!(wish = %decided.wish.id, action = kind.code(), to = decided.wish.status.code(), "wish decided");
    Ok(decided)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(action: &str) -> DecisionInput {
        DecisionInput {
            action: action.into(),
            ..DecisionInput::default()
        }
    }

    #[test]
    fn a_decision_reads_its_dates_and_names_the_fields_it_cannot_read() {
        let mut accept = input("accept");
        accept.sprint = Some("Спринт 24".into());
        accept.planned_from = Some("2026-06-01".into());
        accept.planned_to = Some("01.06.2026".into());
        let err = accept.action(WishActionKind::Accept).unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["planned_to"]);
        accept.planned_to = Some("2026-06-14".into());
        assert!(matches!(
            accept.action(WishActionKind::Accept),
            Ok(WishAction::Accept { .. })
        ));
        assert!(input("approve").kind().is_err());
        assert_eq!(input(" reject ").kind().unwrap(), WishActionKind::Reject);
    }
}

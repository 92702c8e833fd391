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
//! wish sent to development).

use crate::AppState;
use crate::api::ApiCaller;
use crate::error::AppError;
use crate::portal::{PortalCaller, error_page, form, render, serde_value};
use crate::usecases;
use crate::views::{local, utc};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use dealerdesk_domain::error::FieldError;
use dealerdesk_domain::{
    Actor, Audience, DealerId, Notice, Role, UserId, ValidationError, Wish, WishAction,
    WishActionKind, WishDraft, WishEvent, WishId, WishStatus,
};
use dealerdesk_store::{DirectoryRepo, Page, PageRequest, StoreError, WishRepo};
use minijinja::context;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

// ---------------------------------------------------------------- rules of access

/// Whether `actor` has wishes at all: dealers, account managers and admins.
pub fn reads_wishes(actor: &Actor) -> bool {
    matches!(actor.role, Role::Dealer | Role::AccountManager | Role::Admin)
}

async fn account_manager_of(state: &AppState, dealer: &DealerId) -> Result<Option<UserId>, AppError> {
    Ok(state
        .store
        .dealer(dealer)
        .await?
        .and_then(|d| d.account_manager_id))
}

/// 403 for roles without wishes, 404 for a wish the caller may not know of.
async fn ensure_visible(state: &AppState, actor: &Actor, wish: &Wish) -> Result<(), AppError> {
    let visible = match actor.role {
        Role::Admin => true,
        Role::Dealer => actor.is_staff_of(&wish.dealer_id),
        Role::AccountManager => {
            account_manager_of(state, &wish.dealer_id).await?.as_ref() == Some(&actor.user_id)
        }
        _ => return Err(AppError::Forbidden),
    };
    if visible {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

// ---------------------------------------------------------------- notices

fn ru_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// Who hears of a step: always the dealer; the account manager of a new wish; the admins
/// (the development department) of a wish handed to them.
fn notices(wish: &Wish, event: &WishEvent, dealer_name: &str) -> Vec<Notice> {
    let plan = wish.plan.as_ref();
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
    .with("planned_from", plan.map(|p| ru_date(p.planned_from)).unwrap_or_default())
    .with("planned_to", plan.map(|p| ru_date(p.planned_to)).unwrap_or_default())
    .with("reason", wish.reason.clone().unwrap_or_default());
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
            .with("comment", event.comment.clone().unwrap_or_default()),
        );
    }
    out
}

async fn dealer_name(state: &AppState, dealer: &DealerId) -> Result<String, AppError> {
    Ok(state
        .store
        .dealer(dealer)
        .await?
        .map(|d| d.name)
        .unwrap_or_else(|| dealer.to_string()))
}

// ---------------------------------------------------------------- use cases

/// A dealer submits a wish.
pub async fn submit(state: &AppState, actor: &Actor, draft: &WishDraft) -> Result<Wish, AppError> {
    let dealer = actor.filing_dealer().ok_or(AppError::Forbidden)?.clone();
    let new = draft.validate()?;
    let id = WishId::new(ulid::Ulid::new().to_string());
    let (wish, event) = Wish::submit(id, dealer, actor, new, state.clock.now());
    let name = dealer_name(state, &wish.dealer_id).await?;
    state
        .store
        .create_wish(&wish, &event, &notices(&wish, &event, &name))
        .await?;
    tracing::info!(wish = %wish.id, dealer = %wish.dealer_id, "wish submitted");
    Ok(wish)
}

/// The wishes the caller may see, newest first.
pub async fn list(state: &AppState, actor: &Actor, page: &PageRequest) -> Result<Page<Wish>, AppError> {
    match actor.role {
        Role::Admin => Ok(state.store.all_wishes(page).await?),
        Role::Dealer => match &actor.dealer_id {
            Some(dealer) => Ok(state.store.dealer_wishes(dealer, page).await?),
            None => Err(AppError::Forbidden),
        },
        Role::AccountManager => {
            // The first page of each of their dealers, merged: a manager looks after a
            // handful of dealers, so one merged page is what they read.
            let first = PageRequest {
                limit: page.limit,
                cursor: None,
            };
            let mut items = Vec::new();
            for dealer in state.store.dealers().await? {
                if dealer.account_manager_id.as_ref() == Some(&actor.user_id) {
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
        _ => Err(AppError::Forbidden),
    }
}

/// One wish with its history.
pub async fn card(state: &AppState, actor: &Actor, id: &WishId) -> Result<(Wish, Vec<WishEvent>), AppError> {
    if !reads_wishes(actor) {
        return Err(AppError::Forbidden);
    }
    let (wish, history) = state
        .store
        .wish_with_history(id)
        .await?
        .ok_or(AppError::NotFound)?;
    ensure_visible(state, actor, &wish).await?;
    Ok((wish, history))
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
    fn kind(&self) -> Result<WishActionKind, AppError> {
        WishActionKind::from_code(self.action.trim()).ok_or_else(unknown_action)
    }

    /// The decision, or which of its fields cannot be read.
    fn action(&self, kind: WishActionKind) -> Result<WishAction, ValidationError> {
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

/// A stand-in decision with valid data, to learn whether a decision of `kind` is allowed
/// at all before complaining about its data.
fn probe(kind: WishActionKind) -> WishAction {
    let day = NaiveDate::MIN;
    match kind {
        WishActionKind::Review => WishAction::Review { note: None },
        WishActionKind::SendToDevelopment => WishAction::SendToDevelopment,
        WishActionKind::Reject => WishAction::Reject { reason: "-".into() },
        WishActionKind::Accept => WishAction::Accept {
            sprint: "-".into(),
            planned_from: day,
            planned_to: day + chrono::Days::new(30),
        },
        WishActionKind::Implement => WishAction::Implement,
    }
}

/// A decision on a wish, made against the version the caller saw.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: &WishId,
    input: &DecisionInput,
    seen_version: u64,
) -> Result<Wish, AppError> {
    if !reads_wishes(actor) {
        return Err(AppError::Forbidden);
    }
    let kind = input.kind()?;
    let wish = state.store.wish(id).await?.ok_or(AppError::NotFound)?;
    ensure_visible(state, actor, &wish).await?;
    if wish.version != seen_version {
        return Err(AppError::WishVersionConflict);
    }
    let now = state.clock.now();
    let action = match input.action(kind) {
        Ok(action) => action,
        // Unreadable dates: an illegal or foreign decision is still reported as such.
        Err(invalid) => {
            wish.apply(actor, probe(kind), now)?;
            return Err(AppError::Wish(invalid.into()));
        }
    };
    let (decided, event) = wish.apply(actor, action, now)?;
    let name = dealer_name(state, &decided.dealer_id).await?;
    match state
        .store
        .save_wish_move(&decided, seen_version, &event, &notices(&decided, &event, &name))
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict { .. }) => return Err(AppError::WishVersionConflict),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(wish = %decided.id, action = kind.code(), to = decided.status.code(), "wish decided");
    Ok(decided)
}

// ---------------------------------------------------------------- views

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

// ---------------------------------------------------------------- API

/// `POST /api/wishes` `{title, text}`
pub async fn api_create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    body: Bytes,
) -> Result<Response, AppError> {
    let draft: WishDraft = crate::api::parse_json(&body)?;
    let wish = submit(&state, &caller.actor, &draft).await?;
    Ok((StatusCode::CREATED, Json(wish_json(&wish))).into_response())
}

/// `GET /api/wishes` (`limit`, `cursor`)
pub async fn api_list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, AppError> {
    if !reads_wishes(&caller.actor) {
        return Err(AppError::Forbidden);
    }
    let (_, page) = crate::api::parse_list_query(query.as_deref())?;
    let page = list(&state, &caller.actor, &page).await?;
    Ok(Json(json!({
        "items": page.items.iter().map(wish_json).collect::<Vec<_>>(),
        "next_cursor": page.next_cursor,
    })))
}

/// `GET /api/wishes/{id}`: the wish, its history and the caller's decisions.
pub async fn api_get(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let (wish, history) = card(&state, &caller.actor, &WishId::new(id)).await?;
    let mut body = wish_json(&wish);
    body["history"] = history.iter().map(wish_event_json).collect();
    body["available_actions"] = wish
        .available_actions(caller.actor.role)
        .into_iter()
        .map(WishActionKind::code)
        .collect();
    Ok(Json(body))
}

#[derive(Deserialize)]
struct ActionBody {
    version: u64,
    #[serde(flatten)]
    input: DecisionInput,
}

/// `POST /api/wishes/{id}/actions`
/// `{action, version, note?, reason?, sprint?, planned_from?, planned_to?}`
pub async fn api_act(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let body: ActionBody = crate::api::parse_json(&body)?;
    let wish = decide(&state, &caller.actor, &WishId::new(id), &body.input, body.version).await?;
    Ok(Json(wish_json(&wish)))
}

// ---------------------------------------------------------------- portal

async fn list_page(
    state: &AppState,
    caller: &PortalCaller,
    status: StatusCode,
    values: &HashMap<String, String>,
    error: Option<&AppError>,
) -> Response {
    let actor = &caller.principal.actor;
    let result = async {
        let page = list(state, actor, &PageRequest { limit: 100, cursor: None }).await?;
        let dealers = if actor.role == Role::Dealer {
            HashMap::new()
        } else {
            usecases::dealer_names(state).await?
        };
        let rows: Vec<_> = page
            .items
            .iter()
            .map(|w| {
                let mut v = wish_json(w);
                v["created_local"] = local(w.created_at).into();
                v["updated_local"] = local(w.updated_at).into();
                v["dealer_name"] = dealers.get(&w.dealer_id).cloned().unwrap_or_default().into();
                v
            })
            .collect();
        let field_errors: HashMap<&str, String> =
            error.map(AppError::field_errors).unwrap_or_default().into_iter().collect();
        Ok::<_, AppError>(context! {
            me => caller.layout(),
            wishes => serde_value(&rows),
            show_dealer => actor.role != Role::Dealer,
            can_submit => actor.filing_dealer().is_some(),
            values => values,
            errors => field_errors,
            error => error.map(AppError::message_ru),
        })
    }
    .await;
    match result {
        Ok(ctx) => render(state, status, "wishes.html", ctx),
        Err(e) => error_page(state, Some(caller), &e),
    }
}

/// `GET /wishes`: the caller's wishes; a dealer also gets the form for a new one.
pub async fn portal_list(State(state): State<AppState>, caller: PortalCaller) -> Response {
    list_page(&state, &caller, StatusCode::OK, &HashMap::new(), None).await
}

/// `POST /wishes`: a dealer submits a wish from the form.
pub async fn portal_create(State(state): State<AppState>, caller: PortalCaller, body: Bytes) -> Response {
    let fields = form(&body);
    if let Err(e) = caller.principal.check_csrf(fields.get("csrf").map(String::as_str)) {
        return error_page(&state, Some(&caller), &e);
    }
    let get = |k: &str| fields.get(k).cloned().filter(|v| !v.is_empty());
    let draft = WishDraft {
        title: get("title"),
        text: get("text"),
    };
    match submit(&state, &caller.principal.actor, &draft).await {
        Ok(wish) => Redirect::to(&format!("/wishes/{}", wish.id)).into_response(),
        Err(e @ AppError::Domain(_)) => list_page(&state, &caller, e.status(), &fields, Some(&e)).await,
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

async fn card_page(
    state: &AppState,
    caller: &PortalCaller,
    id: &WishId,
    status: StatusCode,
    error: Option<&AppError>,
    values: &HashMap<String, String>,
) -> Response {
    let actor = &caller.principal.actor;
    let result = async {
        let (wish, history) = card(state, actor, id).await?;
        let people: Vec<_> = history.iter().map(|e| e.actor_id.clone()).collect();
        let names = usecases::user_names(state, &people).await?;
        let mut view = wish_json(&wish);
        view["created_local"] = local(wish.created_at).into();
        view["dealer_name"] = dealer_name(state, &wish.dealer_id).await?.into();
        if let Some(plan) = &wish.plan {
            view["plan_from_local"] = ru_date(plan.planned_from).into();
            view["plan_to_local"] = ru_date(plan.planned_to).into();
        }
        let events: Vec<_> = history
            .iter()
            .map(|e| {
                let mut v = wish_event_json(e);
                let name = names.get(&e.actor_id).cloned().unwrap_or_else(|| e.actor_id.to_string());
                v["who"] = format!("{name} ({})", e.actor_role.label()).into();
                v["at_local"] = local(e.at).into();
                v
            })
            .collect();
        let actions: Vec<_> = wish
            .available_actions(actor.role)
            .into_iter()
            .map(|k| context! { code => k.code(), label => k.label() })
            .collect();
        Ok::<_, AppError>(context! {
            me => caller.layout(),
            wish => serde_value(&view),
            history => serde_value(&events),
            actions => actions,
            error => error.map(AppError::message_ru),
            values => values,
        })
    }
    .await;
    match result {
        Ok(ctx) => render(state, status, "wish.html", ctx),
        Err(e) => error_page(state, Some(caller), &e),
    }
}

/// `GET /wishes/{id}`
pub async fn portal_card(State(state): State<AppState>, caller: PortalCaller, Path(id): Path<String>) -> Response {
    card_page(&state, &caller, &WishId::new(id), StatusCode::OK, None, &HashMap::new()).await
}

/// `POST /wishes/{id}/actions`: a decision from one of the card's forms.
pub async fn portal_act(
    State(state): State<AppState>,
    caller: PortalCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let id = WishId::new(id);
    let fields = form(&body);
    if let Err(e) = caller.principal.check_csrf(fields.get("csrf").map(String::as_str)) {
        return error_page(&state, Some(&caller), &e);
    }
    let get = |k: &str| fields.get(k).cloned();
    let input = DecisionInput {
        action: get("action").unwrap_or_default(),
        note: get("note"),
        reason: get("reason"),
        sprint: get("sprint"),
        planned_from: get("planned_from"),
        planned_to: get("planned_to"),
    };
    let Some(version) = fields.get("version").and_then(|v| v.parse::<u64>().ok()) else {
        let e = AppError::bad_request("bad_form", "Форма заполнена некорректно.");
        return card_page(&state, &caller, &id, e.status(), Some(&e), &fields).await;
    };
    match decide(&state, &caller.principal.actor, &id, &input, version).await {
        Ok(_) => Redirect::to(&format!("/wishes/{id}")).into_response(),
        Err(e) => card_page(&state, &caller, &id, e.status(), Some(&e), &fields).await,
    }
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

    #[test]
    fn probes_pass_the_domains_own_checks() {
        for kind in WishActionKind::ALL {
            assert!(probe(kind).validate().is_ok(), "{kind:?}");
        }
    }
}

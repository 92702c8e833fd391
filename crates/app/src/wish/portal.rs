//! The wishes' portal pages: the list with the dealer's form, and the card with the
//! decision forms.

use crate::AppState;
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::PortalForm;
use crate::kernel::ids::IdPath;
use crate::kernel::names::{dealer_name, dealer_names, user_names};
use crate::kernel::templates::{error_page, render, serde_value};
use crate::kernel::time::local;
use crate::wish::views::{wish_event_json, wish_json};
use crate::wish::{self, DecisionInput, ru_date};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::audit::{AuditItem, AuditKind};
use dealerdesk_domain::{Role, WishDraft, WishId};
use dealerdesk_store::PageRequest;
use minijinja::context;
use std::collections::HashMap;

async fn list_page(
    state: &AppState,
    caller: &PortalCaller,
    status: StatusCode,
    values: &HashMap<String, String>,
    error: Option<&AppError>,
) -> Response {
    let actor = &caller.principal.actor;
    let result = async {
        let page = wish::list(
            state,
            actor,
            &PageRequest {
                limit: 100,
                cursor: None,
            },
        )
        .await?;
        let dealers = if actor.role == Role::Dealer {
            HashMap::new()
        } else {
            dealer_names(state).await?
        };
        let rows: Vec<_> = page
            .items
            .iter()
            .map(|dated| {
                let w = &dated.wish;
                let mut v = wish_json(dated);
                v["created_local"] = local(w.created_at).into();
                v["updated_local"] = local(w.updated_at).into();
                v["due_words"] = dated.due_words().into();
                v["dealer_name"] = dealers
                    .get(&w.dealer_id)
                    .cloned()
                    .unwrap_or_default()
                    .into();
                v
            })
            .collect();
        let field_errors: HashMap<&str, String> = error
            .map(AppError::field_errors)
            .unwrap_or_default()
            .into_iter()
            .collect();
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
pub async fn portal_create(
    State(state): State<AppState>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    let get = |k: &str| fields.get(k).cloned().filter(|v| !v.is_empty());
    let draft = WishDraft {
        title: get("title"),
        text: get("text"),
    };
    match wish::submit(&state, &caller.principal.actor, &draft).await {
        Ok(dated) => Redirect::to(&format!("/wishes/{}", dated.wish.id)).into_response(),
        Err(e) if e.code() == "validation_failed" => {
            list_page(&state, &caller, e.status(), &fields, Some(&e)).await
        }
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
        let (dated, history) = wish::card(state, actor, id).await?;
        let wish = &dated.wish;
        let people: Vec<_> = history.iter().map(|e| e.actor_id.clone()).collect();
        let names = user_names(state, &people).await?;
        let mut view = wish_json(&dated);
        view["created_local"] = local(wish.created_at).into();
        view["due_words"] = dated.due_words().into();
        view["dealer_name"] = dealer_name(state, &wish.dealer_id).await?.into();
        if let Some(plan) = &wish.plan {
            view["plan_from_local"] = ru_date(plan.planned_from).into();
            view["plan_to_local"] = ru_date(plan.planned_to).into();
        }
        let events: Vec<_> = history
            .iter()
            .map(|e| {
                let mut v = wish_event_json(e);
                let name = names
                    .get(&e.actor_id)
                    .cloned()
                    .unwrap_or_else(|| e.actor_id.to_string());
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
        let audit = crate::audit::views::card_block(
            state,
            &AuditItem::new(AuditKind::Wish, wish.id.as_str()),
        )
        .await?;
        Ok::<_, AppError>(context! {
            audit => serde_value(&audit),
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
pub async fn portal_card(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(id): IdPath<WishId>,
) -> Response {
    card_page(&state, &caller, &id, StatusCode::OK, None, &HashMap::new()).await
}

/// `POST /wishes/{id}/actions`: a decision from one of the card's forms.
pub async fn portal_act(
    State(state): State<AppState>,
    IdPath(id): IdPath<WishId>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
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
    match wish::decide(&state, &caller.principal.actor, &id, &input, version).await {
        Ok(_) => Redirect::to(&format!("/wishes/{id}")).into_response(),
        Err(e) => card_page(&state, &caller, &id, e.status(), Some(&e), &fields).await,
    }
}

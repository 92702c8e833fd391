//! The tickets' portal pages: the list, the new-ticket form and the card, which gathers
//! the ticket, its history, the time-and-cost block and the comments-and-files block.

use crate::AppState;
use crate::kernel::auth;
use crate::kernel::caller::PortalCaller;
use crate::kernel::card::CardRefusal;
use crate::kernel::error::AppError;
use crate::kernel::extract::PortalForm;
use crate::kernel::ids::IdPath;
use crate::kernel::names::{dealer_names, user_names};
use crate::kernel::templates::{error_page, render, serde_value};
use crate::kernel::time::local;
use crate::ticket::views::{add_sla_view, event_view, ticket_json};
use crate::ticket::{self, queue};
use axum::body::Bytes;
use axum::extract::{RawQuery, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::audit::{AuditItem, AuditKind};
use dealerdesk_domain::{
    Action, Billing, Category, Criticality, EstimateDraft, Role, State as TicketState, TicketDraft,
    TicketId, format_rub, hourly_rate, reaction_time,
};
use minijinja::{Value, context};
use serde::Deserialize;
use std::collections::HashMap;

/// `GET /tickets`
pub async fn tickets(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let (filter, page) = ticket::api::parse_list_query(query.as_deref())?;
        // Specialists and admins work the queue unless they ask for every ticket.
        let actor = &caller.principal.actor;
        let view = match queue::parse_view(query.as_deref())? {
            Some(v) => v,
            None if actor.sees_all_tickets() => queue::View::Queue,
            None => queue::View::All,
        };
        let page = match view {
            queue::View::Queue => queue::list(&state, actor, filter, &page).await?,
            queue::View::All => ticket::list_tickets(&state, actor, filter, &page).await?,
        };
        let now = state.clock.now();
        let dealers = if caller.principal.actor.role == Role::Dealer {
            HashMap::new()
        } else {
            dealer_names(&state).await?
        };
        let rows: Vec<_> = page
            .items
            .iter()
            .map(|t| {
                let mut v = ticket_json(t, now);
                add_sla_view(&mut v, t);
                v["created_local"] = local(t.created_at).into();
                v["dealer_name"] = dealers
                    .get(&t.dealer_id)
                    .cloned()
                    .unwrap_or_default()
                    .into();
                v
            })
            .collect();
        let states: Vec<_> = TicketState::ALL
            .iter()
            .map(|s| context! { code => s.code(), label => s.label() })
            .collect();
        Ok::<_, AppError>(context! {
            me => caller.layout(),
            tickets => serde_value(&rows),
            states => states,
            filter => filter.map(|s| s.code()),
            next_cursor => page.next_cursor,
            show_dealer => caller.principal.actor.role != Role::Dealer,
            queue => view == queue::View::Queue,
            can_queue => caller.principal.actor.sees_all_tickets(),
        })
    }
    .await;
    match result {
        Ok(ctx) => render(&state, StatusCode::OK, "tickets.html", ctx),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

fn new_ticket_page(
    state: &AppState,
    caller: &PortalCaller,
    status: StatusCode,
    values: &HashMap<String, String>,
    error: Option<&AppError>,
) -> Response {
    new_ticket_page_with(state, caller, status, values, error, Value::UNDEFINED)
}

/// The new-ticket form with an estimate banner (`Value::UNDEFINED` for none).
pub(crate) fn new_ticket_page_with(
    state: &AppState,
    caller: &PortalCaller,
    status: StatusCode,
    values: &HashMap<String, String>,
    error: Option<&AppError>,
    estimate: Value,
) -> Response {
    let categories: Vec<_> = Category::ALL
        .iter()
        .map(|c| context! { code => c.code(), label => c.label(), billing => c.default_billing().label() })
        .collect();
    // «Высокая — реакция 3 рабочих часа, 3 500 ₽/ч»: the words come from the catalog and
    // the SLA table, so the form cannot drift from what the ticket will get.
    let criticalities: Vec<_> = Criticality::ALL
        .iter()
        .map(|&c| {
            context! {
                code => c.code(),
                label => c.label(),
                reaction => reaction_time(c).label(),
                rate => format_rub(hourly_rate(c)),
            }
        })
        .collect();
    let billings: Vec<_> = Billing::ALL
        .iter()
        .map(|b| context! { code => b.code(), label => b.label() })
        .collect();
    let field_errors: HashMap<&str, String> = error
        .map(AppError::field_errors)
        .unwrap_or_default()
        .into_iter()
        .collect();
    render(
        state,
        status,
        "ticket_new.html",
        context! {
            me => caller.layout(),
            categories => categories,
            criticalities => criticalities,
            billings => billings,
            values => values,
            form_id => values.get("form_id").cloned().unwrap_or_else(auth::new_token),
            errors => field_errors,
            error => error.map(AppError::message_ru),
            estimate => estimate,
        },
    )
}

/// `POST /tickets/new/estimate`: the new-ticket form again, with what similar work cost
/// (SPEC §2.5) for what the dealer has typed so far — the use case of `GET /api/estimates`.
/// Works without JavaScript: the form's second button posts here. Too little similar work
/// shows no banner at all; a bad field is shown on the form.
pub async fn new_ticket_estimate(
    State(state): State<AppState>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    let field = |name| crate::cost::portal::text_field(&fields, name);
    let draft = EstimateDraft {
        category: field("category"),
        criticality: field("criticality"),
        billing: field("billing"),
        title: field("title"),
        text: field("text"),
    };
    match crate::cost::draft_estimate(&state, &caller.principal.actor, &draft).await {
        Ok(estimate) => {
            let banner = estimate
                .as_ref()
                .map_or(Value::UNDEFINED, crate::cost::views::banner);
            new_ticket_page_with(&state, &caller, StatusCode::OK, &fields, None, banner)
        }
        Err(e) if !e.field_errors().is_empty() => new_ticket_page(
            &state,
            &caller,
            StatusCode::UNPROCESSABLE_ENTITY,
            &fields,
            Some(&e),
        ),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// `GET /tickets/new`
pub async fn new_ticket(State(state): State<AppState>, caller: PortalCaller) -> Response {
    if caller.principal.actor.filing_dealer().is_none() {
        return error_page(&state, Some(&caller), &AppError::forbidden());
    }
    new_ticket_page(&state, &caller, StatusCode::OK, &HashMap::new(), None)
}

/// `POST /tickets`
pub async fn create_ticket(
    State(state): State<AppState>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    let get = |k: &str| fields.get(k).cloned().filter(|v| !v.is_empty());
    let draft = TicketDraft {
        title: get("title"),
        text: get("text"),
        category: get("category"),
        criticality: get("criticality"),
        billing: get("billing"),
    };
    // The form's hidden token makes a double-clicked submit one ticket.
    let key = fields
        .get("form_id")
        .map(String::as_str)
        .filter(|k| !k.is_empty());
    match ticket::file_ticket(&state, &caller.principal.actor, &draft, key).await {
        Ok((ticket, _)) => {
            // A ticket filed after a suggested article was opened: not deflected; one whose
            // text finds no article: what the knowledge base should cover next.
            let actor = &caller.principal.actor;
            if fields.get("kb_opened").is_some_and(|v| v == "1")
                && let Some(form) = key
            {
                crate::kb_suggest::filed(&state, actor, form).await;
            }
            crate::kb_suggest::filed_text(&state, actor, &ticket.title, &ticket.text).await;
            Redirect::to(&format!("/tickets/{}", ticket.id)).into_response()
        }
        Err(e) if e.code() == "validation_failed" => {
            new_ticket_page(&state, &caller, e.status(), &fields, Some(&e))
        }
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

pub(crate) async fn ticket_page(
    state: &AppState,
    caller: &PortalCaller,
    id: &TicketId,
    status: StatusCode,
    error: Option<&AppError>,
    comment: &str,
) -> Response {
    let result = async {
        let (ticket, history) = ticket::ticket_card(state, &caller.principal.actor, id).await?;
        let people: Vec<_> = history.iter().filter_map(|e| e.actor_id.clone()).collect();
        let names = user_names(state, &people).await?;
        let dealer = dealer_names(state).await?.remove(&ticket.dealer_id).unwrap_or_default();
        let actions: Vec<_> = ticket
            .available_actions(&caller.principal.actor)
            .into_iter()
            .map(|a| context! { code => a.code(), label => a.label(), needs_comment => a.requires_comment() })
            .collect();
        let mut view = ticket_json(&ticket, state.clock.now());
        add_sla_view(&mut view, &ticket);
        view["created_local"] = local(ticket.created_at).into();
        view["dealer_name"] = dealer.into();
        let auto_accept = ticket::auto_accept_part(state, &ticket).await?;
        view["auto_accept_label"] = auto_accept.auto_accept_label.into();
        view["auto_accept_paused"] = auto_accept.auto_accept_paused.into();
        let events: Vec<_> = history.iter().map(|e| event_view(e, &names)).collect();
        let cost = crate::cost::views::block(state, &caller.principal.actor, &ticket).await?;
        let notes = crate::comment::views::card_block(state, &caller.principal.actor, &ticket).await?;
        let audit = crate::audit::views::card_block(
            state,
            &AuditItem::new(AuditKind::Ticket, ticket.id.as_str()),
        )
        .await?;
        Ok::<_, AppError>(context! {
            audit => serde_value(&audit),
            me => caller.layout(),
            cost => cost,
            ticket => serde_value(&view),
            history => serde_value(&events),
            actions => actions,
            error => error.map(AppError::message_ru),
            comment => comment,
            notes => serde_value(&notes),
        })
    }
    .await;
    match result {
        Ok(ctx) => render(state, status, "ticket.html", ctx),
        Err(e) => error_page(state, Some(caller), &e),
    }
}

/// `GET /tickets/{id}`
pub async fn ticket(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(id): IdPath<TicketId>,
) -> Response {
    ticket_page(&state, &caller, &id, StatusCode::OK, None, "").await
}

#[derive(Deserialize)]
struct ActionForm {
    action: String,
    #[serde(default)]
    comment: String,
    version: String,
    /// Only `send_estimate` reads it: the work estimate, minutes.
    #[serde(default)]
    estimate_minutes: String,
    csrf: Option<String>,
}

/// `POST /tickets/{id}/actions`
pub async fn act(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(id): IdPath<TicketId>,
    body: Bytes,
) -> Response {
    let parsed: Result<ActionForm, _> = serde_urlencoded::from_bytes(&body);
    let Ok(f) = parsed else {
        let e = AppError::bad_request("bad_form", "Форма заполнена некорректно.");
        return ticket_page(&state, &caller, &id, e.status(), Some(&e), "").await;
    };
    if let Err(e) = caller.principal.check_csrf(f.csrf.as_deref()) {
        return error_page(&state, Some(&caller), &e);
    }
    let action = Action::from_code(&f.action).filter(|a| *a != Action::AutoAccept);
    let (Some(action), Ok(version)) = (action, f.version.parse::<u64>()) else {
        let e = AppError::bad_request("bad_form", "Форма заполнена некорректно.");
        return ticket_page(&state, &caller, &id, e.status(), Some(&e), &f.comment).await;
    };
    let comment = Some(f.comment.as_str()).filter(|c| !c.trim().is_empty());
    // Not a number is as good as missing: the estimate check says what is needed.
    let estimate = f.estimate_minutes.trim().parse::<i64>().ok();
    let m = crate::ticket::Move {
        id: &id,
        action,
        comment,
        estimate_minutes: estimate,
        seen_version: version,
        idempotency_key: None,
    };
    match crate::cost::act(&state, &caller.principal.actor, &m).await {
        Ok(_) => Redirect::to(&format!("/tickets/{id}")).into_response(),
        Err(e) => ticket_page(&state, &caller, &id, e.status(), Some(&e), &f.comment).await,
    }
}

/// Shows the card again for a refused form of another feature on it ([`CardRefusal`]).
pub async fn show_refused_card(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    match response.extensions_mut().remove::<CardRefusal>() {
        Some(r) => {
            ticket_page(
                &state,
                &r.caller,
                &r.ticket,
                r.error.status(),
                Some(&r.error),
                &r.comment,
            )
            .await
        }
        None => response,
    }
}

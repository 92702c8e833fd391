//! Delete and restore in the portal: the deleted lists («Удалённые заявки»,
//! «Удалённые обращения») and a confirmation page before each step — a plain form with the
//! session's CSRF token and the version seen, no script.

use crate::AppState;
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::PortalForm;
use crate::kernel::ids::IdPath;
use crate::kernel::paging::page_request;
use crate::kernel::templates::{error_page, render};
use crate::kernel::time::local;
use crate::restore;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::Ticket;
use dealerdesk_domain::TicketId;
use dealerdesk_domain::audit::{Deletable, Deletion};
use dealerdesk_domain::lead::{Lead, LeadId};
use minijinja::{Value, context};
use std::collections::HashMap;

/// One row of a deleted list.
fn row(
    id: &str,
    title: String,
    deleted: Option<&Deletion>,
    names: &HashMap<dealerdesk_domain::UserId, String>,
) -> Value {
    context! {
        id => id,
        title => title,
        deleted_at => deleted.map(|d| local(d.at)),
        deleted_by => deleted.map(|d| names.get(&d.by).cloned().unwrap_or_else(|| d.by.to_string())),
    }
}

fn lead_title(lead: &Lead) -> String {
    format!(
        "{} · {} · {}",
        lead.kind().label(),
        lead.dealer(),
        local(lead.created_at())
    )
}

fn ticket_title(ticket: &Ticket) -> String {
    format!("{} · {}", ticket.id, ticket.title)
}

async fn names_of(
    state: &AppState,
    deletions: impl Iterator<Item = Option<&Deletion>>,
) -> Result<HashMap<dealerdesk_domain::UserId, String>, AppError> {
    let people: Vec<_> = deletions.flatten().map(|d| d.by.clone()).collect();
    crate::kernel::names::user_names(state, &people).await
}

fn list_page(
    state: &AppState,
    caller: &PortalCaller,
    what: Deletable,
    rows: Vec<Value>,
    next: Option<String>,
) -> Response {
    let (title, base) = match what {
        Deletable::Lead => ("Удалённые заявки", "leads"),
        Deletable::Ticket => ("Удалённые обращения", "tickets"),
    };
    render(
        state,
        StatusCode::OK,
        "restore/deleted.html",
        context! {
            me => caller.layout(),
            title => title,
            rows => rows,
            base => base,
            next => next,
        },
    )
}

/// `GET /leads/deleted`
pub async fn deleted_leads(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let page = page_request(query.as_deref())?;
        let found = restore::deleted_leads(&state, caller.actor(), &page).await?;
        let names = names_of(&state, found.items.iter().map(Lead::deleted)).await?;
        let rows = found
            .items
            .iter()
            .map(|l| {
                let id = l.id().to_string();
                row(&id, lead_title(l), l.deleted(), &names)
            })
            .collect();
        Ok::<_, AppError>((rows, found.next_cursor))
    }
    .await;
    match result {
        Ok((rows, next)) => list_page(&state, &caller, Deletable::Lead, rows, next),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// `GET /tickets/deleted`
pub async fn deleted_tickets(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let page = page_request(query.as_deref())?;
        let found = restore::deleted_tickets(&state, caller.actor(), &page).await?;
        let names = names_of(&state, found.items.iter().map(|t| t.deleted.as_ref())).await?;
        let rows = found
            .items
            .iter()
            .map(|t| row(t.id.as_str(), ticket_title(t), t.deleted.as_ref(), &names))
            .collect();
        Ok::<_, AppError>((rows, found.next_cursor))
    }
    .await;
    match result {
        Ok((rows, next)) => list_page(&state, &caller, Deletable::Ticket, rows, next),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// What a confirmation page asks.
struct Confirm<'a> {
    heading: &'a str,
    question: &'a str,
    item: String,
    /// `leads` or `tickets`; the form posts to `/<base>/<id>/<step>` (a word, not a path:
    /// the templates escape `/`).
    base: &'a str,
    id: String,
    step: &'a str,
    button: &'a str,
    version: u64,
}

fn confirm_page(
    state: &AppState,
    caller: &PortalCaller,
    status: StatusCode,
    c: Confirm<'_>,
    error: Option<&AppError>,
) -> Response {
    render(
        state,
        status,
        "restore/confirm.html",
        context! {
            me => caller.layout(),
            heading => c.heading,
            question => c.question,
            item => c.item,
            base => c.base,
            id => c.id,
            step => c.step,
            button => c.button,
            version => c.version,
            error => error.map(AppError::message_ru),
        },
    )
}

fn lead_confirm(lead: &Lead, delete: bool) -> Confirm<'static> {
    let id = lead.id();
    if delete {
        Confirm {
            heading: "Удалить заявку?",
            question: "Заявка пропадёт из всех списков, поиска, отчётов и заданий. Её история сохранится; головной офис бренда или администратор смогут её восстановить.",
            item: lead_title(lead),
            base: "leads",
            id: id.to_string(),
            step: "delete",
            button: "Удалить",
            version: lead.version(),
        }
    } else {
        Confirm {
            heading: "Восстановить заявку?",
            question: "Заявка вернётся в списки дилера и бренда такой, какой была, с её историей.",
            item: lead_title(lead),
            base: "leads",
            id: id.to_string(),
            step: "restore",
            button: "Восстановить",
            version: lead.version(),
        }
    }
}

fn ticket_confirm(ticket: &Ticket, delete: bool) -> Confirm<'static> {
    let id = &ticket.id;
    if delete {
        Confirm {
            heading: "Удалить обращение?",
            question: "Обращение пропадёт из всех списков, очереди, отчётов и заданий. Его история сохранится; администратор сможет его восстановить.",
            item: ticket_title(ticket),
            base: "tickets",
            id: id.to_string(),
            step: "delete",
            button: "Удалить",
            version: ticket.version,
        }
    } else {
        Confirm {
            heading: "Восстановить обращение?",
            question: "Обращение вернётся в списки и очередь таким, каким было, с его историей.",
            item: ticket_title(ticket),
            base: "tickets",
            id: id.to_string(),
            step: "restore",
            button: "Восстановить",
            version: ticket.version,
        }
    }
}

/// The confirmation of a lead's step; the page's own 409 when the lead is not in the state
/// the step needs.
async fn lead_confirmation(
    state: &AppState,
    caller: &PortalCaller,
    id: &LeadId,
    delete: bool,
) -> Response {
    match restore::lead(state, caller.actor(), id).await {
        Ok(lead) if lead.deleted().is_some() == delete => {
            let e: AppError = if delete {
                dealerdesk_domain::audit::DeletionError::AlreadyDeleted(Deletable::Lead).into()
            } else {
                dealerdesk_domain::audit::DeletionError::NotDeleted(Deletable::Lead).into()
            };
            error_page(state, Some(caller), &e)
        }
        Ok(lead) => confirm_page(
            state,
            caller,
            StatusCode::OK,
            lead_confirm(&lead, delete),
            None,
        ),
        Err(e) => error_page(state, Some(caller), &e),
    }
}

async fn ticket_confirmation(
    state: &AppState,
    caller: &PortalCaller,
    id: &TicketId,
    delete: bool,
) -> Response {
    match restore::ticket(state, caller.actor(), id).await {
        Ok(ticket) if ticket.deleted.is_some() == delete => {
            let e: AppError = if delete {
                dealerdesk_domain::audit::DeletionError::AlreadyDeleted(Deletable::Ticket).into()
            } else {
                dealerdesk_domain::audit::DeletionError::NotDeleted(Deletable::Ticket).into()
            };
            error_page(state, Some(caller), &e)
        }
        Ok(ticket) => confirm_page(
            state,
            caller,
            StatusCode::OK,
            ticket_confirm(&ticket, delete),
            None,
        ),
        Err(e) => error_page(state, Some(caller), &e),
    }
}

fn form_version(fields: &HashMap<String, String>) -> Result<u64, AppError> {
    fields
        .get("version")
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or_else(|| AppError::bad_request("bad_form", "Форма заполнена некорректно."))
}

async fn lead_step(
    state: &AppState,
    caller: &PortalCaller,
    id: &LeadId,
    fields: &HashMap<String, String>,
    delete: bool,
) -> Response {
    let result = async {
        let version = form_version(fields)?;
        restore::move_lead(state, caller.actor(), id, version, delete).await
    }
    .await;
    match result {
        Ok(_) if delete => Redirect::to("/leads/deleted").into_response(),
        Ok(lead) => Redirect::to(&format!("/leads/{}", lead.id())).into_response(),
        // A stale version or a step already made: the page again, with the message.
        Err(e) if e.status() == StatusCode::CONFLICT => {
            match restore::lead(state, caller.actor(), id).await {
                Ok(lead) => confirm_page(
                    state,
                    caller,
                    e.status(),
                    lead_confirm(&lead, delete),
                    Some(&e),
                ),
                Err(other) => error_page(state, Some(caller), &other),
            }
        }
        Err(e) => error_page(state, Some(caller), &e),
    }
}

async fn ticket_step(
    state: &AppState,
    caller: &PortalCaller,
    id: &TicketId,
    fields: &HashMap<String, String>,
    delete: bool,
) -> Response {
    let result = async {
        let version = form_version(fields)?;
        restore::move_ticket(state, caller.actor(), id, version, delete).await
    }
    .await;
    match result {
        Ok(_) if delete => Redirect::to("/tickets/deleted").into_response(),
        Ok(ticket) => Redirect::to(&format!("/tickets/{}", ticket.id)).into_response(),
        Err(e) if e.status() == StatusCode::CONFLICT => {
            match restore::ticket(state, caller.actor(), id).await {
                Ok(ticket) => confirm_page(
                    state,
                    caller,
                    e.status(),
                    ticket_confirm(&ticket, delete),
                    Some(&e),
                ),
                Err(other) => error_page(state, Some(caller), &other),
            }
        }
        Err(e) => error_page(state, Some(caller), &e),
    }
}

/// `GET /leads/{id}/delete`
pub async fn confirm_lead_delete(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(id): IdPath<LeadId>,
) -> Response {
    lead_confirmation(&state, &caller, &id, true).await
}

/// `POST /leads/{id}/delete`
pub async fn lead_delete(
    State(state): State<AppState>,
    IdPath(id): IdPath<LeadId>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    lead_step(&state, &caller, &id, &fields, true).await
}

/// `GET /leads/{id}/restore`
pub async fn confirm_lead_restore(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(id): IdPath<LeadId>,
) -> Response {
    lead_confirmation(&state, &caller, &id, false).await
}

/// `POST /leads/{id}/restore`
pub async fn lead_restore(
    State(state): State<AppState>,
    IdPath(id): IdPath<LeadId>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    lead_step(&state, &caller, &id, &fields, false).await
}

/// `GET /tickets/{id}/delete`
pub async fn confirm_ticket_delete(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(id): IdPath<TicketId>,
) -> Response {
    ticket_confirmation(&state, &caller, &id, true).await
}

/// `POST /tickets/{id}/delete`
pub async fn ticket_delete(
    State(state): State<AppState>,
    IdPath(id): IdPath<TicketId>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    ticket_step(&state, &caller, &id, &fields, true).await
}

/// `GET /tickets/{id}/restore`
pub async fn confirm_ticket_restore(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(id): IdPath<TicketId>,
) -> Response {
    ticket_confirmation(&state, &caller, &id, false).await
}

/// `POST /tickets/{id}/restore`
pub async fn ticket_restore(
    State(state): State<AppState>,
    IdPath(id): IdPath<TicketId>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    ticket_step(&state, &caller, &id, &fields, false).await
}

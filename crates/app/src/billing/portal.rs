//! «Документы» in the portal: the invoices and acts the caller sees (the dealer's staff and
//! accountant their dealer's, an account manager his dealers', admins all), with a quarter
//! filter and the PDF downloads.

use crate::AppState;
use crate::billing::documents;
use crate::billing::documents_api::{DocumentId, filters, pdf_response, views};
use crate::kernel::caller::PortalCaller;
use crate::kernel::ids::IdPath;
use crate::kernel::templates::{error_page, render, serde_value};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use dealerdesk_domain::Role;
use minijinja::context;

/// `GET /documents`
pub async fn documents_page(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let actor = &caller.principal.actor;
    let result = async {
        let (quarter, dealer) = filters(query.as_deref())?;
        let docs = documents::list(&state, actor, dealer.as_ref(), quarter).await?;
        let rows = views(&state, &docs).await?;
        Ok::<_, crate::kernel::error::AppError>((quarter, rows))
    }
    .await;
    match result {
        Ok((quarter, rows)) => render(
            &state,
            StatusCode::OK,
            "documents.html",
            context! {
                me => caller.layout(),
                documents => serde_value(&rows),
                quarter => quarter.map(|q| q.code()),
                show_dealer => !matches!(actor.role, Role::Dealer | Role::Accountant),
            },
        ),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// `GET /documents/{id}/pdf`: the portal's download link (cookie session).
pub async fn download(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(id): IdPath<DocumentId>,
) -> Response {
    match documents::pdf(&state, &caller.principal.actor, &id.0).await {
        Ok((doc, bytes)) => pdf_response(&doc, bytes),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// Adds the documents page.
pub fn add_templates(env: &mut minijinja::Environment<'static>) {
    crate::kernel::templates::add(
        env,
        "documents.html",
        include_str!("../../templates/billing/documents.html"),
    );
}

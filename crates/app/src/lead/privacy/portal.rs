//! The admin's page of a customer's personal data: what is kept, and the button that
//! anonymises.

use crate::AppState;
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::PortalForm;
use crate::kernel::ids::IdPath;
use crate::kernel::templates::{error_page, render, serde_value};
use crate::lead::privacy::{self, views::CustomerPrivacyView};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

/// `GET /admin/customers/{id}`: the profile (contacts masked) and the «Обезличить» form.
pub async fn page(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(id): IdPath<String>,
) -> Response {
    let shown = async {
        let id = privacy::customer_id(&id)?;
        privacy::profile(&state, &caller.principal.actor, &id).await
    }
    .await;
    match shown {
        Ok(profile) => render(
            &state,
            StatusCode::OK,
            "lead/privacy/customer.html",
            context! {
                me => caller.layout(),
                customer => serde_value(CustomerPrivacyView::new(&profile)),
            },
        ),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// `POST /admin/customers/{id}/anonymise`: anonymises, then shows the page again.
pub async fn anonymise(
    State(state): State<AppState>,
    IdPath(id): IdPath<String>,
    form: PortalForm,
) -> Response {
    let done: Result<(), AppError> = async {
        let id = privacy::customer_id(&id)?;
        privacy::anonymise(&state, &form.caller.principal.actor, &id, state.clock.now()).await?;
        Ok(())
    }
    .await;
    match done {
        Ok(()) => Redirect::to(&format!("/admin/customers/{id}")).into_response(),
        Err(e) => error_page(&state, Some(&form.caller), &e),
    }
}

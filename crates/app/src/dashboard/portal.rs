//! The start page: the dashboard for a dealer and its accountant (or a dealer's dashboard
//! opened by its account manager or an admin with `?dealer=`), the ticket list for the
//! platform's ticket workers, a short note for the rest.

use crate::AppState;
use crate::dashboard::{self, views::DashboardView};
use crate::kernel::caller::PortalCaller;
use crate::kernel::templates::{error_page, render, serde_value};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::Role;
use minijinja::context;
use serde::Deserialize;

/// `?dealer=` for staff.
#[derive(Deserialize)]
pub struct HomeQuery {
    dealer: Option<String>,
}

/// `GET /`
pub async fn home(
    State(state): State<AppState>,
    caller: PortalCaller,
    Query(query): Query<HomeQuery>,
) -> Response {
    let actor = caller.actor();
    let own = actor.role.is_dealer_bound();
    if own || query.dealer.as_deref().is_some_and(|d| !d.is_empty()) {
        return match dashboard::dashboard(&state, actor, query.dealer.as_deref(), state.clock.now())
            .await
        {
            Ok(d) => {
                let view = DashboardView::new(&d, &state.settings.kb_url);
                render(
                    &state,
                    StatusCode::OK,
                    "dashboard/dashboard.html",
                    context! {
                        me => caller.layout(),
                        d => serde_value(&view),
                        accountant => actor.role == Role::Accountant,
                    },
                )
            }
            Err(e) => error_page(&state, Some(&caller), &e),
        };
    }
    if actor.reads_tickets() {
        return Redirect::to("/tickets").into_response();
    }
    let scope = match actor.role {
        Role::RegionalRep => {
            "Заявки с сайтов закреплённых за вами дилеров и эскалации по ним появятся здесь."
        }
        Role::BrandAdmin => "Заявки и отчёты по дилерской сети появятся здесь.",
        _ => "",
    };
    render(
        &state,
        StatusCode::OK,
        "home.html",
        context! { me => caller.layout(), scope => scope },
    )
}

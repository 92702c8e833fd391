//! The suggestions' portal faces: the link a suggestion opens through (it records the
//! opening for deflection, then redirects to the article) and the admin's report
//! «Подсказки базы знаний».

use crate::AppState;
use crate::kb_suggest::{self, views::DeflectionRow};
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::names::dealer_names;
use crate::kernel::templates::{error_page, render, serde_value};
use crate::kernel::time::local;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::kb::deflection::ABANDON_AFTER_MINUTES;
use minijinja::context;
use serde::Deserialize;

#[derive(Deserialize)]
struct OpenQuery {
    form: Option<String>,
}

/// `GET /kb-suggest/open/{slug}?form=<form id>`: records that the dealer opened this
/// suggested article from that new-ticket form, then redirects to the article's page.
/// An article the index does not have is a 404 (so this is no open redirect).
pub async fn open(
    State(state): State<AppState>,
    caller: PortalCaller,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let form = serde_urlencoded::from_str::<OpenQuery>(query.as_deref().unwrap_or(""))
        .ok()
        .and_then(|q| q.form)
        .unwrap_or_default();
    match kb_suggest::open(&state, &caller.principal.actor, &slug, &form).await {
        Ok(Some(url)) => Redirect::to(&url).into_response(),
        Ok(None) => error_page(&state, Some(&caller), &AppError::not_found()),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// `GET /admin/kb-suggest`: deflection per dealer and per article, and the queries that
/// found nothing (admins only).
pub async fn report_page(State(state): State<AppState>, caller: PortalCaller) -> Response {
    let result = async {
        let (report, misses) = kb_suggest::report(&state, &caller.principal.actor).await?;
        let dealers = dealer_names(&state).await?;
        let index = kb_suggest::current_index(&state).await?;
        let by_dealer: Vec<_> = report
            .by_dealer
            .iter()
            .map(|(id, d)| {
                let name = dealers
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| id.as_str().to_string());
                DeflectionRow::new(name, d)
            })
            .collect();
        let by_article: Vec<_> = report
            .by_article
            .iter()
            .map(|(slug, d)| {
                let title = index
                    .as_ref()
                    .and_then(|i| i.title_of(slug).map(str::to_string))
                    .unwrap_or_else(|| slug.clone());
                DeflectionRow::new(title, d)
            })
            .collect();
        let misses: Vec<_> = misses
            .iter()
            .map(|m| {
                context! {
                    query => m.query.clone(),
                    count => m.count,
                    last => local(m.last_at),
                    dealer => dealers.get(&m.dealer).cloned().unwrap_or_else(|| m.dealer.as_str().to_string()),
                }
            })
            .collect();
        Ok::<_, AppError>(context! {
            me => caller.layout(),
            overall => serde_value(DeflectionRow::new("Все".into(), &report.overall)),
            by_dealer => serde_value(by_dealer),
            by_article => serde_value(by_article),
            misses => misses,
            minutes => ABANDON_AFTER_MINUTES,
            days => kb_suggest::REPORT_DAYS,
        })
    }
    .await;
    match result {
        Ok(ctx) => render(&state, StatusCode::OK, "admin_kb_suggest.html", ctx),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

const SCRIPT: &str = include_str!("../../templates/kb-suggest.js");

/// `GET /static/kb-suggest.js`: the new-ticket form's suggestions (progressive enhancement).
pub async fn script() -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
        .into_response()
}

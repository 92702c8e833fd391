//! Billing in the portal.
//!
//! - «Документы» (`/documents`): the invoices and acts the caller sees (the dealer's staff
//!   and accountant their dealer's, an account manager his dealers', admins all), with a
//!   quarter filter and the PDF downloads; for admins, per document, «Отметить оплату»
//!   (`POST /documents/{id}/paid`) and «Выставить исправленный» (`POST
//!   /documents/{id}/correct`) — the original stays in the list, marked, beside its
//!   corrective document.
//! - «Подписки» (`/subscriptions`): the dealers whose subscription the caller changes
//!   (admins all, an account manager his own), each to `/dealers/{id}/subscription`: the
//!   subscription priced by today's prices, its history, and for editors the form (ЦСО
//!   from, modules with their connection and disconnection dates, the package, the
//!   contract); the price list's refusals (the "or / +" pairs, Russia only, АВН/АСП) are
//!   shown beside the form with the values as typed. The dealer reads its own page.

use crate::AppState;
use crate::billing::documents;
use crate::billing::documents_api::{DocumentId, filters, pdf_response, views};
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::PortalForm;
use crate::kernel::ids::IdPath;
use crate::kernel::templates::{error_page, render, serde_value};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::billing::price_list::PriceItem;
use dealerdesk_domain::billing::subscription::{ModuleDraft, SubscriptionDraft, may_edit};
use dealerdesk_domain::billing::{SupportPackage, format_rub};
use dealerdesk_domain::{DealerId, Role, platform_date};
use minijinja::context;
use serde_json::{Value, json};

/// The documents page, with what the last admin move did (`done`) or why it was refused.
async fn documents_view(
    state: &AppState,
    caller: &PortalCaller,
    query: Option<&str>,
    status: StatusCode,
    error: Option<&AppError>,
) -> Response {
    let actor = &caller.principal.actor;
    let done = query
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("done=")))
        .and_then(|d| match d {
            "paid" => Some("Оплата счёта отмечена."),
            "corrected" => Some("Исправленный документ выставлен; исходный остался в списке."),
            _ => None,
        });
    let result = async {
        let (quarter, dealer) = filters(query)?;
        let docs = documents::list(state, actor, dealer.as_ref(), quarter).await?;
        let rows = views(state, &docs).await?;
        Ok::<_, AppError>((quarter, rows))
    }
    .await;
    match result {
        Ok((quarter, rows)) => render(
            state,
            status,
            "documents.html",
            context! {
                me => caller.layout(),
                documents => serde_value(&rows),
                quarter => quarter.map(|q| q.code()),
                show_dealer => !matches!(actor.role, Role::Dealer | Role::Accountant),
                manages => actor.role == Role::Admin,
                done => done,
                error => error.map(AppError::message_ru),
            },
        ),
        Err(e) => error_page(state, Some(caller), &e),
    }
}

/// `GET /documents`
pub async fn documents_page(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    documents_view(&state, &caller, query.as_deref(), StatusCode::OK, None).await
}

/// The version an admin's document form says it saw.
fn form_version(form: &PortalForm) -> Option<u64> {
    form.get("version").and_then(|v| v.parse().ok())
}

/// `POST /documents/{id}/paid`: the admin marks an invoice paid.
pub async fn mark_paid(
    State(state): State<AppState>,
    IdPath(id): IdPath<DocumentId>,
    form: PortalForm,
) -> Response {
    let caller = &form.caller;
    match documents::mark_paid(&state, caller.actor(), &id.0, form_version(&form)).await {
        Ok(_) => Redirect::to("/documents?done=paid").into_response(),
        Err(e) => refused_move(&state, caller, &e).await,
    }
}

/// `POST /documents/{id}/correct`: the admin issues a corrective document.
pub async fn correct(
    State(state): State<AppState>,
    IdPath(id): IdPath<DocumentId>,
    form: PortalForm,
) -> Response {
    let caller = &form.caller;
    match documents::correct(&state, caller.actor(), &id.0, form_version(&form)).await {
        Ok(_) => Redirect::to("/documents?done=corrected").into_response(),
        Err(e) => refused_move(&state, caller, &e).await,
    }
}

/// A refused document move: the list again with the reason (a stale version, nothing to
/// correct), or the error page when the caller may not make it or see the document.
async fn refused_move(state: &AppState, caller: &PortalCaller, e: &AppError) -> Response {
    if matches!(e.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) {
        return error_page(state, Some(caller), e);
    }
    documents_view(state, caller, None, e.status(), Some(e)).await
}

/// `GET /subscriptions`: the dealers whose subscription the caller changes.
pub async fn subscriptions_page(State(state): State<AppState>, caller: PortalCaller) -> Response {
    match crate::billing::editable_dealers(&state, caller.actor()).await {
        Ok(dealers) => {
            let rows: Vec<Value> = dealers
                .iter()
                .map(|d| json!({"id": d.id.as_str(), "name": d.name, "city": d.city}))
                .collect();
            render(
                &state,
                StatusCode::OK,
                "subscriptions.html",
                context! { me => caller.layout(), dealers => serde_value(rows) },
            )
        }
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// Blank module rows the form offers for modules to connect.
const BLANK_MODULE_ROWS: usize = 3;

/// The form's values: as typed after a refusal, else the stored subscription's.
fn form_values(draft: &SubscriptionDraft) -> Value {
    let mut modules: Vec<Value> = draft
        .modules
        .iter()
        .map(|m| json!({"item": m.item, "on": m.connected_on, "off": m.disconnected_on}))
        .collect();
    modules.extend((0..BLANK_MODULE_ROWS).map(|_| json!({"item": "", "on": null, "off": null})));
    json!({
        "cso_since": draft.cso_since,
        "modules": modules,
        "package": draft.package.clone().unwrap_or_else(|| "none".into()),
        "in_russia": draft.in_russia,
        "avn_asp": draft.avn_asp,
        "contract": draft.contract,
    })
}

/// The draft the stored subscription would be sent as (the form's first values).
fn stored_draft(s: &crate::billing::DealerSubscription) -> SubscriptionDraft {
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    match &s.subscription {
        Some(sub) => SubscriptionDraft {
            cso_since: Some(day(sub.cso_since)),
            modules: sub
                .modules
                .iter()
                .map(|m| ModuleDraft {
                    item: m.item.code().to_string(),
                    connected_on: Some(day(m.connected_on)),
                    disconnected_on: m.disconnected_on.map(day),
                })
                .collect(),
            package: sub.package.map(|p| p.code().to_string()),
            in_russia: sub.in_russia,
            avn_asp: sub.avn_asp,
            contract: sub.contract.clone(),
        },
        None => SubscriptionDraft {
            in_russia: true,
            ..SubscriptionDraft::default()
        },
    }
}

/// The subscription page: read by the dealer, its account manager and admins; the form for
/// editors; after a refusal, the values as typed with the reasons beside them.
async fn subscription_view_page(
    state: &AppState,
    caller: &PortalCaller,
    dealer: &DealerId,
    status: StatusCode,
    saved: bool,
    refused: Option<(&AppError, &SubscriptionDraft)>,
) -> Response {
    let result = async {
        let s = crate::billing::subscription(state, caller.actor(), dealer).await?;
        let view = crate::billing::api::subscription_view(state, &s).await?;
        Ok::<_, AppError>((s, view))
    }
    .await;
    let (s, view) = match result {
        Ok(found) => found,
        Err(e) => return error_page(state, Some(caller), &e),
    };
    let today = platform_date(state.clock.now());
    let prices = s.prices.price_at(today);
    let items: Vec<Value> = PriceItem::ALL
        .into_iter()
        .filter(|i| i.is_module())
        .map(|i| {
            let p = prices.item(i);
            json!({
                "code": i.code(),
                "label": i.label(),
                "prices": format!("подключение {}, в квартал {}", format_rub(p.connection), format_rub(p.quarterly)),
            })
        })
        .collect();
    let packages: Vec<Value> = SupportPackage::ALL
        .into_iter()
        .map(|p| json!({"code": p.code(), "label": format!("{} — {} в квартал", p.label(), format_rub(prices.package(p)))}))
        .collect();
    // The subscription's table in the page's words: dates as «01.03.2024», sums in rubles.
    let date = |d: chrono::NaiveDate| d.format("%d.%m.%Y").to_string();
    let mut lines = vec![json!({
        "label": PriceItem::Cso.label(),
        "on": view.cso_since.map(date),
        "off": null,
        "quarterly": format_rub(view.cso_quarterly),
        "active": true,
    })];
    lines.extend(view.modules.iter().map(|m| {
        json!({
            "label": m.label,
            "on": date(m.connected_on),
            "off": m.disconnected_on.map(date),
            "quarterly": if m.active { format_rub(m.quarterly) } else { "—".into() },
            "active": m.active,
        })
    }));
    lines.push(json!({
        "label": view.package_label,
        "on": null,
        "off": null,
        "quarterly": format_rub(view.package_price),
        "active": true,
    }));
    let shown = match refused {
        Some((_, typed)) => typed.clone(),
        None => stored_draft(&s),
    };
    let error = refused.map(|(e, _)| e);
    let reasons: Vec<String> = error
        .map(|e| e.field_errors().into_iter().map(|(_, m)| m).collect())
        .unwrap_or_default();
    let bad_fields: Vec<&str> = error
        .map(|e| e.field_errors().into_iter().map(|(f, _)| f).collect())
        .unwrap_or_default();
    render(
        state,
        status,
        "subscription.html",
        context! {
            me => caller.layout(),
            sub => serde_value(&view),
            lines => serde_value(lines),
            form => serde_value(form_values(&shown)),
            items => serde_value(items),
            packages => serde_value(packages),
            edits => may_edit(caller.actor().role),
            saved => saved,
            error => error.map(AppError::message_ru),
            reasons => reasons,
            bad_fields => bad_fields,
        },
    )
}

/// `GET /dealers/{id}/subscription`
pub async fn subscription_page(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(dealer): IdPath<DealerId>,
    RawQuery(query): RawQuery,
) -> Response {
    let saved = query.as_deref() == Some("saved=1");
    subscription_view_page(&state, &caller, &dealer, StatusCode::OK, saved, None).await
}

/// The subscription as the form posted it: `module.<n>.item|on|off` rows, a row without an
/// item left out (that is how a module is removed).
fn posted_draft(form: &PortalForm) -> SubscriptionDraft {
    let mut rows: Vec<(usize, ModuleDraft)> = form
        .fields
        .iter()
        .filter_map(|(name, item)| {
            let n = name.strip_prefix("module.")?.strip_suffix(".item")?;
            let n: usize = n.parse().ok()?;
            let item = item.trim();
            (!item.is_empty()).then(|| {
                (
                    n,
                    ModuleDraft {
                        item: item.to_string(),
                        connected_on: form.get(&format!("module.{n}.on")),
                        disconnected_on: form.get(&format!("module.{n}.off")),
                    },
                )
            })
        })
        .collect();
    rows.sort_by_key(|(n, _)| *n);
    SubscriptionDraft {
        cso_since: form.get("cso_since"),
        modules: rows.into_iter().map(|(_, m)| m).collect(),
        package: form.get("package"),
        in_russia: form.get("in_russia").is_some(),
        avn_asp: form.get("avn_asp").is_some(),
        contract: form.get("contract"),
    }
}

/// `POST /dealers/{id}/subscription`: an admin or the dealer's account manager saves it.
pub async fn save_subscription(
    State(state): State<AppState>,
    IdPath(dealer): IdPath<DealerId>,
    form: PortalForm,
) -> Response {
    let caller = &form.caller;
    let draft = posted_draft(&form);
    let seen = form.get("version").and_then(|v| v.parse().ok());
    match crate::billing::change(&state, caller.actor(), &dealer, &draft, seen).await {
        Ok(_) => Redirect::to(&format!("/dealers/{dealer}/subscription?saved=1")).into_response(),
        // A foreign dealer or a role that never edits: the error page, nothing to show again.
        Err(e) if matches!(e.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) => {
            error_page(&state, Some(caller), &e)
        }
        Err(e) => {
            subscription_view_page(
                &state,
                caller,
                &dealer,
                e.status(),
                false,
                Some((&e, &draft)),
            )
            .await
        }
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

/// Adds the documents and subscription pages.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    crate::kernel::templates::add(
        env,
        "documents.html",
        include_str!("../../templates/billing/documents.html"),
    );
    crate::kernel::templates::add(
        env,
        "subscriptions.html",
        include_str!("../../templates/billing/subscriptions.html"),
    );
    crate::kernel::templates::add(
        env,
        "subscription.html",
        include_str!("../../templates/billing/subscription.html"),
    );
}

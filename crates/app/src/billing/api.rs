//! Billing's JSON API.
//!
//! - `GET /api/admin/price-list[?network=]` — the network's price list, the version in force
//!   and every version (admin);
//! - `PUT /api/admin/price-list` — `{"effective_from": "2027-01-01", "items": [{"item":
//!   "cso", "connection": 78900, "quarterly": 31000}], "packages": [{"package": "hours_15",
//!   "price": 32000}], "version": 0}`: a new version from that day on; items and packages
//!   not named keep their prices (admin; stale version 409, a past date 422);
//! - `GET`/`PUT /api/admin/billing` — the platform's requisites, VAT (`vat_mode` `rate` or
//!   `none`, `vat_percent`, `vat_included`) and the invoice's term (admin);
//! - `GET /api/dealers/{id}/subscription` — the dealer's subscription with its history
//!   (the dealer's staff, its account manager, admins; another dealer 404);
//! - `PUT /api/dealers/{id}/subscription` — `{"cso_since": "2025-02-01", "modules":
//!   [{"item": "ssl", "connected_on": "2026-10-15", "disconnected_on": null}], "package":
//!   "hours_15", "in_russia": true, "avn_asp": false, "contract": "Договор № 17 от
//!   01.02.2025", "version": 1}` (the account manager and admins; the dealer 403);
//! - `GET`/`PUT /api/dealers/{id}/requisites` — the dealer's requisites (admin).

use crate::AppState;
use crate::billing::{
    self,
    views::{BillingSettingsView, DealerRequisitesView, PriceListView, SubscriptionView},
};
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::ids::IdPath;
use crate::kernel::names::user_names;
use crate::lead::escalation::api::network_param;
use axum::Json;
use axum::extract::{RawQuery, State};
use dealerdesk_domain::billing::price_list::{ItemPriceDraft, PackagePriceDraft, PriceListDraft};
use dealerdesk_domain::billing::requisites::{BillingSettingsDraft, RequisitesDraft};
use dealerdesk_domain::billing::subscription::{ModuleDraft, SubscriptionDraft};
use dealerdesk_domain::{DealerId, platform_date};
use serde::Deserialize;
use serde_json::Value;

/// A JSON number or text as the text the domain checks; `null` as none.
fn text(v: Option<Value>) -> Option<String> {
    v.and_then(|v| match v {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

/// `GET /api/admin/price-list`
#[utoipa::path(get, path = "/api/admin/price-list", tag = "billing", params(("network" = Option<String>, Query, description = "The network, where the platform serves several")), responses((status = 200, description = "The network's price list: the version in force and every version.", body = PriceListView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn get_price_list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(query): RawQuery,
) -> Result<Json<PriceListView>, AppError> {
    let network = network_param(query.as_deref());
    let (network, lists) = billing::price_lists(&state, &caller.actor, network.as_deref()).await?;
    Ok(Json(PriceListView::new(
        &network,
        &lists,
        platform_date(state.clock.now()),
    )))
}

/// One item's new prices.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ItemPriceBody {
    /// `cso`, `stock_or_used`, `stock_and_used`, `calculator_one`, `calculator_both`,
    /// `landing`, `multi_dealer`, `hosting`, `ssl`, `trade_in`, `online_payment`,
    /// `service_contract`, `accessories_shop`.
    item: Option<String>,
    /// ₽; missing keeps the old price.
    #[schema(value_type = Option<String>)]
    connection: Option<Value>,
    /// ₽ per quarter; missing keeps the old price.
    #[schema(value_type = Option<String>)]
    quarterly: Option<Value>,
}

/// One package's new price.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct PackagePriceBody {
    /// `hours_15`, `hours_30`, `hours_60`.
    package: Option<String>,
    /// ₽ per quarter.
    #[schema(value_type = String)]
    price: Option<Value>,
}

/// A new version of the price list.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct PriceListBody {
    /// The network, where the platform serves several.
    network: Option<String>,
    /// `YYYY-MM-DD`, today or later and after the newest version.
    effective_from: Option<String>,
    #[serde(default)]
    items: Vec<ItemPriceBody>,
    #[serde(default)]
    packages: Vec<PackagePriceBody>,
    /// The `version` of the price list the admin saw.
    version: Option<u64>,
}

/// `PUT /api/admin/price-list`
#[utoipa::path(put, path = "/api/admin/price-list", tag = "billing", request_body = PriceListBody, responses((status = 200, description = "The price list with the new version.", body = PriceListView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn put_price_list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    JsonBody(body): JsonBody<PriceListBody>,
) -> Result<Json<PriceListView>, AppError> {
    let draft = PriceListDraft {
        effective_from: body.effective_from,
        items: body
            .items
            .into_iter()
            .map(|i| ItemPriceDraft {
                item: i.item.unwrap_or_default(),
                connection: text(i.connection),
                quarterly: text(i.quarterly),
            })
            .collect(),
        packages: body
            .packages
            .into_iter()
            .map(|p| PackagePriceDraft {
                package: p.package.unwrap_or_default(),
                price: text(p.price),
            })
            .collect(),
    };
    let (network, lists) = billing::add_price_list(
        &state,
        &caller.actor,
        body.network.as_deref(),
        &draft,
        body.version,
    )
    .await?;
    Ok(Json(PriceListView::new(
        &network,
        &lists,
        platform_date(state.clock.now()),
    )))
}

/// `GET /api/admin/billing`
#[utoipa::path(get, path = "/api/admin/billing", tag = "billing", responses((status = 200, description = "The platform's requisites, VAT and the invoice's term.", body = BillingSettingsView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn get_billing(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<BillingSettingsView>, AppError> {
    let settings = billing::billing_settings(&state, &caller.actor).await?;
    Ok(Json(BillingSettingsView::new(&settings)))
}

/// Requisites as sent.
#[derive(Deserialize, utoipa::ToSchema, Default)]
pub struct RequisitesBody {
    legal_name: Option<String>,
    /// ИНН, 10 or 12 digits.
    #[schema(value_type = Option<String>)]
    inn: Option<Value>,
    /// КПП, 9 digits (none for an entrepreneur).
    #[schema(value_type = Option<String>)]
    kpp: Option<Value>,
    address: Option<String>,
    bank_name: Option<String>,
    /// БИК, 9 digits.
    #[schema(value_type = Option<String>)]
    bik: Option<Value>,
    /// Расчётный счёт, 20 digits.
    #[schema(value_type = Option<String>)]
    account: Option<Value>,
    /// Корреспондентский счёт, 20 digits.
    #[schema(value_type = Option<String>)]
    correspondent_account: Option<Value>,
}

impl RequisitesBody {
    fn draft(self) -> RequisitesDraft {
        RequisitesDraft {
            legal_name: self.legal_name,
            inn: text(self.inn),
            kpp: text(self.kpp),
            address: self.address,
            bank_name: self.bank_name,
            bik: text(self.bik),
            account: text(self.account),
            correspondent_account: text(self.correspondent_account),
        }
    }
}

/// A change of the billing settings.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct BillingBody {
    /// The platform's requisites.
    seller: Option<RequisitesBody>,
    /// `rate` or `none`.
    vat_mode: Option<String>,
    /// Percent, e.g. 22.
    #[schema(value_type = Option<String>)]
    vat_percent: Option<Value>,
    /// Whether prices include VAT (default true).
    vat_included: Option<bool>,
    /// Days to pay an invoice, 1–90 (default 10).
    #[schema(value_type = Option<u32>)]
    payment_days: Option<Value>,
    /// The `version` of the settings the admin saw.
    version: Option<u64>,
}

/// `PUT /api/admin/billing`
#[utoipa::path(put, path = "/api/admin/billing", tag = "billing", request_body = BillingBody, responses((status = 200, description = "The billing settings after the change.", body = BillingSettingsView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn put_billing(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    JsonBody(body): JsonBody<BillingBody>,
) -> Result<Json<BillingSettingsView>, AppError> {
    let draft = BillingSettingsDraft {
        seller: body.seller.unwrap_or_default().draft(),
        vat_mode: body.vat_mode,
        vat_percent: text(body.vat_percent),
        vat_included: body.vat_included,
        payment_days: text(body.payment_days),
    };
    let settings =
        billing::change_billing_settings(&state, &caller.actor, &draft, body.version).await?;
    Ok(Json(BillingSettingsView::new(&settings)))
}

/// The subscription as the API and the portal show it, with its authors' names.
pub(crate) async fn subscription_view(
    state: &AppState,
    s: &billing::DealerSubscription,
) -> Result<SubscriptionView, AppError> {
    let people: Vec<_> = s.history.iter().map(|c| c.actor_id.clone()).collect();
    let names = user_names(state, &people).await?;
    Ok(SubscriptionView::new(s, state.clock.now(), &names))
}

/// `GET /api/dealers/{id}/subscription`
#[utoipa::path(get, path = "/api/dealers/{id}/subscription", tag = "billing", params(("id" = String, Path, description = "The dealer")), responses((status = 200, description = "The dealer's subscription, priced by today's price list, with its history.", body = SubscriptionView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn get_subscription(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(dealer): IdPath<DealerId>,
) -> Result<Json<SubscriptionView>, AppError> {
    let s = billing::subscription(&state, &caller.actor, &dealer).await?;
    Ok(Json(subscription_view(&state, &s).await?))
}

/// A module as sent.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ModuleBody {
    /// A price list item other than `cso`.
    item: Option<String>,
    /// `YYYY-MM-DD`.
    connected_on: Option<String>,
    /// `YYYY-MM-DD`, the first day it no longer works.
    disconnected_on: Option<String>,
}

/// A dealer's subscription as sent.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct SubscriptionBody {
    /// `YYYY-MM-DD`: ЦСО is paid from this day.
    cso_since: Option<String>,
    #[serde(default)]
    modules: Vec<ModuleBody>,
    /// `hours_15`, `hours_30`, `hours_60`, or `null` / `none`.
    package: Option<String>,
    /// Whether the dealer works in Russia (default true).
    in_russia: Option<bool>,
    /// Whether the dealer has the АВН/АСП agreement (default false).
    avn_asp: Option<bool>,
    /// The contract the documents name as their basis.
    contract: Option<String>,
    /// The `version` of the subscription seen (0 while never set).
    version: Option<u64>,
}

/// `PUT /api/dealers/{id}/subscription`
#[utoipa::path(put, path = "/api/dealers/{id}/subscription", tag = "billing", params(("id" = String, Path, description = "The dealer")), request_body = SubscriptionBody, responses((status = 200, description = "The subscription after the change.", body = SubscriptionView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn put_subscription(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(dealer): IdPath<DealerId>,
    JsonBody(body): JsonBody<SubscriptionBody>,
) -> Result<Json<SubscriptionView>, AppError> {
    let draft = SubscriptionDraft {
        cso_since: body.cso_since,
        modules: body
            .modules
            .into_iter()
            .map(|m| ModuleDraft {
                item: m.item.unwrap_or_default(),
                connected_on: m.connected_on,
                disconnected_on: m.disconnected_on,
            })
            .collect(),
        package: body.package,
        in_russia: body.in_russia.unwrap_or(true),
        avn_asp: body.avn_asp.unwrap_or(false),
        contract: body.contract,
    };
    let s = billing::change(&state, &caller.actor, &dealer, &draft, body.version).await?;
    Ok(Json(subscription_view(&state, &s).await?))
}

/// `GET /api/dealers/{id}/requisites`
#[utoipa::path(get, path = "/api/dealers/{id}/requisites", tag = "billing", params(("id" = String, Path, description = "The dealer")), responses((status = 200, description = "The dealer's requisites.", body = DealerRequisitesView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn get_requisites(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(dealer): IdPath<DealerId>,
) -> Result<Json<DealerRequisitesView>, AppError> {
    let (record, stored) = billing::requisites(&state, &caller.actor, &dealer).await?;
    Ok(Json(DealerRequisitesView::new(&record, stored.as_ref())))
}

/// A dealer's requisites as sent, with the version seen.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct DealerRequisitesBody {
    #[serde(flatten)]
    requisites: RequisitesBody,
    /// The `version` seen (0 while none).
    version: Option<u64>,
}

/// `PUT /api/dealers/{id}/requisites`
#[utoipa::path(put, path = "/api/dealers/{id}/requisites", tag = "billing", params(("id" = String, Path, description = "The dealer")), request_body = DealerRequisitesBody, responses((status = 200, description = "The dealer's requisites after the change.", body = DealerRequisitesView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn put_requisites(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(dealer): IdPath<DealerId>,
    JsonBody(body): JsonBody<DealerRequisitesBody>,
) -> Result<Json<DealerRequisitesView>, AppError> {
    let draft = body.requisites.draft();
    let (record, stored) =
        billing::change_requisites(&state, &caller.actor, &dealer, &draft, body.version).await?;
    Ok(Json(DealerRequisitesView::new(&record, stored.as_ref())))
}

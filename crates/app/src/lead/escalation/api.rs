//! The escalation area's JSON API.
//!
//! - `GET /api/dealers/{id}/hours` — the dealer's working hours for leads;
//! - `PUT /api/dealers/{id}/hours` — `{"tz": "Asia/Vladivostok", "week": {"mon": {"open":
//!   "09:00", "close": "20:00"}, …, "sun": null}, "shortened_by_minutes": 60}`;
//!   a weekday missing or `null` is closed. Answers as `GET`.
//!
//! Admins and the dealer's account manager only: any other role is 403, another manager's
//! dealer 404.
//!
//! - `GET /api/leads/network` — the network's routing rules and assignments
//!   («Правила распределения»), for the brand head office and admins (anyone else 403);
//!   `?network=<id>` where the platform serves several networks;
//! - `PUT /api/leads/network` — `{"cities": [{"city": "Владивосток", "dealer_id":
//!   "dealer-4"}], "regions": [{"region": "Приморский край", "dealer_id": "dealer-4"}],
//!   "default_dealer_id": "dealer-1", "assignments": [{"dealer_id": "dealer-4",
//!   "direction": "sales", "rep_id": "user-rep"}], "version": 0}` replaces them all, against
//!   the version seen (409 when stale); an unknown dealer or region, or a user who is not a
//!   regional representative, is 422;
//! - `GET /api/leads/overdue` — «Просроченные заявки»: unprocessed leads past their dealer's
//!   2 working hours, grouped by dealer, oldest first (a representative's: the dealers and
//!   directions they observe; a dealer's: its own; the head office's: all).

use crate::AppState;
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::ids::IdPath;
use crate::kernel::names::user_names;
use crate::kernel::visibility::ensure_area;
use crate::lead::escalation::views::{DealerHoursView, NetworkRulesView, OverdueView};
use crate::lead::escalation::{self, NetworkRules};
use axum::Json;
use axum::extract::{RawQuery, State};
use dealerdesk_domain::kernel::{Area, FieldError, Refusal, RefusalKind};
use dealerdesk_domain::lead::{
    AssignmentDraft, DealerHoursDraft, NetworkRulesDraft, PlaceRuleDraft, weekday_codes,
};
use dealerdesk_domain::{Actor, DealerId};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// `GET /api/dealers/{id}/hours`
#[utoipa::path(get, path = "/api/dealers/{id}/hours", tag = "leads", params(("id" = String, Path, description = "The dealer")), responses((status = 200, description = "The dealer's working hours for leads.", body = DealerHoursView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn get_hours(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(dealer): IdPath<DealerId>,
) -> Result<Json<DealerHoursView>, AppError> {
    let hours = escalation::hours(&state, &caller.actor, &dealer).await?;
    Ok(Json(DealerHoursView::new(&hours)))
}

/// One weekday's hours in a change.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct DayBody {
    /// `ЧЧ:ММ`.
    open: Option<String>,
    /// `ЧЧ:ММ`.
    close: Option<String>,
}

/// A dealer's new hours.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct HoursBody {
    /// An IANA zone, Kaliningrad to Kamchatka.
    tz: Option<String>,
    /// `mon` … `sun`; a day missing or `null` is closed.
    #[schema(value_type = Object)]
    week: Option<BTreeMap<String, Option<DayBody>>>,
    /// Minutes a pre-holiday day closes early (default 60).
    #[schema(value_type = u32)]
    shortened_by_minutes: Option<Value>,
}

/// The body as the domain's draft; an unknown weekday is the `week` field's fault.
fn draft_of(body: HoursBody) -> Result<DealerHoursDraft, AppError> {
    let codes = weekday_codes();
    let mut draft = DealerHoursDraft {
        tz: body.tz,
        shortened_by_minutes: body.shortened_by_minutes.and_then(|v| match v {
            Value::Null => None,
            Value::String(s) => Some(s),
            other => Some(other.to_string()),
        }),
        ..DealerHoursDraft::default()
    };
    for (day, hours) in body.week.unwrap_or_default() {
        let Some(i) = codes.iter().position(|c| *c == day) else {
            let message = "Дни недели в поле week: mon, tue, wed, thu, fri, sat, sun.";
            return Err(AppError::Refused(
                Refusal::new(RefusalKind::Invalid, "validation_failed", message).with_fields(vec![
                    FieldError {
                        field: "week",
                        message: message.to_string(),
                    },
                ]),
            ));
        };
        if let Some(DayBody { open, close }) = hours {
            draft.week[i] = (open, close);
        }
    }
    Ok(draft)
}

/// `PUT /api/dealers/{id}/hours`
#[utoipa::path(put, path = "/api/dealers/{id}/hours", tag = "leads", params(("id" = String, Path, description = "The dealer")), request_body = HoursBody, responses((status = 200, description = "The dealer's hours after the change.", body = DealerHoursView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn put_hours(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(dealer): IdPath<DealerId>,
    JsonBody(body): JsonBody<HoursBody>,
) -> Result<Json<DealerHoursView>, AppError> {
    ensure_area(&caller.actor, Area::DealerHours)?;
    let draft = draft_of(body)?;
    let hours = escalation::change_hours(&state, &caller.actor, &dealer, &draft).await?;
    Ok(Json(DealerHoursView::new(&hours)))
}

/// `?network=<id>`, only needed where the platform serves several networks.
pub(crate) fn network_param(query: Option<&str>) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query.unwrap_or(""))
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "network")
        .map(|(_, v)| v)
}

/// The rules with the name of who saved them last.
pub(crate) async fn network_view(
    state: &AppState,
    rules: &NetworkRules,
) -> Result<NetworkRulesView, AppError> {
    let by = match &rules.updated_by {
        Some(user) => user_names(state, std::slice::from_ref(user))
            .await?
            .remove(user)
            .or_else(|| Some(user.to_string())),
        None => None,
    };
    Ok(NetworkRulesView::new(rules, by))
}

/// `GET /api/leads/network`
#[utoipa::path(get, path = "/api/leads/network", tag = "leads", params(("network" = Option<String>, Query, description = "The network, where the platform serves several.")), responses((status = 200, description = "The network's routing rules and representatives' assignments.", body = NetworkRulesView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn get_network(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(query): RawQuery,
) -> Result<Json<NetworkRulesView>, AppError> {
    let network = network_param(query.as_deref());
    let rules = escalation::network_rules(&state, &caller.actor, network.as_deref()).await?;
    Ok(Json(network_view(&state, &rules).await?))
}

/// A city rule.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CityRuleBody {
    city: Option<String>,
    dealer_id: Option<String>,
}

/// A region rule (a federal subject of the reference table).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct RegionRuleBody {
    region: Option<String>,
    dealer_id: Option<String>,
}

/// A representative's assignment.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct AssignmentBody {
    dealer_id: Option<String>,
    /// `sales`, `service`, `parts`.
    direction: Option<String>,
    rep_id: Option<String>,
}

/// The network's rules and assignments, all of them, against the version seen.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NetworkBody {
    #[serde(default)]
    cities: Vec<CityRuleBody>,
    #[serde(default)]
    regions: Vec<RegionRuleBody>,
    default_dealer_id: Option<String>,
    #[serde(default)]
    assignments: Vec<AssignmentBody>,
    /// The `version` of the rules the head office saw.
    version: Option<u64>,
}

/// Refuses a role that may not edit the rules before the body is looked at.
fn ensure_head_office(actor: &Actor) -> Result<(), AppError> {
    ensure_area(actor, Area::LeadNetwork)
}

/// `PUT /api/leads/network`
#[utoipa::path(put, path = "/api/leads/network", tag = "leads", params(("network" = Option<String>, Query, description = "The network, where the platform serves several.")), request_body = NetworkBody, responses((status = 200, description = "The rules after the change.", body = NetworkRulesView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn put_network(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody<NetworkBody>,
) -> Result<Json<NetworkRulesView>, AppError> {
    ensure_head_office(&caller.actor)?;
    let version = body.version.ok_or_else(|| {
        AppError::bad_request(
            "version_required",
            "Укажите версию правил, которую вы видели (поле version): так чужое изменение не потеряется.",
        )
    })?;
    let draft = NetworkRulesDraft {
        cities: body
            .cities
            .into_iter()
            .map(|r| PlaceRuleDraft {
                place: r.city,
                dealer_id: r.dealer_id,
            })
            .collect(),
        regions: body
            .regions
            .into_iter()
            .map(|r| PlaceRuleDraft {
                place: r.region,
                dealer_id: r.dealer_id,
            })
            .collect(),
        default_dealer_id: body.default_dealer_id,
        assignments: body
            .assignments
            .into_iter()
            .map(|a| AssignmentDraft {
                dealer_id: a.dealer_id,
                direction: a.direction,
                rep_id: a.rep_id,
            })
            .collect(),
    };
    let rules = escalation::change_network_rules(
        &state,
        &caller.actor,
        network_param(query.as_deref()).as_deref(),
        &draft,
        version,
    )
    .await?;
    Ok(Json(network_view(&state, &rules).await?))
}

/// The overdue view with the dealers' and the observers' names.
pub(crate) async fn overdue_view(state: &AppState, actor: &Actor) -> Result<OverdueView, AppError> {
    let now = state.clock.now();
    let groups = escalation::overdue(state, actor, now).await?;
    let dealers = crate::kernel::names::dealer_names(state).await?;
    let observers: Vec<_> = groups
        .iter()
        .flat_map(|g| g.leads.iter().filter_map(|l| l.lead.observer().cloned()))
        .collect();
    let people = user_names(state, &observers).await?;
    Ok(OverdueView::new(now, &groups, &dealers, &people))
}

/// `GET /api/leads/overdue`
#[utoipa::path(get, path = "/api/leads/overdue", tag = "leads", responses((status = 200, description = "Overdue leads grouped by dealer, oldest first.", body = OverdueView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn get_overdue(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<OverdueView>, AppError> {
    Ok(Json(overdue_view(&state, &caller.actor).await?))
}

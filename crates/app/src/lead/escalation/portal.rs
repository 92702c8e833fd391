//! The escalation area's portal pages: «Часы работы» of a dealer (`/dealers/{id}/hours`),
//! for admins and the dealer's account manager; «Правила распределения» of the network
//! (`/leads/network`), for the brand head office and admins.

use crate::AppState;
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::PortalForm;
use crate::kernel::ids::IdPath;
use crate::kernel::templates::{error_page, render, serde_value};
use crate::kernel::visibility::ensure_area;
use crate::lead::escalation::{self, api, views};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::DealerId;
use dealerdesk_domain::kernel::Area;
use dealerdesk_domain::lead::{
    AssignmentDraft, DealerHoursDraft, NetworkRulesDraft, PlaceRuleDraft, weekday_codes,
};
use minijinja::context;

/// What the form shows again after a refusal: the values as typed.
fn typed_rows(draft: &DealerHoursDraft) -> serde_json::Value {
    let codes = weekday_codes();
    let week: serde_json::Map<_, _> = draft
        .week
        .iter()
        .enumerate()
        .map(|(i, (open, close))| {
            (
                codes[i].to_string(),
                serde_json::json!({"open": open, "close": close}),
            )
        })
        .collect();
    serde_json::json!({
        "tz": draft.tz,
        "week": week,
        "shortened_by_minutes": draft.shortened_by_minutes,
    })
}

async fn page(
    state: &AppState,
    caller: &PortalCaller,
    dealer: &DealerId,
    status: StatusCode,
    saved: bool,
    error: Option<&AppError>,
    typed: Option<&DealerHoursDraft>,
) -> Response {
    match escalation::hours(state, caller.actor(), dealer).await {
        Ok(h) => {
            let view = views::DealerHoursView::new(&h);
            let shown = typed
                .cloned()
                .unwrap_or_else(|| DealerHoursDraft::of(&h.hours));
            let fields: Vec<&str> = error
                .map(|e| e.field_errors().into_iter().map(|(f, _)| f).collect())
                .unwrap_or_default();
            render(
                state,
                status,
                "lead/escalation/hours.html",
                context! {
                    me => caller.layout(),
                    hours => serde_value(&view),
                    typed => serde_value(typed_rows(&shown)),
                    zones => serde_value(views::zone_options()),
                    saved => saved,
                    error => error.map(AppError::message_ru),
                    bad_fields => fields,
                },
            )
        }
        Err(e) => error_page(state, Some(caller), &e),
    }
}

/// `GET /dealers/{id}/hours`
pub async fn hours_page(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(dealer): IdPath<DealerId>,
    RawQuery(query): RawQuery,
) -> Response {
    let saved = query.as_deref() == Some("saved=1");
    page(&state, &caller, &dealer, StatusCode::OK, saved, None, None).await
}

/// `POST /dealers/{id}/hours`
pub async fn save_hours(
    State(state): State<AppState>,
    IdPath(dealer): IdPath<DealerId>,
    form: PortalForm,
) -> Response {
    let caller = &form.caller;
    if let Err(e) = ensure_area(caller.actor(), Area::DealerHours) {
        return error_page(&state, Some(caller), &e);
    }
    let codes = weekday_codes();
    let mut draft = DealerHoursDraft {
        tz: form.get("tz"),
        shortened_by_minutes: form.get("shortened_by_minutes"),
        ..DealerHoursDraft::default()
    };
    for (i, code) in codes.iter().enumerate() {
        // A day with neither time is closed.
        draft.week[i] = (
            form.get(&format!("week.{code}.open")),
            form.get(&format!("week.{code}.close")),
        );
    }
    match escalation::change_hours(&state, caller.actor(), &dealer, &draft).await {
        Ok(_) => Redirect::to(&format!("/dealers/{dealer}/hours?saved=1")).into_response(),
        Err(e) => {
            page(
                &state,
                caller,
                &dealer,
                e.status(),
                false,
                Some(&e),
                Some(&draft),
            )
            .await
        }
    }
}

/// Blank rows the rules form offers for new city and region rules.
const BLANK_ROWS: usize = 3;

/// The rows of a rules form posted as `<prefix><n>` / `<dealer_prefix><n>`, in row order.
fn place_rows(
    fields: &std::collections::HashMap<String, String>,
    prefix: &str,
    dealer_prefix: &str,
) -> Vec<PlaceRuleDraft> {
    let mut rows: Vec<(usize, PlaceRuleDraft)> = fields
        .iter()
        .filter_map(|(k, v)| {
            let n: usize = k.strip_prefix(prefix)?.parse().ok()?;
            Some((
                n,
                PlaceRuleDraft {
                    place: Some(v.clone()),
                    dealer_id: fields.get(&format!("{dealer_prefix}{n}")).cloned(),
                },
            ))
        })
        .collect();
    rows.sort_by_key(|(n, _)| *n);
    rows.into_iter().map(|(_, r)| r).collect()
}

/// The rules form read into the domain's draft: city and region rows, the default dealer,
/// and the assignment grid (`rep__<dealer>__<direction>`).
fn network_draft(form: &PortalForm) -> NetworkRulesDraft {
    let mut assignments: Vec<AssignmentDraft> = form
        .fields
        .iter()
        .filter_map(|(k, v)| {
            let (dealer, direction) = k.strip_prefix("rep__")?.split_once("__")?;
            Some(AssignmentDraft {
                dealer_id: Some(dealer.to_string()),
                direction: Some(direction.to_string()),
                rep_id: Some(v.clone()),
            })
        })
        .collect();
    assignments.sort_by(|a, b| (&a.dealer_id, &a.direction).cmp(&(&b.dealer_id, &b.direction)));
    NetworkRulesDraft {
        cities: place_rows(&form.fields, "city_", "city_dealer_"),
        regions: place_rows(&form.fields, "region_", "region_dealer_"),
        default_dealer_id: form.get("default_dealer_id"),
        assignments,
    }
}

async fn network_page(
    state: &AppState,
    caller: &PortalCaller,
    status: StatusCode,
    saved: bool,
    error: Option<&AppError>,
    typed: Option<&NetworkRulesDraft>,
) -> Response {
    let result = async {
        let rules = escalation::network_rules(state, caller.actor(), None).await?;
        let view = api::network_view(state, &rules).await?;
        Ok::<_, AppError>((rules, view))
    }
    .await;
    let (rules, view) = match result {
        Ok(v) => v,
        Err(e) => return error_page(state, Some(caller), &e),
    };
    let shown = typed.cloned().unwrap_or_else(|| {
        NetworkRulesDraft::of(&rules.routing, &rules.assignments, crate::lead::cities())
    });
    let rows = |rules: &[PlaceRuleDraft]| {
        let mut rows: Vec<_> = rules
            .iter()
            .map(|r| serde_json::json!({"place": r.place, "dealer_id": r.dealer_id}))
            .collect();
        rows.extend((0..BLANK_ROWS).map(|_| serde_json::json!({"place": null, "dealer_id": null})));
        rows
    };
    let grid: serde_json::Map<String, serde_json::Value> = shown
        .assignments
        .iter()
        .filter_map(|a| {
            Some((
                format!("{}__{}", a.dealer_id.as_deref()?, a.direction.as_deref()?),
                a.rep_id.clone().into(),
            ))
        })
        .collect();
    render(
        state,
        status,
        "lead/escalation/network.html",
        context! {
            me => caller.layout(),
            rules => serde_value(&view),
            city_rows => serde_value(rows(&shown.cities)),
            region_rows => serde_value(rows(&shown.regions)),
            default_dealer_id => shown.default_dealer_id,
            grid => serde_value(grid),
            regions => views::region_options(),
            saved => saved,
            error => error.map(AppError::message_ru),
        },
    )
}

/// `GET /leads/network`
pub async fn network_rules_page(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let saved = query.as_deref() == Some("saved=1");
    network_page(&state, &caller, StatusCode::OK, saved, None, None).await
}

/// `POST /leads/network`
pub async fn save_network_rules(State(state): State<AppState>, form: PortalForm) -> Response {
    let caller = &form.caller;
    if let Err(e) = ensure_area(caller.actor(), Area::LeadNetwork) {
        return error_page(&state, Some(caller), &e);
    }
    let draft = network_draft(&form);
    let result = async {
        let version = form
            .get("version")
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| AppError::bad_request("bad_form", "Форма заполнена некорректно."))?;
        escalation::change_network_rules(&state, caller.actor(), None, &draft, version).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to("/leads/network?saved=1").into_response(),
        Err(e) => network_page(&state, caller, e.status(), false, Some(&e), Some(&draft)).await,
    }
}

/// `GET /leads/overdue`
pub async fn overdue_page(State(state): State<AppState>, caller: PortalCaller) -> Response {
    match api::overdue_view(&state, caller.actor()).await {
        Ok(view) => render(
            &state,
            StatusCode::OK,
            "lead/escalation/overdue.html",
            context! { me => caller.layout(), overdue => serde_value(&view) },
        ),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// `GET /dealers/hours`: the dealers whose hours the caller edits, each with its zone.
pub async fn dealers_page(State(state): State<AppState>, caller: PortalCaller) -> Response {
    match escalation::editable_dealers(&state, caller.actor()).await {
        Ok(dealers) => {
            let rows: Vec<_> = dealers
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "id": d.id.as_str(),
                        "name": d.name,
                        "city": d.city,
                        "timezone": d.timezone,
                    })
                })
                .collect();
            render(
                &state,
                StatusCode::OK,
                "lead/escalation/dealers.html",
                context! { me => caller.layout(), dealers => serde_value(rows) },
            )
        }
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

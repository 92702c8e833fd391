//! The lead card's portal pages: «Заявки» (the list with its filters), the card with the
//! «Контакт» and «Договор» forms, the edit form and the history, the search across dealers
//! with the transfer button, and the customer's page.

use crate::AppState;
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::PortalForm;
use crate::kernel::ids::IdPath;
use crate::kernel::names::dealer_names;
use crate::kernel::paging::page_request;
use crate::kernel::templates::{error_page, render, serde_value};
use crate::kernel::time::local;
use crate::lead::card::api::card_view;
use crate::lead::card::views::{CustomerCard, FoundLead, LeadRow, choices};
use crate::lead::card::{self, Block, BlockInput, ListQuery, TransferInput};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::DateTime;
use dealerdesk_domain::audit::{AuditItem, AuditKind};
use dealerdesk_domain::lead::{CustomerId, LeadEditDraft, LeadId, SearchDraft};
use dealerdesk_domain::{DealerId, Role};
use minijinja::context;
use serde_json::Value;
use std::collections::HashMap;

/// An RFC 3339 instant of a view, in Moscow time for people.
fn local_of(rfc3339: &Value) -> Value {
    rfc3339
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|at| local(at.with_timezone(&chrono::Utc)).into())
        .unwrap_or(Value::Null)
}

fn dealer_of(names: &HashMap<DealerId, String>, id: &Value) -> Value {
    id.as_str()
        .map(|id| {
            names
                .get(&DealerId::new(id))
                .cloned()
                .unwrap_or_else(|| id.to_string())
                .into()
        })
        .unwrap_or(Value::Null)
}

fn query_map(query: Option<&str>) -> HashMap<String, String> {
    serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default()
}

/// `GET /leads`: the caller's leads with the filters (status, type, period), the order and
/// the pages.
pub async fn portal_list(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let actor = caller.actor();
    let values = query_map(query.as_deref());
    let result = async {
        let page = page_request(query.as_deref())?;
        let filters: ListQuery = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
            .map_err(|_| AppError::bad_request("bad_query", "Некорректные параметры запроса."))?;
        let found = card::list(&state, actor, &filters, &page).await?;
        let names = dealer_names(&state).await?;
        let rows: Vec<Value> = found
            .items
            .iter()
            .map(|lead| {
                let mut v = serde_json::to_value(LeadRow::new(lead)).unwrap_or(Value::Null);
                v["created_local"] = local_of(&v["created_at"]);
                v["updated_local"] = local_of(&v["updated_at"]);
                v["dealer_name"] = dealer_of(&names, &v["dealer_id"]);
                v
            })
            .collect();
        // The next page keeps the filters.
        let next = found.next_cursor.map(|cursor| {
            let mut params: Vec<(String, String)> = values
                .iter()
                .filter(|(k, v)| k.as_str() != "cursor" && !v.is_empty())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            params.sort();
            params.push(("cursor".into(), cursor));
            format!(
                "/leads?{}",
                serde_urlencoded::to_string(params).unwrap_or_default()
            )
        });
        Ok::<_, AppError>(context! {
            me => caller.layout(),
            leads => serde_value(&rows),
            show_dealer => actor.role != Role::Dealer,
            can_search => actor.role == Role::Dealer,
            choices => serde_value(choices()),
            values => values,
            next => next,
        })
    }
    .await;
    match result {
        Ok(ctx) => render(&state, StatusCode::OK, "lead/card/leads.html", ctx),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

async fn card_page(
    state: &AppState,
    caller: &PortalCaller,
    id: &LeadId,
    status: StatusCode,
    error: Option<&AppError>,
    values: &HashMap<String, String>,
) -> Response {
    let actor = caller.actor();
    let result = async {
        let (lead, history) = card::card(state, actor, id).await?;
        let view = card_view(state, actor, &lead, &history).await?;
        let names = dealer_names(state).await?;
        let mut lead_json = serde_json::to_value(&view.lead).unwrap_or(Value::Null);
        for (at, local) in [
            ("created_at", "created_local"),
            ("updated_at", "updated_local"),
        ] {
            lead_json[local] = local_of(&lead_json[at]);
        }
        lead_json["contacted_local"] = local_of(&lead_json["contact"]["contacted_at"]);
        lead_json["contract_local"] = local_of(&lead_json["contract"]["contract_at"]);
        for (id, name) in [
            ("dealer_id", "dealer_name"),
            ("original_dealer_id", "original_dealer_name"),
            ("preferred_dealer_id", "preferred_dealer_name"),
        ] {
            lead_json[name] = dealer_of(&names, &lead_json[id]);
        }
        let mut dealers: Vec<(String, String)> = names
            .iter()
            .map(|(id, name)| (name.clone(), id.to_string()))
            .collect();
        dealers.sort();
        let field_errors: HashMap<&str, String> = error
            .map(AppError::field_errors)
            .unwrap_or_default()
            .into_iter()
            .collect();
        let audit = crate::audit::views::card_block(
            state,
            &AuditItem::new(AuditKind::Lead, lead.id().as_str()),
        )
        .await?;
        Ok::<_, AppError>(context! {
            audit => serde_value(&audit),
            me => caller.layout(),
            lead => serde_value(&lead_json),
            history => serde_value(&view.history),
            choices => serde_value(choices()),
            dealers => dealers.into_iter().map(|(name, id)| context! { id => id, name => name }).collect::<Vec<_>>(),
            error => error.map(AppError::message_ru),
            errors => field_errors,
            values => values,
        })
    }
    .await;
    match result {
        Ok(ctx) => render(state, status, "lead/card/lead.html", ctx),
        Err(e) => error_page(state, Some(caller), &e),
    }
}

/// `GET /leads/{id}`
pub async fn portal_card(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(id): IdPath<LeadId>,
) -> Response {
    card_page(&state, &caller, &id, StatusCode::OK, None, &HashMap::new()).await
}

fn form_version(fields: &HashMap<String, String>) -> Option<u64> {
    fields.get("version").and_then(|v| v.trim().parse().ok())
}

/// One save of a card form: the change, then the card again (or the form with its refusal).
async fn save_form(
    state: &AppState,
    caller: &PortalCaller,
    id: &LeadId,
    fields: &HashMap<String, String>,
    draft: Result<LeadEditDraft, AppError>,
) -> Response {
    let result = async {
        let draft = draft?;
        let version = form_version(fields)
            .ok_or_else(|| AppError::bad_request("bad_form", "Форма заполнена некорректно."))?;
        card::change(state, caller.actor(), id, &draft, version).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/leads/{id}")).into_response(),
        Err(e) if e.status() == StatusCode::NOT_FOUND => error_page(state, Some(caller), &e),
        Err(e) => card_page(state, caller, id, e.status(), Some(&e), fields).await,
    }
}

fn block_input(fields: &HashMap<String, String>) -> BlockInput {
    let get = |k: &str| fields.get(k).cloned();
    BlockInput {
        outcome: get("outcome"),
        reason: get("reason").filter(|r| !r.is_empty()),
        reason_text: get("reason_text"),
        comment: get("comment"),
    }
}

/// `POST /leads/{id}/contact`: the block «Контакт».
pub async fn portal_contact(
    State(state): State<AppState>,
    IdPath(id): IdPath<LeadId>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    let draft = block_input(&fields).draft(Block::Contact);
    save_form(&state, &caller, &id, &fields, draft).await
}

/// `POST /leads/{id}/contract`: the block «Договор».
pub async fn portal_contract(
    State(state): State<AppState>,
    IdPath(id): IdPath<LeadId>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    let draft = block_input(&fields).draft(Block::Contract);
    save_form(&state, &caller, &id, &fields, draft).await
}

/// `POST /leads/{id}/edit`: version and trim, city, preferred dealer, the comment.
pub async fn portal_edit(
    State(state): State<AppState>,
    IdPath(id): IdPath<LeadId>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    let get = |k: &str| fields.get(k).cloned();
    let draft =
        card::refuse_key_properties(fields.keys().map(String::as_str)).map(|()| LeadEditDraft {
            version: get("model_version"),
            trim: get("trim"),
            city: get("city"),
            preferred_dealer_id: get("preferred_dealer_id"),
            comment: get("comment"),
            ..LeadEditDraft::default()
        });
    save_form(&state, &caller, &id, &fields, draft).await
}

fn search_draft(values: &HashMap<String, String>) -> SearchDraft {
    let get = |k: &str| values.get(k).cloned().filter(|v| !v.trim().is_empty());
    SearchDraft {
        surname: get("surname"),
        name: get("name"),
        email: get("email"),
        phone: get("phone"),
    }
}

async fn search_page(
    state: &AppState,
    caller: &PortalCaller,
    values: &HashMap<String, String>,
    status: StatusCode,
    error: Option<&AppError>,
) -> Response {
    let actor = caller.actor();
    let result = async {
        if actor.role != Role::Dealer {
            // Only a dealer's staff search (and take over) leads of other dealers.
            return Err(dealerdesk_domain::lead::LeadError::OnlyDealerStaff.into());
        }
        let asked = ["surname", "name", "email", "phone"]
            .iter()
            .any(|k| values.get(*k).is_some_and(|v| !v.trim().is_empty()));
        let (found, search_error) = if asked {
            match card::search(state, actor, &search_draft(values)).await {
                Ok(found) => (Some(found), None),
                Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => (None, Some(e)),
                Err(e) => return Err(e),
            }
        } else {
            (None, None)
        };
        let names = dealer_names(state).await?;
        let mine = actor.dealer_id.as_ref();
        let items: Option<Vec<Value>> = found.map(|found| {
            found
                .iter()
                .map(|(r, version)| {
                    let mut v =
                        serde_json::to_value(FoundLead::new(r, Some(&r.dealer) == mine, *version))
                            .unwrap_or(Value::Null);
                    v["created_local"] = local_of(&v["created_at"]);
                    v["dealer_name"] = dealer_of(&names, &v["dealer_id"]);
                    v
                })
                .collect()
        });
        let shown = error.or(search_error.as_ref());
        let field_errors: HashMap<&str, String> = shown
            .map(AppError::field_errors)
            .unwrap_or_default()
            .into_iter()
            .collect();
        Ok::<_, AppError>(context! {
            me => caller.layout(),
            items => items.map(serde_value),
            values => values,
            error => shown.map(AppError::message_ru),
            errors => field_errors,
        })
    }
    .await;
    match result {
        Ok(ctx) => render(state, status, "lead/card/search.html", ctx),
        Err(e) => error_page(state, Some(caller), &e),
    }
}

/// `GET /leads/search?surname=&name=&email=&phone=`
pub async fn portal_search(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let values = query_map(query.as_deref());
    search_page(&state, &caller, &values, StatusCode::OK, None).await
}

/// `POST /leads/{id}/transfer`: from a search result, with the search and the version.
pub async fn portal_transfer(
    State(state): State<AppState>,
    IdPath(id): IdPath<LeadId>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    let input = TransferInput {
        search: search_draft(&fields),
        record_contract: fields.get("record_contract").is_some_and(|v| v == "yes"),
    };
    let Some(version) = form_version(&fields) else {
        let e = AppError::bad_request("bad_form", "Форма заполнена некорректно.");
        return search_page(&state, &caller, &fields, e.status(), Some(&e)).await;
    };
    match card::transfer(&state, caller.actor(), &id, &input, version).await {
        Ok(_) => Redirect::to(&format!("/leads/{id}")).into_response(),
        Err(e) if e.status() == StatusCode::NOT_FOUND => error_page(&state, Some(&caller), &e),
        Err(e) => search_page(&state, &caller, &fields, e.status(), Some(&e)).await,
    }
}

/// `GET /customers/{id}`: the person's leads and survey answers, as far as the caller sees
/// the leads.
pub async fn portal_customer(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(id): IdPath<CustomerId>,
) -> Response {
    let actor = caller.actor();
    let result = async {
        let (profile, leads) = card::customer(&state, actor, &id).await?;
        let names = dealer_names(&state).await?;
        let mut view =
            serde_json::to_value(CustomerCard::new(&profile, &leads)).unwrap_or(Value::Null);
        if let Some(rows) = view["leads"].as_array_mut() {
            for v in rows {
                v["created_local"] = local_of(&v["created_at"]);
                v["dealer_name"] = dealer_of(&names, &v["dealer_id"]);
            }
        }
        if let Some(rows) = view["surveys"].as_array_mut() {
            for v in rows {
                v["answered_local"] = local_of(&v["answered_at"]);
            }
        }
        Ok::<_, AppError>(context! {
            me => caller.layout(),
            customer => serde_value(&view),
        })
    }
    .await;
    match result {
        Ok(ctx) => render(&state, StatusCode::OK, "lead/card/customer.html", ctx),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

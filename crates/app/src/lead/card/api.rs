//! The lead card's JSON API.

use crate::AppState;
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::ids::IdPath;
use crate::kernel::names::{dealer_names, user_names};
use crate::kernel::paging::page_request;
use crate::lead::card::views::{
    CustomerCard, FoundLead, HistoryView, LeadCard, LeadPage, LeadRow, LeadView, SearchResult,
    lead_file_stem, lead_sheet,
};
use crate::lead::card::{self, Block, BlockInput, ListQuery, TransferInput};
use crate::report::export::{Format, download};
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::Actor;
use dealerdesk_domain::error::FieldError;
use dealerdesk_domain::kernel::{Refusal, RefusalKind};
use dealerdesk_domain::lead::{
    CustomerId, Lead, LeadEditDraft, LeadHistoryEntry, LeadId, SearchDraft,
};
use serde::Deserialize;
use serde_json::{Map, Value};

fn bad_query() -> AppError {
    AppError::bad_request("bad_query", "Некорректные параметры запроса.")
}

/// The card as the API shows it, with its history's people named.
pub async fn card_view(
    state: &AppState,
    actor: &Actor,
    lead: &Lead,
    history: &[LeadHistoryEntry],
) -> Result<LeadCard, AppError> {
    let people: Vec<_> = history.iter().filter_map(|e| e.by.clone()).collect();
    let names = user_names(state, &people).await?;
    Ok(LeadCard {
        lead: LeadView::new(lead, lead.editable_by(actor)),
        history: history
            .iter()
            .map(|e| {
                let who = match &e.by {
                    Some(id) => names.get(id).cloned().unwrap_or_else(|| id.to_string()),
                    None => "Платформа".to_string(),
                };
                HistoryView::new(e, who)
            })
            .collect(),
    })
}

/// `GET /api/leads` (`status`, `type`, `from`, `to`, `sort`, `limit`, `cursor`, `format`):
/// a JSON page, or with `format=csv|xlsx` the whole filtered list as a file.
#[utoipa::path(get, path = "/api/leads", tag = "leads", params(("status" = Option<String>, Query, description = "`new`, `not_processed`, `awaiting_visit`, `contract`, `refused`."), ("type" = Option<String>, Query, description = "The lead type (`preorder`, `test_drive`, …)."), ("from" = Option<String>, Query, description = "Created on or after: `YYYY-MM-DD` (Moscow) or RFC 3339."), ("to" = Option<String>, Query, description = "Created on or before: `YYYY-MM-DD` (Moscow, inclusive) or RFC 3339 (exclusive)."), ("sort" = Option<String>, Query, description = "`created_desc` (default) or `created_asc`."), ("deleted" = Option<bool>, Query, description = "`true`: the deleted leads instead, most recently deleted first (the brand's head office and the admin; the other filters do not apply)."), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "1–100, 50 by default (a page; ignored by a file)."), ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page (ignored by a file)."), ("format" = Option<String>, Query, description = "`json` (default: a page), `csv` (UTF-8 with BOM, `;`) or `xlsx` (typed cells): every lead under the filters, at most 20 000 (more is a 422 `export_too_large`).")), responses((status = 200, description = "`{items, next_cursor}`: a dealer's own leads, a representative's observed ones, the network's for the brand and the operator; with `format` the same list as a file (`Content-Disposition: attachment`).", content((LeadPage = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let page = page_request(query.as_deref())?;
    let filters: ListQuery =
        serde_urlencoded::from_str(query.as_deref().unwrap_or("")).map_err(|_| bad_query())?;
    if let Some(format) = card::export_format(&filters)? {
        return export_file(&state, &caller.actor, &filters, format).await;
    }
    let found = if crate::restore::api::deleted_requested(query.as_deref())? {
        crate::restore::deleted_leads(&state, &caller.actor, &page).await?
    } else {
        card::list(&state, &caller.actor, &filters, &page).await?
    };
    Ok(Json(LeadPage {
        items: found.items.iter().map(LeadRow::new).collect(),
        next_cursor: found.next_cursor,
    })
    .into_response())
}

/// The caller's filtered list as a CSV or XLSX download (the API's and the portal's).
pub async fn export_file(
    state: &AppState,
    actor: &Actor,
    filters: &ListQuery,
    format: Format,
) -> Result<Response, AppError> {
    let leads = card::export(state, actor, filters).await?;
    let dealers = dealer_names(state).await?;
    let sheet = lead_sheet(&leads, &dealers);
    download(&sheet, format, &lead_file_stem(state.clock.now()))
}

/// `GET /api/leads/{id}`: the card and its history.
#[utoipa::path(get, path = "/api/leads/{id}", tag = "leads", params(("id" = String, Path, description = "The lead id.")), responses((status = 200, description = "The card (`lead`) and its `history` (who, when, field, old, new).", body = LeadCard), (status = "4XX", description = "Refused: the `error` envelope (a lead the caller may not see is a 404).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_get(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<LeadId>,
) -> Result<Json<LeadCard>, AppError> {
    let (lead, history) = card::card(&state, &caller.actor, &id).await?;
    Ok(Json(
        card_view(&state, &caller.actor, &lead, &history).await?,
    ))
}

/// The fields `PATCH /api/leads/{id}` changes; a value `null` or `""` clears it.
const EDITABLE: &[&str] = &[
    "model_version",
    "trim",
    "city",
    "preferred_dealer_id",
    "comment",
    "contact_comment",
    "contract_comment",
];

fn refused_field(field: &'static str, message: &str) -> AppError {
    AppError::Refused(
        Refusal::new(RefusalKind::Invalid, "validation_failed", message).with_fields(vec![
            FieldError {
                field,
                message: message.to_string(),
            },
        ]),
    )
}

/// The version the caller saw: required, a whole number.
fn version_of(body: &Map<String, Value>) -> Result<u64, AppError> {
    body.get("version")
        .and_then(Value::as_u64)
        .ok_or_else(|| refused_field("version", "Укажите версию заявки (`version`)."))
}

/// Reads the edit body: key properties and stamped times refused by name, unknown fields
/// refused, every value a text or null.
fn edit_draft(body: &Map<String, Value>) -> Result<(LeadEditDraft, u64), AppError> {
    card::refuse_key_properties(body.keys().map(String::as_str))?;
    let version = version_of(body)?;
    let mut values: std::collections::HashMap<&str, Option<String>> = Default::default();
    for (name, value) in body {
        if name == "version" {
            continue;
        }
        let Some(field) = EDITABLE.iter().find(|f| **f == name) else {
            return Err(refused_field(
                "body",
                &format!("Поле «{name}» нельзя изменить: его нет среди полей карточки."),
            ));
        };
        let text = match value {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            _ => return Err(refused_field(field, "Значение поля — строка или null.")),
        };
        values.insert(field, Some(text));
    }
    let mut take = |k: &str| values.remove(k).flatten();
    Ok((
        LeadEditDraft {
            version: take("model_version"),
            trim: take("trim"),
            city: take("city"),
            preferred_dealer_id: take("preferred_dealer_id"),
            comment: take("comment"),
            contact_comment: take("contact_comment"),
            contract_comment: take("contract_comment"),
            ..LeadEditDraft::default()
        },
        version,
    ))
}

/// `PATCH /api/leads/{id}` `{version, model_version?, trim?, city?, preferred_dealer_id?,
/// comment?, contact_comment?, contract_comment?}`
#[utoipa::path(patch, path = "/api/leads/{id}", tag = "leads", request_body(content = Object, description = "`{version, model_version?, trim?, city?, preferred_dealer_id?, comment?, contact_comment?, contract_comment?}`: the editable fields (`null` or `\"\"` clears one). A key property (`created_at`, `source`, `type`, `original_dealer_id`, `dealer_id`, `contacted_at`, `contract_at`, …) is refused with `422`."), params(("id" = String, Path, description = "The lead id.")), responses((status = 200, description = "The card after the change.", body = LeadCard), (status = "4XX", description = "Refused: the `error` envelope (`409` on a stale version, `403` for a reader who may not change it).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_patch(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<LeadId>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Json<LeadCard>, AppError> {
    // Who may see it first: a foreign lead is a 404 whatever the body says.
    let loaded = card::card(&state, &caller.actor, &id).await?;
    let (draft, version) = edit_draft(&body)?;
    let (lead, history) =
        card::change_loaded(&state, &caller.actor, loaded, &draft, version).await?;
    Ok(Json(
        card_view(&state, &caller.actor, &lead, &history).await?,
    ))
}

/// A block's body: `{outcome, reason?, reason_text?, comment?, version}`.
#[derive(Deserialize)]
pub struct BlockBody {
    version: Option<u64>,
    #[serde(flatten)]
    input: BlockInput,
}

async fn block(
    state: AppState,
    caller: &Actor,
    id: &LeadId,
    body: BlockBody,
    which: Block,
) -> Result<Json<LeadCard>, AppError> {
    let loaded = card::card(&state, caller, id).await?;
    let version = body
        .version
        .ok_or_else(|| refused_field("version", "Укажите версию заявки (`version`)."))?;
    let draft = body.input.draft(which)?;
    let (lead, history) = card::change_loaded(&state, caller, loaded, &draft, version).await?;
    Ok(Json(card_view(&state, caller, &lead, &history).await?))
}

/// `POST /api/leads/{id}/contact` `{outcome: "yes"|"no", reason?, reason_text?, comment?, version}`
#[utoipa::path(post, path = "/api/leads/{id}/contact", tag = "leads", request_body(content = Object, description = "`{outcome: \"yes\"|\"no\", reason?, reason_text?, comment?, version}`. Reasons: `no_answer` «Не дозвонились», `wrong_number` «Неверный номер», `customer_declined` «Клиент отказался», `bought_elsewhere` «Купил в другом месте», `other` «Другое» (needs `reason_text`). «Да» stamps `contacted_at` once."), params(("id" = String, Path, description = "The lead id.")), responses((status = 200, description = "The card after the change.", body = LeadCard), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_contact(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<LeadId>,
    JsonBody(body): JsonBody<BlockBody>,
) -> Result<Json<LeadCard>, AppError> {
    block(state, &caller.actor, &id, body, Block::Contact).await
}

/// `POST /api/leads/{id}/contract` `{outcome: "yes"|"no", reason?, reason_text?, comment?, version}`
#[utoipa::path(post, path = "/api/leads/{id}/contract", tag = "leads", request_body(content = Object, description = "`{outcome: \"yes\"|\"no\", reason?, reason_text?, comment?, version}`; refused (`409 lead_contact_required`) until «Контакт» is «Да». Reasons: `price`, `credit_terms`, `other_model`, `other_dealer`, `changed_mind`, `other` (needs `reason_text`). «Да» stamps `contract_at` once."), params(("id" = String, Path, description = "The lead id.")), responses((status = 200, description = "The card after the change.", body = LeadCard), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_contract(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<LeadId>,
    JsonBody(body): JsonBody<BlockBody>,
) -> Result<Json<LeadCard>, AppError> {
    block(state, &caller.actor, &id, body, Block::Contract).await
}

/// `GET /api/leads/search?surname=&name=&email=&phone=`
#[utoipa::path(get, path = "/api/leads/search", tag = "leads", params(("surname" = String, Query, description = "Required."), ("name" = String, Query, description = "Required."), ("email" = Option<String>, Query, description = "The e-mail, or:"), ("phone" = Option<String>, Query, description = "the phone or a part of it (at least 4 digits).")), responses((status = 200, description = "`{items}`: the matching leads of every dealer, redacted (masked phone and e-mail, no comments or history).", body = SearchResult), (status = "4XX", description = "Refused: the `error` envelope (only dealers' staff search).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_search(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(query): RawQuery,
) -> Result<Json<SearchResult>, AppError> {
    let draft: SearchDraft =
        serde_urlencoded::from_str(query.as_deref().unwrap_or("")).map_err(|_| bad_query())?;
    let found = card::search(&state, &caller.actor, &draft).await?;
    let mine = caller.actor.dealer_id.as_ref();
    Ok(Json(SearchResult {
        items: found
            .iter()
            .map(|(r, version)| FoundLead::new(r, Some(&r.dealer) == mine, *version))
            .collect(),
    }))
}

/// A transfer's body: the search that found the lead, the version seen and whether the
/// searching dealer records «Договор — Да» with it.
#[derive(Deserialize)]
pub struct TransferBody {
    version: Option<u64>,
    #[serde(flatten)]
    input: TransferInput,
}

/// `POST /api/leads/{id}/transfer` `{surname, name, email?, phone?, record_contract?, version}`
#[utoipa::path(post, path = "/api/leads/{id}/transfer", tag = "leads", request_body(content = Object, description = "`{surname, name, email?, phone?, record_contract?, version}`: the search that found the lead (it must match, or `404`), and `record_contract: true` to record «Договор — Да» with the transfer. Without a concluded contract: `409 lead_transfer_needs_contract`."), params(("id" = String, Path, description = "The lead id.")), responses((status = 200, description = "The card, now the searching dealer's.", body = LeadCard), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_transfer(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<LeadId>,
    JsonBody(body): JsonBody<TransferBody>,
) -> Result<Json<LeadCard>, AppError> {
    let version = body
        .version
        .ok_or_else(|| refused_field("version", "Укажите версию заявки (`version`)."))?;
    let lead = card::transfer(&state, &caller.actor, &id, &body.input, version).await?;
    let (lead, history) = card::card(&state, &caller.actor, lead.id()).await?;
    Ok(Json(
        card_view(&state, &caller.actor, &lead, &history).await?,
    ))
}

/// `GET /api/customers/{id}`: the customer's profile as far as the caller sees its leads.
#[utoipa::path(get, path = "/api/customers/{id}", tag = "leads", params(("id" = String, Path, description = "The customer profile id.")), responses((status = 200, description = "The person, the leads of theirs the caller may see and the survey answers of those leads.", body = CustomerCard), (status = "4XX", description = "Refused: the `error` envelope (a profile with none of the caller's leads is a 404).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_customer(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<CustomerId>,
) -> Result<Json<CustomerCard>, AppError> {
    let (profile, leads) = card::customer(&state, &caller.actor, &id).await?;
    Ok(Json(CustomerCard::new(&profile, &leads)))
}

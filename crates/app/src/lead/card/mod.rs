//! The lead card (SPEC §4.3): the list, the card with its «Контакт» and «Договор» blocks
//! and its history, the editable fields, the search across dealers with the transfer, and
//! the customer's profile page.
//!
//! Who sees what is the domain's [`Lead::visible_to`]: the lead's dealer, its observing
//! representative, the brand's head office and the operator; anything else is a 404, so a
//! lead's existence does not leak. Who changes what is [`Lead::apply`]: only the handling
//! dealer's staff (and the operator); a representative or the brand reading the card gets
//! 403 on a change. Key properties (creation time, source, type, original dealer) and the
//! stamped times are not fields of any request: a body naming one is refused (`422`).
//!
//! The search finds leads by folded surname and name through their own index, matches the
//! e-mail or phone in the domain ([`LeadQuery::matches`]) and shows only the redacted view.
//! The transfer repeats the search (the lead must match it, or it is a 404: a transfer is
//! never a way to reach a lead by id alone) and moves the lead only together with a
//! concluded contract ([`Lead::transfer`]); both dealers and the observer are told.

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use crate::lead::{listing_for, load_visible, network_settings, save_change};
use crate::report::export::{Format, MAX_ROWS};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use dealerdesk_domain::error::FieldError;
use dealerdesk_domain::kernel::{Refusal, RefusalKind};
use dealerdesk_domain::lead::{
    CustomerId, CustomerProfile, Lead, LeadEditDraft, LeadHistoryEntry, LeadId, LeadQuery,
    LeadStatus, LeadType, RedactedLead, SearchDraft, transfer_notices,
};
use dealerdesk_domain::{Actor, Role};
use dealerdesk_store::{
    CustomerRepo, DirectoryRepo, LeadFilter, LeadListRepo, LeadOrder, LeadRepo, Page, PageRequest,
};
use serde::Deserialize;

/// The list's query: filters, order and page (every value textual, as it arrives).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub status: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `YYYY-MM-DD` (a Moscow day) or RFC 3339.
    pub from: Option<String>,
    /// `YYYY-MM-DD` (inclusive) or RFC 3339 (exclusive).
    pub to: Option<String>,
    /// `created_desc` (default) or `created_asc`.
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
    /// `json` (the default: a page), `csv` or `xlsx` (the whole filtered list as a file).
    pub format: Option<String>,
}

fn field(field: &'static str, message: &str) -> FieldError {
    FieldError {
        field,
        message: message.to_string(),
    }
}

fn invalid(fields: Vec<FieldError>) -> AppError {
    let message = fields
        .iter()
        .map(|f| f.message.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    AppError::Refused(
        Refusal::new(RefusalKind::Invalid, "validation_failed", message).with_fields(fields),
    )
}

/// A period's end: a date (Moscow) or an instant.
fn instant(raw: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(at.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?;
    let date = if end_of_day { date.succ_opt()? } else { date };
    crate::kernel::time::DISPLAY_TZ
        .from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
}

impl ListQuery {
    /// The filter and order, every malformed value reported at once.
    pub fn read(&self) -> Result<(LeadFilter, LeadOrder), AppError> {
        let present = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let mut fields = Vec::new();
        let status = present(&self.status).and_then(|s| {
            LeadStatus::from_code(&s).or_else(|| {
                fields.push(field("status", "Неизвестный статус заявки."));
                None
            })
        });
        let kind = present(&self.kind).and_then(|s| {
            LeadType::from_code(&s).or_else(|| {
                fields.push(field("type", "Неизвестный тип заявки."));
                None
            })
        });
        let from = present(&self.from).and_then(|s| {
            instant(&s, false).or_else(|| {
                fields.push(field("from", "Начало периода — дата ГГГГ-ММ-ДД."));
                None
            })
        });
        let to = present(&self.to).and_then(|s| {
            instant(&s, true).or_else(|| {
                fields.push(field("to", "Конец периода — дата ГГГГ-ММ-ДД."));
                None
            })
        });
        if let (Some(f), Some(t)) = (from, to)
            && f >= t
        {
            fields.push(field("to", "Конец периода раньше его начала."));
        }
        let order = match present(&self.sort).as_deref() {
            None | Some("created_desc") => LeadOrder::NewestFirst,
            Some("created_asc") => LeadOrder::OldestFirst,
            Some(_) => {
                fields.push(field(
                    "sort",
                    "Сортировка — created_desc (новые сверху) или created_asc.",
                ));
                LeadOrder::NewestFirst
            }
        };
        if !fields.is_empty() {
            return Err(invalid(fields));
        }
        Ok((
            LeadFilter {
                status,
                kind,
                from,
                to,
            },
            order,
        ))
    }
}

/// A page of the caller's leads: a dealer's own, a representative's observed, the
/// network's for the brand and the operator; 403 for anyone else.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    query: &ListQuery,
    page: &PageRequest,
) -> Result<Page<Lead>, AppError> {
    let listing = listing_for(actor)?;
    let (filter, order) = query.read()?;
    Ok(state
        .store
        .lead_list(&listing, &filter, order, page)
        .await?)
}

/// The file format a list query asks for: `None` for a JSON page (no `format`, or `json`).
pub fn export_format(query: &ListQuery) -> Result<Option<Format>, AppError> {
    match query.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => Ok(None),
        Some(code) => Format::from_code(code)
            .map(Some)
            .ok_or_else(|| invalid(vec![field("format", "Формат — json, csv или xlsx.")])),
    }
}

/// Every lead of the caller's list under its filters and order, for a file: read page by
/// page through the same listing as the list (a dealer its own, a representative its
/// observed, the brand and the operator the network's). More than [`MAX_ROWS`] is refused
/// (`422 export_too_large`) rather than cut short, so a file never silently lacks leads.
pub async fn export(
    state: &AppState,
    actor: &Actor,
    query: &ListQuery,
) -> Result<Vec<Lead>, AppError> {
    let listing = listing_for(actor)?;
    let (filter, order) = query.read()?;
    let mut leads = Vec::new();
    let mut cursor = None;
    loop {
        let page = PageRequest { limit: 100, cursor };
        let found = state
            .store
            .lead_list(&listing, &filter, order, &page)
            .await?;
        leads.extend(found.items);
        if leads.len() > MAX_ROWS {
            return Err(AppError::Refused(Refusal::new(
                RefusalKind::Invalid,
                "export_too_large",
                format!(
                    "В выгрузке не больше {MAX_ROWS} заявок: сузьте период или выберите статус и тип."
                ),
            )));
        }
        match found.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(leads),
        }
    }
}

/// The card with its history, if the caller may see it.
pub async fn card(
    state: &AppState,
    actor: &Actor,
    id: &LeadId,
) -> Result<(Lead, Vec<LeadHistoryEntry>), AppError> {
    load_visible(state, actor, id).await
}

/// What a block's form or the API posts: `{outcome, reason?, reason_text?, comment?}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct BlockInput {
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub reason_text: Option<String>,
    pub comment: Option<String>,
}

/// Which block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    Contact,
    Contract,
}

impl BlockInput {
    /// The card's form for one block. The route is the block's, so an absent answer is a
    /// field error, not "leave the block alone".
    pub fn draft(&self, block: Block) -> Result<LeadEditDraft, AppError> {
        let outcome = self
            .outcome
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_string)
            .ok_or_else(|| invalid(vec![field("outcome", "Выберите ответ: «Да» или «Нет».")]))?;
        let outcome = Some(outcome);
        Ok(match block {
            Block::Contact => LeadEditDraft {
                contact: outcome,
                contact_reason: self.reason.clone(),
                contact_reason_text: self.reason_text.clone(),
                contact_comment: self.comment.clone(),
                ..LeadEditDraft::default()
            },
            Block::Contract => LeadEditDraft {
                contract: outcome,
                contract_reason: self.reason.clone(),
                contract_reason_text: self.reason_text.clone(),
                contract_comment: self.comment.clone(),
                ..LeadEditDraft::default()
            },
        })
    }
}

/// Applies the card's form to the lead at `version`: the domain decides (who, the blocks'
/// rules, the texts), the change and its history lines are stored together. Nothing that
/// differs stores nothing.
pub async fn change(
    state: &AppState,
    actor: &Actor,
    id: &LeadId,
    draft: &LeadEditDraft,
    version: u64,
) -> Result<Lead, AppError> {
    let loaded = load_visible(state, actor, id).await?;
    Ok(change_loaded(state, actor, loaded, draft, version).await?.0)
}

/// [`change`] of the card the caller has loaded ([`card`]): the card after the change, its
/// history with the change's lines, without reading it again — a card action is one read
/// and one write.
pub async fn change_loaded(
    state: &AppState,
    actor: &Actor,
    (lead, mut history): (Lead, Vec<LeadHistoryEntry>),
    draft: &LeadEditDraft,
    version: u64,
) -> Result<(Lead, Vec<LeadHistoryEntry>), AppError> {
    let changes = draft.changes()?;
    if !lead.editable_by(actor) {
        return Err(dealerdesk_domain::lead::LeadError::NotYourLead.into());
    }
    lead.check_version(version)?;
    let (next, lines) = lead.apply(actor, &changes, state.clock.now())?;
    if lines.is_empty() {
        return Ok((lead, history));
    }
    save_change(state, &lead, &next, &lines, &[]).await?;
    history.extend(lines);
    Ok((next, history))
}

/// The search across dealers (a dealer's staff only): every lead of the network whose
/// customer matches, in its redacted view.
pub async fn search(
    state: &AppState,
    actor: &Actor,
    draft: &SearchDraft,
) -> Result<Vec<(RedactedLead, u64)>, AppError> {
    searching_dealer(actor)?;
    let query = draft.validate()?;
    Ok(found(state, &query)
        .await?
        .into_iter()
        .map(|l| (l.redacted(), l.version()))
        .collect())
}

async fn found(state: &AppState, query: &LeadQuery) -> Result<Vec<Lead>, AppError> {
    Ok(state
        .store
        .leads_named(&query.key())
        .await?
        .into_iter()
        .filter(|l| query.matches(l))
        .collect())
}

fn searching_dealer(actor: &Actor) -> Result<(), AppError> {
    match (actor.role, &actor.dealer_id) {
        (Role::Dealer, Some(_)) => Ok(()),
        _ if actor.reads_leads() => Err(dealerdesk_domain::lead::LeadError::OnlyDealerStaff.into()),
        _ => Err(AppError::forbidden()),
    }
}

/// A transfer request: the search that found the lead, the version seen, and whether the
/// searching dealer records «Договор — Да» with it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct TransferInput {
    #[serde(flatten)]
    pub search: SearchDraft,
    pub record_contract: bool,
}

/// The searching dealer takes a lead it found over, only with a concluded contract. The
/// lead must match the search (or it is a 404); the new observer is the new dealer's
/// representative for the lead's direction; both dealers and the observers are told.
pub async fn transfer(
    state: &AppState,
    actor: &Actor,
    id: &LeadId,
    input: &TransferInput,
    version: u64,
) -> Result<Lead, AppError> {
    searching_dealer(actor)?;
    let query = input.search.validate()?;
    let lead = match state.store.lead(id).await? {
        Some(lead) if query.matches(&lead) => lead,
        _ => return Err(AppError::not_found()),
    };
    lead.check_version(version)?;
    let dealer = actor.dealer_id.clone().ok_or_else(AppError::forbidden)?;
    let network = state
        .store
        .dealer(&dealer)
        .await?
        .map(|d| d.network_id)
        .ok_or_else(AppError::forbidden)?;
    let settings = network_settings(state, &network).await?;
    let observer = settings
        .assignments
        .observer(&dealer, lead.kind().direction())
        .cloned();
    let now = state.clock.now();
    let (next, history) = lead.transfer(actor, input.record_contract, observer, now)?;
    let notices = transfer_notices(&lead, &next, now);
    save_change(state, &lead, &next, &history, &notices).await?;
    Ok(next)
}

/// A customer's profile as far as the caller may see it: the profile and those of its
/// leads the caller sees (a 404 when none).
pub async fn customer(
    state: &AppState,
    actor: &Actor,
    id: &CustomerId,
) -> Result<(CustomerProfile, Vec<Lead>), AppError> {
    if !actor.reads_leads() {
        return Err(AppError::forbidden());
    }
    let Some(profile) = state.store.customer(id).await? else {
        return Err(AppError::not_found());
    };
    let mut leads = Vec::new();
    for lead_id in profile.leads() {
        if let Some(lead) = state.store.lead(lead_id).await?
            && lead.visible_to(actor)
        {
            leads.push(lead);
        }
    }
    if leads.is_empty() {
        return Err(AppError::not_found());
    }
    leads.sort_by_key(|l| std::cmp::Reverse(l.created_at()));
    Ok((profile, leads))
}

/// The key properties and stamped times a body may not name (SPEC §4.7).
pub const KEY_PROPERTIES: &[&str] = &[
    "id",
    "created_at",
    "source",
    "type",
    "kind",
    "original_dealer_id",
    "dealer_id",
    "observer_id",
    "customer_id",
    "contacted_at",
    "contract_at",
    "status",
];

/// Refuses a body that names a key property or a stamped time: they are set once, by the
/// platform, and never changed by anyone.
pub fn refuse_key_properties<'a>(names: impl Iterator<Item = &'a str>) -> Result<(), AppError> {
    let named: Vec<FieldError> = names
        .filter_map(|n| KEY_PROPERTIES.iter().find(|k| **k == n))
        .map(|k| field(k, "Это ключевое свойство заявки: его нельзя изменить."))
        .collect();
    if named.is_empty() {
        Ok(())
    } else {
        Err(invalid(named))
    }
}

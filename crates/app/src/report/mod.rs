//! Reports (SPEC §4.6, issue 11): `GET /api/reports/{report}` (JSON, CSV, XLSX), the
//! portal's «Отчёты» (`/reports`, `/reports/{report}`), and how figures are shown and taken
//! away — server-rendered SVG charts with the table of their numbers ([`chart`]) and CSV
//! and XLSX files with typed cells ([`export`]).
//!
//! One request is one [`run`]: the report's reach for the caller (`domain::report::reach`;
//! outside it the report is a 404, like an unknown one), the query checked against the
//! report (422 naming the field), the [`ReportScope`] resolved once (the directory, or the
//! network's assignments for a representative) and narrowed to `dealer=` (404 outside
//! it), then the report's figures for the period and for the compared period, set side by
//! side by `domain::report::assemble`. Figures are read from aggregate items kept up to
//! date in the same transaction as each change (ARCHITECTURE.md, "Reports"), never by
//! scanning the tickets or leads themselves.
//!
//! # Adding a report (e.g. the lead reports)
//!
//! 1. `crates/domain/src/report/mod.rs`: a [`ReportName`] variant (its API code and Russian
//!    title), its [`ReportSpec`](dealerdesk_domain::report::ReportSpec) in
//!    `ReportName::spec` (columns with their kinds, the groupings it takes — add a
//!    [`GroupBy`] if it needs one —, its charts, one line `about` it) and its
//!    [`Family`](dealerdesk_domain::report::Family) in `ReportName::family` (`Leads`
//!    opens it to the brand, representatives and dealers by the one table in
//!    `domain/report/access.rs`).
//! 2. `crates/app/src/report/<name>.rs`: one function
//!    `pub(crate) async fn figures(ctx: &ReportContext<'_>, period: Period) -> Result<Figures, AppError>`
//!    — a [`Line`](dealerdesk_domain::report::Line) per group of `ctx.group_by` in the
//!    order shown (every month of the period for `month`), each with its values by column
//!    code, and the total (computed, not summed, for shares). Read only what
//!    `ctx.scope` admits (`ReportScope::admits`, `admits_direction` for leads); dealer
//!    names and cities are in `ctx.dealers`.
//! 3. One arm in [`figures`] below. The API, the JSON model, CSV and XLSX, the page with
//!    its charts and tables, the list «Отчёты» and the menu link follow from the spec.
//! 4. Tests: the figures after known actions in `tests/e2e/reports.rs`, the access rows in
//!    its table of every report × every role.

pub mod api;
pub mod chart;
pub mod export;
pub mod portal;
pub mod routes;
pub mod views;

mod leads;
mod ticket_costs;
mod ticket_survey;
mod tickets;

pub use leads::{AnswerList, NamedAnswer};
pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use dealerdesk_domain::platform_date;
use dealerdesk_domain::report::{
    Figures, GroupBy, Period, Reach, Report, ReportDraft, ReportQuery, ReportScope, assemble, reach,
};
use dealerdesk_domain::{Actor, DealerId};
use dealerdesk_store::{DealerRecord, DirectoryRepo, LeadNetworkRepo};
use std::collections::{BTreeMap, BTreeSet};

pub use dealerdesk_domain::report::ReportName;

/// What a report's figures are computed with: who asks, over which dealers, grouped how.
pub struct ReportContext<'a> {
    pub state: &'a AppState,
    pub actor: &'a Actor,
    /// The dealers (and directions) the figures may cover.
    pub scope: &'a ReportScope,
    /// How the lines are grouped.
    pub group_by: GroupBy,
    /// Every dealer of the platform by id (names, cities, networks), read once.
    pub dealers: &'a BTreeMap<DealerId, DealerRecord>,
}

/// A computed report with the query it answers and the dealers the caller could narrow it
/// to (the page's choice of dealer).
pub struct Computed {
    pub report: Report,
    pub query: ReportQuery,
    /// The dealers in the caller's scope, by name; empty for a caller of one dealer.
    pub choosable: Vec<(DealerId, String)>,
    /// `lead_survey`'s answers of the period (not of the compared one); `None` for every
    /// other report.
    pub answers: Option<AnswerList>,
}

/// The report `name` for `actor` as `draft` asks (see the module's documentation).
pub async fn run(
    state: &AppState,
    actor: &Actor,
    name: ReportName,
    draft: &ReportDraft,
) -> Result<Computed, AppError> {
    let reach = reach(actor, name);
    if reach == Reach::Nothing {
        return Err(AppError::not_found());
    }
    let query = draft.validate(name, platform_date(state.clock.now()))?;
    let dealers: BTreeMap<DealerId, DealerRecord> = state
        .store
        .dealers()
        .await?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect();
    let whole = resolve(state, reach, &dealers).await?;
    let scope = match &query.dealer {
        Some(dealer) if dealers.contains_key(dealer) => {
            whole.narrow(dealer).ok_or_else(AppError::not_found)?
        }
        Some(_) => return Err(AppError::not_found()),
        None => whole.clone(),
    };
    let ctx = ReportContext {
        state,
        actor,
        scope: &scope,
        group_by: query.group_by,
        dealers: &dealers,
    };
    let now = figures(&ctx, name, query.period).await?;
    let compare = match query.compare {
        Some(period) => Some((period, figures(&ctx, name, period).await?)),
        None => None,
    };
    let report = assemble(name, query.group_by, query.period, now, compare);
    let answers = match name {
        ReportName::LeadSurvey => Some(leads::survey_answers(&ctx, query.period).await?),
        _ => None,
    };
    let mut choosable: Vec<(DealerId, String)> = dealers
        .values()
        .filter(|d| whole.admits(&d.id))
        .map(|d| (d.id.clone(), d.name.clone()))
        .collect();
    choosable.sort_by(|a, b| a.1.cmp(&b.1));
    if choosable.len() < 2 && whole != ReportScope::All {
        choosable.clear();
    }
    Ok(Computed {
        report,
        query,
        choosable,
        answers,
    })
}

/// The dealers a reach covers: the directory for an account manager, the networks'
/// assignments for a representative.
async fn resolve(
    state: &AppState,
    reach: Reach,
    dealers: &BTreeMap<DealerId, DealerRecord>,
) -> Result<ReportScope, AppError> {
    Ok(match reach {
        Reach::Nothing => return Err(AppError::not_found()),
        Reach::All => ReportScope::All,
        Reach::OwnDealer(dealer) => ReportScope::Dealers(BTreeSet::from([dealer])),
        Reach::ManagedDealers(manager) => ReportScope::Dealers(
            dealers
                .values()
                .filter(|d| d.account_manager_id.as_ref() == Some(&manager))
                .map(|d| d.id.clone())
                .collect(),
        ),
        Reach::Observed(rep) => {
            let networks: BTreeSet<_> = dealers.values().map(|d| d.network_id.clone()).collect();
            let mut observed: BTreeMap<DealerId, BTreeSet<_>> = BTreeMap::new();
            for network in networks {
                if let Some(settings) = state.store.lead_network(&network).await? {
                    for (dealer, direction) in settings.assignments.observed_by(&rep) {
                        observed
                            .entry(dealer.clone())
                            .or_default()
                            .insert(direction);
                    }
                }
            }
            ReportScope::Observed(observed)
        }
    })
}

/// The figures of report `name` over `period`: one arm per report.
async fn figures(
    ctx: &ReportContext<'_>,
    name: ReportName,
    period: Period,
) -> Result<Figures, AppError> {
    match name {
        ReportName::Tickets | ReportName::TicketSla => tickets::figures(ctx, name, period).await,
        ReportName::TicketCosts => ticket_costs::figures(ctx, period).await,
        ReportName::TicketSurvey => ticket_survey::figures(ctx, period).await,
        ReportName::Leads
        | ReportName::LeadRefusals
        | ReportName::LeadConversion
        | ReportName::LeadProcessingTime
        | ReportName::LeadOverdue
        | ReportName::LeadSurvey => leads::figures(ctx, name, period).await,
    }
}

//! The lead reports (SPEC §4.6): `leads`, `lead_refusals`, `lead_conversion`,
//! `lead_processing_time`, `lead_overdue` and `lead_survey`, computed from the lead counters
//! (`store::lead::stats`, kept in each lead save's transaction) — whole years, quarters and
//! months of the period read as their own items, the edge days as day items — never from the
//! leads. A representative's figures keep only the directions they observe; city, region and
//! federal district are the dealer's. `lead_overdue` adds the leads overdue right now (the
//! live view of SPEC §4.4) when the period runs to today. `lead_survey` adds the list of the
//! answers themselves ([`survey_answers`]): the customers' words are rows, not counts.

use super::ReportContext;
use crate::kernel::error::AppError;
use dealerdesk_domain::UserId;
use dealerdesk_domain::lead::CountsRow;
use dealerdesk_domain::platform_date;
use dealerdesk_domain::report::leads::{
    self, DealerPlace, LeadGroup, SurveyAnswerRow, Table, survey_answer_window,
};
use dealerdesk_domain::report::{Figures, GroupBy, Line, Period, ReportName};
use dealerdesk_store::{LeadCounterSet as CounterSet, LeadStatsRepo, MAX_SURVEY_ROWS};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// The counters of `period` the caller's scope admits, per dealer and direction; the heat
/// maps' weekday × hour cells only for the report that draws them (they are most of the
/// counters' bulk, issue #12).
async fn counts(
    ctx: &ReportContext<'_>,
    name: ReportName,
    period: Period,
) -> Result<Vec<CountsRow>, AppError> {
    let which = match (name, ctx.group_by) {
        (ReportName::LeadProcessingTime, GroupBy::WeekdayHour) => CounterSet::WithHeatMap,
        _ => CounterSet::Totals,
    };
    let rows = ctx
        .state
        .store
        .lead_counts(period.from, period.to, &ctx.scope.dealers(), which)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|r| ctx.scope.admits_direction(&r.dealer, r.direction))
        .collect())
}

/// Where each dealer of the scope is (name, city, region, federal district).
fn places(ctx: &ReportContext<'_>) -> Vec<DealerPlace> {
    ctx.dealers
        .values()
        .filter(|d| ctx.scope.admits(&d.id))
        .map(|d| {
            DealerPlace::new(
                d.id.clone(),
                d.name.clone(),
                d.city.clone(),
                crate::lead::cities(),
            )
        })
        .collect()
}

fn lead_group(group_by: GroupBy) -> LeadGroup {
    match group_by {
        GroupBy::City => LeadGroup::City,
        GroupBy::Region => LeadGroup::Region,
        GroupBy::District => LeadGroup::District,
        GroupBy::Type => LeadGroup::Type,
        _ => LeadGroup::Dealer,
    }
}

fn into_figures(table: Table) -> Figures {
    Figures {
        lines: table
            .rows
            .into_iter()
            .map(|r| Line {
                key: r.key,
                label: r.label,
                values: r.values,
            })
            .collect(),
        total: table.totals,
    }
}

/// The figures of lead report `name` over `period`.
pub(crate) async fn figures(
    ctx: &ReportContext<'_>,
    name: ReportName,
    period: Period,
) -> Result<Figures, AppError> {
    let rows = counts(ctx, name, period).await?;
    let table = match name {
        ReportName::Leads => leads::leads(&rows, &places(ctx), lead_group(ctx.group_by)),
        ReportName::LeadConversion => {
            leads::conversion(&rows, &places(ctx), lead_group(ctx.group_by))
        }
        ReportName::LeadRefusals => leads::refusals(&rows),
        ReportName::LeadProcessingTime => {
            let p = leads::processing(&rows);
            if ctx.group_by == GroupBy::WeekdayHour {
                leads::processing_by_hour(&p)
            } else {
                p.histogram
            }
        }
        ReportName::LeadSurvey => leads::survey(&rows),
        ReportName::LeadOverdue => return overdue(ctx, &rows, period).await,
        ReportName::Tickets
        | ReportName::TicketSla
        | ReportName::TicketCosts
        | ReportName::TicketSurvey => return Err(AppError::not_found()),
    };
    Ok(into_figures(table))
}

/// `lead_overdue`: the escalations of the period per representative, and — when the period
/// runs to today — the leads overdue now (SPEC §4.4's live view, read from the unprocessed
/// leads of the caller's listing and cut to the scope).
async fn overdue(
    ctx: &ReportContext<'_>,
    rows: &[CountsRow],
    period: Period,
) -> Result<Figures, AppError> {
    let now = ctx.state.clock.now();
    let mut live: BTreeMap<Option<UserId>, i64> = BTreeMap::new();
    if period.contains(platform_date(now)) {
        for group in crate::lead::escalation::overdue(ctx.state, ctx.actor, now).await? {
            for o in group.leads {
                let lead = &o.lead;
                if ctx
                    .scope
                    .admits_direction(lead.dealer(), lead.kind().direction())
                {
                    *live.entry(lead.observer().cloned()).or_default() += 1;
                }
            }
        }
    }
    let mut people: BTreeSet<UserId> = live.keys().flatten().cloned().collect();
    for row in rows {
        for (counter, _) in row.counts.counters() {
            if let dealerdesk_domain::lead::Counter::Escalated(_, Some(user)) = counter {
                people.insert(user);
            }
        }
    }
    let ids: Vec<UserId> = people.into_iter().collect();
    let names: BTreeMap<UserId, String> = crate::kernel::names::user_names(ctx.state, &ids)
        .await?
        .into_iter()
        .collect();
    let mut table = leads::overdue(rows, &names);
    let key_of = |o: &Option<UserId>| o.as_ref().map(UserId::to_string).unwrap_or_default();
    let mut total_now = 0;
    for (observer, n) in &live {
        total_now += n;
        let key = key_of(observer);
        match table.rows.iter_mut().find(|r| r.key == key) {
            Some(row) => {
                row.values.insert("overdue_now", Decimal::from(*n));
            }
            None => table.rows.push(leads::Row {
                label: match observer {
                    Some(u) => names.get(u).cloned().unwrap_or_else(|| u.to_string()),
                    None => "Без наблюдателя".to_string(),
                },
                key,
                values: BTreeMap::from([("overdue_now", Decimal::from(*n))]),
            }),
        }
    }
    table.totals.insert("overdue_now", Decimal::from(total_now));
    Ok(into_figures(table))
}

/// One answer of `lead_survey`'s list with the names it is shown with.
#[derive(Clone, Debug)]
pub struct NamedAnswer {
    pub row: SurveyAnswerRow,
    /// The dealer's name (its id if the directory no longer knows it).
    pub dealer: String,
    /// The observer's name, `None` for a lead without one.
    pub observer: Option<String>,
}

/// `lead_survey`'s list of answers (SPEC §4.5: lead, dealer, observer, comment).
#[derive(Clone, Debug, Default)]
pub struct AnswerList {
    /// Newest answer first.
    pub answers: Vec<NamedAnswer>,
    /// Whether the store's listing stopped at its cap ([`MAX_SURVEY_ROWS`] answers of the
    /// whole network), so older answers of the period are missing from the list — the
    /// counts above it stay exact.
    pub left_out: bool,
    /// The cap, for the words that say so.
    pub limit: usize,
}

/// The answers to the leads of `period` the caller's scope admits. The store lists the
/// answers of the network by answer time (one Query per month of the window); the scope —
/// dealers, and a representative's directions — is applied here, so a list never shows
/// another dealer's lead or comment.
pub(crate) async fn survey_answers(
    ctx: &ReportContext<'_>,
    period: Period,
) -> Result<AnswerList, AppError> {
    let (from, to) = survey_answer_window(period);
    let (found, left_out) = ctx.state.store.lead_survey_answers(from, to).await?;
    let rows = leads::survey_answers(
        found.iter().filter_map(SurveyAnswerRow::of),
        period,
        ctx.scope,
    );
    let observers: Vec<UserId> = rows
        .iter()
        .filter_map(|r| r.observer.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let names = crate::kernel::names::user_names(ctx.state, &observers).await?;
    let answers = rows
        .into_iter()
        .map(|row| NamedAnswer {
            dealer: ctx
                .dealers
                .get(&row.dealer)
                .map(|d| d.name.clone())
                .unwrap_or_else(|| row.dealer.to_string()),
            observer: row
                .observer
                .as_ref()
                .map(|u| names.get(u).cloned().unwrap_or_else(|| u.to_string())),
            row,
        })
        .collect();
    Ok(AnswerList {
        answers,
        left_out,
        limit: MAX_SURVEY_ROWS,
    })
}

//! The lead counters (SPEC §4.6) and the customer-survey answers by period.
//!
//! Written by every lead save: the lead item keeps what it counts (`tally`, the domain's
//! [`LeadTally`] as JSON), and the save adds [`tally_delta`] of the stored tally and the new
//! one to the counter items of the bucket — the dealer's **day**, **month**, **quarter** and
//! **year** items for the lead's direction — with `ADD` in the lead's own transaction. The
//! stored tally comes with the lead as it was read from its item (`Lead::counted`), else
//! the kernel reads the item; the save's version condition makes it exactly the tally
//! replaced, so a counter never drifts from the leads, whatever changed in between (a
//! dealer's hours, a version of the rules, a concurrent save).
//!
//! The heat maps' weekday × hour cells (`Counter::on_heat_map`, up to 336 per bucket) go to
//! twin items of their own (`HP#…`, `HD#…`, the same keys marked `H`) in the same
//! transaction: a year's counter items of a network of a thousand dealers held about a
//! million attributes, nearly all of them heat-map cells, and every report decoded them
//! all. Only the heat map reads them ([`CounterSet::WithHeatMap`]).
//!
//! Read by [`LeadStatsRepo::lead_counts`]: a period is cut into whole years, quarters and
//! months (their `P#` items: one Query of the period's partition for the network, or one
//! `begins_with P#<dealer>#` Query per dealer for a small scope) and the days at its ragged
//! edges (one key range of `D#` items per month). A report over a year of the network reads
//! one partition of 3 × dealers small items, however many leads there were.

use super::{Lead, lead_from_item};
use crate::client::Store;
use crate::error::StoreError;
use crate::kernel::Listing;
use crate::keys;
use crate::mapping::{self, Builder, Item, Reader, n, s};
use crate::table::{GSI3, PK, SK};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use dealerdesk_domain::DealerId;
use dealerdesk_domain::lead::{Counts, CountsRow, Direction, LeadTally, TallyBucket, tally_delta};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

/// The lead item's attribute holding what it counts.
pub(crate) const TALLY: &str = "tally";
/// The `type` of a counter item.
const STATS_TYPE: &str = "lead_stats";
const DEALER: &str = "dealer_id";
const DIRECTION: &str = "direction";
/// Counter attributes carry this prefix, so no counter name can meet an item attribute.
const COUNTER_PREFIX: &str = "c:";
/// Up to this many dealers, whole months are read dealer by dealer (a `begins_with` Query
/// each); above it, the month's partition once.
const PER_DEALER_READS: usize = 12;
/// The most survey answers one listing returns (the counters give the exact totals).
pub const MAX_SURVEY_ROWS: usize = 2_000;

/// A stretch of a period with its own counter items: a whole year, quarter or month (its
/// period items), or some days of one month (its day items).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Year(i32),
    /// The year and the quarter (1–4).
    Quarter(i32, u32),
    /// The month's first day.
    Month(NaiveDate),
    /// First and last day, within one month.
    Days(NaiveDate, NaiveDate),
}

impl Span {
    /// The partition of the span's items.
    fn partition(self) -> String {
        match self {
            Span::Year(y) => keys::lead_stats_pk(&y.to_string()),
            Span::Quarter(y, q) => keys::lead_stats_pk(&format!("{y}-Q{q}")),
            Span::Month(first) | Span::Days(first, _) => {
                keys::lead_stats_pk(&first.format("%Y-%m").to_string())
            }
        }
    }
}

/// The first day of the month `months` after the month of `day`.
fn month_after(day: NaiveDate, months: u32) -> Option<NaiveDate> {
    day.with_day(1)?
        .checked_add_months(chrono::Months::new(months))
}

/// Cuts `from..=to` into whole years, quarters and months and the days at the edges, in
/// order, the largest span that fits first.
pub fn spans(from: NaiveDate, to: NaiveDate) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let month_start = start.day() == 1;
        let fits = |months: u32| {
            month_after(start, months)
                .and_then(|next| next.pred_opt())
                .filter(|last| *last <= to)
        };
        let (span, last) = match (month_start, start.month()) {
            (true, 1) if fits(12).is_some() => (Span::Year(start.year()), fits(12)),
            (true, m) if (m - 1) % 3 == 0 && fits(3).is_some() => {
                (Span::Quarter(start.year(), (m - 1) / 3 + 1), fits(3))
            }
            (true, _) if fits(1).is_some() => (Span::Month(start), fits(1)),
            _ => {
                let month_end = month_after(start, 1)
                    .and_then(|next| next.pred_opt())
                    .unwrap_or(to);
                let end = month_end.min(to);
                (Span::Days(start, end), Some(end))
            }
        };
        out.push(span);
        match last.and_then(|l| l.succ_opt()) {
            Some(next) => start = next,
            None => break,
        }
    }
    out
}

/// Which counters a read brings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterSet {
    /// Every counter but the heat maps' weekday × hour cells: every report but the heat map.
    Totals,
    /// The totals and the heat maps' cells (`lead_processing_time` by weekday and hour):
    /// the twin items are read too, one more Query per span.
    WithHeatMap,
}

/// Which dealers a read keeps (`None`: every dealer).
pub type DealerSet = Option<BTreeSet<DealerId>>;

/// The lead counters and the survey answers.
pub trait LeadStatsRepo {
    /// The counters of the leads that arrived on the days `from..=to` (the platform zone),
    /// summed per dealer and direction, for the dealers in `dealers`: those of `which`.
    fn lead_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        dealers: &DealerSet,
        which: CounterSet,
    ) -> impl Future<Output = Result<Vec<CountsRow>, StoreError>> + Send;
    /// The leads whose customer answered the survey in `from..to`, newest answer first; at
    /// most [`MAX_SURVEY_ROWS`], and whether more were left out.
    fn lead_survey_answers(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<(Vec<Lead>, bool), StoreError>> + Send;
    /// Writes counter items as they are (batch writes, no transaction): the benchmark's and
    /// a migration's seeding, never a lead's save. Each row is the item of its span (a day
    /// item is `Span::Days(day, day)`; a longer run of days has no item and is refused).
    fn put_lead_counts(
        &self,
        rows: &[(Span, CountsRow)],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The counter Updates of a lead save (the kernel's derived writes): the difference between
/// the tally stored on the lead item as it was (`before`) and on the item written, on each
/// bucket's day, month, quarter and year items.
pub(crate) fn tally_writes(
    store: &Store,
    before: Option<&Item>,
    after: &Item,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let stored = match before {
        Some(item) => stored_tally(item)?,
        None => None,
    };
    let now = stored_tally(after)?;
    let mut writes = Vec::new();
    for (bucket, counts) in tally_delta(stored.as_ref(), now.as_ref()) {
        let direction = bucket.direction.code();
        let [year, quarter, month] = keys::lead_stats_periods(bucket.day);
        let period_sk = keys::lead_stats_period_sk(&bucket.dealer, direction);
        let day_sk = keys::lead_stats_day_sk(bucket.day, &bucket.dealer, direction);
        for (heat, counts) in split_heat_map(counts) {
            if counts.is_empty() {
                continue;
            }
            let sk = |sk: &String| {
                if heat {
                    keys::lead_stats_heat(sk)
                } else {
                    sk.clone()
                }
            };
            for (period, sk) in [
                (&month, sk(&day_sk)),
                (&month, sk(&period_sk)),
                (&quarter, sk(&period_sk)),
                (&year, sk(&period_sk)),
            ] {
                let pk = keys::lead_stats_pk(period);
                writes.push(store.counter_update(pk, &sk, &bucket, &counts)?);
            }
        }
    }
    Ok(writes)
}

/// Counters as the items hold them: `(false, the totals)` and `(true, the heat-map cells)`.
fn split_heat_map(counts: BTreeMap<String, i64>) -> [(bool, BTreeMap<String, i64>); 2] {
    let (heat, totals) = counts.into_iter().partition(|(name, _)| {
        dealerdesk_domain::lead::Counter::parse(name).is_some_and(|c| c.on_heat_map())
    });
    [(false, totals), (true, heat)]
}

impl Store {
    fn counter_update(
        &self,
        pk: String,
        sk: &str,
        bucket: &TallyBucket,
        counts: &BTreeMap<String, i64>,
    ) -> Result<TransactWriteItem, StoreError> {
        let adds: Vec<String> = (0..counts.len()).map(|i| format!("#c{i} :c{i}")).collect();
        let mut update = Update::builder()
            .table_name(&*self.table)
            .set_key(Some(Store::key(pk, sk)))
            .update_expression(format!(
                "SET #type = :type, #dealer = :dealer, #dir = :dir ADD {}",
                adds.join(", ")
            ))
            .expression_attribute_names("#type", mapping::TYPE)
            .expression_attribute_names("#dealer", DEALER)
            .expression_attribute_names("#dir", DIRECTION)
            .expression_attribute_values(":type", s(STATS_TYPE))
            .expression_attribute_values(":dealer", s(bucket.dealer.as_str()))
            .expression_attribute_values(":dir", s(bucket.direction.code()));
        for (i, (name, amount)) in counts.iter().enumerate() {
            update = update
                .expression_attribute_names(format!("#c{i}"), format!("{COUNTER_PREFIX}{name}"))
                .expression_attribute_values(format!(":c{i}"), n(amount));
        }
        let update = update
            .build()
            .map_err(|e| StoreError::Backend(format!("building a counter Update: {e}")))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Every counter item of `pk` whose sort key lies in `from..=to` (or starts with `from`
    /// when `to` is `None`).
    async fn counter_items(
        &self,
        pk: String,
        from: String,
        to: Option<String>,
    ) -> Result<Vec<Item>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":from", s(from));
        let query = match to {
            Some(to) => query
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expression_attribute_values(":to", s(to)),
            None => query.key_condition_expression("#pk = :pk AND begins_with(#sk, :from)"),
        };
        self.query_all(query).await
    }
}

/// The tally a stored lead item counted (`None`: none — a lead stored before the counters,
/// or a deleted one).
pub(crate) fn stored_tally(item: &Item) -> Result<Option<LeadTally>, StoreError> {
    let r = Reader::new(item);
    match r.opt_str(TALLY)? {
        None => Ok(None),
        Some(raw) => serde_json::from_str(raw)
            .map(Some)
            .map_err(|e| r.corrupt(format_args!("`{TALLY}` is not valid: {e}"))),
    }
}

/// The lead item with what it counts now.
pub(crate) fn with_tally(mut item: Item, tally: Option<&LeadTally>) -> Result<Item, StoreError> {
    if let Some(t) = tally {
        let json = serde_json::to_string(t)
            .map_err(|e| StoreError::Corrupt(format!("lead tally: {e}")))?;
        item.insert(TALLY.to_string(), AttributeValue::S(json));
    }
    Ok(item)
}

fn counts_from_item(item: &Item) -> Result<CountsRow, StoreError> {
    let r = Reader::new(item);
    let dealer = DealerId::new(r.string(DEALER)?);
    let direction = Direction::from_code(r.str(DIRECTION)?)
        .ok_or_else(|| r.corrupt("`direction` is not a direction"))?;
    let mut counts = BTreeMap::new();
    for (name, value) in item {
        if let (Some(counter), AttributeValue::N(amount)) =
            (name.strip_prefix(COUNTER_PREFIX), value)
        {
            let amount: i64 = amount
                .parse()
                .map_err(|_| r.corrupt(format_args!("counter `{name}` is not a whole number")))?;
            counts.insert(counter.to_string(), amount);
        }
    }
    Ok(CountsRow {
        dealer,
        direction,
        counts: Counts(counts),
    })
}

/// The counter item of a span's row and, when it has heat-map cells, their twin item.
fn counts_to_items(span: Span, row: &CountsRow) -> Result<Vec<Item>, StoreError> {
    let direction = row.direction.code();
    let sk = match span {
        Span::Days(day, last) if day == last => {
            keys::lead_stats_day_sk(day, &row.dealer, direction)
        }
        Span::Days(..) => {
            return Err(StoreError::Backend(
                "a counter item holds one day, not a run of days".to_string(),
            ));
        }
        _ => keys::lead_stats_period_sk(&row.dealer, direction),
    };
    let mut items = Vec::with_capacity(2);
    for (heat, counts) in split_heat_map(row.counts.0.clone()) {
        if heat && counts.is_empty() {
            continue;
        }
        let sk = if heat {
            keys::lead_stats_heat(&sk)
        } else {
            sk.clone()
        };
        let mut b = Builder::new(span.partition(), &sk, STATS_TYPE)
            .string(DEALER, row.dealer.as_str())
            .string(DIRECTION, direction);
        for (name, amount) in &counts {
            b = b.put(&format!("{COUNTER_PREFIX}{name}"), n(amount));
        }
        items.push(b.build());
    }
    Ok(items)
}

impl LeadStatsRepo for Store {
    async fn lead_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        dealers: &DealerSet,
        which: CounterSet,
    ) -> Result<Vec<CountsRow>, StoreError> {
        let layers: &[bool] = match which {
            CounterSet::Totals => &[false],
            CounterSet::WithHeatMap => &[false, true],
        };
        let mut items = Vec::new();
        for span in spans(from, to) {
            for &heat in layers {
                let sk = |sk: String| {
                    if heat { keys::lead_stats_heat(&sk) } else { sk }
                };
                match (span, dealers) {
                    (Span::Days(first, last), _) => {
                        let (lo, hi) = keys::lead_stats_day_range(first, last);
                        let range = self.counter_items(span.partition(), sk(lo), Some(sk(hi)));
                        items.extend(range.await?);
                    }
                    (_, Some(set)) if set.len() <= PER_DEALER_READS => {
                        for dealer in set {
                            let prefix = sk(keys::lead_stats_dealer_prefix(dealer));
                            items.extend(self.counter_items(span.partition(), prefix, None).await?);
                        }
                    }
                    _ => {
                        let prefix = sk(keys::LEAD_STATS_PERIOD_PREFIX.to_string());
                        items.extend(self.counter_items(span.partition(), prefix, None).await?);
                    }
                }
            }
        }
        let mut sums: BTreeMap<(DealerId, Direction), Counts> = BTreeMap::new();
        for item in &items {
            let row = counts_from_item(item)?;
            if dealers
                .as_ref()
                .is_some_and(|set| !set.contains(&row.dealer))
            {
                continue;
            }
            sums.entry((row.dealer, row.direction))
                .or_default()
                .add(&row.counts);
        }
        Ok(sums
            .into_iter()
            .map(|((dealer, direction), counts)| CountsRow {
                dealer,
                direction,
                counts,
            })
            .collect())
    }

    async fn lead_survey_answers(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(Vec<Lead>, bool), StoreError> {
        let mut leads = Vec::new();
        if to <= from {
            return Ok((leads, false));
        }
        // Newest month first, so a long period that hits the cap keeps the latest answers.
        let mut month = (to - Duration::milliseconds(1)).date_naive().with_day(1);
        let first = from.date_naive().with_day(1);
        while let (Some(m), Some(first)) = (month, first) {
            if m < first {
                break;
            }
            let listing = Listing {
                from: Some(keys::instant(from)),
                // Sort keys are `<instant>#<id>`: a bare `to` instant sorts before its own keys.
                to: Some(keys::instant(to)),
                ..Listing::newest_first(
                    &GSI3,
                    keys::lead_surveys_gsi3pk(&m.format("%Y-%m").to_string()),
                )
            };
            // One more than the rows left tells whether the cap left any out.
            let left = MAX_SURVEY_ROWS - leads.len() + 1;
            for item in self.listed_where(&listing, Some(left), None).await? {
                if leads.len() == MAX_SURVEY_ROWS {
                    return Ok((leads, true));
                }
                leads.push(lead_from_item(&item)?);
            }
            month = m.checked_sub_months(chrono::Months::new(1));
        }
        Ok((leads, false))
    }

    async fn put_lead_counts(&self, rows: &[(Span, CountsRow)]) -> Result<(), StoreError> {
        let items: Vec<Item> = rows
            .iter()
            .map(|(span, row)| counts_to_items(*span, row))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        self.batch_put(items).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn a_calendar_month_is_one_month_span() {
        assert_eq!(spans(d(3, 1), d(3, 31)), vec![Span::Month(d(3, 1))]);
    }

    #[test]
    fn a_quarter_is_one_span_and_a_year_one_more() {
        assert_eq!(spans(d(1, 1), d(3, 31)), vec![Span::Quarter(2026, 1)]);
        assert_eq!(
            spans(d(1, 1), d(12, 31)),
            vec![Span::Year(2026)],
            "a whole year reads one partition"
        );
        assert_eq!(
            spans(d(2, 1), d(7, 31)),
            vec![
                Span::Month(d(2, 1)),
                Span::Month(d(3, 1)),
                Span::Quarter(2026, 2),
                Span::Month(d(7, 1))
            ]
        );
    }

    #[test]
    fn ragged_edges_are_read_by_day() {
        assert_eq!(
            spans(d(1, 15), d(3, 10)),
            vec![
                Span::Days(d(1, 15), d(1, 31)),
                Span::Month(d(2, 1)),
                Span::Days(d(3, 1), d(3, 10))
            ]
        );
        assert_eq!(spans(d(5, 7), d(5, 7)), vec![Span::Days(d(5, 7), d(5, 7))]);
        assert!(spans(d(5, 8), d(5, 7)).is_empty());
        let across = spans(d(12, 20), NaiveDate::from_ymd_opt(2027, 1, 5).unwrap());
        assert_eq!(across.len(), 2, "{across:?}");
    }

    #[test]
    fn a_counter_item_round_trips() {
        let row = CountsRow {
            dealer: DealerId::new("d1"),
            direction: Direction::Service,
            counts: Counts(BTreeMap::from([
                ("recv:service".to_string(), 4),
                ("processed".to_string(), 3),
            ])),
        };
        let items = counts_to_items(Span::Days(d(3, 5), d(3, 5)), &row).unwrap();
        assert_eq!(items.len(), 1, "no heat-map cells, no twin item");
        assert_eq!(items[0].get(SK), Some(&s("D#2026-03-05#d1#service")));
        assert_eq!(items[0].get(PK), Some(&s("LEADSTATS#2026-03")));
        assert_eq!(counts_from_item(&items[0]).unwrap(), row);
        let items = counts_to_items(Span::Quarter(2026, 2), &row).unwrap();
        assert_eq!(items[0].get(SK), Some(&s("P#d1#service")));
        assert_eq!(items[0].get(PK), Some(&s("LEADSTATS#2026-Q2")));
        assert!(counts_to_items(Span::Days(d(3, 5), d(3, 6)), &row).is_err());
    }

    #[test]
    fn the_heat_map_cells_go_to_a_twin_item_outside_the_counters_key_ranges() {
        let mut row = CountsRow {
            dealer: DealerId::new("d1"),
            direction: Direction::Sales,
            counts: Counts(BTreeMap::from([
                ("recv:preorder".to_string(), 2),
                ("arrived:1:10".to_string(), 1),
                ("reached:1:11".to_string(), 1),
            ])),
        };
        let items = counts_to_items(Span::Month(d(3, 1)), &row).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].get(SK), Some(&s("HP#d1#sales")));
        let totals = counts_from_item(&items[0]).unwrap();
        assert_eq!(
            totals.counts.0.keys().collect::<Vec<_>>(),
            ["recv:preorder"]
        );
        let heat = counts_from_item(&items[1]).unwrap();
        assert_eq!(heat.counts.0.len(), 2);
        // Neither the period prefix nor any day range of the counters reaches a twin.
        let sk = |item: &Item| match item.get(SK) {
            Some(AttributeValue::S(sk)) => sk.clone(),
            _ => String::new(),
        };
        assert!(!sk(&items[1]).starts_with(keys::LEAD_STATS_PERIOD_PREFIX));
        row.counts.0.remove("recv:preorder");
        let day = counts_to_items(Span::Days(d(3, 5), d(3, 5)), &row).unwrap();
        let (lo, hi) = keys::lead_stats_day_range(d(1, 1), d(12, 31));
        let twin = sk(&day[1]);
        assert_eq!(twin, "HD#2026-03-05#d1#sales");
        assert!(!(lo <= twin && twin <= hi));
    }
}

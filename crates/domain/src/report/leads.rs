//! The lead reports (SPEC §4.6) as pure computations over counter rows.
//!
//! Input: the counters of a period summed per dealer and direction ([`CountsRow`], already
//! cut to the viewer's scope) and where each dealer is ([`DealerPlace`]: its city, and from
//! the reference table its region and federal district). Output: a [`Table`] — rows
//! `{key, label, values}` and the totals — per report. City, region and federal district
//! are the dealer's, so those groupings add up dealer rows; a share or a conversion is
//! computed from the summed counts, never averaged from rows.

use super::{Period, ReportScope};
use crate::calendar::PLATFORM_TZ;
use crate::lead::tally::report_day;
use crate::lead::{
    CityTable, Counter, Counts, CountsRow, EscalationStep, FederalDistrict, LeadType,
    NoContactReason, NoContractReason, ProcessingBucket, RefusalStage, SurveyAnswer,
};
use crate::lead::{Lead, LeadId};
use crate::{DealerId, UserId};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;

crate::coded_enum! {
    /// How the report `leads` (and `lead_conversion`) groups its rows.
    pub enum LeadGroup {
        Dealer = "dealer" / "Дилер",
        City = "city" / "Город",
        Region = "region" / "Регион",
        District = "district" / "Федеральный округ",
        Type = "type" / "Тип заявки",
    }
}

/// What a column holds, for formatting and export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Count,
    Percent,
    Minutes,
}

/// One column of a lead report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub code: &'static str,
    pub label: &'static str,
    pub kind: ColumnKind,
}

const fn col(code: &'static str, label: &'static str, kind: ColumnKind) -> Column {
    Column { code, label, kind }
}

const RECEIVED: Column = col("received", "Получено", ColumnKind::Count);
const PROCESSED: Column = col("processed", "Обработано", ColumnKind::Count);
const UNPROCESSED: Column = col("unprocessed", "Не обработано", ColumnKind::Count);
const PROCESSED_SHARE: Column = col(
    "processed_share",
    "Доля обработанных, %",
    ColumnKind::Percent,
);
const CONTACTED: Column = col("contacted", "Связались", ColumnKind::Count);
const CONTRACTS: Column = col("contracts", "Договоров", ColumnKind::Count);
const CONVERSION: Column = col("conversion", "Конверсия в договор, %", ColumnKind::Percent);
const CONTACT_TO_CONTRACT: Column = col(
    "contact_to_contract",
    "Из контакта в договор, %",
    ColumnKind::Percent,
);
const COUNT: Column = col("count", "Количество", ColumnKind::Count);
const SHARE: Column = col("share", "Доля, %", ColumnKind::Percent);
const REACHED: Column = col("reached", "Первых контактов", ColumnKind::Count);
const MEAN_MINUTES: Column = col(
    "mean_minutes",
    "Среднее время до контакта, мин",
    ColumnKind::Minutes,
);
const ESCALATED_DEALER: Column = col(
    "escalated_2h",
    "Просрочено 2 ч (уведомлён дилер)",
    ColumnKind::Count,
);
const ESCALATED_OBSERVER: Column = col(
    "escalated_4h",
    "Просрочено 4 ч (уведомлён РП)",
    ColumnKind::Count,
);

/// Where a dealer is: its name and city (the directory), its region and federal district
/// (the reference table of cities; `None` for a city the table does not know).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealerPlace {
    pub dealer: DealerId,
    pub name: String,
    pub city: String,
    pub region: Option<String>,
    pub district: Option<FederalDistrict>,
}

impl DealerPlace {
    /// The place of a dealer in `city`, its region and district looked up in `cities`.
    pub fn new(dealer: DealerId, name: String, city: String, cities: &CityTable) -> DealerPlace {
        let found = cities.lookup(&city);
        DealerPlace {
            region: found.map(|c| c.region.clone()),
            district: found.map(|c| c.district),
            dealer,
            name,
            city,
        }
    }
}

/// One row of a report: a stable key, the label people read, and its values by column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub values: BTreeMap<&'static str, Decimal>,
}

/// A report's figures: its columns, its rows in order, and the totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub totals: BTreeMap<&'static str, Decimal>,
}

/// Figures are rounded as people do: a half goes up.
const HALF_UP: RoundingStrategy = RoundingStrategy::MidpointAwayFromZero;

/// Label of a row whose group is unknown (a city missing from the reference table).
const UNKNOWN: &str = "Не указано";

/// `part` of `whole` in percent, one decimal place (0 of nothing is 0).
pub fn percent(part: i64, whole: i64) -> Decimal {
    if whole == 0 {
        return Decimal::ZERO;
    }
    (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
        .round_dp_with_strategy(1, HALF_UP)
}

/// The change from `before` to `now` in percent, one decimal place; `None` when there was
/// nothing before (a change from zero has no percentage).
pub fn change(now: Decimal, before: Decimal) -> Option<Decimal> {
    if before.is_zero() {
        return None;
    }
    Some(((now - before) * Decimal::ONE_HUNDRED / before.abs()).round_dp_with_strategy(1, HALF_UP))
}

/// Sums of counters per group, in the groups' order.
struct Groups {
    order: Vec<(String, String)>,
    sums: BTreeMap<String, Counts>,
}

impl Groups {
    fn new() -> Groups {
        Groups {
            order: Vec::new(),
            sums: BTreeMap::new(),
        }
    }

    fn add(&mut self, key: String, label: String, counts: &Counts) {
        if !self.sums.contains_key(&key) {
            self.order.push((key.clone(), label));
        }
        self.sums.entry(key).or_default().add(counts);
    }

    fn total(&self) -> Counts {
        let mut all = Counts::default();
        for c in self.sums.values() {
            all.add(c);
        }
        all
    }

    fn table(
        mut self,
        columns: Vec<Column>,
        values: impl Fn(&Counts) -> BTreeMap<&'static str, Decimal>,
    ) -> Table {
        self.order.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        let totals = values(&self.total());
        let rows = self
            .order
            .iter()
            .map(|(key, label)| Row {
                key: key.clone(),
                label: label.clone(),
                values: values(&self.sums[key]),
            })
            .collect();
        Table {
            columns,
            rows,
            totals,
        }
    }
}

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

/// The dealer rows grouped by dealer, city, region or federal district.
fn by_place(rows: &[CountsRow], places: &[DealerPlace], group: LeadGroup) -> Groups {
    let place_of: BTreeMap<&DealerId, &DealerPlace> =
        places.iter().map(|p| (&p.dealer, p)).collect();
    let mut groups = Groups::new();
    for row in rows {
        let place = place_of.get(&row.dealer);
        let (key, label) = match (group, place) {
            (LeadGroup::Dealer, Some(p)) => (p.dealer.to_string(), p.name.clone()),
            (LeadGroup::Dealer, None) => (row.dealer.to_string(), row.dealer.to_string()),
            (LeadGroup::City, Some(p)) => (p.city.clone(), p.city.clone()),
            (LeadGroup::Region, Some(p)) => match &p.region {
                Some(r) => (r.clone(), r.clone()),
                None => (String::new(), UNKNOWN.to_string()),
            },
            (LeadGroup::District, Some(p)) => match p.district {
                Some(d) => (d.code().to_string(), d.label().to_string()),
                None => (String::new(), UNKNOWN.to_string()),
            },
            (LeadGroup::City | LeadGroup::Region | LeadGroup::District, None)
            | (LeadGroup::Type, _) => (String::new(), UNKNOWN.to_string()),
        };
        groups.add(key, label, &row.counts);
    }
    groups
}

/// `leads`: received, processed and not, and contracts, by dealer / city / region /
/// federal district; or received by type with each type's share.
pub fn leads(rows: &[CountsRow], places: &[DealerPlace], group: LeadGroup) -> Table {
    if group == LeadGroup::Type {
        return leads_by_type(rows);
    }
    by_place(rows, places, group).table(
        vec![
            RECEIVED,
            PROCESSED,
            UNPROCESSED,
            PROCESSED_SHARE,
            CONTRACTS,
            CONVERSION,
        ],
        |c| {
            let (received, processed) = (c.received(), c.get(&Counter::Processed));
            let contracts = c.get(&Counter::Contract);
            BTreeMap::from([
                (RECEIVED.code, d(received)),
                (PROCESSED.code, d(processed)),
                (UNPROCESSED.code, d(received - processed)),
                (PROCESSED_SHARE.code, percent(processed, received)),
                (CONTRACTS.code, d(contracts)),
                (CONVERSION.code, percent(contracts, received)),
            ])
        },
    )
}

fn leads_by_type(rows: &[CountsRow]) -> Table {
    let mut all = Counts::default();
    for row in rows {
        all.add(&row.counts);
    }
    let received = all.received();
    let rows = LeadType::ALL
        .iter()
        .map(|kind| {
            let n = all.get(&Counter::Received(*kind));
            Row {
                key: kind.code().to_string(),
                label: kind.label().to_string(),
                values: BTreeMap::from([(RECEIVED.code, d(n)), (SHARE.code, percent(n, received))]),
            }
        })
        .collect();
    Table {
        columns: vec![RECEIVED, SHARE],
        rows,
        totals: BTreeMap::from([
            (RECEIVED.code, d(received)),
            (SHARE.code, percent(received, received)),
        ]),
    }
}

/// `lead_refusals`: the leads in «Отказ» by the block and reason that ended them, with
/// each reason's share of the refusals.
pub fn refusals(rows: &[CountsRow]) -> Table {
    let mut all = Counts::default();
    for row in rows {
        all.add(&row.counts);
    }
    let reasons: Vec<(RefusalStage, &'static str, &'static str)> = NoContactReason::ALL
        .iter()
        .filter(|r| r.refuses())
        .map(|r| (RefusalStage::Contact, r.code(), r.label()))
        .chain(
            NoContractReason::ALL
                .iter()
                .map(|r| (RefusalStage::Contract, r.code(), r.label())),
        )
        .collect();
    let count =
        |stage: RefusalStage, code: &str| all.get(&Counter::Refused(stage, code.to_string()));
    let total: i64 = reasons.iter().map(|(s, c, _)| count(*s, c)).sum();
    let rows = reasons
        .iter()
        .map(|(stage, code, label)| {
            let n = count(*stage, code);
            Row {
                key: format!("{}:{code}", stage.code()),
                label: format!("{}: {label}", stage.label()),
                values: BTreeMap::from([(COUNT.code, d(n)), (SHARE.code, percent(n, total))]),
            }
        })
        .collect();
    Table {
        columns: vec![COUNT, SHARE],
        rows,
        totals: BTreeMap::from([(COUNT.code, d(total)), (SHARE.code, percent(total, total))]),
    }
}

/// `lead_conversion`: from lead to contact to contract, by dealer / city / region /
/// federal district.
pub fn conversion(rows: &[CountsRow], places: &[DealerPlace], group: LeadGroup) -> Table {
    let group = if group == LeadGroup::Type {
        LeadGroup::Dealer
    } else {
        group
    };
    by_place(rows, places, group).table(
        vec![
            RECEIVED,
            CONTACTED,
            CONTRACTS,
            CONVERSION,
            CONTACT_TO_CONTRACT,
        ],
        |c| {
            let received = c.received();
            let contacted = c.get(&Counter::Contacted);
            let contracts = c.get(&Counter::Contract);
            BTreeMap::from([
                (RECEIVED.code, d(received)),
                (CONTACTED.code, d(contacted)),
                (CONTRACTS.code, d(contracts)),
                (CONVERSION.code, percent(contracts, received)),
                (CONTACT_TO_CONTRACT.code, percent(contracts, contacted)),
            ])
        },
    )
}

/// The processing-time report: the histogram of working time to the first contact, the
/// mean, and two weekday × hour heat maps (Monday first, the dealers' local hours). The
/// mean (`mean_minutes`) is in the histogram's totals only: it is a figure of the whole
/// period, not a column of the stretches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Processing {
    pub histogram: Table,
    /// Leads that arrived, per weekday and hour.
    pub arrived: [[Decimal; 24]; 7],
    /// First contacts, per weekday and hour.
    pub reached: [[Decimal; 24]; 7],
}

/// `lead_processing_time`.
pub fn processing(rows: &[CountsRow]) -> Processing {
    let mut all = Counts::default();
    for row in rows {
        all.add(&row.counts);
    }
    let contacted = all.get(&Counter::Contacted);
    let minutes = all.get(&Counter::ProcessingMinutes);
    let mean = if contacted == 0 {
        Decimal::ZERO
    } else {
        (d(minutes) / d(contacted)).round_dp_with_strategy(0, HALF_UP)
    };
    let rows = ProcessingBucket::ALL
        .iter()
        .map(|bucket| {
            let n = all.get(&Counter::Processing(*bucket));
            Row {
                key: bucket.code().to_string(),
                label: bucket.label().to_string(),
                values: BTreeMap::from([(COUNT.code, d(n)), (SHARE.code, percent(n, contacted))]),
            }
        })
        .collect();
    let mut arrived = [[Decimal::ZERO; 24]; 7];
    let mut reached = [[Decimal::ZERO; 24]; 7];
    for (counter, n) in all.counters() {
        let (map, day, hour) = match counter {
            Counter::Arrived(day, hour) => (&mut arrived, day, hour),
            Counter::Reached(day, hour) => (&mut reached, day, hour),
            _ => continue,
        };
        if let Some(cell) = map
            .get_mut(usize::from(day).wrapping_sub(1))
            .and_then(|r| r.get_mut(usize::from(hour)))
        {
            *cell += d(n);
        }
    }
    Processing {
        histogram: Table {
            columns: vec![COUNT, SHARE],
            rows,
            totals: BTreeMap::from([
                (COUNT.code, d(contacted)),
                (SHARE.code, percent(contacted, contacted)),
                (MEAN_MINUTES.code, mean),
            ]),
        },
        arrived,
        reached,
    }
}

/// Weekday names of the heat map's rows, Monday first.
const WEEKDAYS: [&str; 7] = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"];

/// The processing report grouped by weekday and hour: a row per slot (key `<1–7>:<hh>`),
/// the leads that arrived in it (`count`, with their share) and the first contacts made in
/// it (`reached`) — the rows a heat map draws.
pub fn processing_by_hour(p: &Processing) -> Table {
    let arrived: Decimal = p.arrived.iter().flatten().copied().sum();
    let reached: Decimal = p.reached.iter().flatten().copied().sum();
    let share = |n: Decimal| {
        if arrived.is_zero() {
            Decimal::ZERO
        } else {
            (n * Decimal::ONE_HUNDRED / arrived).round_dp_with_strategy(1, HALF_UP)
        }
    };
    let mut rows = Vec::with_capacity(7 * 24);
    for (day, name) in WEEKDAYS.iter().enumerate() {
        for hour in 0..24 {
            let (a, r) = (p.arrived[day][hour], p.reached[day][hour]);
            rows.push(Row {
                key: format!("{}:{hour:02}", day + 1),
                label: format!("{name} {hour:02}:00"),
                values: BTreeMap::from([
                    (COUNT.code, a),
                    (SHARE.code, share(a)),
                    (REACHED.code, r),
                ]),
            });
        }
    }
    Table {
        columns: vec![COUNT, SHARE, REACHED],
        rows,
        totals: BTreeMap::from([
            (COUNT.code, arrived),
            (SHARE.code, share(arrived)),
            (REACHED.code, reached),
            (
                MEAN_MINUTES.code,
                p.histogram
                    .totals
                    .get(MEAN_MINUTES.code)
                    .copied()
                    .unwrap_or_default(),
            ),
        ]),
    }
}

/// `lead_overdue` over a period: leads escalated at 2 and at 4 working hours, per the
/// representative who observed them (`names`: the representatives' names; a lead without
/// an observer is «Без наблюдателя»).
pub fn overdue(rows: &[CountsRow], names: &BTreeMap<UserId, String>) -> Table {
    let mut per: BTreeMap<Option<UserId>, (i64, i64)> = BTreeMap::new();
    for row in rows {
        for (counter, n) in row.counts.counters() {
            if let Counter::Escalated(step, observer) = counter {
                let entry = per.entry(observer).or_default();
                match step {
                    EscalationStep::Dealer => entry.0 += n,
                    EscalationStep::Observer => entry.1 += n,
                }
            }
        }
    }
    let mut groups = Groups::new();
    for (observer, (two, four)) in &per {
        let (key, label) = match observer {
            Some(u) => (
                u.to_string(),
                names.get(u).cloned().unwrap_or_else(|| u.to_string()),
            ),
            None => (String::new(), "Без наблюдателя".to_string()),
        };
        let counts = Counts(BTreeMap::from([
            (
                Counter::Escalated(EscalationStep::Dealer, None).code(),
                *two,
            ),
            (
                Counter::Escalated(EscalationStep::Observer, None).code(),
                *four,
            ),
        ]));
        groups.add(key, label, &counts);
    }
    groups.table(vec![ESCALATED_DEALER, ESCALATED_OBSERVER], |c| {
        BTreeMap::from([
            (
                ESCALATED_DEALER.code,
                d(c.get(&Counter::Escalated(EscalationStep::Dealer, None))),
            ),
            (
                ESCALATED_OBSERVER.code,
                d(c.get(&Counter::Escalated(EscalationStep::Observer, None))),
            ),
        ])
    })
}

/// `lead_survey`'s summary: the customers' answers, each with its share.
pub fn survey(rows: &[CountsRow]) -> Table {
    let mut all = Counts::default();
    for row in rows {
        all.add(&row.counts);
    }
    let total: i64 = SurveyAnswer::ALL
        .iter()
        .map(|a| all.get(&Counter::Survey(*a)))
        .sum();
    let rows = SurveyAnswer::ALL
        .iter()
        .map(|answer| {
            let n = all.get(&Counter::Survey(*answer));
            Row {
                key: answer.code().to_string(),
                label: answer.label().to_string(),
                values: BTreeMap::from([(COUNT.code, d(n)), (SHARE.code, percent(n, total))]),
            }
        })
        .collect();
    Table {
        columns: vec![COUNT, SHARE],
        rows,
        totals: BTreeMap::from([(COUNT.code, d(total)), (SHARE.code, percent(total, total))]),
    }
}

/// How long after a lead's arrival its customer's answer can still come: the invitation
/// goes out 24 hours after the lead, its link works [`SURVEY_LINK_DAYS`] days, and a week
/// more covers an invitation the job sent late. The answers of a period's leads are looked
/// for this long after the period's end.
///
/// [`SURVEY_LINK_DAYS`]: crate::lead::survey::SURVEY_LINK_DAYS
pub const SURVEY_ANSWER_DAYS: i64 = 1 + crate::lead::survey::SURVEY_LINK_DAYS + 7;

/// One customer's survey answer as `lead_survey` lists it (SPEC §4.5: the lead, its link,
/// the dealer, the observer and the comment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurveyAnswerRow {
    pub lead: LeadId,
    /// The lead's type; its direction is what a representative's scope is cut by.
    pub kind: LeadType,
    /// The dealer handling the lead now (the counters' bucket).
    pub dealer: DealerId,
    /// The day the lead arrived (platform zone): the period the answer counts in.
    pub arrived_on: NaiveDate,
    pub observer: Option<UserId>,
    pub answer: SurveyAnswer,
    pub comment: Option<String>,
    pub answered_at: DateTime<Utc>,
}

impl SurveyAnswerRow {
    /// The answer of `lead`; `None` while its customer has not answered.
    pub fn of(lead: &Lead) -> Option<SurveyAnswerRow> {
        let survey = lead.survey()?;
        Some(SurveyAnswerRow {
            lead: lead.id().clone(),
            kind: lead.kind(),
            dealer: lead.dealer().clone(),
            arrived_on: report_day(lead.created_at()),
            observer: lead.observer().cloned(),
            answer: survey.answer,
            comment: survey.comment.clone(),
            answered_at: survey.answered_at,
        })
    }
}

/// The instants to look for the answers of `period`'s leads in: from the period's first
/// midnight (platform zone) to [`SURVEY_ANSWER_DAYS`] after its end.
pub fn survey_answer_window(period: Period) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = |day: NaiveDate| {
        PLATFORM_TZ
            .from_local_datetime(&day.and_time(NaiveTime::MIN))
            .earliest()
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_else(|| day.and_time(NaiveTime::MIN).and_utc())
    };
    let end = midnight(period.to) + Duration::days(1 + SURVEY_ANSWER_DAYS);
    (midnight(period.from), end)
}

/// `lead_survey`'s list: the answers to the leads that arrived in `period` — exactly the
/// leads its counts cover — that `scope` admits (a representative's dealers and directions,
/// a dealer itself), newest answer first.
pub fn survey_answers(
    answers: impl IntoIterator<Item = SurveyAnswerRow>,
    period: Period,
    scope: &ReportScope,
) -> Vec<SurveyAnswerRow> {
    let mut rows: Vec<SurveyAnswerRow> = answers
        .into_iter()
        .filter(|a| period.contains(a.arrived_on))
        .filter(|a| scope.admits_direction(&a.dealer, a.kind.direction()))
        .collect();
    rows.sort_by(|a, b| {
        b.answered_at
            .cmp(&a.answered_at)
            .then_with(|| a.lead.as_str().cmp(b.lead.as_str()))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::Direction;

    fn row(dealer: &str, direction: Direction, counts: &[(Counter, i64)]) -> CountsRow {
        CountsRow {
            dealer: DealerId::new(dealer),
            direction,
            counts: Counts(counts.iter().map(|(c, n)| (c.code(), *n)).collect()),
        }
    }

    fn places() -> Vec<DealerPlace> {
        let cities = CityTable::embedded();
        vec![
            DealerPlace::new(
                DealerId::new("msk1"),
                "Автомир Москва".into(),
                "Москва".into(),
                &cities,
            ),
            DealerPlace::new(
                DealerId::new("tula"),
                "Тула-Авто".into(),
                "Тула".into(),
                &cities,
            ),
            DealerPlace::new(
                DealerId::new("vl"),
                "Автоцентр Восток".into(),
                "Владивосток".into(),
                &cities,
            ),
        ]
    }

    fn network() -> Vec<CountsRow> {
        vec![
            row(
                "msk1",
                Direction::Sales,
                &[
                    (Counter::Received(LeadType::Preorder), 8),
                    (Counter::Received(LeadType::TestDrive), 2),
                    (Counter::Processed, 9),
                    (Counter::Contacted, 8),
                    (Counter::Contract, 3),
                ],
            ),
            row(
                "msk1",
                Direction::Service,
                &[
                    (Counter::Received(LeadType::Service), 10),
                    (Counter::Processed, 10),
                ],
            ),
            row(
                "tula",
                Direction::Sales,
                &[
                    (Counter::Received(LeadType::Credit), 5),
                    (Counter::Processed, 1),
                    (Counter::Contacted, 1),
                    (Counter::Contract, 1),
                ],
            ),
            row(
                "vl",
                Direction::Sales,
                &[
                    (Counter::Received(LeadType::Preorder), 4),
                    (Counter::Processed, 4),
                ],
            ),
        ]
    }

    fn value(t: &Table, key: &str, col: &str) -> Decimal {
        t.rows.iter().find(|r| r.key == key).unwrap().values[col]
    }

    #[test]
    fn moscow_and_tula_add_up_to_the_central_district() {
        let t = leads(&network(), &places(), LeadGroup::District);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(value(&t, "central", "received"), d(25));
        assert_eq!(value(&t, "central", "processed"), d(20));
        assert_eq!(value(&t, "central", "unprocessed"), d(5));
        assert_eq!(
            value(&t, "central", "processed_share"),
            Decimal::new(800, 1)
        );
        assert_eq!(value(&t, "far_eastern", "received"), d(4));
        assert_eq!(t.totals["received"], d(29));
        assert_eq!(t.totals["contracts"], d(4));
    }

    #[test]
    fn a_dealer_s_directions_make_one_dealer_row() {
        let t = leads(&network(), &places(), LeadGroup::Dealer);
        assert_eq!(value(&t, "msk1", "received"), d(20));
        assert_eq!(t.rows[0].label, "Автомир Москва", "rows by name");
        // 4 contracts of 29 leads: the totals' share comes from the sums.
        assert_eq!(t.totals["conversion"], Decimal::new(138, 1));
    }

    #[test]
    fn regions_come_from_the_reference_table() {
        let t = leads(&network(), &places(), LeadGroup::Region);
        assert_eq!(value(&t, "Тульская область", "received"), d(5));
        assert_eq!(value(&t, "Приморский край", "received"), d(4));
    }

    #[test]
    fn by_type_every_type_is_a_row_with_its_share() {
        let t = leads(&network(), &places(), LeadGroup::Type);
        assert_eq!(t.rows.len(), LeadType::ALL.len());
        assert_eq!(value(&t, "preorder", "received"), d(12));
        assert_eq!(value(&t, "parts", "received"), d(0));
        assert_eq!(value(&t, "service", "share"), Decimal::new(345, 1));
    }

    #[test]
    fn conversion_is_contracts_of_leads_and_of_contacts() {
        let t = conversion(&network(), &places(), LeadGroup::Dealer);
        assert_eq!(value(&t, "msk1", "conversion"), Decimal::new(150, 1));
        assert_eq!(
            value(&t, "msk1", "contact_to_contract"),
            Decimal::new(375, 1)
        );
        assert_eq!(value(&t, "tula", "contact_to_contract"), d(100));
    }

    #[test]
    fn refusals_list_every_reason_with_its_share() {
        let rows = vec![row(
            "msk1",
            Direction::Sales,
            &[
                (Counter::Refused(RefusalStage::Contract, "price".into()), 3),
                (
                    Counter::Refused(RefusalStage::Contact, "wrong_number".into()),
                    1,
                ),
            ],
        )];
        let t = refusals(&rows);
        assert_eq!(value(&t, "contract:price", "count"), d(3));
        assert_eq!(value(&t, "contract:price", "share"), Decimal::new(750, 1));
        assert_eq!(
            t.rows
                .iter()
                .find(|r| r.key == "contract:price")
                .unwrap()
                .label,
            "Договор: Не устроила цена"
        );
        assert!(
            t.rows.iter().all(|r| r.key != "contact:no_answer"),
            "«Не дозвонились» leaves the lead open, it is no refusal"
        );
        assert_eq!(t.totals["count"], d(4));
    }

    #[test]
    fn processing_time_has_a_histogram_a_mean_and_heat_maps() {
        let rows = vec![row(
            "vl",
            Direction::Sales,
            &[
                (Counter::Contacted, 4),
                (Counter::ProcessingMinutes, 130),
                (Counter::Processing(ProcessingBucket::Under15), 2),
                (Counter::Processing(ProcessingBucket::Under120), 2),
                (Counter::Arrived(1, 9), 3),
                (Counter::Arrived(7, 23), 1),
                (Counter::Reached(2, 10), 4),
            ],
        )];
        let p = processing(&rows);
        assert_eq!(value(&p.histogram, "lt15m", "share"), d(50));
        assert_eq!(p.histogram.totals["mean_minutes"], d(33), "130 / 4 rounded");
        assert_eq!(p.arrived[0][9], d(3), "Monday 09:00");
        assert_eq!(p.arrived[6][23], d(1), "Sunday 23:00");
        assert_eq!(p.reached[1][10], d(4));
    }

    #[test]
    fn overdue_is_per_representative_who_observed_the_leads() {
        let rep = UserId::new("rep1");
        let rows = vec![
            row(
                "msk1",
                Direction::Sales,
                &[
                    (
                        Counter::Escalated(EscalationStep::Dealer, Some(rep.clone())),
                        3,
                    ),
                    (
                        Counter::Escalated(EscalationStep::Observer, Some(rep.clone())),
                        1,
                    ),
                ],
            ),
            row(
                "tula",
                Direction::Sales,
                &[
                    (
                        Counter::Escalated(EscalationStep::Dealer, Some(rep.clone())),
                        2,
                    ),
                    (Counter::Escalated(EscalationStep::Dealer, None), 1),
                ],
            ),
        ];
        let names = BTreeMap::from([(rep, "Ирина Орлова".to_string())]);
        let t = overdue(&rows, &names);
        assert_eq!(value(&t, "rep1", "escalated_2h"), d(5));
        assert_eq!(value(&t, "rep1", "escalated_4h"), d(1));
        assert_eq!(
            t.rows.iter().find(|r| r.key == "rep1").unwrap().label,
            "Ирина Орлова"
        );
        assert_eq!(value(&t, "", "escalated_2h"), d(1));
        assert_eq!(t.totals["escalated_2h"], d(6));
    }

    #[test]
    fn survey_answers_are_counted_with_their_shares() {
        let rows = vec![row(
            "vl",
            Direction::Sales,
            &[
                (Counter::Survey(SurveyAnswer::Happy), 3),
                (Counter::Survey(SurveyAnswer::NoContact), 1),
            ],
        )];
        let t = survey(&rows);
        assert_eq!(value(&t, "happy", "share"), d(75));
        assert_eq!(value(&t, "unhappy", "count"), d(0));
    }

    fn answer(lead: &str, dealer: &str, kind: LeadType, day: u32, hour: u32) -> SurveyAnswerRow {
        use chrono::TimeZone;
        SurveyAnswerRow {
            lead: LeadId::new(lead),
            kind,
            dealer: DealerId::new(dealer),
            arrived_on: NaiveDate::from_ymd_opt(2026, 3, day).unwrap(),
            observer: Some(UserId::new("rep1")),
            answer: SurveyAnswer::Unhappy,
            comment: Some(format!("Комментарий к {lead}")),
            answered_at: Utc.with_ymd_and_hms(2026, 3, day + 1, hour, 0, 0).unwrap(),
        }
    }

    fn march() -> Period {
        Period {
            from: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
        }
    }

    #[test]
    fn a_representative_lists_only_the_answers_of_the_dealers_and_directions_they_observe() {
        let scope = ReportScope::Observed(BTreeMap::from([(
            DealerId::new("vl"),
            std::collections::BTreeSet::from([Direction::Sales]),
        )]));
        let rows = survey_answers(
            [
                answer("own", "vl", LeadType::TestDrive, 2, 9),
                answer("other-direction", "vl", LeadType::Service, 2, 10),
                answer("foreign", "nn", LeadType::TestDrive, 2, 11),
            ],
            march(),
            &scope,
        );
        let leads: Vec<&str> = rows.iter().map(|r| r.lead.as_str()).collect();
        assert_eq!(leads, ["own"]);
    }

    #[test]
    fn the_list_holds_the_answers_to_the_periods_leads_newest_first() {
        let rows = survey_answers(
            [
                answer("early", "vl", LeadType::TestDrive, 2, 9),
                answer("late", "vl", LeadType::TestDrive, 20, 9),
                // A lead of February answered in March counts in February, as its tally does.
                SurveyAnswerRow {
                    arrived_on: NaiveDate::from_ymd_opt(2026, 2, 28).unwrap(),
                    ..answer("february", "vl", LeadType::TestDrive, 1, 9)
                },
            ],
            march(),
            &ReportScope::All,
        );
        let leads: Vec<&str> = rows.iter().map(|r| r.lead.as_str()).collect();
        assert_eq!(leads, ["late", "early"]);
    }

    #[test]
    fn the_answers_of_a_period_are_looked_for_from_its_moscow_midnight_until_the_links_expire() {
        use chrono::TimeZone;
        let (from, to) = survey_answer_window(march());
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 2, 28, 21, 0, 0).unwrap());
        assert_eq!(
            to,
            Utc.with_ymd_and_hms(2026, 3, 31, 21, 0, 0).unwrap()
                + Duration::days(SURVEY_ANSWER_DAYS)
        );
    }

    #[test]
    fn a_change_is_a_percentage_of_the_earlier_figure() {
        assert_eq!(change(d(12), d(10)), Some(d(20)));
        assert_eq!(change(d(5), d(10)), Some(d(-50)));
        assert_eq!(change(d(5), d(0)), None);
        assert_eq!(percent(1, 3), Decimal::new(333, 1));
        assert_eq!(percent(1, 0), Decimal::ZERO);
    }
}

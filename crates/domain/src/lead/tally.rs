//! What a lead counts in the lead reports (SPEC §4.6): its **tally**.
//!
//! The reports never read leads. Every save of a lead adds the difference between what the
//! lead counted before and what it counts now to counter items of its dealer, direction and
//! day (and month), in the same transaction as the lead ([`tally_delta`]). So a lead is
//! always counted exactly once, as it is now:
//!
//! - **In the bucket of the day it arrived** (a cohort, in the platform's zone, Moscow —
//!   the zone the portal and the report periods speak): «заявки марта» are the leads that
//!   arrived in March, and a contact recorded in April changes March's row. Conversion and
//!   processing are properties of those leads, so a period's figures are about the leads
//!   of that period.
//! - **At the dealer handling it now** (a transfer moves the whole tally to the new
//!   dealer, whose contract it is) and in its type's **direction**, so a regional
//!   representative's reports can be cut to their dealers *and* directions.
//! - A deleted lead counts nothing; a restore counts it again.
//!
//! Counters are named by [`Counter::code`]: received by type, processed, contacted, refused
//! (by stage and reason), contracts, the processing time to the first contact in the
//! dealer's working hours (a histogram and the sum of minutes), the weekday × hour (the
//! dealer's local time) of arrival and of the first contact, the escalations sent (by step
//! and observer) and the customer-survey answers. City, region and federal district are not
//! counters: they are the dealer's, so those groupings add up dealer rows.

use super::card::{ContactOutcome, ContractOutcome, Lead, LeadStatus};
use super::escalation::{DealerHours, EscalationStep};
use super::kind::{Direction, LeadType};
use super::survey::SurveyAnswer;
use crate::calendar::PLATFORM_TZ;
use crate::{DealerId, UserId, WorkingCalendar};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

crate::coded_enum! {
    /// The processing-time histogram's buckets: working time from the lead to the first
    /// contact «Да», in the dealer's hours.
    pub enum ProcessingBucket {
        Under15 = "lt15m" / "до 15 мин",
        Under30 = "lt30m" / "15–30 мин",
        Under60 = "lt1h" / "30 мин – 1 ч",
        Under120 = "lt2h" / "1–2 ч",
        Under240 = "lt4h" / "2–4 ч",
        Over240 = "ge4h" / "4 ч и более",
    }
}

impl ProcessingBucket {
    /// The bucket of `minutes` of working time.
    pub fn of(minutes: i64) -> ProcessingBucket {
        match minutes {
            m if m < 15 => ProcessingBucket::Under15,
            m if m < 30 => ProcessingBucket::Under30,
            m if m < 60 => ProcessingBucket::Under60,
            m if m < 120 => ProcessingBucket::Under120,
            m if m < 240 => ProcessingBucket::Under240,
            _ => ProcessingBucket::Over240,
        }
    }
}

crate::coded_enum! {
    /// Which block ended a lead in «Отказ».
    pub enum RefusalStage {
        Contact = "contact" / "Контакт",
        Contract = "contract" / "Договор",
    }
}

/// A refusal reason's code and Russian label, whichever block it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RefusalReason {
    pub stage: RefusalStage,
    pub code: &'static str,
    pub label: &'static str,
}

/// One counter of a bucket.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Counter {
    /// Leads received, by type.
    Received(LeadType),
    /// Processed: contact «Да» recorded once, or closed either way ([`Lead::is_processed`]).
    Processed,
    /// The customer was reached (contact «Да» stamped).
    Contacted,
    /// In «Отказ», by the block and reason that ended it.
    Refused(RefusalStage, String),
    /// «Договор заключен».
    Contract,
    /// Reached within the bucket's working time.
    Processing(ProcessingBucket),
    /// The sum of the working minutes to the first contact (with `Contacted`, the mean).
    ProcessingMinutes,
    /// Arrived on a weekday (1 = Monday) at an hour of the dealer's local time.
    Arrived(u8, u8),
    /// First reached on a weekday (1 = Monday) at an hour of the dealer's local time.
    Reached(u8, u8),
    /// An escalation step was sent; with the observer the lead had (`None`: none).
    Escalated(EscalationStep, Option<UserId>),
    /// The customer's survey answer.
    Survey(SurveyAnswer),
}

/// The observer part of an escalation counter for a lead without one.
const NO_OBSERVER: &str = "-";

impl Counter {
    /// A weekday × hour cell of the heat maps (168 of each per bucket): stored in counter
    /// items of their own, so the reports that do not draw the heat map never read them.
    pub fn on_heat_map(&self) -> bool {
        matches!(self, Counter::Arrived(..) | Counter::Reached(..))
    }

    /// The counter's stable name: an attribute of the counter items.
    pub fn code(&self) -> String {
        match self {
            Counter::Received(kind) => format!("recv:{}", kind.code()),
            Counter::Processed => "processed".to_string(),
            Counter::Contacted => "contacted".to_string(),
            Counter::Refused(stage, reason) => format!("refused:{}:{reason}", stage.code()),
            Counter::Contract => "contract".to_string(),
            Counter::Processing(bucket) => format!("ptime:{}", bucket.code()),
            Counter::ProcessingMinutes => "ptime_minutes".to_string(),
            Counter::Arrived(day, hour) => format!("arrived:{day}:{hour:02}"),
            Counter::Reached(day, hour) => format!("reached:{day}:{hour:02}"),
            Counter::Escalated(step, observer) => format!(
                "esc:{}:{}",
                step.code(),
                observer.as_ref().map_or(NO_OBSERVER, UserId::as_str)
            ),
            Counter::Survey(answer) => format!("survey:{}", answer.code()),
        }
    }

    /// Reads a counter's name back; `None` for a name this version does not know (an item
    /// written by a later version is read, not refused).
    pub fn parse(code: &str) -> Option<Counter> {
        let parts: Vec<&str> = code.split(':').collect();
        let hour = |day: &str, hour: &str| -> Option<(u8, u8)> {
            let (d, h) = (day.parse::<u8>().ok()?, hour.parse::<u8>().ok()?);
            ((1..=7).contains(&d) && h < 24).then_some((d, h))
        };
        match parts.as_slice() {
            ["recv", kind] => LeadType::from_code(kind).map(Counter::Received),
            ["processed"] => Some(Counter::Processed),
            ["contacted"] => Some(Counter::Contacted),
            ["refused", stage, reason] => {
                RefusalStage::from_code(stage).map(|s| Counter::Refused(s, reason.to_string()))
            }
            ["contract"] => Some(Counter::Contract),
            ["ptime", bucket] => ProcessingBucket::from_code(bucket).map(Counter::Processing),
            ["ptime_minutes"] => Some(Counter::ProcessingMinutes),
            ["arrived", d, h] => hour(d, h).map(|(d, h)| Counter::Arrived(d, h)),
            ["reached", d, h] => hour(d, h).map(|(d, h)| Counter::Reached(d, h)),
            ["esc", step, observer] => EscalationStep::from_code(step).map(|s| {
                let observer = (*observer != NO_OBSERVER).then(|| UserId::new(*observer));
                Counter::Escalated(s, observer)
            }),
            ["survey", answer] => SurveyAnswer::from_code(answer).map(Counter::Survey),
            _ => None,
        }
    }
}

/// Where a lead's counts go: its dealer, its direction and the day it arrived.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TallyBucket {
    pub dealer: DealerId,
    pub direction: Direction,
    /// The day the lead arrived, in the platform's zone.
    pub day: NaiveDate,
}

/// What one lead counts now: its bucket and its counters (each 1, the minutes their sum).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadTally {
    pub bucket: TallyBucket,
    /// Counter name → amount.
    pub counts: BTreeMap<String, i64>,
}

/// The day an instant falls on in the platform's zone: the bucket's and the periods' day.
pub fn report_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&PLATFORM_TZ).date_naive()
}

/// Weekday (1 = Monday) and hour of `at` in the dealer's local time.
fn local_slot(at: DateTime<Utc>, hours: &DealerHours) -> (u8, u8) {
    let local = at.with_timezone(&hours.tz());
    (
        local.weekday().number_from_monday() as u8,
        local.hour() as u8,
    )
}

/// The block and reason that put a lead in «Отказ», if it is there.
pub fn refusal_of(lead: &Lead) -> Option<RefusalReason> {
    if lead.status() != LeadStatus::Refused {
        return None;
    }
    match (lead.contract().outcome(), lead.contact().outcome()) {
        (Some(ContractOutcome::No { reason, .. }), _) => Some(RefusalReason {
            stage: RefusalStage::Contract,
            code: reason.code(),
            label: reason.label(),
        }),
        (_, Some(ContactOutcome::No { reason, .. })) => Some(RefusalReason {
            stage: RefusalStage::Contact,
            code: reason.code(),
            label: reason.label(),
        }),
        _ => None,
    }
}

impl LeadTally {
    /// What `lead` counts now (`None`: nothing — it is deleted). `hours` are its dealer's
    /// (the processing time is working time, the heat map local time); `calendar` the
    /// production calendar.
    pub fn of(lead: &Lead, hours: &DealerHours, calendar: &WorkingCalendar) -> Option<LeadTally> {
        if lead.deleted().is_some() {
            return None;
        }
        let mut counts: BTreeMap<String, i64> = BTreeMap::new();
        let mut count = |counter: Counter, amount: i64| {
            *counts.entry(counter.code()).or_default() += amount;
        };
        count(Counter::Received(lead.kind()), 1);
        let (day, hour) = local_slot(lead.created_at(), hours);
        count(Counter::Arrived(day, hour), 1);
        if lead.is_processed() {
            count(Counter::Processed, 1);
        }
        if let (Some(at), Some(time)) = (
            lead.contact().contacted_at(),
            lead.processing_time(hours, calendar),
        ) {
            let minutes = time.num_minutes();
            count(Counter::Contacted, 1);
            count(Counter::Processing(ProcessingBucket::of(minutes)), 1);
            count(Counter::ProcessingMinutes, minutes);
            let (day, hour) = local_slot(at, hours);
            count(Counter::Reached(day, hour), 1);
        }
        if let Some(reason) = refusal_of(lead) {
            count(Counter::Refused(reason.stage, reason.code.to_string()), 1);
        }
        if lead.status() == LeadStatus::Contract {
            count(Counter::Contract, 1);
        }
        for step in lead.escalated() {
            count(Counter::Escalated(*step, lead.observer().cloned()), 1);
        }
        if let Some(survey) = lead.survey() {
            count(Counter::Survey(survey.answer), 1);
        }
        Some(LeadTally {
            bucket: TallyBucket {
                dealer: lead.dealer().clone(),
                direction: lead.kind().direction(),
                day: report_day(lead.created_at()),
            },
            counts,
        })
    }
}

/// What a save adds to the counters: per bucket, counter name → amount (never zero; no
/// bucket without a change). A change within one bucket is one entry, so the caller touches
/// each counter item once; a transfer is two (the old dealer's minus, the new one's plus).
pub fn tally_delta(
    before: Option<&LeadTally>,
    after: Option<&LeadTally>,
) -> Vec<(TallyBucket, BTreeMap<String, i64>)> {
    let mut out: BTreeMap<TallyBucket, BTreeMap<String, i64>> = BTreeMap::new();
    for (tally, sign) in [(before, -1), (after, 1)] {
        if let Some(t) = tally {
            let bucket = out.entry(t.bucket.clone()).or_default();
            for (name, amount) in &t.counts {
                *bucket.entry(name.clone()).or_default() += sign * amount;
            }
        }
    }
    out.into_iter()
        .filter_map(|(bucket, mut counts)| {
            counts.retain(|_, amount| *amount != 0);
            (!counts.is_empty()).then_some((bucket, counts))
        })
        .collect()
}

/// Counter amounts read back from counter items (any number of them, summed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts(pub BTreeMap<String, i64>);

impl Counts {
    /// The amount of one counter (0 when absent).
    pub fn get(&self, counter: &Counter) -> i64 {
        self.0.get(&counter.code()).copied().unwrap_or(0)
    }

    /// Adds another item's amounts.
    pub fn add(&mut self, other: &Counts) {
        for (name, amount) in &other.0 {
            *self.0.entry(name.clone()).or_default() += amount;
        }
    }

    /// Every counter this version knows, with its amount.
    pub fn counters(&self) -> impl Iterator<Item = (Counter, i64)> + '_ {
        self.0
            .iter()
            .filter_map(|(name, amount)| Counter::parse(name).map(|c| (c, *amount)))
    }

    /// Leads received, every type.
    pub fn received(&self) -> i64 {
        self.counters()
            .filter(|(c, _)| matches!(c, Counter::Received(_)))
            .map(|(_, n)| n)
            .sum()
    }
}

/// One counter item as read: whose, which direction, and its amounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountsRow {
    pub dealer: DealerId,
    pub direction: Direction,
    pub counts: Counts,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Actor;
    use crate::Role;
    use crate::lead::card::tests::{dealer_actor, lead};
    use crate::lead::card::{LeadChange, NoContactReason, NoContractReason};
    use chrono::{Duration, NaiveTime, TimeZone};

    /// «Автоцентр Восток»: Владивосток, Mon–Sat 09:00–20:00.
    fn vostok() -> DealerHours {
        let hm = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        DealerHours::mon_sat(chrono_tz::Asia::Vladivostok, hm(9, 0), hm(20, 0)).unwrap()
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::platform_default()
    }

    fn tally(lead: &Lead) -> LeadTally {
        LeadTally::of(lead, &vostok(), &cal()).unwrap()
    }

    fn n(t: &LeadTally, c: Counter) -> i64 {
        t.counts.get(&c.code()).copied().unwrap_or(0)
    }

    /// The test lead arrives on Monday 3 March 2025, 09:00 UTC: 19:00 in Vladivostok.
    fn arrived() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).unwrap()
    }

    #[test]
    fn a_new_preorder_counts_as_received_and_unprocessed_on_its_day() {
        let t = tally(&lead());
        assert_eq!(t.bucket.dealer, DealerId::new("vostok"));
        assert_eq!(t.bucket.direction, Direction::Sales);
        assert_eq!(t.bucket.day, NaiveDate::from_ymd_opt(2025, 3, 3).unwrap());
        assert_eq!(n(&t, Counter::Received(LeadType::Preorder)), 1);
        assert_eq!(n(&t, Counter::Arrived(1, 19)), 1, "Monday, 19:00 local");
        assert_eq!(n(&t, Counter::Processed), 0);
        assert_eq!(n(&t, Counter::Contract), 0);
    }

    #[test]
    fn a_contact_after_closing_counts_only_the_open_hour_before_it() {
        // 19:00 → 20:30 local the same Monday: the showroom closes at 20:00, so 60 minutes.
        let (l, _) = lead()
            .apply(
                &dealer_actor("vostok"),
                &[LeadChange::Contact(ContactOutcome::Yes)],
                arrived() + Duration::minutes(90),
            )
            .unwrap();
        let t = tally(&l);
        assert_eq!(n(&t, Counter::Processed), 1);
        assert_eq!(n(&t, Counter::Contacted), 1);
        assert_eq!(n(&t, Counter::Processing(ProcessingBucket::Under120)), 1);
        assert_eq!(n(&t, Counter::ProcessingMinutes), 60);
        assert_eq!(n(&t, Counter::Reached(1, 20)), 1);
    }

    #[test]
    fn a_contact_the_next_morning_counts_only_the_open_time() {
        // 19:00 Monday → 09:30 Tuesday local: an hour on Monday evening + 30 min on Tuesday.
        let next_morning = chrono_tz::Asia::Vladivostok
            .with_ymd_and_hms(2025, 3, 4, 9, 30, 0)
            .unwrap()
            .with_timezone(&Utc);
        let (l, _) = lead()
            .apply(
                &dealer_actor("vostok"),
                &[LeadChange::Contact(ContactOutcome::Yes)],
                next_morning,
            )
            .unwrap();
        let t = tally(&l);
        assert_eq!(n(&t, Counter::ProcessingMinutes), 90);
        assert_eq!(n(&t, Counter::Processing(ProcessingBucket::Under120)), 1);
        assert_eq!(n(&t, Counter::Reached(2, 9)), 1);
    }

    #[test]
    fn a_refusal_at_contract_counts_its_reason_and_no_contract() {
        let actor = dealer_actor("vostok");
        let (l, _) = lead()
            .apply(
                &actor,
                &[
                    LeadChange::Contact(ContactOutcome::Yes),
                    LeadChange::Contract(ContractOutcome::No {
                        reason: NoContractReason::Price,
                        text: None,
                    }),
                ],
                arrived() + Duration::minutes(10),
            )
            .unwrap();
        let t = tally(&l);
        assert_eq!(
            n(&t, Counter::Refused(RefusalStage::Contract, "price".into())),
            1
        );
        assert_eq!(n(&t, Counter::Contract), 0);
        let reason = refusal_of(&l).unwrap();
        assert_eq!(reason.label, "Не устроила цена");
    }

    #[test]
    fn a_wrong_number_is_a_refusal_at_contact_and_counts_as_processed() {
        let (l, _) = lead()
            .apply(
                &dealer_actor("vostok"),
                &[LeadChange::Contact(ContactOutcome::No {
                    reason: NoContactReason::WrongNumber,
                    text: None,
                })],
                arrived() + Duration::minutes(5),
            )
            .unwrap();
        let t = tally(&l);
        assert_eq!(
            n(
                &t,
                Counter::Refused(RefusalStage::Contact, "wrong_number".into())
            ),
            1
        );
        assert_eq!(n(&t, Counter::Processed), 1);
        assert_eq!(n(&t, Counter::Contacted), 0, "nobody was reached");
    }

    #[test]
    fn a_contract_moves_the_lead_from_awaiting_to_converted_in_one_delta() {
        let actor = dealer_actor("vostok");
        let (contacted, _) = lead()
            .apply(
                &actor,
                &[LeadChange::Contact(ContactOutcome::Yes)],
                arrived() + Duration::minutes(20),
            )
            .unwrap();
        let (signed, _) = contacted
            .apply(
                &actor,
                &[LeadChange::Contract(ContractOutcome::Yes)],
                arrived() + Duration::days(3),
            )
            .unwrap();
        let delta = tally_delta(Some(&tally(&contacted)), Some(&tally(&signed)));
        assert_eq!(delta.len(), 1, "one bucket, one counter item");
        let (bucket, counts) = &delta[0];
        assert_eq!(bucket.dealer, DealerId::new("vostok"));
        assert_eq!(
            counts,
            &BTreeMap::from([(Counter::Contract.code(), 1)]),
            "only the contract changed"
        );
    }

    #[test]
    fn an_escalated_lead_counts_its_steps_under_its_observer() {
        let (l, _) = lead().record_escalations(
            &[EscalationStep::Dealer, EscalationStep::Observer],
            arrived() + Duration::days(1),
        );
        let t = tally(&l);
        let rep = Some(UserId::new("rep-east"));
        assert_eq!(
            n(&t, Counter::Escalated(EscalationStep::Dealer, rep.clone())),
            1
        );
        assert_eq!(n(&t, Counter::Escalated(EscalationStep::Observer, rep)), 1);
    }

    #[test]
    fn a_deleted_lead_counts_nothing_and_a_restore_counts_it_again() {
        let admin = Actor {
            user_id: UserId::new("admin"),
            role: Role::Admin,
            dealer_id: None,
        };
        let live = lead();
        let (deleted, _) = live.delete(&admin, arrived() + Duration::hours(1)).unwrap();
        assert_eq!(LeadTally::of(&deleted, &vostok(), &cal()), None);
        let removed = tally_delta(Some(&tally(&live)), None);
        assert_eq!(removed[0].1.get("recv:preorder"), Some(&-1));
        let (restored, _) = deleted
            .restore(&admin, arrived() + Duration::hours(2))
            .unwrap();
        assert_eq!(tally(&restored), tally(&live));
    }

    #[test]
    fn a_save_that_changes_no_counter_adds_nothing() {
        let (commented, _) = lead()
            .apply(
                &dealer_actor("vostok"),
                &[LeadChange::Comment(Some("Перезвонить вечером".into()))],
                arrived() + Duration::minutes(1),
            )
            .unwrap();
        assert!(tally_delta(Some(&tally(&lead())), Some(&tally(&commented))).is_empty());
    }

    #[test]
    fn a_transfer_moves_the_counts_to_the_new_dealer() {
        let before = tally(&lead());
        let mut after = before.clone();
        after.bucket.dealer = DealerId::new("zapad");
        let delta = tally_delta(Some(&before), Some(&after));
        assert_eq!(delta.len(), 2);
        let of = |d: &str| {
            delta
                .iter()
                .find(|(b, _)| b.dealer.as_str() == d)
                .map(|(_, c)| c["recv:preorder"])
        };
        assert_eq!(of("vostok"), Some(-1));
        assert_eq!(of("zapad"), Some(1));
    }

    #[test]
    fn the_day_of_a_lead_is_moscow_s_day() {
        // 22:30 UTC on 31 March is 01:30 on 1 April in Moscow.
        let late = Utc.with_ymd_and_hms(2025, 3, 31, 22, 30, 0).unwrap();
        assert_eq!(
            report_day(late),
            NaiveDate::from_ymd_opt(2025, 4, 1).unwrap()
        );
    }

    #[test]
    fn every_counter_name_reads_back() {
        let all = [
            Counter::Received(LeadType::TradeIn),
            Counter::Processed,
            Counter::Contacted,
            Counter::Refused(RefusalStage::Contact, "no_answer".into()),
            Counter::Contract,
            Counter::Processing(ProcessingBucket::Over240),
            Counter::ProcessingMinutes,
            Counter::Arrived(7, 23),
            Counter::Reached(1, 0),
            Counter::Escalated(EscalationStep::Observer, Some(UserId::new("u1"))),
            Counter::Escalated(EscalationStep::Dealer, None),
            Counter::Survey(SurveyAnswer::Unhappy),
        ];
        for c in all {
            assert_eq!(Counter::parse(&c.code()), Some(c.clone()), "{}", c.code());
        }
        assert_eq!(Counter::parse("arrived:8:01"), None);
        assert_eq!(Counter::parse("something_new"), None);
    }

    #[test]
    fn processing_buckets_cut_at_15_30_60_120_240_minutes() {
        let cuts = [
            (0, ProcessingBucket::Under15),
            (14, ProcessingBucket::Under15),
            (15, ProcessingBucket::Under30),
            (59, ProcessingBucket::Under60),
            (60, ProcessingBucket::Under120),
            (239, ProcessingBucket::Under240),
            (240, ProcessingBucket::Over240),
        ];
        for (minutes, bucket) in cuts {
            assert_eq!(ProcessingBucket::of(minutes), bucket, "{minutes} min");
        }
    }
}

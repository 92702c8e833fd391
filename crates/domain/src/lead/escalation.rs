//! Processing control (SPEC §4.4): a dealer's own working hours and time zone on top of the
//! national production calendar, the working-time deadline, and the 2 h / 4 h escalations.
//!
//! Which dates work is the production calendar's word ([`WorkingCalendar::day_kind`]):
//! holidays and transferred days off close the showroom, a shortened pre-holiday day closes
//! early, and an ordinary Saturday or Sunday is open when the dealer's hours include it.

use super::card::{History, Lead, LeadField, LeadHistoryEntry};
use crate::kernel::{Refusal, RefusalKind, Refuse};
use crate::{DayKind, WorkingCalendar};
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How far ahead a deadline is looked for (about three years); a dealer whose hours never
/// open saturates there instead of looping.
const HORIZON_DAYS: i64 = 3 * 366;

/// A dealer's opening hours per weekday, in the dealer's own time zone.
///
/// JSON shape (what the store keeps): `{"tz": "Asia/Vladivostok", "week": {"mon": {"open":
/// "09:00:00", "close": "20:00:00"}, …}, "shortened_by_minutes": 60}`; a weekday missing
/// from `week` is closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DealerHoursJson", into = "DealerHoursJson")]
pub struct DealerHours {
    tz: Tz,
    /// Monday first; `None` is a closed weekday.
    week: [Option<(NaiveTime, NaiveTime)>; 7],
    shortened_by: Duration,
}

/// The serialised form; checked on the way in by `TryFrom`.
#[derive(Serialize, Deserialize)]
struct DealerHoursJson {
    tz: String,
    week: BTreeMap<String, OpenHoursJson>,
    shortened_by_minutes: i64,
}

#[derive(Serialize, Deserialize)]
struct OpenHoursJson {
    open: NaiveTime,
    close: NaiveTime,
}

/// Weekday codes of the JSON form, Monday first.
const WEEKDAY_CODES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl TryFrom<DealerHoursJson> for DealerHours {
    type Error = DealerHoursError;

    fn try_from(json: DealerHoursJson) -> Result<Self, Self::Error> {
        let tz: Tz = json
            .tz
            .parse()
            .map_err(|_| DealerHoursError::UnknownTimeZone(json.tz.clone()))?;
        let mut week = [None; 7];
        for (day, hours) in json.week {
            let i = WEEKDAY_CODES
                .iter()
                .position(|c| *c == day)
                .ok_or(DealerHoursError::UnknownWeekday(day))?;
            week[i] = Some((hours.open, hours.close));
        }
        let shortened_by = Duration::try_minutes(json.shortened_by_minutes)
            .ok_or(DealerHoursError::BadShortening)?;
        DealerHours::new(tz, week, shortened_by)
    }
}

impl From<DealerHours> for DealerHoursJson {
    fn from(hours: DealerHours) -> Self {
        DealerHoursJson {
            tz: hours.tz.name().to_string(),
            week: WEEKDAY_CODES
                .iter()
                .zip(hours.week)
                .filter_map(|(code, day)| {
                    day.map(|(open, close)| (code.to_string(), OpenHoursJson { open, close }))
                })
                .collect(),
            shortened_by_minutes: hours.shortened_by.num_minutes(),
        }
    }
}

/// Hours a dealer cannot have.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DealerHoursError {
    /// Opening is not before closing on a weekday.
    #[error("opening is not before closing on {0}")]
    OpenAfterClose(Weekday),
    /// The pre-holiday shortening is negative or longer than a day the dealer is open.
    #[error("the pre-holiday shortening is negative or leaves no open time")]
    BadShortening,
    /// Not an IANA time zone name.
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    /// Not one of `mon` … `sun`.
    #[error("unknown weekday {0:?}")]
    UnknownWeekday(String),
}

impl Refuse for DealerHoursError {
    fn refusal(&self) -> Refusal {
        let message = match self {
            DealerHoursError::OpenAfterClose(_) => {
                "Время открытия должно быть раньше времени закрытия."
            }
            DealerHoursError::BadShortening => {
                "Сокращение предпраздничного дня должно быть меньше рабочего дня."
            }
            DealerHoursError::UnknownTimeZone(_) => "Такого часового пояса нет.",
            DealerHoursError::UnknownWeekday(_) => "Такого дня недели нет.",
        };
        Refusal::new(RefusalKind::Invalid, "dealer_hours_invalid", message)
    }
}

impl DealerHours {
    /// Checked hours: every open weekday opens before it closes, and a shortened day still
    /// has open time.
    pub fn new(
        tz: Tz,
        week: [Option<(NaiveTime, NaiveTime)>; 7],
        shortened_by: Duration,
    ) -> Result<DealerHours, DealerHoursError> {
        for (i, day) in week.iter().enumerate() {
            if let Some((open, close)) = day {
                if open >= close {
                    return Err(DealerHoursError::OpenAfterClose(weekday(i)));
                }
                if shortened_by >= *close - *open {
                    return Err(DealerHoursError::BadShortening);
                }
            }
        }
        if shortened_by < Duration::zero() {
            return Err(DealerHoursError::BadShortening);
        }
        Ok(DealerHours {
            tz,
            week,
            shortened_by,
        })
    }

    /// The usual showroom: Monday to Saturday `open`–`close`, Sunday closed, pre-holiday
    /// days an hour shorter.
    pub fn mon_sat(
        tz: Tz,
        open: NaiveTime,
        close: NaiveTime,
    ) -> Result<DealerHours, DealerHoursError> {
        let day = Some((open, close));
        DealerHours::new(tz, [day, day, day, day, day, day, None], Duration::hours(1))
    }

    /// The dealer's time zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The regular hours of a weekday; `None` when closed.
    pub fn regular(&self, day: Weekday) -> Option<(NaiveTime, NaiveTime)> {
        self.week[day.num_days_from_monday() as usize]
    }

    /// Local opening and closing of a date; `None` when the showroom is closed.
    pub fn hours_on(
        &self,
        date: NaiveDate,
        calendar: &WorkingCalendar,
    ) -> Option<(NaiveTime, NaiveTime)> {
        let regular = self.regular(date.weekday());
        // A weekend the decree makes a working day opens with the dealer's weekday hours
        // when the dealer is normally closed that day.
        let weekday_hours = || self.week[..5].iter().flatten().next().copied();
        match calendar.day_kind(date) {
            DayKind::NonWorking => None,
            DayKind::Ordinary => regular,
            DayKind::WorkingWeekend => regular.or_else(weekday_hours),
            DayKind::Shortened => regular
                .or_else(weekday_hours)
                .map(|(open, close)| (open, close - self.shortened_by))
                .filter(|(open, close)| open < close),
        }
    }

    /// A date's open interval as UTC instants.
    fn window(
        &self,
        date: NaiveDate,
        calendar: &WorkingCalendar,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let (open, close) = self.hours_on(date, calendar)?;
        let open = self.to_utc(date.and_time(open));
        let close = self.to_utc(date.and_time(close));
        (open < close).then_some((open, close))
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// A local wall-clock time as UTC: an ambiguous time takes the earlier instant, a skipped
    /// one the first valid quarter-hour after.
    fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let mut probe = local;
        for _ in 0..=(24 * 4) {
            match self.tz.from_local_datetime(&probe) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                    return t.with_timezone(&Utc);
                }
                LocalResult::None => match probe.checked_add_signed(Duration::minutes(15)) {
                    Some(next) => probe = next,
                    None => break,
                },
            }
        }
        Utc.from_utc_datetime(&local)
    }
}

fn weekday(i: usize) -> Weekday {
    Weekday::try_from(i as u8).unwrap_or(Weekday::Mon)
}

/// The instant by which `hours` of the dealer's open time have passed since `start` (UTC in,
/// UTC out). Time before opening, after closing and on closed days does not count; ending
/// exactly at a closing time gives that closing time. Saturates about three years ahead.
pub fn working_deadline(
    start: DateTime<Utc>,
    hours: Duration,
    dealer: &DealerHours,
    calendar: &WorkingCalendar,
) -> DateTime<Utc> {
    if hours <= Duration::zero() {
        return start;
    }
    let limit = start
        .checked_add_signed(Duration::days(HORIZON_DAYS))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let last = dealer.local_date(limit);
    let mut remaining = hours;
    let mut date = dealer.local_date(start);
    while date <= last {
        if let Some((open, close)) = dealer.window(date, calendar) {
            let from = start.max(open);
            if from < close {
                let available = close - from;
                if remaining <= available {
                    return from + remaining;
                }
                remaining -= available;
            }
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    limit
}

/// The dealer's open time between two instants (zero when `b` is not after `a`): how long
/// a lead waited in working hours, for the processing-time reports (SPEC §4.6).
pub fn working_time_between(
    a: DateTime<Utc>,
    b: DateTime<Utc>,
    dealer: &DealerHours,
    calendar: &WorkingCalendar,
) -> Duration {
    let mut total = Duration::zero();
    if b <= a {
        return total;
    }
    let last = dealer.local_date(b);
    let mut date = dealer.local_date(a);
    while date <= last {
        if let Some((open, close)) = dealer.window(date, calendar) {
            let (from, to) = (open.max(a), close.min(b));
            if from < to {
                total += to - from;
            }
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    total
}

crate::coded_enum! {
    /// One escalation of an unprocessed lead (SPEC §4.4); each is sent once.
    pub enum EscalationStep {
        /// After 2 working hours: the dealer's staff.
        Dealer = "dealer_2h" / "Уведомлён дилер: 2 рабочих часа без обработки",
        /// After 4 working hours: the observing regional representative.
        Observer = "observer_4h" / "Уведомлён региональный представитель: 4 рабочих часа без обработки",
    }
}

impl EscalationStep {
    /// Working time after the lead's creation when the step is due.
    pub fn after(self) -> Duration {
        match self {
            EscalationStep::Dealer => Duration::hours(2),
            EscalationStep::Observer => Duration::hours(4),
        }
    }
}

/// What the escalation job has to do for one lead at `now`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EscalationDue {
    /// Steps due and not sent yet, in order.
    pub due: Vec<EscalationStep>,
    /// The next instant a step falls due (for the sparse index), `None` when nothing is left.
    pub next_at: Option<DateTime<Utc>>,
}

/// The escalations of `lead` due at `now`: none once the lead is processed (contact «Да»,
/// «Отказ», a contract) or anonymised; otherwise every unsent step whose working deadline
/// has passed, and when the next one falls due.
pub fn escalations_due(
    lead: &Lead,
    now: DateTime<Utc>,
    dealer: &DealerHours,
    calendar: &WorkingCalendar,
) -> EscalationDue {
    let mut plan = EscalationDue::default();
    if lead.is_processed() || lead.anonymised_at().is_some() {
        return plan;
    }
    for step in EscalationStep::ALL {
        if lead.escalated().contains(&step) {
            continue;
        }
        let at = working_deadline(lead.created_at(), step.after(), dealer, calendar);
        if at <= now {
            plan.due.push(step);
        } else if plan.next_at.is_none_or(|next| at < next) {
            plan.next_at = Some(at);
        }
    }
    plan
}

impl Lead {
    /// When the next escalation falls due (past or future), `None` when none is left: what
    /// the sparse index of the escalation job keeps after every save.
    pub fn next_escalation_at(
        &self,
        dealer: &DealerHours,
        calendar: &WorkingCalendar,
    ) -> Option<DateTime<Utc>> {
        if self.is_processed() || self.anonymised_at.is_some() {
            return None;
        }
        EscalationStep::ALL
            .iter()
            .filter(|s| !self.escalated.contains(s))
            .map(|s| working_deadline(self.created_at(), s.after(), dealer, calendar))
            .min()
    }

    /// Whether the lead is overdue at `now` (SPEC §4.4's live report): not processed and
    /// past its 2 working hours.
    pub fn is_overdue(
        &self,
        now: DateTime<Utc>,
        dealer: &DealerHours,
        calendar: &WorkingCalendar,
    ) -> bool {
        !self.is_processed()
            && working_deadline(
                self.created_at(),
                EscalationStep::Dealer.after(),
                dealer,
                calendar,
            ) <= now
    }

    /// Working time from the lead to the first contact «Да»; `None` while nobody reached the
    /// customer.
    pub fn processing_time(
        &self,
        dealer: &DealerHours,
        calendar: &WorkingCalendar,
    ) -> Option<Duration> {
        let contacted = self.contact.contacted_at()?;
        Some(working_time_between(
            self.created_at(),
            contacted,
            dealer,
            calendar,
        ))
    }

    /// Records steps as sent (by the platform), so a retry sends nothing twice. Steps already
    /// recorded are ignored.
    pub fn record_escalations(
        &self,
        steps: &[EscalationStep],
        now: DateTime<Utc>,
    ) -> (Lead, Vec<LeadHistoryEntry>) {
        let mut next = self.clone();
        let mut log = History::new(None, now);
        for step in steps {
            if !next.escalated.contains(step) {
                next.escalated.push(*step);
                log.push(LeadField::Escalation, None, Some(step.label().to_string()));
            }
        }
        next.stamped(log)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::card::tests::{dealer_actor, lead};
    use crate::lead::card::{ContactOutcome, LeadChange, NoContactReason};

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    /// «Автоцентр Восток»: Владивосток, Mon–Sat 09:00–20:00.
    fn vostok() -> DealerHours {
        DealerHours::mon_sat(chrono_tz::Asia::Vladivostok, hm(9, 0), hm(20, 0)).unwrap()
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::platform_default()
    }

    /// A Vladivostok wall-clock time as UTC.
    fn vl(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Vladivostok
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn escalation_of_a_vladivostok_lead_skips_sunday() {
        // Saturday 15 March 2025, 19:30 local: half an hour left on Saturday, Sunday closed.
        let posted = vl(2025, 3, 15, 19, 30);
        assert_eq!(posted, Utc.with_ymd_and_hms(2025, 3, 15, 9, 30, 0).unwrap());
        let two = working_deadline(posted, Duration::hours(2), &vostok(), &cal());
        assert_eq!(two, vl(2025, 3, 17, 10, 30));
        let four = working_deadline(posted, Duration::hours(4), &vostok(), &cal());
        assert_eq!(four, vl(2025, 3, 17, 12, 30));
    }

    #[test]
    fn a_holiday_and_a_transferred_day_off_close_the_showroom() {
        // Wed 11 June 2025 is shortened (closes 19:00), 12 June is Russia Day, 13 June a
        // transferred day off; Saturday 14 June is an ordinary Saturday, open for Vostok.
        let posted = vl(2025, 6, 11, 18, 30);
        let two = working_deadline(posted, Duration::hours(2), &vostok(), &cal());
        assert_eq!(two, vl(2025, 6, 14, 10, 30));
    }

    #[test]
    fn a_shortened_day_ends_an_hour_early() {
        let on_time = working_deadline(
            vl(2025, 6, 11, 17, 0),
            Duration::hours(2),
            &vostok(),
            &cal(),
        );
        assert_eq!(on_time, vl(2025, 6, 11, 19, 0));
        let spill = working_deadline(
            vl(2025, 6, 11, 17, 30),
            Duration::hours(2),
            &vostok(),
            &cal(),
        );
        assert_eq!(spill, vl(2025, 6, 14, 9, 30));
        let hours = vostok().hours_on(NaiveDate::from_ymd_opt(2025, 6, 11).unwrap(), &cal());
        assert_eq!(hours, Some((hm(9, 0), hm(19, 0))));
    }

    #[test]
    fn a_lead_posted_before_opening_starts_counting_at_opening() {
        let two = working_deadline(vl(2025, 3, 17, 3, 0), Duration::hours(2), &vostok(), &cal());
        assert_eq!(two, vl(2025, 3, 17, 11, 0));
    }

    #[test]
    fn a_weekday_only_dealer_is_closed_on_an_ordinary_saturday() {
        let day = Some((hm(9, 0), hm(18, 0)));
        let office = DealerHours::new(
            chrono_tz::Europe::Moscow,
            [day, day, day, day, day, None, None],
            Duration::hours(1),
        )
        .unwrap();
        let friday = chrono_tz::Europe::Moscow
            .with_ymd_and_hms(2025, 3, 14, 17, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let due = working_deadline(friday, Duration::hours(2), &office, &cal());
        let monday = chrono_tz::Europe::Moscow
            .with_ymd_and_hms(2025, 3, 17, 10, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(due, monday);
    }

    #[test]
    fn processing_time_counts_only_open_hours() {
        // Posted Monday 19:00 local, reached Tuesday 10:30: one hour Monday, 1.5 h Tuesday.
        let me = dealer_actor("vostok");
        let l = lead();
        let (hours, cal) = (vostok(), cal());
        assert_eq!(l.processing_time(&hours, &cal), None);
        assert!(!l.is_overdue(vl(2025, 3, 4, 9, 59), &hours, &cal));
        assert!(l.is_overdue(vl(2025, 3, 4, 10, 0), &hours, &cal));
        let (reached, _) = l
            .apply(
                &me,
                &[LeadChange::Contact(ContactOutcome::Yes)],
                vl(2025, 3, 4, 10, 30),
            )
            .unwrap();
        assert_eq!(
            reached.processing_time(&hours, &cal),
            Some(Duration::minutes(150))
        );
        assert!(!reached.is_overdue(vl(2025, 3, 5, 10, 0), &hours, &cal));
        let sat = vl(2025, 3, 15, 19, 30);
        assert_eq!(
            working_time_between(sat, vl(2025, 3, 17, 10, 30), &hours, &cal),
            Duration::hours(2)
        );
        assert_eq!(
            working_time_between(sat, sat, &hours, &cal),
            Duration::zero()
        );
    }

    #[test]
    fn dealer_hours_round_trip_through_json() {
        let json = serde_json::to_value(vostok()).unwrap();
        assert_eq!(json["tz"], "Asia/Vladivostok");
        assert_eq!(json["week"]["sat"]["close"], "20:00:00");
        assert!(json["week"].get("sun").is_none());
        assert_eq!(json["shortened_by_minutes"], 60);
        let back: DealerHours = serde_json::from_value(json).unwrap();
        assert_eq!(back, vostok());
        let bad = serde_json::json!({"tz": "Mars/Olympus", "week": {}, "shortened_by_minutes": 60});
        assert!(serde_json::from_value::<DealerHours>(bad).is_err());
        let bad = serde_json::json!({
            "tz": "Europe/Moscow",
            "week": {"mon": {"open": "18:00:00", "close": "09:00:00"}},
            "shortened_by_minutes": 60
        });
        assert!(serde_json::from_value::<DealerHours>(bad).is_err());
    }

    #[test]
    fn hours_that_cannot_be_are_refused() {
        let bad = DealerHours::mon_sat(chrono_tz::Asia::Vladivostok, hm(20, 0), hm(9, 0));
        assert_eq!(
            bad.unwrap_err(),
            DealerHoursError::OpenAfterClose(Weekday::Mon)
        );
        let never_open =
            DealerHours::new(chrono_tz::Asia::Vladivostok, [None; 7], Duration::hours(1)).unwrap();
        let start = vl(2025, 3, 17, 10, 0);
        let due = working_deadline(start, Duration::hours(2), &never_open, &cal());
        assert!(due > start + Duration::days(365 * 3));
    }

    #[test]
    fn each_escalation_is_due_once_and_contact_ends_the_clock() {
        // The test lead is posted Monday 3 March 2025 09:00 UTC = 19:00 in Vladivostok.
        let l = lead();
        let (hours, cal) = (vostok(), cal());
        let two = vl(2025, 3, 4, 10, 0);
        let four = vl(2025, 3, 4, 12, 0);
        let early = escalations_due(&l, two - Duration::minutes(1), &hours, &cal);
        assert!(early.due.is_empty());
        assert_eq!(early.next_at, Some(two));
        assert_eq!(l.next_escalation_at(&hours, &cal), Some(two));

        let at_two = escalations_due(&l, two, &hours, &cal);
        assert_eq!(at_two.due, [EscalationStep::Dealer]);
        assert_eq!(at_two.next_at, Some(four));
        let (sent, history) = l.record_escalations(&at_two.due, two);
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].by, None);
        assert!(escalations_due(&sent, two, &hours, &cal).due.is_empty());
        assert_eq!(sent.next_escalation_at(&hours, &cal), Some(four));
        let (again, none) = sent.record_escalations(&[EscalationStep::Dealer], two);
        assert!(none.is_empty());
        assert_eq!(again.version(), sent.version());

        // A late job sends both at once.
        assert_eq!(
            escalations_due(&l, four, &hours, &cal).due,
            [EscalationStep::Dealer, EscalationStep::Observer]
        );

        // «Не дозвонились» keeps the clock running; «Да» or «Отказ» end it.
        let me = dealer_actor("vostok");
        let no_answer = LeadChange::Contact(ContactOutcome::No {
            reason: NoContactReason::NoAnswer,
            text: None,
        });
        let (unreached, _) = l.apply(&me, &[no_answer], two).unwrap();
        assert_eq!(escalations_due(&unreached, four, &hours, &cal).due.len(), 2);
        let (reached, _) = l
            .apply(&me, &[LeadChange::Contact(ContactOutcome::Yes)], two)
            .unwrap();
        assert_eq!(
            escalations_due(&reached, four, &hours, &cal),
            EscalationDue::default()
        );
        assert_eq!(reached.next_escalation_at(&hours, &cal), None);
        let declined = LeadChange::Contact(ContactOutcome::No {
            reason: NoContactReason::CustomerDeclined,
            text: None,
        });
        let (refused, _) = l.apply(&me, &[declined], two).unwrap();
        assert!(escalations_due(&refused, four, &hours, &cal).due.is_empty());
    }
}

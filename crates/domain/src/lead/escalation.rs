//! Processing control (SPEC §4.4): a dealer's own working hours and time zone on top of the
//! national production calendar, the working-time deadline, and the 2 h / 4 h escalations.
//!
//! Which dates work is the production calendar's word ([`WorkingCalendar::day_kind`]):
//! holidays and transferred days off close the showroom, a shortened pre-holiday day closes
//! early, and an ordinary Saturday or Sunday is open when the dealer's hours include it.

use super::card::{History, Lead, LeadField, LeadHistoryEntry};
use crate::kernel::{FieldError, Refusal, RefusalKind, Refuse};
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

    /// Minutes a pre-holiday day closes early.
    pub fn shortened_by_minutes(&self) -> i64 {
        self.shortened_by.num_minutes()
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

/// Russia's time zones, Kaliningrad to Kamchatka, with the words the hours form shows.
pub const RUSSIAN_TIME_ZONES: [(Tz, &str); 11] = [
    (chrono_tz::Europe::Kaliningrad, "Калининград (МСК−1)"),
    (chrono_tz::Europe::Moscow, "Москва (МСК)"),
    (chrono_tz::Europe::Samara, "Самара (МСК+1)"),
    (chrono_tz::Asia::Yekaterinburg, "Екатеринбург (МСК+2)"),
    (chrono_tz::Asia::Omsk, "Омск (МСК+3)"),
    (chrono_tz::Asia::Krasnoyarsk, "Красноярск (МСК+4)"),
    (chrono_tz::Asia::Irkutsk, "Иркутск (МСК+5)"),
    (chrono_tz::Asia::Yakutsk, "Якутск (МСК+6)"),
    (chrono_tz::Asia::Vladivostok, "Владивосток (МСК+7)"),
    (chrono_tz::Asia::Magadan, "Магадан (МСК+8)"),
    (chrono_tz::Asia::Kamchatka, "Камчатка (МСК+9)"),
];

/// The Russian label of a time zone of [`RUSSIAN_TIME_ZONES`]; `None` for any other zone.
pub fn russian_zone_label(tz: Tz) -> Option<&'static str> {
    RUSSIAN_TIME_ZONES
        .iter()
        .find(|(z, _)| *z == tz)
        .map(|(_, label)| *label)
}

/// The weekdays' Russian names, Monday first, as the hours form shows them.
pub const WEEKDAY_LABELS: [&str; 7] = [
    "Понедельник",
    "Вторник",
    "Среда",
    "Четверг",
    "Пятница",
    "Суббота",
    "Воскресенье",
];

/// The weekdays' codes, Monday first (`mon` … `sun`), as the API names them.
pub fn weekday_codes() -> [&'static str; 7] {
    WEEKDAY_CODES
}

/// The input fields of the hours form and the API (`week.<day>.open` / `.close`), Monday first.
const DAY_FIELDS: [(&str, &str); 7] = [
    ("week.mon.open", "week.mon.close"),
    ("week.tue.open", "week.tue.close"),
    ("week.wed.open", "week.wed.close"),
    ("week.thu.open", "week.thu.close"),
    ("week.fri.open", "week.fri.close"),
    ("week.sat.open", "week.sat.close"),
    ("week.sun.open", "week.sun.close"),
];

/// The longest pre-holiday shortening an admin may set, in minutes.
pub const MAX_SHORTENING_MINUTES: i64 = 240;

/// A dealer's hours as typed into the form or sent to the API: text as given, checked by
/// [`DealerHoursDraft::validate`]. A weekday with neither time is closed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DealerHoursDraft {
    /// An IANA zone of [`RUSSIAN_TIME_ZONES`].
    pub tz: Option<String>,
    /// Monday first: opening and closing, `ЧЧ:ММ`.
    pub week: [(Option<String>, Option<String>); 7],
    /// Minutes a pre-holiday day closes early (default 60).
    pub shortened_by_minutes: Option<String>,
}

/// The hours typed cannot be a dealer's: every field at fault with its message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid dealer hours: {fields:?}")]
pub struct DealerHoursDraftError {
    pub fields: Vec<FieldError>,
}

impl Refuse for DealerHoursDraftError {
    fn refusal(&self) -> Refusal {
        let message = self
            .fields
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Refusal::new(RefusalKind::Invalid, "validation_failed", message)
            .with_fields(self.fields.clone())
    }
}

/// A field's text, trimmed; `None` when absent or blank.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// `ЧЧ:ММ` (or `ЧЧ:ММ:СС` as the API shows it) as a time of day.
fn parse_clock(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .ok()
}

impl DealerHoursDraft {
    /// The draft of hours as they are (to fill the form).
    pub fn of(hours: &DealerHours) -> DealerHoursDraft {
        let mut week: [(Option<String>, Option<String>); 7] = Default::default();
        for (slot, day) in week.iter_mut().zip(hours.week) {
            if let Some((open, close)) = day {
                *slot = (
                    Some(open.format("%H:%M").to_string()),
                    Some(close.format("%H:%M").to_string()),
                );
            }
        }
        DealerHoursDraft {
            tz: Some(hours.tz.name().to_string()),
            week,
            shortened_by_minutes: Some(hours.shortened_by.num_minutes().to_string()),
        }
    }

    /// Checks every field, all problems at once: a Russian time zone, each weekday open
    /// with both times (opening before closing) or closed with neither, at least one open
    /// day, and a pre-holiday shortening of 0–240 minutes shorter than every open day.
    pub fn validate(&self) -> Result<DealerHours, DealerHoursDraftError> {
        let mut fields = Vec::new();
        let mut bad =
            |field: &'static str, message: String| fields.push(FieldError { field, message });
        let tz = match given(&self.tz) {
            None => {
                bad("tz", "Выберите часовой пояс дилерского центра.".into());
                None
            }
            Some(name) => {
                let zone = RUSSIAN_TIME_ZONES
                    .iter()
                    .map(|(z, _)| *z)
                    .find(|z| z.name() == name);
                if zone.is_none() {
                    bad(
                        "tz",
                        "Часовой пояс должен быть одним из часовых поясов России (от Калининграда до Камчатки).".into(),
                    );
                }
                zone
            }
        };
        let mut week = [None; 7];
        for (i, (open, close)) in self.week.iter().enumerate() {
            let (open_field, close_field) = DAY_FIELDS[i];
            let day = WEEKDAY_LABELS[i];
            match (given(open), given(close)) {
                (None, None) => {}
                (Some(_), None) => bad(
                    close_field,
                    format!("{day}: укажите время закрытия или оставьте день выходным."),
                ),
                (None, Some(_)) => bad(
                    open_field,
                    format!("{day}: укажите время открытия или оставьте день выходным."),
                ),
                (Some(o), Some(c)) => match (parse_clock(o), parse_clock(c)) {
                    (None, _) => bad(
                        open_field,
                        format!("{day}: время открытия укажите как ЧЧ:ММ, например 09:00."),
                    ),
                    (_, None) => bad(
                        close_field,
                        format!("{day}: время закрытия укажите как ЧЧ:ММ, например 20:00."),
                    ),
                    (Some(o), Some(c)) if o >= c => bad(
                        close_field,
                        format!("{day}: время открытия должно быть раньше времени закрытия."),
                    ),
                    (Some(o), Some(c)) => week[i] = Some((o, c)),
                },
            }
        }
        let any_day_typed = self
            .week
            .iter()
            .any(|(o, c)| given(o).is_some() || given(c).is_some());
        if !any_day_typed {
            bad(
                "week",
                "Укажите часы работы хотя бы одного дня недели.".into(),
            );
        }
        let shortened = match given(&self.shortened_by_minutes) {
            None => Some(Duration::hours(1)),
            Some(text) => match text.parse::<i64>() {
                Ok(m) if (0..=MAX_SHORTENING_MINUTES).contains(&m) => Some(Duration::minutes(m)),
                _ => {
                    bad(
                        "shortened_by_minutes",
                        format!(
                            "Сокращение предпраздничного дня — целое число минут от 0 до {MAX_SHORTENING_MINUTES}."
                        ),
                    );
                    None
                }
            },
        };
        if let Some(by) = shortened {
            let too_short = week
                .iter()
                .flatten()
                .any(|(open, close)| by >= *close - *open);
            if too_short {
                bad(
                    "shortened_by_minutes",
                    "Сокращение предпраздничного дня должно быть меньше самого короткого рабочего дня.".into(),
                );
            }
        }
        match (tz, shortened) {
            (Some(tz), Some(by)) if fields.is_empty() => {
                DealerHours::new(tz, week, by).map_err(|e| DealerHoursDraftError {
                    fields: vec![FieldError {
                        field: "week",
                        message: e.refusal().message,
                    }],
                })
            }
            _ => Err(DealerHoursDraftError { fields }),
        }
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
    fn a_vladivostok_lead_of_saturday_evening_waits_out_sunday_and_the_transferred_day_off() {
        // Saturday 7 March 2026, 19:00 local: one open hour on Saturday; Sunday 8 March is
        // International Women's Day (and a Sunday), Monday 9 March its transferred day off.
        let posted = vl(2026, 3, 7, 19, 0);
        let (hours, cal) = (vostok(), cal());
        assert_eq!(
            working_deadline(posted, EscalationStep::Dealer.after(), &hours, &cal),
            vl(2026, 3, 10, 10, 0)
        );
        assert_eq!(
            working_deadline(posted, EscalationStep::Observer.after(), &hours, &cal),
            vl(2026, 3, 10, 12, 0)
        );
        assert_eq!(
            working_time_between(posted, vl(2026, 3, 10, 9, 0), &hours, &cal),
            Duration::hours(1)
        );
    }

    #[test]
    fn a_vladivostok_lead_before_victory_day_spends_the_holiday_weekend_waiting() {
        // Friday 8 May 2026 is a shortened day (closes 19:00), Saturday 9 May Victory Day,
        // Sunday closed, Monday 11 May the day off moved from 9 May.
        let posted = vl(2026, 5, 8, 18, 0);
        let (hours, cal) = (vostok(), cal());
        assert_eq!(
            hours.hours_on(NaiveDate::from_ymd_opt(2026, 5, 8).unwrap(), &cal),
            Some((hm(9, 0), hm(19, 0)))
        );
        for closed in [9, 10, 11] {
            let date = NaiveDate::from_ymd_opt(2026, 5, closed).unwrap();
            assert_eq!(hours.hours_on(date, &cal), None, "{date}");
        }
        assert_eq!(
            working_deadline(posted, Duration::hours(2), &hours, &cal),
            vl(2026, 5, 12, 10, 0)
        );
        assert_eq!(
            working_deadline(posted, Duration::hours(4), &hours, &cal),
            vl(2026, 5, 12, 12, 0)
        );
    }

    #[test]
    fn the_dealers_own_zone_decides_not_moscow() {
        // Sunday 15 March 2026, 23:30 UTC (02:30 Monday in Moscow) is Monday 09:30 in
        // Vladivostok: the showroom is open, two hours later it is 11:30 there.
        let posted = Utc.with_ymd_and_hms(2026, 3, 15, 23, 30, 0).unwrap();
        assert_eq!(
            working_deadline(posted, Duration::hours(2), &vostok(), &cal()),
            vl(2026, 3, 16, 11, 30)
        );
        // The same instant for a Kaliningrad dealer with the same hours is Monday 01:30
        // local: its clock starts at 09:00.
        let kaliningrad =
            DealerHours::mon_sat(chrono_tz::Europe::Kaliningrad, hm(9, 0), hm(20, 0)).unwrap();
        let due = working_deadline(posted, Duration::hours(2), &kaliningrad, &cal());
        assert_eq!(
            due,
            chrono_tz::Europe::Kaliningrad
                .with_ymd_and_hms(2026, 3, 16, 11, 0, 0)
                .unwrap()
                .with_timezone(&Utc)
        );
    }

    fn draft(tz: &str, days: &[(usize, &str, &str)], shortened: Option<&str>) -> DealerHoursDraft {
        let mut week: [(Option<String>, Option<String>); 7] = Default::default();
        for (i, open, close) in days {
            week[*i] = (Some(open.to_string()), Some(close.to_string()));
        }
        DealerHoursDraft {
            tz: Some(tz.to_string()),
            week,
            shortened_by_minutes: shortened.map(str::to_string),
        }
    }

    #[test]
    fn hours_typed_into_the_form_become_the_dealers_hours() {
        let days: Vec<_> = (0..6).map(|i| (i, "09:00", "20:00")).collect();
        let typed = draft("Asia/Vladivostok", &days, Some("60"));
        assert_eq!(typed.validate().unwrap(), vostok());
        assert_eq!(DealerHoursDraft::of(&vostok()), typed);
        // The shortening defaults to an hour; seconds as the API shows them are accepted.
        let days: Vec<_> = (0..6).map(|i| (i, "09:00:00", "20:00")).collect();
        assert_eq!(
            draft("Asia/Vladivostok", &days, None).validate().unwrap(),
            vostok()
        );
    }

    #[test]
    fn every_zone_from_kaliningrad_to_kamchatka_is_offered_and_nothing_else() {
        assert_eq!(RUSSIAN_TIME_ZONES.len(), 11);
        for (zone, label) in RUSSIAN_TIME_ZONES {
            let hours = draft(zone.name(), &[(0, "09:00", "18:00")], None).validate();
            assert_eq!(hours.unwrap().tz(), zone);
            assert_eq!(russian_zone_label(zone), Some(label));
        }
        let e = draft("Europe/Berlin", &[(0, "09:00", "18:00")], None)
            .validate()
            .unwrap_err();
        assert_eq!(e.fields[0].field, "tz");
        assert!(e.fields[0].message.contains("Калининграда до Камчатки"));
    }

    #[test]
    fn hours_that_cannot_be_are_refused_field_by_field() {
        let mut typed = draft(
            "",
            &[
                (0, "20:00", "09:00"),
                (1, "9 утра", "18:00"),
                (2, "09:00", "18:00"),
            ],
            Some("600"),
        );
        typed.week[3] = (Some("09:00".into()), None);
        typed.week[4] = (None, Some("18:00".into()));
        let e = typed.validate().unwrap_err();
        let fields: Vec<_> = e.fields.iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            [
                "tz",
                "week.mon.close",
                "week.tue.open",
                "week.thu.close",
                "week.fri.open",
                "shortened_by_minutes"
            ]
        );
        assert!(e.fields[1].message.starts_with("Понедельник:"));
        let refusal = e.refusal();
        assert_eq!(refusal.kind, RefusalKind::Invalid);
        assert_eq!(refusal.fields.len(), 6);

        let closed_all_week = draft("Europe/Moscow", &[], None).validate().unwrap_err();
        assert_eq!(closed_all_week.fields[0].field, "week");
        let short_day = draft("Europe/Moscow", &[(5, "10:00", "10:30")], Some("60"))
            .validate()
            .unwrap_err();
        assert_eq!(short_day.fields[0].field, "shortened_by_minutes");
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

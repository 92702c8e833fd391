//! The platform's working calendar (SPEC §2.3): which days work, when they open and close,
//! and the arithmetic the SLA is counted in.
//!
//! A calendar is **data**: one [`YearCalendar`] per year, read from the official production
//! calendar (`infra/calendars/ru/<year>.xml`, the xmlcalendar.ru format) or edited by `admin`
//! and kept by the store as JSON. A year without data falls back to the statutory holidays
//! ([`YearCalendar::statutory`]) and is flagged *provisional*, never silently "every weekday works".
//!
//! [`WorkingCalendar`] adds the opening hours and the time zone and does the arithmetic. Every
//! instant going in or out is UTC; the zone is applied inside, so callers never convert.
//!
//! Every search ahead is bounded by [`SEARCH_HORIZON_DAYS`]: even a calendar an admin has
//! emptied of working days gives an answer (saturated at the horizon) instead of looping.

use crate::kernel::{Refusal, RefusalKind, Refuse};
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use thiserror::Error;

/// How far ahead any search for open time looks, in days (about three years).
///
/// Longer than any real run of days off, short enough to bound the work; an answer that would
/// lie further away saturates at the horizon.
pub const SEARCH_HORIZON_DAYS: i64 = 3 * 366;

/// The official production calendars embedded in the binary, so a Lambda needs no files:
/// `(year, file text)` for every `infra/calendars/ru/<year>.xml`, in year order, listed by
/// the crate's build script. A new year's decree: drop its file into that folder.
const OFFICIAL_RU: &[(i32, &str)] = include!(concat!(env!("OUT_DIR"), "/official_ru.rs"));

/// The platform's one time zone (SPEC §2.3): working hours, the due times shown («МСК»),
/// quarters and the 26th deadline are all Moscow time. It is not a setting, so no place can
/// count in another zone than the one the portal shows.
pub const PLATFORM_TZ: Tz = chrono_tz::Europe::Moscow;

/// The months' names as the portal and the reports write them (nominative, capitalised).
const MONTH_NAMES_RU: [&str; 12] = [
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
];

/// «Ноябрь» for 11; an empty name for a number that is not a month (1–12).
pub fn month_name(month: u32) -> &'static str {
    month
        .checked_sub(1)
        .and_then(|i| MONTH_NAMES_RU.get(i as usize))
        .copied()
        .unwrap_or("")
}

/// Non-working holidays of the Labour Code, art. 112 (month, day): 1–6 and 8 January
/// (New Year holidays), 7 January (Christmas), 23 February, 8 March, 1 May, 9 May, 12 June,
/// 4 November.
const STATUTORY_HOLIDAYS: [(u32, u32); 14] = [
    (1, 1),
    (1, 2),
    (1, 3),
    (1, 4),
    (1, 5),
    (1, 6),
    (1, 7),
    (1, 8),
    (2, 23),
    (3, 8),
    (5, 1),
    (5, 9),
    (6, 12),
    (11, 4),
];

crate::coded_enum! {
    /// What the calendar says about one date, beyond the plain weekday rule.
    pub enum DayKind {
        /// No entry: Monday–Friday work, Saturday and Sunday are off.
        Ordinary = "ordinary" / "Обычный день",
        /// A holiday or a transferred day off (`t="1"`).
        NonWorking = "non_working" / "Нерабочий день",
        /// A working pre-holiday day, one hour shorter (`t="2"`); works even on a Saturday.
        Shortened = "shortened" / "Сокращённый предпраздничный день",
        /// A Saturday or Sunday that works full hours (`t="3"`).
        WorkingWeekend = "working_weekend" / "Рабочий выходной день",
    }
}

impl DayKind {
    /// The kind of a production-calendar `t` attribute.
    fn from_xml_type(t: &str) -> Option<DayKind> {
        match t {
            "1" => Some(DayKind::NonWorking),
            "2" => Some(DayKind::Shortened),
            "3" => Some(DayKind::WorkingWeekend),
            _ => None,
        }
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The statutory kind of a date: art. 112 holidays, nothing else.
fn statutory_kind(date: NaiveDate) -> DayKind {
    if STATUTORY_HOLIDAYS.contains(&(date.month(), date.day())) {
        DayKind::NonWorking
    } else {
        DayKind::Ordinary
    }
}

/// Whether a date of the given kind works at all.
fn kind_works(date: NaiveDate, kind: DayKind) -> bool {
    match kind {
        DayKind::Ordinary => !is_weekend(date),
        DayKind::NonWorking => false,
        DayKind::Shortened | DayKind::WorkingWeekend => true,
    }
}

/// One year of the production calendar: the dates that differ from "Mon–Fri work".
///
/// Invariants (kept by every constructor, the parser, the editing API and deserialisation):
/// every entry is a date of [`year`](Self::year), none is [`DayKind::Ordinary`], and
/// [`DayKind::WorkingWeekend`] is only ever a Saturday or a Sunday.
///
/// JSON shape (what the store keeps for an admin-edited year):
/// `{"year": 2025, "provisional": false, "days": {"2025-01-01": "non_working", "2025-11-01": "shortened"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "YearCalendarJson", into = "YearCalendarJson")]
pub struct YearCalendar {
    year: i32,
    provisional: bool,
    days: BTreeMap<NaiveDate, DayKind>,
}

/// The serialised form; checked on the way in by `TryFrom`.
#[derive(Serialize, Deserialize)]
struct YearCalendarJson {
    year: i32,
    #[serde(default)]
    provisional: bool,
    #[serde(default)]
    days: BTreeMap<NaiveDate, DayKind>,
}

impl TryFrom<YearCalendarJson> for YearCalendar {
    type Error = CalendarError;

    fn try_from(json: YearCalendarJson) -> Result<Self, Self::Error> {
        let mut calendar = YearCalendar {
            year: json.year,
            provisional: json.provisional,
            days: BTreeMap::new(),
        };
        for (date, kind) in json.days {
            calendar.set_day(date, kind)?;
        }
        Ok(calendar)
    }
}

impl From<YearCalendar> for YearCalendarJson {
    fn from(calendar: YearCalendar) -> Self {
        YearCalendarJson {
            year: calendar.year,
            provisional: calendar.provisional,
            days: calendar.days,
        }
    }
}

impl YearCalendar {
    /// Reads one official production-calendar file (xmlcalendar.ru format):
    /// `<calendar year="YYYY">` and its `<day d="MM.DD" t="1|2|3"/>` entries; everything else
    /// (holiday titles, `h`, `f`) is ignored. Bad input is a [`CalendarError`], never a panic.
    pub fn parse_xml(text: &str) -> Result<YearCalendar, CalendarError> {
        let tags = xml::tags(text)?;
        let mut calendar: Option<YearCalendar> = None;
        for tag in &tags {
            match tag.name {
                "calendar" => {
                    if calendar.is_some() {
                        return Err(CalendarError::Malformed {
                            line: tag.line,
                            reason: "more than one <calendar> element",
                        });
                    }
                    let value = tag.attr("year").ok_or(CalendarError::MissingAttribute {
                        line: tag.line,
                        element: "calendar",
                        attribute: "year",
                    })?;
                    let year = value
                        .parse::<i32>()
                        .ok()
                        .filter(|y| (1900..=9999).contains(y))
                        .ok_or_else(|| CalendarError::BadYear {
                            line: tag.line,
                            value: value.to_string(),
                        })?;
                    calendar = Some(YearCalendar {
                        year,
                        provisional: false,
                        days: BTreeMap::new(),
                    });
                }
                "day" => {
                    let Some(calendar) = calendar.as_mut() else {
                        return Err(CalendarError::Malformed {
                            line: tag.line,
                            reason: "<day> before <calendar>",
                        });
                    };
                    let missing = |attribute| CalendarError::MissingAttribute {
                        line: tag.line,
                        element: "day",
                        attribute,
                    };
                    let d = tag.attr("d").ok_or_else(|| missing("d"))?;
                    let t = tag.attr("t").ok_or_else(|| missing("t"))?;
                    let bad_date = || CalendarError::BadDate {
                        line: tag.line,
                        value: d.to_string(),
                    };
                    let date = parse_month_day(calendar.year, d).ok_or_else(bad_date)?;
                    let kind =
                        DayKind::from_xml_type(t).ok_or_else(|| CalendarError::BadDayType {
                            line: tag.line,
                            value: t.to_string(),
                        })?;
                    if calendar.days.contains_key(&date) {
                        return Err(CalendarError::DuplicateDay { date });
                    }
                    calendar.set_day(date, kind).map_err(|e| match e {
                        // Report a weekday marked t=3 against its line.
                        CalendarError::NotAWeekend { .. } => bad_date(),
                        other => other,
                    })?;
                }
                _ => {}
            }
        }
        calendar.ok_or(CalendarError::NoCalendar)
    }

    /// A confirmed year with no entries yet ("Mon–Fri work"): what an admin fills in.
    pub fn new(year: i32) -> YearCalendar {
        YearCalendar {
            year,
            provisional: false,
            days: BTreeMap::new(),
        }
    }

    /// The fallback for a year nobody has published yet: the non-working holidays of the
    /// Labour Code, art. 112, **without** transfers (those need the year's decree).
    /// Always [`provisional`](Self::is_provisional).
    pub fn statutory(year: i32) -> YearCalendar {
        let days = STATUTORY_HOLIDAYS
            .iter()
            .filter_map(|&(m, d)| NaiveDate::from_ymd_opt(year, m, d))
            .map(|date| (date, DayKind::NonWorking))
            .collect();
        YearCalendar {
            year,
            provisional: true,
            days,
        }
    }

    /// The embedded official calendars (Russia, every file in `infra/calendars/ru/`).
    pub fn official_ru() -> Vec<YearCalendar> {
        OFFICIAL_RU
            .iter()
            .map(|(year, text)| {
                // The files are compiled in and parsed by a test; a failure here is a bad
                // build, not bad user input.
                let calendar = YearCalendar::parse_xml(text)
                    .expect("embedded production calendar parses (checked by tests)");
                debug_assert_eq!(calendar.year, *year);
                calendar
            })
            .collect()
    }

    /// The year this calendar describes.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// True for a statutory fallback: transfers and shortened days are not known yet.
    pub fn is_provisional(&self) -> bool {
        self.provisional
    }

    /// Marks the year provisional or confirmed (e.g. once an admin has entered the decree).
    pub fn set_provisional(&mut self, provisional: bool) {
        self.provisional = provisional;
    }

    /// The explicit kind of a date: [`DayKind::Ordinary`] when it has no entry (or is not in
    /// this year).
    pub fn kind(&self, date: NaiveDate) -> DayKind {
        self.days.get(&date).copied().unwrap_or(DayKind::Ordinary)
    }

    /// Whether the date works. A date of another year is judged by its weekday only.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        kind_works(date, self.kind(date))
    }

    /// The admin's edit: sets a date's kind; [`DayKind::Ordinary`] removes the entry.
    ///
    /// Refuses a date of another year and a "working weekend" that is not a weekend.
    pub fn set_day(&mut self, date: NaiveDate, kind: DayKind) -> Result<(), CalendarError> {
        if date.year() != self.year {
            return Err(CalendarError::DateOutsideYear {
                date,
                year: self.year,
            });
        }
        if kind == DayKind::WorkingWeekend && !is_weekend(date) {
            return Err(CalendarError::NotAWeekend { date });
        }
        if kind == DayKind::Ordinary {
            self.days.remove(&date);
        } else {
            self.days.insert(date, kind);
        }
        Ok(())
    }

    /// The explicit entries, in date order.
    pub fn days(&self) -> impl Iterator<Item = (NaiveDate, DayKind)> + '_ {
        self.days.iter().map(|(d, k)| (*d, *k))
    }

    /// How many days of the year work (the decree's headline number, e.g. 247 in 2025);
    /// lets the admin UI catch a year edited into having none.
    pub fn working_day_count(&self) -> u32 {
        let Some(first) = NaiveDate::from_ymd_opt(self.year, 1, 1) else {
            return 0;
        };
        first
            .iter_days()
            .take_while(|d| d.year() == self.year)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }
}

/// `MM.DD` of the given year.
fn parse_month_day(year: i32, text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let two_digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if b.len() != 5 || b[2] != b'.' || !two_digits(&b[..2]) || !two_digits(&b[3..]) {
        return None;
    }
    let month = text[..2].parse().ok()?;
    let day = text[3..].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

mod xml;

/// Opening hours of a working day, and how much earlier a shortened day closes.
///
/// JSON shape: `{"open": "09:00:00", "close": "18:00:00", "shortened_by_minutes": 60}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WorkingHoursJson", into = "WorkingHoursJson")]
pub struct WorkingHours {
    open: NaiveTime,
    close: NaiveTime,
    shortened_by: Duration,
}

#[derive(Serialize, Deserialize)]
struct WorkingHoursJson {
    open: NaiveTime,
    close: NaiveTime,
    shortened_by_minutes: i64,
}

impl TryFrom<WorkingHoursJson> for WorkingHours {
    type Error = CalendarError;

    fn try_from(json: WorkingHoursJson) -> Result<Self, Self::Error> {
        let shortened_by = Duration::try_minutes(json.shortened_by_minutes).ok_or(
            CalendarError::BadWorkingHours {
                reason: "shortening out of range",
            },
        )?;
        WorkingHours::new(json.open, json.close, shortened_by)
    }
}

impl From<WorkingHours> for WorkingHoursJson {
    fn from(hours: WorkingHours) -> Self {
        WorkingHoursJson {
            open: hours.open,
            close: hours.close,
            shortened_by_minutes: hours.shortened_by.num_minutes(),
        }
    }
}

impl WorkingHours {
    /// Checked hours: `open < close`, and a shortened day still has open time.
    pub fn new(
        open: NaiveTime,
        close: NaiveTime,
        shortened_by: Duration,
    ) -> Result<WorkingHours, CalendarError> {
        if open >= close {
            return Err(CalendarError::BadWorkingHours {
                reason: "opening is not before closing",
            });
        }
        if shortened_by < Duration::zero() || shortened_by >= close - open {
            return Err(CalendarError::BadWorkingHours {
                reason: "shortening is negative or leaves no open time",
            });
        }
        Ok(WorkingHours {
            open,
            close,
            shortened_by,
        })
    }

    /// The platform's hours: 09:00–18:00, shortened days close at 17:00.
    pub fn platform() -> WorkingHours {
        WorkingHours {
            open: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            close: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN),
            shortened_by: Duration::hours(1),
        }
    }

    /// Opening time.
    pub fn open(&self) -> NaiveTime {
        self.open
    }

    /// Closing time of an ordinary working day.
    pub fn close(&self) -> NaiveTime {
        self.close
    }

    /// How much earlier a shortened day closes.
    pub fn shortened_by(&self) -> Duration {
        self.shortened_by
    }

    /// Closing time of a shortened pre-holiday day.
    pub fn shortened_close(&self) -> NaiveTime {
        self.close - self.shortened_by
    }
}

/// The working calendar the SLA is counted in: the years' calendars and the opening hours,
/// on the wall clock of [`PLATFORM_TZ`].
#[derive(Clone, Debug, PartialEq)]
pub struct WorkingCalendar {
    years: BTreeMap<i32, YearCalendar>,
    hours: WorkingHours,
}

impl WorkingCalendar {
    /// A calendar from explicit parts; a later year calendar for the same year wins.
    pub fn new(
        years: impl IntoIterator<Item = YearCalendar>,
        hours: WorkingHours,
    ) -> WorkingCalendar {
        let years = years.into_iter().map(|y| (y.year, y)).collect();
        WorkingCalendar { years, hours }
    }

    /// The platform's calendar: Mon–Fri 09:00–18:00 Europe/Moscow, the embedded official
    /// production calendars, statutory fallback for other years.
    pub fn platform_default() -> WorkingCalendar {
        WorkingCalendar::new(YearCalendar::official_ru(), WorkingHours::platform())
    }

    /// Installs a year (e.g. the admin-edited one the store keeps), replacing the file's.
    pub fn set_year(&mut self, year: YearCalendar) {
        self.years.insert(year.year, year);
    }

    /// The opening hours.
    pub fn hours(&self) -> WorkingHours {
        self.hours
    }

    /// The time zone the hours are in: always [`PLATFORM_TZ`].
    pub fn tz(&self) -> Tz {
        PLATFORM_TZ
    }

    /// The years that have data (a file or an admin's edit), in order.
    pub fn known_years(&self) -> impl Iterator<Item = &YearCalendar> + '_ {
        self.years.values()
    }

    /// A year's calendar: its data, or the statutory fallback when there is none.
    pub fn year(&self, year: i32) -> Cow<'_, YearCalendar> {
        match self.years.get(&year) {
            Some(y) => Cow::Borrowed(y),
            None => Cow::Owned(YearCalendar::statutory(year)),
        }
    }

    /// True when the year is counted from the statutory fallback (or data marked provisional).
    pub fn is_provisional(&self, year: i32) -> bool {
        self.years.get(&year).is_none_or(|y| y.provisional)
    }

    /// Which of `years` are provisional, for the admin UI's warning and the start-up log
    /// (typically the current year and the next).
    pub fn provisional_years(&self, years: RangeInclusive<i32>) -> Vec<i32> {
        years.filter(|y| self.is_provisional(*y)).collect()
    }

    /// What the calendar says about a (local) date.
    pub fn day_kind(&self, date: NaiveDate) -> DayKind {
        match self.years.get(&date.year()) {
            Some(y) => y.kind(date),
            None => statutory_kind(date),
        }
    }

    /// Whether a (local) date works.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        kind_works(date, self.day_kind(date))
    }

    /// Local opening and closing time of a date; `None` on a day off. Shortened days close
    /// [`WorkingHours::shortened_by`] earlier.
    pub fn hours_on(&self, date: NaiveDate) -> Option<(NaiveTime, NaiveTime)> {
        match self.day_kind(date) {
            DayKind::Shortened => Some((self.hours.open, self.hours.shortened_close())),
            kind if kind_works(date, kind) => Some((self.hours.open, self.hours.close)),
            _ => None,
        }
    }

    /// The local date of an instant.
    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        self.local(t).date()
    }

    /// The local wall-clock time of an instant. Total: at the very edge of chrono's range,
    /// where the offset would overflow, the UTC wall clock stands in (instead of chrono's panic).
    fn local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        let utc = t.naive_utc();
        let offset = PLATFORM_TZ.offset_from_utc_datetime(&utc).fix();
        utc.checked_add_offset(offset).unwrap_or(utc)
    }

    /// Whether the platform is open at `t` (opening inclusive, closing exclusive).
    pub fn is_open_at(&self, t: DateTime<Utc>) -> bool {
        self.window(self.local_date(t))
            .is_some_and(|(open, close)| open <= t && t < close)
    }

    /// `t` itself when open, otherwise the next opening. Saturates at the search horizon.
    pub fn clamp_to_open(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let limit = horizon(t);
        let last = self.local_date(limit);
        let mut date = self.local_date(t);
        while date <= last {
            if let Some((open, close)) = self.window(date)
                && t < close
            {
                return t.max(open);
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        limit
    }

    /// The earliest instant by which `duration` of open time has passed since `start`
    /// (N working hours). Open time starts at `clamp_to_open(start)`; a zero or negative
    /// duration gives `start`. Saturates at the search horizon.
    ///
    /// Ending exactly at a closing time gives that closing time, not the next opening:
    /// 3 working hours from 15:00 are due at 18:00 the same day.
    pub fn add_working_duration(&self, start: DateTime<Utc>, duration: Duration) -> DateTime<Utc> {
        if duration <= Duration::zero() {
            return start;
        }
        let limit = horizon(start);
        let last = self.local_date(limit);
        let mut remaining = duration;
        let mut date = self.local_date(start);
        while date <= last {
            if let Some((open, close)) = self.window(date) {
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

    /// N working days (SPEC §2.3): the same time of day `n` working days later. The start is
    /// clamped to the next opening first; a time of day past the landing day's closing (a
    /// shortened day) moves to the next opening. Saturates at the search horizon.
    pub fn add_working_days(&self, start: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let begin = self.clamp_to_open(start);
        if !self.is_open_at(begin) {
            return begin; // saturated: nothing opens within the horizon
        }
        let local = self.local(begin);
        let time_of_day = local.time();
        let last = self.local_date(horizon(begin));
        let mut date = local.date();
        let mut left = n;
        while left > 0 {
            date = match date.succ_opt() {
                Some(next) if next <= last => next,
                _ => return horizon(begin),
            };
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        self.clamp_to_open(self.to_utc(date.and_time(time_of_day)))
    }

    /// Open time between two instants (zero when `b` is not after `a`). Exact for any span;
    /// the work grows with the number of days between them.
    pub fn working_duration_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        let mut total = Duration::zero();
        if b <= a {
            return total;
        }
        let last = self.local_date(b);
        let mut date = self.local_date(a);
        while date <= last {
            if let Some((open, close)) = self.window(date) {
                let from = open.max(a);
                let to = close.min(b);
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

    /// A date's open interval as UTC instants.
    fn window(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let (open, close) = self.hours_on(date)?;
        let open = self.to_utc(date.and_time(open));
        let close = self.to_utc(date.and_time(close));
        (open < close).then_some((open, close))
    }

    /// A local wall-clock time as UTC. Total: an ambiguous time (clocks going back) takes
    /// the earlier instant, a skipped one (clocks going forward) the first valid minute after.
    fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let mut probe = local;
        // DST gaps are at most a few hours; look a day ahead at most.
        for _ in 0..=(24 * 4) {
            match PLATFORM_TZ.from_local_datetime(&probe) {
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

/// `t` plus the search horizon, saturating at the end of time.
fn horizon(t: DateTime<Utc>) -> DateTime<Utc> {
    t.checked_add_signed(Duration::days(SEARCH_HORIZON_DAYS))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A working calendar that cannot be read or an edit it refuses.
///
/// Kept apart from [`DomainError`] on purpose: calendars are admin data, read at start-up and
/// edited in the admin UI, never the outcome of a ticket move.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CalendarError {
    /// The text is not the XML shape the parser reads (unterminated tag, stray character…).
    #[error("calendar XML, line {line}: {reason}")]
    Malformed { line: usize, reason: &'static str },
    /// There is no `<calendar year="…">` element.
    #[error("calendar XML: no <calendar year=\"…\"> element")]
    NoCalendar,
    /// The `year` attribute is not a sensible year.
    #[error("calendar XML, line {line}: bad year {value:?}")]
    BadYear { line: usize, value: String },
    /// An element lacks an attribute the parser needs.
    #[error("calendar XML, line {line}: <{element}> without {attribute}=\"…\"")]
    MissingAttribute {
        line: usize,
        element: &'static str,
        attribute: &'static str,
    },
    /// `d="…"` is not `MM.DD` or not a date of the calendar's year.
    #[error("calendar XML, line {line}: bad day {value:?}")]
    BadDate { line: usize, value: String },
    /// `t="…"` is not 1, 2 or 3.
    #[error("calendar XML, line {line}: bad day type {value:?}")]
    BadDayType { line: usize, value: String },
    /// The same date is listed twice.
    #[error("{date} is listed twice")]
    DuplicateDay { date: chrono::NaiveDate },
    /// An edit or a stored entry names a date of another year.
    #[error("{date} is not in {year}")]
    DateOutsideYear { date: chrono::NaiveDate, year: i32 },
    /// Only a Saturday or a Sunday can be made a working weekend day.
    #[error("{date} is not a Saturday or a Sunday")]
    NotAWeekend { date: chrono::NaiveDate },
    /// Opening hours that leave no working time.
    #[error("bad working hours: {reason}")]
    BadWorkingHours { reason: &'static str },
    /// A calendar file of another year than the one it is uploaded for.
    #[error("calendar of {found} uploaded as {expected}")]
    YearMismatch { expected: i32, found: i32 },
    /// An edit that would leave the year without a single working day: certainly a slip,
    /// and every due time would run past the year.
    #[error("{year} would have no working days")]
    NoWorkingDays { year: i32 },
}

impl CalendarError {
    /// The message shown to people (the admin editing a calendar, the logs).
    pub fn message_ru(&self) -> String {
        match self {
            CalendarError::Malformed { line, .. } => {
                format!("Файл календаря повреждён (строка {line}).")
            }
            CalendarError::NoCalendar => {
                "В файле нет элемента <calendar year=\"…\">: это не производственный календарь."
                    .to_string()
            }
            CalendarError::BadYear { value, .. } => {
                format!("Неверный год календаря: «{value}».")
            }
            CalendarError::MissingAttribute {
                line,
                element,
                attribute,
            } => format!("В строке {line} у элемента <{element}> нет атрибута «{attribute}»."),
            CalendarError::BadDate { line, value } => {
                format!("Неверная дата «{value}» в строке {line}: нужна дата этого года в виде ММ.ДД.")
            }
            CalendarError::BadDayType { line, value } => format!(
                "Неверный тип дня «{value}» в строке {line}: допустимы 1 (нерабочий), 2 (сокращённый), 3 (рабочий выходной)."
            ),
            CalendarError::DuplicateDay { date } => {
                format!("День {} указан в календаре дважды.", date.format("%d.%m.%Y"))
            }
            CalendarError::DateOutsideYear { date, year } => format!(
                "Дата {} не относится к календарю {year} года.",
                date.format("%d.%m.%Y")
            ),
            CalendarError::NotAWeekend { date } => format!(
                "{} — не суббота и не воскресенье: рабочим выходным его сделать нельзя.",
                date.format("%d.%m.%Y")
            ),
            CalendarError::BadWorkingHours { .. } => {
                "Неверные часы работы: начало должно быть раньше конца, а сокращение — короче рабочего дня."
                    .to_string()
            }
            CalendarError::YearMismatch { expected, found } => format!(
                "Это календарь {found} года, а загружается календарь {expected} года."
            ),
            CalendarError::NoWorkingDays { year } => {
                format!("В {year} году не осталось ни одного рабочего дня: изменение не сохранено.")
            }
        }
    }
}

impl Refuse for CalendarError {
    fn refusal(&self) -> Refusal {
        Refusal::new(RefusalKind::Invalid, "calendar_invalid", self.message_ru())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::platform_default()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    // --- the data ---

    #[test]
    fn the_embedded_files_are_2024_to_2027_and_not_provisional() {
        let years: Vec<_> = cal()
            .known_years()
            .map(|y| (y.year(), y.is_provisional()))
            .collect();
        assert_eq!(
            years,
            vec![(2024, false), (2025, false), (2026, false), (2027, false)]
        );
        assert_eq!(cal().provisional_years(2026..=2027), Vec::<i32>::new());
    }

    #[test]
    fn the_2027_calendar_has_a_shortened_working_saturday_and_transferred_days_off() {
        let c = cal();
        // Saturday 20.02.2027 (t="2") works, shortened: 09:00–17:00; the day off it gave
        // moved to Monday 22.02, before the holiday of Tuesday 23.02.
        assert_eq!(date(2027, 2, 20).weekday(), Weekday::Sat);
        assert_eq!(c.day_kind(date(2027, 2, 20)), DayKind::Shortened);
        assert_eq!(c.hours_on(date(2027, 2, 20)), Some((hm(9, 0), hm(17, 0))));
        assert!(!c.is_working_day(date(2027, 2, 22)));
        assert!(!c.is_working_day(date(2027, 2, 23)));
        // Days off transferred from the January weekend: Friday 05.11 and Friday 31.12.
        for (m, d) in [(11, 5), (12, 31)] {
            assert_eq!(date(2027, m, d).weekday(), Weekday::Fri);
            assert_eq!(c.day_kind(date(2027, m, d)), DayKind::NonWorking, "{m}.{d}");
        }
        // Wednesday 03.11 is the shortened eve of Thursday 04.11.
        assert_eq!(c.hours_on(date(2027, 11, 3)), Some((hm(9, 0), hm(17, 0))));
        assert!(!c.is_working_day(date(2027, 11, 4)));
        assert!(c.is_working_day(date(2027, 11, 8)));
        // The decree's total: 247 working days, of which four are shortened.
        assert_eq!(c.year(2027).working_day_count(), 247);
        let open =
            c.working_duration_between(utc("2026-12-31T21:00:00Z"), utc("2027-12-31T21:00:00Z"));
        assert_eq!(open, Duration::hours(247 * 9 - 4));
    }

    #[test]
    fn every_embedded_file_parses_and_is_the_year_it_is_filed_under() {
        for (year, text) in OFFICIAL_RU {
            assert_eq!(YearCalendar::parse_xml(text).map(|y| y.year()), Ok(*year));
        }
    }

    #[test]
    fn working_day_counts_match_the_decrees() {
        // The published totals: 248 working days in 2024, 247 in 2025 and in 2026.
        let c = cal();
        assert_eq!(c.year(2024).working_day_count(), 248);
        assert_eq!(c.year(2025).working_day_count(), 247);
        assert_eq!(c.year(2026).working_day_count(), 247);
    }

    #[test]
    fn a_years_open_time_is_nine_hours_a_working_day_less_an_hour_per_shortened_day() {
        // 2025: 247 days × 9 h (09–18), minus 4 shortened days (03.07, 04.30, 06.11, 11.01).
        let c = cal();
        let open =
            c.working_duration_between(utc("2024-12-31T21:00:00Z"), utc("2025-12-31T21:00:00Z"));
        assert_eq!(open, Duration::hours(247 * 9 - 4));
    }

    #[test]
    fn the_new_year_holidays_2026_run_from_31_december_to_11_january() {
        let c = cal();
        assert!(c.is_working_day(date(2025, 12, 30)));
        // 31.12.2025 is a day off in 2025 (transferred from Sunday 05.01).
        assert_eq!(c.day_kind(date(2025, 12, 31)), DayKind::NonWorking);
        for d in 1..=11 {
            assert!(!c.is_working_day(date(2026, 1, d)), "2026-01-{d:02}");
        }
        // 09.01.2026 is the day off transferred from Saturday 03.01.
        assert_eq!(c.day_kind(date(2026, 1, 9)), DayKind::NonWorking);
        assert!(c.is_working_day(date(2026, 1, 12)));
    }

    #[test]
    fn transferred_days_off_do_not_work() {
        let c = cal();
        // Friday 02.05.2025 (from 04.01) and Thursday 08.05.2025 (from 23.02).
        assert!(!c.is_working_day(date(2025, 5, 2)));
        assert!(!c.is_working_day(date(2025, 5, 8)));
        assert!(c.is_working_day(date(2025, 5, 7)));
        // Monday 03.11.2025 (from Saturday 01.11).
        assert!(!c.is_working_day(date(2025, 11, 3)));
    }

    #[test]
    fn a_working_saturday_works_full_hours() {
        let c = cal();
        assert_eq!(c.day_kind(date(2024, 12, 28)), DayKind::WorkingWeekend);
        assert_eq!(c.hours_on(date(2024, 12, 28)), Some((hm(9, 0), hm(18, 0))));
        assert_eq!(c.hours_on(date(2024, 12, 21)), None);
    }

    #[test]
    fn a_shortened_saturday_works_and_closes_an_hour_early() {
        let c = cal();
        // 01.11.2025 is t="2" on a Saturday: it works, 09:00–17:00.
        assert_eq!(date(2025, 11, 1).weekday(), Weekday::Sat);
        assert!(c.is_working_day(date(2025, 11, 1)));
        assert_eq!(c.hours_on(date(2025, 11, 1)), Some((hm(9, 0), hm(17, 0))));
    }

    #[test]
    fn a_shortened_pre_holiday_day_closes_at_17() {
        let c = cal();
        assert_eq!(c.hours_on(date(2025, 3, 7)), Some((hm(9, 0), hm(17, 0))));
        assert_eq!(c.hours_on(date(2025, 3, 6)), Some((hm(9, 0), hm(18, 0))));
        // 17:30 MSK on the shortened day is closed; 16:59 is open.
        assert!(!c.is_open_at(utc("2025-03-07T14:30:00Z")));
        assert!(c.is_open_at(utc("2025-03-07T13:59:00Z")));
    }

    // --- statutory fallback ---

    #[test]
    fn a_year_without_a_file_falls_back_to_the_statutory_holidays_and_is_provisional() {
        let c = cal();
        assert!(c.is_provisional(2028));
        assert!(c.year(2028).is_provisional());
        assert_eq!(c.provisional_years(2024..=2028), vec![2028]);
        for d in 1..=8 {
            assert!(!c.is_working_day(date(2028, 1, d)), "2028-01-0{d}");
        }
        assert!(c.is_working_day(date(2028, 1, 10)));
        // No transfers are guessed: Wednesday 23.02.2028 is off, Thursday 24.02 works, and
        // Monday 08.05.2028, the eve of Tuesday's holiday, works full hours.
        assert!(!c.is_working_day(date(2028, 2, 23)));
        assert!(c.is_working_day(date(2028, 2, 24)));
        assert!(!c.is_working_day(date(2028, 3, 8)));
        assert!(!c.is_working_day(date(2028, 5, 9)));
        assert_eq!(c.hours_on(date(2028, 5, 8)), Some((hm(9, 0), hm(18, 0))));
    }

    #[test]
    fn statutory_lists_the_fourteen_art_112_days() {
        let y = YearCalendar::statutory(2030);
        assert_eq!(y.days().count(), 14);
        assert!(y.days().all(|(_, k)| k == DayKind::NonWorking));
        assert!(YearCalendar::parse_xml(OFFICIAL_RU[0].1).is_ok_and(|y| !y.is_provisional()));
    }

    #[test]
    fn statutory_for_an_absurd_year_is_empty_not_a_panic() {
        assert_eq!(YearCalendar::statutory(i32::MAX).days().count(), 0);
        assert_eq!(YearCalendar::statutory(i32::MAX).working_day_count(), 0);
    }

    // --- parsing ---

    fn parse(text: &str) -> Result<YearCalendar, CalendarError> {
        YearCalendar::parse_xml(text)
    }

    #[test]
    fn the_parser_reads_the_official_files() {
        let y = parse(OFFICIAL_RU[1].1).unwrap();
        assert_eq!(y.year(), 2025);
        assert_eq!(y.days().count(), 23);
        assert_eq!(y.kind(date(2025, 11, 1)), DayKind::Shortened);
        assert_eq!(y.kind(date(2025, 5, 2)), DayKind::NonWorking);
        assert_eq!(y.kind(date(2025, 5, 5)), DayKind::Ordinary);
    }

    #[test]
    fn the_parser_accepts_single_quotes_comments_and_a_bom() {
        let y = parse("\u{feff}<?xml version='1.0'?><!-- c --><calendar year='2025'><days><day t = '3' d='11.01' /></days></calendar>").unwrap();
        assert_eq!(y.kind(date(2025, 11, 1)), DayKind::WorkingWeekend);
    }

    #[test]
    fn garbage_xml_is_a_typed_error_never_a_panic() {
        let line = |e: CalendarError| match e {
            CalendarError::Malformed { line, .. } => line,
            other => panic!("expected Malformed, got {other:?}"),
        };
        assert_eq!(parse(""), Err(CalendarError::NoCalendar));
        assert_eq!(parse("not xml at all"), Err(CalendarError::NoCalendar));
        assert_eq!(parse("{\"year\": 2025}"), Err(CalendarError::NoCalendar));
        assert_eq!(
            line(parse("<calendar year=\"2025\">\n<day d=\"01.01\" t=\"1\"").unwrap_err()),
            2
        );
        assert_eq!(
            line(parse("<calendar year=\"2025\"><day d=\"01.01 t=1/>").unwrap_err()),
            1
        );
        assert_eq!(line(parse("<calendar year=2025>").unwrap_err()), 1);
        assert_eq!(line(parse("< calendar>").unwrap_err()), 1);
        assert_eq!(line(parse("<calendar year>").unwrap_err()), 1);
        assert_eq!(
            line(parse("<calendar year=\"2025\"><day d=\"01.01\" t=\"1\" «»/>").unwrap_err()),
            1
        );
        assert_eq!(line(parse("<!-- never closed").unwrap_err()), 1);
        assert_eq!(line(parse("<?xml").unwrap_err()), 1);
        assert_eq!(
            line(parse("<day d=\"01.01\" t=\"1\"/><calendar year=\"2025\">").unwrap_err()),
            1
        );
        assert_eq!(
            line(parse("<calendar year=\"2025\"/><calendar year=\"2026\"/>").unwrap_err()),
            1
        );
        assert!(matches!(
            parse("<calendar>"),
            Err(CalendarError::MissingAttribute {
                attribute: "year",
                ..
            })
        ));
        assert!(matches!(
            parse("<calendar year=\"двадцать\">"),
            Err(CalendarError::BadYear { .. })
        ));
        assert!(matches!(
            parse("<calendar year=\"99999999999\">"),
            Err(CalendarError::BadYear { .. })
        ));
        assert!(matches!(
            parse("<calendar year=\"-5\">"),
            Err(CalendarError::BadYear { .. })
        ));
    }

    #[test]
    fn bad_days_are_refused_with_their_line() {
        let doc =
            |day: &str| format!("<calendar year=\"2025\">\n<days>\n{day}\n</days></calendar>");
        let err = |day: &str| parse(&doc(day)).unwrap_err();
        assert_eq!(
            err("<day d=\"13.01\" t=\"1\"/>"),
            CalendarError::BadDate {
                line: 3,
                value: "13.01".into()
            }
        );
        assert_eq!(
            err("<day d=\"02.29\" t=\"1\"/>"),
            CalendarError::BadDate {
                line: 3,
                value: "02.29".into()
            }
        );
        assert_eq!(
            err("<day d=\"1.1\" t=\"1\"/>"),
            CalendarError::BadDate {
                line: 3,
                value: "1.1".into()
            }
        );
        assert_eq!(
            err("<day d=\"+1.01\" t=\"1\"/>"),
            CalendarError::BadDate {
                line: 3,
                value: "+1.01".into()
            }
        );
        assert_eq!(
            err("<day d=\"01.01\" t=\"7\"/>"),
            CalendarError::BadDayType {
                line: 3,
                value: "7".into()
            }
        );
        assert_eq!(
            err("<day d=\"01.01\"/>"),
            CalendarError::MissingAttribute {
                line: 3,
                element: "day",
                attribute: "t"
            }
        );
        assert_eq!(
            err("<day t=\"1\"/>"),
            CalendarError::MissingAttribute {
                line: 3,
                element: "day",
                attribute: "d"
            }
        );
        // A "working weekend" on a Wednesday.
        assert_eq!(
            err("<day d=\"01.15\" t=\"3\"/>"),
            CalendarError::BadDate {
                line: 3,
                value: "01.15".into()
            }
        );
        assert_eq!(
            err("<day d=\"01.01\" t=\"1\"/><day d=\"01.01\" t=\"2\"/>"),
            CalendarError::DuplicateDay {
                date: date(2025, 1, 1)
            }
        );
        for e in [err("<day d=\"13.01\" t=\"1\"/>"), parse("").unwrap_err()] {
            assert!(!e.message_ru().is_empty());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_parser() {
        let alphabet = [
            '<', '>', '/', '=', '"', '\'', '?', '!', '-', ' ', '\n', 'd', 'é', 'я', '1', '.',
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            let mut s = String::from("<calendar year=\"2025\">");
            for _ in 0..24 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let _ = parse(&s);
        }
    }

    // --- editing and JSON ---

    #[test]
    fn admin_edits_a_day_and_ordinary_removes_the_entry() {
        let mut y = YearCalendar::statutory(2027);
        y.set_day(date(2027, 12, 31), DayKind::NonWorking).unwrap();
        y.set_day(date(2027, 12, 30), DayKind::Shortened).unwrap();
        y.set_day(date(2027, 1, 8), DayKind::Ordinary).unwrap();
        assert_eq!(y.kind(date(2027, 12, 31)), DayKind::NonWorking);
        assert_eq!(y.kind(date(2027, 1, 8)), DayKind::Ordinary);
        assert!(y.is_working_day(date(2027, 1, 8)));
        assert!(y.is_provisional());
        y.set_provisional(false);
        let mut c = cal();
        c.set_year(y);
        assert!(!c.is_provisional(2027));
        assert_eq!(c.hours_on(date(2027, 12, 30)), Some((hm(9, 0), hm(17, 0))));
    }

    #[test]
    fn admin_edits_are_validated() {
        let mut y = YearCalendar::statutory(2027);
        assert_eq!(
            y.set_day(date(2026, 12, 31), DayKind::NonWorking),
            Err(CalendarError::DateOutsideYear {
                date: date(2026, 12, 31),
                year: 2027
            })
        );
        // Wednesday 06.01.2027 cannot become a "working weekend"; Saturday 09.01 can.
        assert_eq!(
            y.set_day(date(2027, 1, 6), DayKind::WorkingWeekend),
            Err(CalendarError::NotAWeekend {
                date: date(2027, 1, 6)
            })
        );
        assert_eq!(y.set_day(date(2027, 1, 9), DayKind::WorkingWeekend), Ok(()));
        assert!(y.is_working_day(date(2027, 1, 9)));
    }

    #[test]
    fn a_year_calendar_round_trips_through_json() {
        let y = cal().year(2025).into_owned();
        let json = serde_json::to_value(&y).unwrap();
        assert_eq!(json["year"], 2025);
        assert_eq!(json["provisional"], false);
        assert_eq!(json["days"]["2025-11-01"], "shortened");
        assert_eq!(json["days"]["2025-05-02"], "non_working");
        let back: YearCalendar = serde_json::from_value(json).unwrap();
        assert_eq!(back, y);
    }

    #[test]
    fn json_with_a_date_of_another_year_or_a_weekday_working_weekend_is_refused() {
        let bad = [
            r#"{"year": 2025, "days": {"2024-12-31": "non_working"}}"#,
            r#"{"year": 2025, "days": {"2025-01-15": "working_weekend"}}"#,
            r#"{"year": 2025, "days": {"2025-01-15": "holiday"}}"#,
        ];
        for text in bad {
            assert!(
                serde_json::from_str::<YearCalendar>(text).is_err(),
                "{text}"
            );
        }
        let ok: YearCalendar =
            serde_json::from_str(r#"{"year": 2025, "days": {"2025-01-15": "ordinary"}}"#).unwrap();
        assert_eq!(ok.days().count(), 0);
        assert!(!ok.is_provisional());
    }

    #[test]
    fn working_hours_are_checked_and_round_trip_through_json() {
        let h = WorkingHours::platform();
        assert_eq!(h.shortened_close(), hm(17, 0));
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(
            json,
            r#"{"open":"09:00:00","close":"18:00:00","shortened_by_minutes":60}"#
        );
        assert_eq!(serde_json::from_str::<WorkingHours>(&json).unwrap(), h);
        assert!(WorkingHours::new(hm(18, 0), hm(9, 0), Duration::zero()).is_err());
        assert!(WorkingHours::new(hm(9, 0), hm(10, 0), Duration::hours(1)).is_err());
        assert!(WorkingHours::new(hm(9, 0), hm(18, 0), Duration::hours(-1)).is_err());
        assert!(
            serde_json::from_str::<WorkingHours>(
                r#"{"open":"09:00:00","close":"18:00:00","shortened_by_minutes":-5}"#
            )
            .is_err()
        );
    }

    // --- arithmetic ---

    #[test]
    fn clamp_keeps_an_open_instant_and_moves_a_closed_one_to_the_next_opening() {
        let c = cal();
        // Tue 11.03.2025 10:00 MSK: open.
        assert_eq!(
            c.clamp_to_open(utc("2025-03-11T07:00:00Z")),
            utc("2025-03-11T07:00:00Z")
        );
        // 02:00 MSK the same night → 09:00 MSK.
        assert_eq!(
            c.clamp_to_open(utc("2025-03-10T23:00:00Z")),
            utc("2025-03-11T06:00:00Z")
        );
        // 18:00 MSK sharp is closed → next morning 09:00 MSK.
        assert_eq!(
            c.clamp_to_open(utc("2025-03-11T15:00:00Z")),
            utc("2025-03-12T06:00:00Z")
        );
        // Saturday 15.03.2025 12:00 MSK → Monday 17.03 09:00 MSK.
        assert_eq!(
            c.clamp_to_open(utc("2025-03-15T09:00:00Z")),
            utc("2025-03-17T06:00:00Z")
        );
        // Shortened Friday 07.03.2025 17:30 MSK → Monday 10.03 09:00 MSK (08.03 holiday, 09.03 Sunday).
        assert_eq!(
            c.clamp_to_open(utc("2025-03-07T14:30:00Z")),
            utc("2025-03-10T06:00:00Z")
        );
    }

    #[test]
    fn working_hours_consume_open_time_across_the_weekend() {
        let c = cal();
        // Fri 14.03.2025 17:30 MSK + 3 h: 30 min on Friday, 2 h 30 on Monday → Mon 11:30 MSK.
        assert_eq!(
            c.add_working_duration(utc("2025-03-14T14:30:00Z"), Duration::hours(3)),
            utc("2025-03-17T08:30:00Z")
        );
        // Ending exactly at closing stays at closing: Tue 15:00 + 3 h → Tue 18:00 MSK.
        assert_eq!(
            c.add_working_duration(utc("2025-03-11T12:00:00Z"), Duration::hours(3)),
            utc("2025-03-11T15:00:00Z")
        );
        assert_eq!(
            c.add_working_duration(utc("2025-03-15T09:00:00Z"), Duration::zero()),
            utc("2025-03-15T09:00:00Z")
        );
    }

    #[test]
    fn working_days_keep_the_time_of_day() {
        let c = cal();
        // Tue 11.03.2025 10:15 MSK + 3 working days → Fri 14.03 10:15 MSK.
        assert_eq!(
            c.add_working_days(utc("2025-03-11T07:15:00Z"), 3),
            utc("2025-03-14T07:15:00Z")
        );
        // Fri 14.03.2025 17:30 MSK + 3 → Wed 19.03 17:30 MSK.
        assert_eq!(
            c.add_working_days(utc("2025-03-14T14:30:00Z"), 3),
            utc("2025-03-19T14:30:00Z")
        );
        // Zero days: the clamped start.
        assert_eq!(
            c.add_working_days(utc("2025-03-15T09:00:00Z"), 0),
            utc("2025-03-17T06:00:00Z")
        );
    }

    #[test]
    fn working_days_landing_past_a_shortened_close_move_to_the_next_opening() {
        let c = cal();
        // Tue 04.03.2025 17:30 MSK + 3 working days → Fri 07.03 17:30, but 07.03 closes at 17:00
        // → next opening Mon 10.03 09:00 MSK.
        assert_eq!(
            c.add_working_days(utc("2025-03-04T14:30:00Z"), 3),
            utc("2025-03-10T06:00:00Z")
        );
    }

    #[test]
    fn working_duration_between_counts_only_open_time() {
        let c = cal();
        // Fri 14.03.2025 17:30 → Mon 17.03 11:30 MSK: 3 h.
        assert_eq!(
            c.working_duration_between(utc("2025-03-14T14:30:00Z"), utc("2025-03-17T08:30:00Z")),
            Duration::hours(3)
        );
        // Over the May holidays 2025: Wed 30.04 (shortened) 16:00 → Mon 05.05 10:00 MSK: 1 h + 1 h.
        assert_eq!(
            c.working_duration_between(utc("2025-04-30T13:00:00Z"), utc("2025-05-05T07:00:00Z")),
            Duration::hours(2)
        );
        assert_eq!(
            c.working_duration_between(utc("2025-05-05T07:00:00Z"), utc("2025-04-30T13:00:00Z")),
            Duration::zero()
        );
    }

    #[test]
    fn adding_open_time_and_measuring_it_agree_everywhere_in_2024_to_2027() {
        // A deterministic sweep: every 7 h 13 min from 2024 to 2027, durations up to 40 h.
        let c = cal();
        let mut t = utc("2023-12-25T00:00:00Z");
        let mut minutes = 1;
        while t < utc("2028-01-10T00:00:00Z") {
            let d = Duration::minutes(minutes);
            let due = c.add_working_duration(t, d);
            assert_eq!(
                c.working_duration_between(t, due),
                d,
                "start {t}, {minutes} min"
            );
            // The due time is the earliest such instant: just before it, less has passed.
            assert!(c.working_duration_between(t, due - Duration::seconds(1)) < d);
            let opened = c.clamp_to_open(t);
            assert!(
                c.is_open_at(opened) && c.working_duration_between(t, opened) == Duration::zero()
            );
            let days = c.add_working_days(t, 3);
            assert!(
                c.is_open_at(days),
                "{t} + 3 working days = {days} is not open"
            );
            t += Duration::minutes(7 * 60 + 13);
            minutes = (minutes * 7 + 11) % 2400 + 1;
        }
    }

    #[test]
    fn a_calendar_without_working_days_saturates_instead_of_looping() {
        let mut closed = Vec::new();
        for y in 2030..=2034 {
            let mut yc = YearCalendar::statutory(y);
            let first = date(y, 1, 1);
            for d in first.iter_days().take_while(|d| d.year() == y) {
                yc.set_day(d, DayKind::NonWorking).unwrap();
            }
            assert_eq!(yc.working_day_count(), 0);
            closed.push(yc);
        }
        let c = WorkingCalendar::new(closed, WorkingHours::platform());
        let start = utc("2030-01-10T07:00:00Z");
        let end = start + Duration::days(SEARCH_HORIZON_DAYS);
        assert_eq!(c.clamp_to_open(start), end);
        assert_eq!(c.add_working_duration(start, Duration::hours(3)), end);
        assert_eq!(c.add_working_days(start, 3), end);
        assert_eq!(c.working_duration_between(start, end), Duration::zero());
        // Near the end of time nothing overflows.
        let last = DateTime::<Utc>::MAX_UTC - Duration::days(2);
        assert!(cal().add_working_duration(last, Duration::hours(100)) <= DateTime::<Utc>::MAX_UTC);
        assert!(cal().add_working_days(last, 100) <= DateTime::<Utc>::MAX_UTC);
        assert!(cal().clamp_to_open(DateTime::<Utc>::MAX_UTC) <= DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn day_kind_codes_round_trip() {
        for k in DayKind::ALL {
            assert_eq!(DayKind::from_code(k.code()), Some(k));
            assert!(!k.label().is_empty());
        }
        assert_eq!(DayKind::from_code("holiday"), None);
    }

    #[test]
    fn every_calendar_refusal_is_invalid_calendar() {
        use crate::kernel::{RefusalKind, Refuse};
        let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let cases = [
            CalendarError::Malformed {
                line: 1,
                reason: "x",
            },
            CalendarError::NoCalendar,
            CalendarError::BadYear {
                line: 1,
                value: "x".into(),
            },
            CalendarError::MissingAttribute {
                line: 1,
                element: "day",
                attribute: "d",
            },
            CalendarError::BadDate {
                line: 1,
                value: "x".into(),
            },
            CalendarError::BadDayType {
                line: 1,
                value: "x".into(),
            },
            CalendarError::DuplicateDay { date: d },
            CalendarError::DateOutsideYear {
                date: d,
                year: 2025,
            },
            CalendarError::NotAWeekend { date: d },
            CalendarError::BadWorkingHours { reason: "x" },
            CalendarError::YearMismatch {
                expected: 2026,
                found: 2025,
            },
            CalendarError::NoWorkingDays { year: 2026 },
        ];
        for e in cases {
            let r = e.refusal();
            assert_eq!(
                (r.kind, r.code, r.message.as_str()),
                (
                    RefusalKind::Invalid,
                    "calendar_invalid",
                    e.message_ru().as_str()
                ),
                "{e:?}"
            );
            assert!(r.fields.is_empty());
        }
        assert!(
            CalendarError::NoCalendar
                .refusal()
                .message
                .contains("производственный календарь")
        );
    }
}

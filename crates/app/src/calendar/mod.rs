//! The platform's working calendar as the app uses it (SPEC §2.3): loaded from the store
//! for each use case that counts working time, seeded from the official files, and edited
//! by the admin — after which every running reaction period is counted again.
//!
//! Each instance keeps the calendar it read for at most a minute ([`crate::kernel::fresh`]):
//! nearly every ticket request counts working time, and reading the calendar's items for
//! each of them was one of a move's five round trips (issue #12). An admin's edit is seen
//! at once on the instance that made it (its copy is dropped before the recount) and on
//! the others within that minute: a ticket filed or moved there meanwhile is counted in
//! the calendar before the edit, and keeps that due time until its next move, recount or
//! SLA check — a change of the calendar is a rare, planned act (a year's decree, a
//! transferred holiday) made well ahead of the days it changes.

pub mod api;
pub mod portal;
pub mod routes;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use dealerdesk_domain::{
    Actor, CalendarError, DayKind, Role, ValidationError, WorkingCalendar, WorkingHours,
    YearCalendar,
};
use dealerdesk_store::{
    CalendarRepo, CalendarSource, CalendarYearRecord, QueueRepo, StoreError, StoredCalendar,
    TicketRepo, WorkingHoursRecord,
};

/// Years an admin may keep a calendar for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Where the effective calendar of a year comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YearSource {
    /// The official production calendar (stored, or still only embedded in the binary).
    Official,
    /// Entered or edited by an admin.
    Admin,
    /// Nobody has published it: the Labour Code's holidays without transfers (provisional).
    Statutory,
}

impl YearSource {
    /// The API code.
    pub fn code(self) -> &'static str {
        match self {
            YearSource::Official => "official",
            YearSource::Admin => "admin",
            YearSource::Statutory => "statutory",
        }
    }

    /// The admin UI's words.
    pub fn label(self) -> &'static str {
        match self {
            YearSource::Official => "официальный производственный календарь",
            YearSource::Admin => "изменён администратором",
            YearSource::Statutory => "только праздники по ТК РФ (ст. 112), без переносов",
        }
    }
}

/// One year as the admin sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct YearView {
    /// The calendar the SLA is counted in for this year.
    pub calendar: YearCalendar,
    pub source: YearSource,
    /// The stored version; `0` when the year is not stored (embedded file or statutory).
    pub version: u64,
    pub updated_at: Option<DateTime<Utc>>,
}

impl YearView {
    /// The year.
    pub fn year(&self) -> i32 {
        self.calendar.year()
    }

    /// Provisional: counted from the statutory holidays or marked so by the admin.
    pub fn provisional(&self) -> bool {
        self.calendar.is_provisional()
    }
}

/// The working hours as the admin sees them.
#[derive(Clone, Debug, PartialEq)]
pub struct HoursView {
    pub hours: WorkingHours,
    /// The platform's zone, always Moscow: shown so the hours read unambiguously, never
    /// edited.
    pub tz: Tz,
    /// `0` while the platform defaults have not been stored.
    pub version: u64,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The whole calendar for the admin overview.
#[derive(Clone, Debug, PartialEq)]
pub struct Overview {
    pub years: Vec<YearView>,
    pub hours: HoursView,
}

/// What an admin's change did.
#[derive(Clone, Debug, PartialEq)]
pub struct Changed<T> {
    pub view: T,
    /// Open tickets whose running due time moved.
    pub recounted: usize,
}

/// The effective calendar: the embedded official years and the platform hours, overridden
/// by whatever the store holds. The zone is always the platform's (Moscow): it is not data.
fn effective(stored: &StoredCalendar) -> Result<WorkingCalendar, AppError> {
    let default = WorkingCalendar::platform_default();
    let hours = stored.hours.as_ref().map_or(default.hours(), |h| h.hours);
    let mut calendar = WorkingCalendar::new(default.known_years().cloned(), hours);
    for record in &stored.years {
        calendar.set_year(record.calendar.clone());
    }
    Ok(calendar)
}

/// The platform calendar for a use case that counts working time: this instance's copy if
/// it was read less than a minute ago, else one Query. The current and the next year being
/// provisional is logged on every read from the table, so it cannot go unnoticed.
pub async fn load(state: &AppState) -> Result<WorkingCalendar, AppError> {
    if let Some(calendar) = state.calendar.get(&()) {
        return Ok(calendar);
    }
    let stored = state.store.platform_calendar().await?;
    let calendar = effective(&stored)?;
    let this_year = calendar.local_date(state.clock.now()).year();
    let provisional = calendar.provisional_years(this_year..=this_year + 1);
    if !provisional.is_empty() {
        tracing::warn!(
            years = ?provisional,
            "working calendar is provisional (statutory holidays only, no transfers): an admin should enter the production calendar"
        );
    }
    state.calendar.put((), calendar.clone());
    Ok(calendar)
}

/// Drops this instance's copy after a write to the calendar, so what follows here (the
/// recount, the next ticket) counts in the calendar as stored.
fn forget(state: &AppState) {
    state.calendar.evict(&());
}

/// Stores the embedded official years and the platform hours that the store does not hold
/// yet, so the admin edits items with versions. Idempotent: a second run (or a racing
/// instance) writes nothing. Returns how many items it wrote.
pub async fn seed(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let stored = state.store.platform_calendar().await?;
    let mut written = 0;
    for calendar in YearCalendar::official_ru() {
        if stored
            .years
            .iter()
            .any(|y| y.calendar.year() == calendar.year())
        {
            continue;
        }
        let record = CalendarYearRecord {
            calendar,
            source: CalendarSource::Official,
            version: 1,
            updated_at: now,
            updated_by: None,
        };
        let put = state.store.put_calendar_year(&record, 0).await;
        forget(state);
        match put {
            Ok(()) => written += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if stored.hours.is_none() {
        let default = WorkingCalendar::platform_default();
        let record = WorkingHoursRecord {
            hours: default.hours(),
            version: 1,
            updated_at: now,
            updated_by: None,
        };
        let put = state.store.put_working_hours(&record, 0).await;
        forget(state);
        match put {
            Ok(()) => written += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(written)
}

/// Refuses everyone but the platform admin (403): handlers call it before reading a body,
/// so a dealer learns nothing from a validation error.
pub fn ensure_admin(actor: &Actor) -> Result<(), AppError> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

fn year_view(stored: &StoredCalendar, calendar: &WorkingCalendar, year: i32) -> YearView {
    match stored.years.iter().find(|y| y.calendar.year() == year) {
        Some(record) => YearView {
            calendar: record.calendar.clone(),
            source: match record.source {
                CalendarSource::Official => YearSource::Official,
                CalendarSource::Admin => YearSource::Admin,
            },
            version: record.version,
            updated_at: Some(record.updated_at),
        },
        None => {
            let effective = calendar.year(year).into_owned();
            let source = if effective.is_provisional() {
                YearSource::Statutory
            } else {
                YearSource::Official
            };
            YearView {
                calendar: effective,
                source,
                version: 0,
                updated_at: None,
            }
        }
    }
}

fn hours_view(stored: &StoredCalendar, calendar: &WorkingCalendar) -> HoursView {
    HoursView {
        hours: calendar.hours(),
        tz: calendar.tz(),
        version: stored.hours.as_ref().map_or(0, |h| h.version),
        updated_at: stored.hours.as_ref().map(|h| h.updated_at),
    }
}

/// Every year with data, plus this year and the next (provisional when unpublished), and
/// the hours. Admin only.
pub async fn overview(state: &AppState, actor: &Actor) -> Result<Overview, AppError> {
    ensure_admin(actor)?;
    let stored = state.store.platform_calendar().await?;
    let calendar = effective(&stored)?;
    let this_year = calendar.local_date(state.clock.now()).year();
    let mut years: Vec<i32> = calendar.known_years().map(YearCalendar::year).collect();
    years.extend([this_year, this_year + 1]);
    years.sort_unstable();
    years.dedup();
    Ok(Overview {
        years: years
            .into_iter()
            .map(|y| year_view(&stored, &calendar, y))
            .collect(),
        hours: hours_view(&stored, &calendar),
    })
}

fn check_year(year: i32) -> Result<(), AppError> {
    if YEARS.contains(&year) {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

/// One year. Admin only; a year outside [`YEARS`] is 404.
pub async fn year(state: &AppState, actor: &Actor, year: i32) -> Result<YearView, AppError> {
    ensure_admin(actor)?;
    check_year(year)?;
    let stored = state.store.platform_calendar().await?;
    Ok(year_view(&stored, &effective(&stored)?, year))
}

/// The working hours. Admin only.
pub async fn hours(state: &AppState, actor: &Actor) -> Result<HoursView, AppError> {
    ensure_admin(actor)?;
    let stored = state.store.platform_calendar().await?;
    Ok(hours_view(&stored, &effective(&stored)?))
}

/// Replaces a year's calendar (the admin's JSON or an uploaded decree), against the version
/// the admin saw; then counts every running reaction period again. Admin only.
pub async fn put_year(
    state: &AppState,
    actor: &Actor,
    calendar: YearCalendar,
    seen_version: u64,
) -> Result<Changed<YearView>, AppError> {
    ensure_admin(actor)?;
    check_year(calendar.year())?;
    if calendar.working_day_count() == 0 {
        return Err(CalendarError::NoWorkingDays {
            year: calendar.year(),
        }
        .into());
    }
    let stored = state.store.platform_calendar().await?;
    let current = year_view(&stored, &effective(&stored)?, calendar.year());
    if current.version != seen_version {
        return Err(AppError::stale(dealerdesk_store::Entity::Calendar));
    }
    let now = state.clock.now();
    let record = CalendarYearRecord {
        calendar,
        source: CalendarSource::Admin,
        version: seen_version + 1,
        updated_at: now,
        updated_by: Some(actor.user_id.clone()),
    };
    let put = state.store.put_calendar_year(&record, seen_version).await;
    forget(state);
    put?;
    tracing::info!(year = record.calendar.year(), version = record.version, by = %actor.user_id, "calendar year changed");
    let recounted = recount_open_tickets(state).await?;
    let stored = state.store.platform_calendar().await?;
    let view = year_view(&stored, &effective(&stored)?, record.calendar.year());
    Ok(Changed { view, recounted })
}

/// The portal's edit: one day of a year set to `kind` (`ordinary` removes the entry),
/// keeping the year's other days and its provisional flag.
pub async fn set_day(
    state: &AppState,
    actor: &Actor,
    date: NaiveDate,
    kind: DayKind,
    seen_version: u64,
) -> Result<Changed<YearView>, AppError> {
    ensure_admin(actor)?;
    let current = year(state, actor, date.year()).await?;
    let mut calendar = current.calendar;
    calendar.set_day(date, kind)?;
    put_year(state, actor, calendar, seen_version).await
}

/// Replaces the working hours (Moscow time; the zone is not the admin's to change) against
/// the version the admin saw; then counts every running reaction period again. Admin only.
pub async fn put_hours(
    state: &AppState,
    actor: &Actor,
    hours: WorkingHours,
    seen_version: u64,
) -> Result<Changed<HoursView>, AppError> {
    ensure_admin(actor)?;
    let stored = state.store.platform_calendar().await?;
    let current = hours_view(&stored, &effective(&stored)?);
    if current.version != seen_version {
        return Err(AppError::stale(dealerdesk_store::Entity::Calendar));
    }
    let record = WorkingHoursRecord {
        hours,
        version: seen_version + 1,
        updated_at: state.clock.now(),
        updated_by: Some(actor.user_id.clone()),
    };
    let put = state.store.put_working_hours(&record, seen_version).await;
    forget(state);
    put?;
    tracing::info!(version = record.version, by = %actor.user_id, "working hours changed");
    let recounted = recount_open_tickets(state).await?;
    let stored = state.store.platform_calendar().await?;
    Ok(Changed {
        view: hours_view(&stored, &effective(&stored)?),
        recounted,
    })
}

/// How often a recount retries a ticket that moved under it.
const RECOUNT_ATTEMPTS: usize = 3;

/// Counts the running reaction period of every open ticket again in the current calendar
/// (after an admin's edit): a day made non-working moves the due times across it. A ticket
/// that changes meanwhile is read again; its own move already used the new calendar if it
/// came after the edit. Returns how many tickets moved.
pub async fn recount_open_tickets(state: &AppState) -> Result<usize, AppError> {
    let calendar = load(state).await?;
    let mut moved = 0;
    for ticket in state.store.open_tickets().await? {
        let mut current = ticket;
        for attempt in 1..=RECOUNT_ATTEMPTS {
            let Some(recounted) = current.recount_sla(&calendar) else {
                break;
            };
            match state.store.save_ticket(&current, &recounted, &[]).await {
                Ok(()) => {
                    moved += 1;
                    break;
                }
                Err(StoreError::Conflict { .. }) if attempt < RECOUNT_ATTEMPTS => {
                    match state.store.ticket(&current.id).await? {
                        Some(fresh) => current = fresh,
                        None => break,
                    }
                }
                Err(StoreError::Conflict { .. }) => {
                    tracing::warn!(ticket = %current.id, "due time not recounted: the ticket kept changing");
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(moved)
}

/// Parses a validated day map of the admin API: `{"2027-01-01": "non_working", …}` for
/// `year`. Every unreadable date or kind is reported at once; the domain's own rules (a
/// date of another year, a weekday made a working weekend) follow as a [`CalendarError`].
pub fn year_from_days<'a>(
    year: i32,
    provisional: bool,
    days: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<YearCalendar, AppError> {
    let mut calendar = YearCalendar::new(year);
    calendar.set_provisional(provisional);
    let mut parsed = Vec::new();
    let mut errors = Vec::new();
    for (date, kind) in days {
        let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok();
        let k = DayKind::from_code(kind);
        if d.is_none() {
            errors.push(format!(
                "Неверная дата «{date}»: нужна дата вида {year}-01-01."
            ));
        }
        if k.is_none() {
            errors.push(format!(
                "Неизвестный тип дня «{kind}» ({date}): допустимы ordinary, non_working, shortened, working_weekend."
            ));
        }
        if let (Some(d), Some(k)) = (d, k) {
            parsed.push((d, k));
        }
    }
    if !errors.is_empty() {
        return Err(ValidationError {
            errors: errors
                .into_iter()
                .map(|message| dealerdesk_domain::error::FieldError {
                    field: "days",
                    message,
                })
                .collect(),
        }
        .into());
    }
    for (date, kind) in parsed {
        calendar.set_day(date, kind)?;
    }
    Ok(calendar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_map_becomes_a_year_and_bad_entries_are_all_reported_in_russian() {
        let y = year_from_days(
            2027,
            false,
            [
                ("2027-01-01", "non_working"),
                ("2027-01-09", "working_weekend"),
            ],
        )
        .unwrap();
        assert_eq!(
            y.kind(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
            DayKind::NonWorking
        );
        assert!(!y.is_provisional());

        let err = year_from_days(
            2027,
            false,
            [("01.01.2027", "holiday"), ("2027-02-30", "shortened")],
        )
        .unwrap_err();
        assert_eq!(err.status(), axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err.field_errors().len(), 3, "{err:?}");
        assert!(err.message_ru().contains("Неизвестный тип дня «holiday»"));

        let err = year_from_days(2027, false, [("2026-12-31", "non_working")]).unwrap_err();
        assert_eq!(err.code(), "calendar_invalid");
        let err = year_from_days(2027, false, [("2027-01-11", "working_weekend")]).unwrap_err();
        assert!(err.message_ru().contains("не суббота"));
    }

    #[test]
    fn the_effective_calendar_is_the_files_overridden_by_the_store() {
        let empty = effective(&StoredCalendar::default()).unwrap();
        assert_eq!(empty, WorkingCalendar::platform_default());

        let mut y2026 = YearCalendar::official_ru()
            .into_iter()
            .find(|y| y.year() == 2026)
            .unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        y2026.set_day(day, DayKind::NonWorking).unwrap();
        let stored = StoredCalendar {
            years: vec![CalendarYearRecord {
                calendar: y2026,
                source: CalendarSource::Admin,
                version: 2,
                updated_at: Utc::now(),
                updated_by: None,
            }],
            hours: Some(WorkingHoursRecord {
                hours: WorkingHours::platform(),
                version: 1,
                updated_at: Utc::now(),
                updated_by: None,
            }),
        };
        let c = effective(&stored).unwrap();
        assert!(!c.is_working_day(day));
        assert!(!c.is_provisional(2024), "the other files stay");
        assert_eq!(c.tz(), chrono_tz::Europe::Moscow, "the one platform zone");

        let view = year_view(&stored, &c, 2027);
        assert_eq!(
            (view.source, view.version, view.provisional()),
            (YearSource::Official, 0, false),
            "the official 2027 file"
        );
        let view = year_view(&stored, &c, 2028);
        assert_eq!(
            (view.source, view.version, view.provisional()),
            (YearSource::Statutory, 0, true)
        );
        let view = year_view(&stored, &c, 2025);
        assert_eq!(
            (view.source, view.version, view.provisional()),
            (YearSource::Official, 0, false)
        );
    }
}

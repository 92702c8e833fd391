//! The admin's calendar page in the portal (`/admin/calendars`): the years with a
//! «предварительный» flag where only the statutory holidays are known, a colour-coded month
//! grid of one year, a form to change one day, the upload of an official XML file, and the
//! working hours. Admin only; everyone else gets the 403 page.

use crate::AppState;
use crate::calendar::api::{check_time_zone, hours_from_fields, year_from_xml};
use crate::calendar::{self, YearView};
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::form;
use crate::kernel::ids::IdPath;
use crate::kernel::templates::{error_page, render, serde_value};
use crate::kernel::time::local;
use axum::body::Bytes;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate, Weekday};
use dealerdesk_domain::{DayKind, ValidationError};
use minijinja::context;
use serde::{Deserialize, Serialize};

/// Adds the page's template.
pub fn add_templates(sources: &mut crate::kernel::templates::Sources) {
    crate::kernel::templates::add(
        sources,
        "admin_calendars.html",
        include_str!("../../templates/admin_calendars.html"),
    );
}

/// One cell of the month grid.
#[derive(Serialize)]
struct Cell {
    day: u32,
    date: String,
    /// `working`, `weekend`, `non_working`, `shortened`, `working_weekend`.
    class: &'static str,
    title: &'static str,
}

#[derive(Serialize)]
struct Month {
    name: &'static str,
    /// Weeks Monday to Sunday; `None` pads the first and last week.
    weeks: Vec<Vec<Option<Cell>>>,
}

fn cell(view: &YearView, date: NaiveDate) -> Cell {
    let kind = view.calendar.kind(date);
    let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
    let (class, title) = match kind {
        DayKind::Ordinary if weekend => ("weekend", "Выходной"),
        DayKind::Ordinary => ("working", "Рабочий день, 09:00–18:00"),
        DayKind::NonWorking => ("non_working", DayKind::NonWorking.label()),
        DayKind::Shortened => ("shortened", DayKind::Shortened.label()),
        DayKind::WorkingWeekend => ("working_weekend", DayKind::WorkingWeekend.label()),
    };
    Cell {
        day: date.day(),
        date: date.format("%Y-%m-%d").to_string(),
        class,
        title,
    }
}

fn months(view: &YearView) -> Vec<Month> {
    let year = view.year();
    (1..=12u32)
        .filter_map(|m| {
            let first = NaiveDate::from_ymd_opt(year, m, 1)?;
            let mut weeks = Vec::new();
            let mut week: Vec<Option<Cell>> = (0..first.weekday().num_days_from_monday())
                .map(|_| None)
                .collect();
            for date in first.iter_days().take_while(|d| d.month() == m) {
                week.push(Some(cell(view, date)));
                if week.len() == 7 {
                    weeks.push(std::mem::take(&mut week));
                }
            }
            if !week.is_empty() {
                week.resize_with(7, || None);
                weeks.push(week);
            }
            Some(Month {
                name: dealerdesk_domain::calendar::month_name(m),
                weeks,
            })
        })
        .collect()
}

#[derive(Deserialize, Default)]
struct PageQuery {
    year: Option<String>,
    saved: Option<String>,
    recounted: Option<usize>,
}

async fn page(
    state: &AppState,
    caller: &PortalCaller,
    year: Option<i32>,
    status: StatusCode,
    message: Option<String>,
    error: Option<&AppError>,
) -> Response {
    let result = async {
        let overview = calendar::overview(state, &caller.principal.actor).await?;
        let this_year = state.clock.now().year();
        let year = year.unwrap_or(this_year);
        let selected = match overview.years.iter().find(|y| y.year() == year) {
            Some(v) => v.clone(),
            None => calendar::year(state, &caller.principal.actor, year).await?,
        };
        let years: Vec<_> = overview
            .years
            .iter()
            .map(|y| context! { year => y.year(), provisional => y.provisional(), active => y.year() == year })
            .collect();
        let kinds: Vec<_> = DayKind::ALL
            .iter()
            .map(|k| context! { code => k.code(), label => k.label() })
            .collect();
        let hours = &overview.hours;
        Ok::<_, AppError>(context! {
            me => caller.layout(),
            years => years,
            year => context! {
                year => selected.year(),
                provisional => selected.provisional(),
                source => selected.source.code(),
                source_label => selected.source.label(),
                version => selected.version,
                working_days => selected.calendar.working_day_count(),
                updated_local => selected.updated_at.map(local),
                prev => selected.year() - 1,
                next => selected.year() + 1,
            },
            months => serde_value(months(&selected)),
            kinds => kinds,
            hours => context! {
                open => hours.hours.open().format("%H:%M").to_string(),
                close => hours.hours.close().format("%H:%M").to_string(),
                shortened_by_minutes => hours.hours.shortened_by().num_minutes(),
                time_zone => hours.tz.name(),
                version => hours.version,
            },
            message => message,
            error => error.map(AppError::message_ru),
        })
    }
    .await;
    match result {
        Ok(ctx) => render(state, status, "admin_calendars.html", ctx),
        Err(e) => error_page(state, Some(caller), &e),
    }
}

fn saved_message(q: &PageQuery) -> Option<String> {
    let what = match q.saved.as_deref()? {
        "day" => "День изменён.",
        "xml" => "Календарь года загружен из файла.",
        "hours" => "Часы работы изменены.",
        _ => return None,
    };
    let recounted = q.recounted.unwrap_or(0);
    Some(if recounted > 0 {
        format!("{what} Сроки реакции пересчитаны у открытых обращений: {recounted}.")
    } else {
        what.to_string()
    })
}

/// `GET /admin/calendars[?year=2027]`
pub async fn calendars(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(e) = calendar::ensure_admin(&caller.principal.actor) {
        return error_page(&state, Some(&caller), &e);
    }
    let q: PageQuery =
        serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let year = match q.year.as_deref().map(str::parse::<i32>) {
        None => None,
        Some(Ok(y)) => Some(y),
        Some(Err(_)) => return error_page(&state, Some(&caller), &AppError::not_found()),
    };
    page(
        &state,
        &caller,
        year,
        StatusCode::OK,
        saved_message(&q),
        None,
    )
    .await
}

fn saved(year: i32, what: &str, recounted: usize) -> Response {
    Redirect::to(&format!(
        "/admin/calendars?year={year}&saved={what}&recounted={recounted}"
    ))
    .into_response()
}

fn bad_form() -> AppError {
    AppError::bad_request("bad_form", "Форма заполнена некорректно.")
}

fn version_field(raw: Option<&str>) -> Result<u64, AppError> {
    raw.and_then(|v| v.parse().ok()).ok_or_else(bad_form)
}

/// `POST /admin/calendars/{year}/days`: one day's kind.
pub async fn set_day(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(year): IdPath<String>,
    body: Bytes,
) -> Response {
    let actor = &caller.principal.actor;
    if let Err(e) = calendar::ensure_admin(actor) {
        return error_page(&state, Some(&caller), &e);
    }
    let Ok(year) = year.parse::<i32>() else {
        return error_page(&state, Some(&caller), &AppError::not_found());
    };
    let fields = form(&body);
    if let Err(e) = caller
        .principal
        .check_csrf(fields.get("csrf").map(String::as_str))
    {
        return error_page(&state, Some(&caller), &e);
    }
    let result = async {
        let version = version_field(fields.get("version").map(String::as_str))?;
        let date = fields
            .get("date")
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .ok_or_else(|| ValidationError::field("date", "Выберите дату."))?;
        if date.year() != year {
            return Err(dealerdesk_domain::CalendarError::DateOutsideYear { date, year }.into());
        }
        let kind = fields
            .get("kind")
            .and_then(|k| DayKind::from_code(k))
            .ok_or_else(|| ValidationError::field("kind", "Выберите тип дня."))?;
        calendar::set_day(&state, actor, date, kind, version).await
    }
    .await;
    match result {
        Ok(changed) => saved(year, "day", changed.recounted),
        Err(e) => page(&state, &caller, Some(year), e.status(), None, Some(&e)).await,
    }
}

/// `POST /admin/calendars/{year}/xml`: the official file of the year (multipart upload).
pub async fn upload_xml(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(year): IdPath<String>,
    mut multipart: Multipart,
) -> Response {
    let actor = &caller.principal.actor;
    if let Err(e) = calendar::ensure_admin(actor) {
        return error_page(&state, Some(&caller), &e);
    }
    let Ok(year) = year.parse::<i32>() else {
        return error_page(&state, Some(&caller), &AppError::not_found());
    };
    let mut csrf = None;
    let mut version = None;
    let mut file: Option<Bytes> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let Ok(bytes) = field.bytes().await else {
                    return error_page(&state, Some(&caller), &bad_form());
                };
                match name.as_str() {
                    "csrf" => csrf = Some(String::from_utf8_lossy(&bytes).into_owned()),
                    "version" => version = Some(String::from_utf8_lossy(&bytes).into_owned()),
                    "file" => file = Some(bytes),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => return error_page(&state, Some(&caller), &bad_form()),
        }
    }
    if let Err(e) = caller.principal.check_csrf(csrf.as_deref()) {
        return error_page(&state, Some(&caller), &e);
    }
    let result = async {
        let version = version_field(version.as_deref())?;
        let file = file
            .filter(|f| !f.is_empty())
            .ok_or_else(|| ValidationError::field("file", "Выберите файл календаря (XML)."))?;
        let calendar = year_from_xml(year, &file)?;
        calendar::put_year(&state, actor, calendar, version).await
    }
    .await;
    match result {
        Ok(changed) => saved(year, "xml", changed.recounted),
        Err(e) => page(&state, &caller, Some(year), e.status(), None, Some(&e)).await,
    }
}

/// `POST /admin/calendars/hours`: opening and closing time and the shortening, in Moscow
/// time (the zone is the platform's, not a field; a stale form's other zone is refused).
pub async fn set_hours(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let actor = &caller.principal.actor;
    if let Err(e) = calendar::ensure_admin(actor) {
        return error_page(&state, Some(&caller), &e);
    }
    let fields = form(&body);
    if let Err(e) = caller
        .principal
        .check_csrf(fields.get("csrf").map(String::as_str))
    {
        return error_page(&state, Some(&caller), &e);
    }
    let year = serde_urlencoded::from_str::<PageQuery>(query.as_deref().unwrap_or(""))
        .ok()
        .and_then(|q| q.year)
        .and_then(|y| y.parse().ok());
    let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    let result = async {
        let version = version_field(fields.get("version").map(String::as_str))?;
        check_time_zone(fields.get("time_zone").map(String::as_str))?;
        let shortened = get("shortened_by_minutes")
            .trim()
            .parse::<i64>()
            .map_err(|_| {
                ValidationError::field(
                    "shortened_by_minutes",
                    "Сокращение — целое число минут, например 60.",
                )
            })?;
        let hours = hours_from_fields(get("open").trim(), get("close").trim(), shortened)?;
        calendar::put_hours(&state, actor, hours, version).await
    }
    .await;
    match result {
        Ok(changed) => {
            let year = year.unwrap_or_else(|| state.clock.now().year());
            saved(year, "hours", changed.recounted)
        }
        Err(e) => page(&state, &caller, year, e.status(), None, Some(&e)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::YearSource;
    use dealerdesk_domain::YearCalendar;

    #[test]
    fn the_month_grid_starts_on_monday_and_colours_every_kind() {
        let view = YearView {
            calendar: YearCalendar::official_ru()
                .into_iter()
                .find(|y| y.year() == 2026)
                .unwrap(),
            source: YearSource::Official,
            version: 1,
            updated_at: None,
        };
        let grid = months(&view);
        assert_eq!(grid.len(), 12);
        // 01.01.2026 is a Thursday: three empty cells first.
        let first_week = &grid[0].weeks[0];
        assert!(first_week[..3].iter().all(Option::is_none));
        let jan1 = first_week[3].as_ref().unwrap();
        assert_eq!((jan1.day, jan1.class), (1, "non_working"));
        assert!(grid.iter().all(|m| m.weeks.iter().all(|w| w.len() == 7)));
        // 30.04.2026 is shortened, 09.01 a transferred day off, 12.01 an ordinary Monday,
        // 10.01 and 07.02 plain Saturdays.
        let class = |m: usize, d: u32| {
            grid[m]
                .weeks
                .iter()
                .flatten()
                .flatten()
                .find(|c| c.day == d)
                .unwrap()
                .class
        };
        assert_eq!(class(3, 30), "shortened");
        assert_eq!(class(0, 12), "working");
        assert_eq!(class(0, 9), "non_working");
        assert_eq!(class(0, 10), "weekend");
        assert_eq!(class(1, 7), "weekend");
    }
}

//! The admin API of the working calendar (SPEC §2.3: "the calendar is data, editable by
//! admin"). Every endpoint is the admin's only: anyone else is refused (403) before the body
//! is read.
//!
//! - `GET /api/admin/calendars` — the years (with provisional flags) and the working hours;
//! - `GET /api/admin/calendars/{year}` — one year's days;
//! - `PUT /api/admin/calendars/{year}` — replace a year: JSON
//!   `{"days": {"2027-01-01": "non_working", …}, "provisional": false, "version": 0}`, or the
//!   official xmlcalendar file with `Content-Type: application/xml` and the version in
//!   `If-Match` (or `?version=`);
//! - `GET`/`PUT /api/admin/calendars/hours` — `{"open": "09:00", "close": "18:00",
//!   "shortened_by_minutes": 60, "version": 1}`; the answer also says `"time_zone":
//!   "Europe/Moscow"`, the platform's one zone, which is not editable (SPEC §2.3): a PUT may
//!   echo it back, any other zone is refused.
//!
//! `version` is the one the admin saw (`0` for a year not stored yet): a stale one is 409.
//! A change counts every running reaction period again; the answer says how many moved
//! (`recounted`).

use crate::AppState;
use crate::calendar::{self, Changed, HoursView, Overview, YearView};
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::parse_json;
use crate::kernel::ids::IdPath;
use crate::kernel::time::utc;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use chrono::{Duration, NaiveTime};
use dealerdesk_domain::calendar::PLATFORM_TZ;
use dealerdesk_domain::{CalendarError, ValidationError, WorkingHours, YearCalendar};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A year without its days: the overview's rows.
pub fn year_summary_json(v: &YearView) -> Value {
    json!({
        "year": v.year(),
        "provisional": v.provisional(),
        "source": v.source.code(),
        "source_label": v.source.label(),
        "version": v.version,
        "working_days": v.calendar.working_day_count(),
        "updated_at": v.updated_at.map(utc),
    })
}

/// A year with its explicit days (`{"2026-01-01": "non_working", …}`).
pub fn year_json(v: &YearView) -> Value {
    let mut body = year_summary_json(v);
    let days: BTreeMap<String, &str> = v
        .calendar
        .days()
        .map(|(d, k)| (d.format("%Y-%m-%d").to_string(), k.code()))
        .collect();
    body["days"] = json!(days);
    body
}

/// The working hours.
pub fn hours_json(v: &HoursView) -> Value {
    json!({
        "open": v.hours.open().format("%H:%M").to_string(),
        "close": v.hours.close().format("%H:%M").to_string(),
        "shortened_by_minutes": v.hours.shortened_by().num_minutes(),
        "time_zone": v.tz.name(),
        "version": v.version,
        "updated_at": v.updated_at.map(utc),
    })
}

fn overview_json(o: &Overview) -> Value {
    json!({
        "years": o.years.iter().map(year_summary_json).collect::<Vec<_>>(),
        "provisional_years": o.years.iter().filter(|y| y.provisional()).map(YearView::year).collect::<Vec<_>>(),
        "hours": hours_json(&o.hours),
    })
}

/// A path year; anything but a number is no calendar at all (404).
fn path_year(raw: &str) -> Result<i32, AppError> {
    raw.parse::<i32>().map_err(|_| AppError::not_found())
}

/// The version the admin saw, from `If-Match` (`"3"` or `3`) or `?version=`.
fn version_from(headers: &HeaderMap, query: Option<&str>) -> Result<Option<u64>, AppError> {
    let bad = || {
        AppError::bad_request(
            "bad_version",
            "Версия календаря — целое неотрицательное число из ответа GET.",
        )
    };
    if let Some(value) = headers.get(header::IF_MATCH) {
        let text = value.to_str().map_err(|_| bad())?;
        let text = text.trim().trim_start_matches("W/").trim_matches('"');
        return text.parse().map(Some).map_err(|_| bad());
    }
    #[derive(Deserialize)]
    struct Q {
        version: Option<String>,
    }
    let q: Q = serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|_| AppError::bad_request("bad_query", "Некорректные параметры запроса."))?;
    match q.version.as_deref() {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| bad()),
    }
}

fn version_required() -> AppError {
    AppError::bad_request(
        "version_required",
        "Укажите версию, которую вы видели (поле version или заголовок If-Match): так чужое изменение не потеряется.",
    )
}

fn is_xml(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|v| v == "application/xml" || v == "text/xml")
}

/// Reads an uploaded production-calendar file for `year`: UTF-8, the xmlcalendar format,
/// and the same year as the address it is uploaded to.
pub fn year_from_xml(year: i32, bytes: &[u8]) -> Result<YearCalendar, AppError> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        AppError::from(ValidationError::field(
            "file",
            "Файл календаря должен быть в кодировке UTF-8.",
        ))
    })?;
    let calendar = YearCalendar::parse_xml(text)?;
    if calendar.year() != year {
        return Err(CalendarError::YearMismatch {
            expected: year,
            found: calendar.year(),
        }
        .into());
    }
    Ok(calendar)
}

fn changed_json<T>(changed: &Changed<T>, render: impl Fn(&T) -> Value) -> Value {
    let mut body = render(&changed.view);
    body["recounted"] = json!(changed.recounted);
    body
}

/// `GET /api/admin/calendars`
#[utoipa::path(get, path = "/api/admin/calendars", tag = "calendars", responses((status = 200, description = "The years and the working hours.", body = Object), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn overview(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Value>, AppError> {
    let o = calendar::overview(&state, &caller.actor).await?;
    Ok(Json(overview_json(&o)))
}

/// `GET /api/admin/calendars/{year}`
#[utoipa::path(get, path = "/api/admin/calendars/{year}", tag = "calendars", params(("year" = i32, Path, description = "The calendar year.")), responses((status = 200, description = "The year's days.", body = Object), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn get_year(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(year): IdPath<String>,
) -> Result<Json<Value>, AppError> {
    calendar::ensure_admin(&caller.actor)?;
    let view = calendar::year(&state, &caller.actor, path_year(&year)?).await?;
    Ok(Json(year_json(&view)))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct YearBody {
    days: BTreeMap<String, String>,
    #[serde(default)]
    provisional: bool,
    version: Option<u64>,
}

/// `PUT /api/admin/calendars/{year}`
#[utoipa::path(put, path = "/api/admin/calendars/{year}", tag = "calendars", request_body(content = YearBody, description = "The days as JSON, or the production calendar XML (`Content-Type: application/xml`, version in `If-Match` or `?version=`)."), params(("year" = i32, Path, description = "The calendar year.")), responses((status = 200, description = "The year with `recounted`.", body = Object), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn put_year(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(year): IdPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    calendar::ensure_admin(&caller.actor)?;
    let year = path_year(&year)?;
    let header_version = version_from(&headers, query.as_deref())?;
    let (calendar, version) = if is_xml(&headers) {
        (year_from_xml(year, &body)?, header_version)
    } else {
        let parsed: YearBody = parse_json(&body)?;
        let calendar = calendar::year_from_days(
            year,
            parsed.provisional,
            parsed.days.iter().map(|(d, k)| (d.as_str(), k.as_str())),
        )?;
        (calendar, parsed.version.or(header_version))
    };
    let version = version.ok_or_else(version_required)?;
    let changed = calendar::put_year(&state, &caller.actor, calendar, version).await?;
    Ok(Json(changed_json(&changed, year_json)))
}

/// `GET /api/admin/calendars/hours`
#[utoipa::path(get, path = "/api/admin/calendars/hours", tag = "calendars", responses((status = 200, description = "The working hours.", body = Object), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn get_hours(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Value>, AppError> {
    let view = calendar::hours(&state, &caller.actor).await?;
    Ok(Json(hours_json(&view)))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct HoursBody {
    open: String,
    close: String,
    shortened_by_minutes: Option<i64>,
    /// Read-only: only the platform's own zone (`Europe/Moscow`) is accepted, so a client
    /// that echoes the GET answer keeps working and nobody believes the zone changed.
    time_zone: Option<String>,
    version: Option<u64>,
}

/// Refuses a zone other than the platform's: the hours, the «МСК» the portal shows, the
/// quarters and the 26th deadline are all Moscow time, and one setting must not make them
/// disagree.
pub fn check_time_zone(time_zone: Option<&str>) -> Result<(), ValidationError> {
    match time_zone.map(str::trim) {
        None => Ok(()),
        Some(name) if name == PLATFORM_TZ.name() => Ok(()),
        Some(name) => Err(ValidationError::field(
            "time_zone",
            format!(
                "Часовой пояс платформы — Москва (Europe/Moscow), он не меняется; «{name}» указать нельзя."
            ),
        )),
    }
}

/// `09:00` or `09:00:00`.
fn parse_time(field: &'static str, raw: &str) -> Result<NaiveTime, ValidationError> {
    NaiveTime::parse_from_str(raw, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M:%S"))
        .map_err(|_| {
            ValidationError::field(
                field,
                format!("Время «{raw}» нужно указать как ЧЧ:ММ, например 09:00."),
            )
        })
}

/// Checked working hours from the admin's fields (the portal form reads the same).
pub fn hours_from_fields(
    open: &str,
    close: &str,
    shortened_by_minutes: i64,
) -> Result<WorkingHours, AppError> {
    let open = parse_time("open", open)?;
    let close = parse_time("close", close)?;
    let shortened =
        Duration::try_minutes(shortened_by_minutes).ok_or(CalendarError::BadWorkingHours {
            reason: "shortening out of range",
        })?;
    Ok(WorkingHours::new(open, close, shortened)?)
}

/// `PUT /api/admin/calendars/hours`
#[utoipa::path(put, path = "/api/admin/calendars/hours", tag = "calendars", request_body = HoursBody, responses((status = 200, description = "The working hours with `recounted`.", body = Object), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn put_hours(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    calendar::ensure_admin(&caller.actor)?;
    let parsed: HoursBody = parse_json(&body)?;
    check_time_zone(parsed.time_zone.as_deref())?;
    let version = parsed
        .version
        .or(version_from(&headers, query.as_deref())?)
        .ok_or_else(version_required)?;
    let hours = hours_from_fields(
        &parsed.open,
        &parsed.close,
        parsed.shortened_by_minutes.unwrap_or(60),
    )?;
    let changed = calendar::put_hours(&state, &caller.actor, hours, version).await?;
    Ok(Json(changed_json(&changed, hours_json)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_version_comes_from_if_match_or_the_query() {
        let mut h = HeaderMap::new();
        assert_eq!(version_from(&h, None).unwrap(), None);
        assert_eq!(version_from(&h, Some("version=4")).unwrap(), Some(4));
        h.insert(header::IF_MATCH, HeaderValue::from_static("\"3\""));
        assert_eq!(version_from(&h, Some("version=4")).unwrap(), Some(3));
        h.insert(header::IF_MATCH, HeaderValue::from_static("three"));
        assert_eq!(version_from(&h, None).unwrap_err().code(), "bad_version");
    }

    #[test]
    fn an_uploaded_file_must_be_utf8_xml_of_the_same_year() {
        let xml = r#"<calendar year="2027"><days><day d="01.01" t="1"/></days></calendar>"#;
        assert_eq!(year_from_xml(2027, xml.as_bytes()).unwrap().year(), 2027);
        let err = year_from_xml(2028, xml.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "calendar_invalid");
        assert!(err.message_ru().contains("2027"));
        assert_eq!(
            year_from_xml(2027, b"\xff\xfe<").unwrap_err().status(),
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        );
        assert!(
            year_from_xml(2027, b"<html><body>")
                .unwrap_err()
                .message_ru()
                .contains("производственный")
        );
    }

    #[test]
    fn working_hours_fields_are_checked_in_russian() {
        assert_eq!(
            hours_from_fields("09:00", "18:00", 60).unwrap(),
            WorkingHours::platform()
        );
        assert!(
            hours_from_fields("9 утра", "18:00", 60)
                .unwrap_err()
                .message_ru()
                .contains("ЧЧ:ММ")
        );
        assert_eq!(
            hours_from_fields("18:00", "09:00", 60).unwrap_err().code(),
            "calendar_invalid"
        );
    }
}

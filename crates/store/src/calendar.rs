//! The platform's working calendar as data: one item per year and one for the working
//! hours, all in the partition `CALENDAR#platform`, so loading the calendar is one Query.
//!
//! A year item keeps the domain's `YearCalendar` JSON (the shape the domain documents and
//! validates on the way back in), the hours item the `WorkingHours` JSON. The zone is not
//! stored: the platform has one, Moscow (`dealerdesk_domain::calendar::PLATFORM_TZ`); a
//! `time_zone` attribute an older item still carries is ignored on the way in. Both carry a `version` for optimistic locking: an admin's edit against a version
//! someone else has replaced is a [`StoreError::Conflict`].

use crate::client::Store;
use crate::error::{Entity, StoreError};
use crate::kernel::AggregateWrite;
use crate::keys;
use crate::mapping::{self, Item, attr, parse_instant};
use crate::table::{PK, SK};
use crate::{CalendarRepo, CalendarSource, CalendarYearRecord, StoredCalendar, WorkingHoursRecord};
use aws_sdk_dynamodb::types::AttributeValue;
use dealerdesk_domain::{UserId, WorkingHours, YearCalendar};

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn base(
    sk: String,
    kind: &str,
    version: u64,
    updated_at: chrono::DateTime<chrono::Utc>,
    by: Option<&UserId>,
) -> Item {
    let mut item = Item::new();
    item.insert(PK.to_string(), s(keys::PLATFORM_CALENDAR_PK));
    item.insert(SK.to_string(), s(sk));
    item.insert("type".into(), s(kind));
    item.insert(attr::VERSION.into(), mapping::number(version));
    item.insert("updated_at".into(), s(keys::instant(updated_at)));
    if let Some(by) = by {
        item.insert("updated_by".into(), s(by.as_str()));
    }
    item
}

pub(crate) fn year_to_item(record: &CalendarYearRecord) -> Item {
    let mut item = base(
        keys::calendar_year_sk(record.calendar.year()),
        "calendar_year",
        record.version,
        record.updated_at,
        record.updated_by.as_ref(),
    );
    item.insert("year".into(), mapping::number(record.calendar.year()));
    item.insert("source".into(), s(record.source.code()));
    // The calendar is plain data (dates and codes); serde cannot fail on it.
    item.insert(
        "calendar".into(),
        s(serde_json::to_string(&record.calendar).unwrap_or_default()),
    );
    item
}

pub(crate) fn hours_to_item(record: &WorkingHoursRecord) -> Item {
    let mut item = base(
        keys::CALENDAR_HOURS_SK.to_string(),
        "working_hours",
        record.version,
        record.updated_at,
        record.updated_by.as_ref(),
    );
    item.insert(
        "hours".into(),
        s(serde_json::to_string(&record.hours).unwrap_or_default()),
    );
    item
}

/// Reads the attributes every calendar item has.
struct Fields<'a> {
    item: &'a Item,
}

impl<'a> Fields<'a> {
    fn corrupt(&self, what: impl std::fmt::Display) -> StoreError {
        let sk = match self.item.get(SK) {
            Some(AttributeValue::S(v)) => v.as_str(),
            _ => "?",
        };
        StoreError::Corrupt(format!(
            "item {} / {sk}: {what}",
            keys::PLATFORM_CALENDAR_PK
        ))
    }

    fn str(&self, name: &str) -> Result<&'a str, StoreError> {
        match self.item.get(name) {
            Some(AttributeValue::S(v)) => Ok(v),
            _ => Err(self.corrupt(format_args!("`{name}` is missing or not a string"))),
        }
    }

    fn version(&self) -> Result<u64, StoreError> {
        match self.item.get(attr::VERSION) {
            Some(AttributeValue::N(v)) => v
                .parse()
                .map_err(|_| self.corrupt(format_args!("`version` = {v:?} is not a whole number"))),
            _ => Err(self.corrupt("`version` is missing or not a number")),
        }
    }

    fn updated_at(&self) -> Result<chrono::DateTime<chrono::Utc>, StoreError> {
        let raw = self.str("updated_at")?;
        parse_instant(raw)
            .ok_or_else(|| self.corrupt(format_args!("`updated_at` = {raw:?} is not an instant")))
    }

    fn updated_by(&self) -> Option<UserId> {
        match self.item.get("updated_by") {
            Some(AttributeValue::S(v)) => Some(UserId::new(v.clone())),
            _ => None,
        }
    }

    /// A JSON attribute read back through the domain's own checks.
    fn json<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T, StoreError> {
        serde_json::from_str(self.str(name)?)
            .map_err(|e| self.corrupt(format_args!("`{name}`: {e}")))
    }
}

pub(crate) fn year_from_item(item: &Item) -> Result<CalendarYearRecord, StoreError> {
    let f = Fields { item };
    let calendar: YearCalendar = f.json("calendar")?;
    let expected = keys::calendar_year_sk(calendar.year());
    if item.get(SK) != Some(&s(&expected)) {
        return Err(f.corrupt(format_args!("holds the calendar of {}", calendar.year())));
    }
    let raw = f.str("source")?;
    let source = CalendarSource::from_code(raw)
        .ok_or_else(|| f.corrupt(format_args!("`source` = {raw:?}")))?;
    Ok(CalendarYearRecord {
        calendar,
        source,
        version: f.version()?,
        updated_at: f.updated_at()?,
        updated_by: f.updated_by(),
    })
}

pub(crate) fn hours_from_item(item: &Item) -> Result<WorkingHoursRecord, StoreError> {
    let f = Fields { item };
    let hours: WorkingHours = f.json("hours")?;
    Ok(WorkingHoursRecord {
        hours,
        version: f.version()?,
        updated_at: f.updated_at()?,
        updated_by: f.updated_by(),
    })
}

impl Store {
    /// One versioned calendar item: `Conflict` naming the calendar when the version moved.
    async fn put_versioned(&self, item: Item, expected_version: u64) -> Result<(), StoreError> {
        let write = AggregateWrite::new(Entity::Calendar, item, expected_version, &[]);
        match self.save_aggregate(write).await {
            // A year's calendar has one item: losing its first write means someone saved
            // it meanwhile, which is a conflict, not a duplicate.
            Err(StoreError::AlreadyExists) => Err(StoreError::Conflict {
                entity: Entity::Calendar,
            }),
            saved => saved.map(|_| ()),
        }
    }
}

impl CalendarRepo for Store {
    async fn platform_calendar(&self) -> Result<StoredCalendar, StoreError> {
        let mut stored = StoredCalendar::default();
        for item in &self
            .partition(keys::PLATFORM_CALENDAR_PK.to_string())
            .await?
        {
            match item.get(SK) {
                Some(AttributeValue::S(sk)) if sk == keys::CALENDAR_HOURS_SK => {
                    stored.hours = Some(hours_from_item(item)?);
                }
                Some(AttributeValue::S(sk)) if sk.starts_with(keys::CALENDAR_YEAR_SK_PREFIX) => {
                    stored.years.push(year_from_item(item)?);
                }
                // Something newer in the partition: not ours to judge.
                _ => {}
            }
        }
        Ok(stored)
    }

    async fn put_calendar_year(
        &self,
        record: &CalendarYearRecord,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        self.put_versioned(year_to_item(record), expected_version)
            .await
    }

    async fn put_working_hours(
        &self,
        record: &WorkingHoursRecord,
        expected_version: u64,
    ) -> Result<(), StoreError> {
        self.put_versioned(hours_to_item(record), expected_version)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};
    use dealerdesk_domain::DayKind;

    fn year() -> CalendarYearRecord {
        let mut calendar = YearCalendar::statutory(2027);
        calendar
            .set_day(
                NaiveDate::from_ymd_opt(2027, 1, 9).unwrap(),
                DayKind::WorkingWeekend,
            )
            .unwrap();
        CalendarYearRecord {
            calendar,
            source: CalendarSource::Admin,
            version: 3,
            updated_at: Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).unwrap(),
            updated_by: Some(UserId::new("user-admin")),
        }
    }

    #[test]
    fn a_year_and_the_hours_round_trip() {
        let y = year();
        let item = year_to_item(&y);
        assert_eq!(item.get("pk"), Some(&s("CALENDAR#platform")));
        assert_eq!(item.get("sk"), Some(&s("YEAR#2027")));
        assert_eq!(year_from_item(&item), Ok(y));

        let h = WorkingHoursRecord {
            hours: WorkingHours::platform(),
            version: 1,
            updated_at: Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).unwrap(),
            updated_by: None,
        };
        let item = hours_to_item(&h);
        assert_eq!(item.get("sk"), Some(&s("HOURS")));
        assert_eq!(hours_from_item(&item), Ok(h));
    }

    #[test]
    fn a_damaged_calendar_item_is_corrupt_not_a_panic() {
        let good = year_to_item(&year());
        let mut item = good.clone();
        item.insert(
            "calendar".into(),
            s("{\"year\":2027,\"days\":{\"2026-01-01\":\"non_working\"}}"),
        );
        assert!(
            matches!(year_from_item(&item), Err(StoreError::Corrupt(_))),
            "a date of another year"
        );
        let mut item = good.clone();
        item.insert("sk".into(), s("YEAR#2028"));
        assert!(
            matches!(year_from_item(&item), Err(StoreError::Corrupt(_))),
            "filed under another year"
        );
        let mut item = good;
        item.insert("source".into(), s("rumour"));
        assert!(matches!(year_from_item(&item), Err(StoreError::Corrupt(_))));
        assert!(matches!(
            hours_from_item(&Item::new()),
            Err(StoreError::Corrupt(_))
        ));
    }
}

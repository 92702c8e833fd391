//! Time on the outside: RFC 3339 UTC for the API (as at rest), Moscow time for people.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

/// The platform's display time zone: the one zone the working calendar counts in too
/// (SPEC §2.3), so what people see and what the SLA counts cannot disagree.
pub const DISPLAY_TZ: Tz = dealerdesk_domain::calendar::PLATFORM_TZ;

/// RFC 3339 in UTC, as at rest.
pub fn utc(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `02.03.2026 09:00` in Moscow time, for people.
pub fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&DISPLAY_TZ)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_utc_at_rest_and_moscow_for_people() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap();
        assert_eq!(utc(at), "2026-03-02T06:00:00Z");
        assert_eq!(local(at), "02.03.2026 09:00");
    }
}

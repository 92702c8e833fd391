//! How the escalation area looks on the outside: a dealer's hours (the API's JSON and the
//! form's rows).

use crate::kernel::templates;
use crate::lead::escalation::HoursOfDealer;
use chrono::Weekday;
use dealerdesk_domain::lead::{RUSSIAN_TIME_ZONES, WEEKDAY_LABELS, russian_zone_label, weekday_codes};
use serde::Serialize;
use utoipa::ToSchema;

/// One weekday of a dealer's hours.
#[derive(Serialize, ToSchema)]
pub struct DayHoursView {
    /// `mon` … `sun`.
    pub day: &'static str,
    /// «Понедельник» …
    pub label: &'static str,
    /// `09:00`, local; `null` on a closed day.
    pub open: Option<String>,
    /// `20:00`, local; `null` on a closed day.
    pub close: Option<String>,
}

/// A dealer's working hours for leads (SPEC §4.4).
#[derive(Serialize, ToSchema)]
pub struct DealerHoursView {
    pub dealer_id: String,
    pub dealer_name: String,
    /// An IANA zone, Kaliningrad to Kamchatka (`Asia/Vladivostok`).
    pub tz: String,
    /// «Владивосток (МСК+7)».
    pub tz_label: String,
    /// Monday first.
    pub week: Vec<DayHoursView>,
    /// Minutes a pre-holiday day of the production calendar closes early.
    pub shortened_by_minutes: i64,
    /// Whether these hours were set (otherwise they are the default, Mon–Fri 09:00–18:00).
    pub saved: bool,
}

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

impl DealerHoursView {
    pub fn new(h: &HoursOfDealer) -> DealerHoursView {
        let tz = h.hours.tz();
        let codes = weekday_codes();
        DealerHoursView {
            dealer_id: h.dealer.id.to_string(),
            dealer_name: h.dealer.name.clone(),
            tz: tz.name().to_string(),
            tz_label: russian_zone_label(tz).unwrap_or(tz.name()).to_string(),
            week: WEEK
                .iter()
                .enumerate()
                .map(|(i, day)| {
                    let hours = h.hours.regular(*day);
                    DayHoursView {
                        day: codes[i],
                        label: WEEKDAY_LABELS[i],
                        open: hours.map(|(o, _)| o.format("%H:%M").to_string()),
                        close: hours.map(|(_, c)| c.format("%H:%M").to_string()),
                    }
                })
                .collect(),
            shortened_by_minutes: h.hours.shortened_by_minutes(),
            saved: h.saved,
        }
    }
}

/// A time zone of the form's select.
#[derive(Serialize)]
pub struct ZoneOption {
    pub tz: &'static str,
    pub label: &'static str,
}

/// The select's zones, Kaliningrad to Kamchatka.
pub fn zone_options() -> Vec<ZoneOption> {
    RUSSIAN_TIME_ZONES
        .iter()
        .map(|(tz, label)| ZoneOption {
            tz: tz.name(),
            label,
        })
        .collect()
}

/// Adds the area's pages.
pub fn add_templates(env: &mut minijinja::Environment<'static>) {
    templates::add(
        env,
        "lead/escalation/hours.html",
        include_str!("../../../templates/lead/escalation/hours.html"),
    );
}

//! The injected clock. Domain code never reads the time itself; the app asks this.

use chrono::{DateTime, Duration, Utc};

/// Real time, optionally shifted so that "now" started at a chosen instant.
///
/// The local server can start its clock at `DEALERDESK_CLOCK` (a demo "on a Friday evening
/// before a holiday") and let it run on in real time; Lambdas always use [`Clock::system`].
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    offset: Duration,
}

impl Clock {
    /// The machine's clock.
    pub fn system() -> Clock {
        Clock {
            offset: Duration::zero(),
        }
    }

    /// A clock that reads `start` right now and runs on from there.
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        Clock {
            offset: start - Utc::now(),
        }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_shifted_clock_starts_at_its_instant_and_runs_on() {
        let start = Utc.with_ymd_and_hms(2026, 12, 31, 17, 30, 0).unwrap();
        let clock = Clock::starting_at(start);
        let a = clock.now();
        assert!((a - start).num_seconds().abs() < 5);
        assert!(clock.now() >= a);
    }
}

//! The injected clock. Domain code never reads the time itself; the app asks this.

use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Real time, optionally shifted so that "now" started at a chosen instant.
///
/// The local server can start its clock at `DEALERDESK_CLOCK` (a demo "on a Friday evening
/// before a holiday") and let it run on in real time; Lambdas always use [`Clock::system`].
///
/// Clones share the shift, so a test can move the clock of a running server (its router
/// holds a clone) with [`Clock::set`] or [`Clock::advance`]: "file a ticket, then four
/// working hours later look at the queue".
///
/// A [stopped](Clock::stopped_at) clock reads only what it was set to: what runs on it (the
/// demo history) is a function of the instants it is given, not of how long each step took.
#[derive(Clone, Debug)]
pub struct Clock {
    /// Milliseconds added to the machine's clock; for a stopped clock the instant itself,
    /// in milliseconds since the epoch.
    offset_ms: Arc<AtomicI64>,
    /// Whether the clock stands still between [`Clock::set`] and [`Clock::advance`].
    stopped: bool,
}

impl Clock {
    /// The machine's clock.
    pub fn system() -> Clock {
        Clock {
            offset_ms: Arc::new(AtomicI64::new(0)),
            stopped: false,
        }
    }

    /// A clock that reads `at` until it is set or advanced: requests a step takes time
    /// over leave no seconds in what they stamp.
    pub fn stopped_at(at: DateTime<Utc>) -> Clock {
        Clock {
            offset_ms: Arc::new(AtomicI64::new(at.timestamp_millis())),
            stopped: true,
        }
    }

    /// A clock that reads `start` right now and runs on from there.
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        let clock = Clock::system();
        clock.set(start);
        clock
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        let ms = self.offset_ms.load(Ordering::Relaxed);
        if self.stopped {
            // Only ever stored from a valid instant.
            return DateTime::from_timestamp_millis(ms).unwrap_or_default();
        }
        Utc::now() + Duration::milliseconds(ms)
    }

    /// Makes this clock and its clones read `at` now and run on from there (tests, demos);
    /// a stopped clock reads `at` from now on.
    pub fn set(&self, at: DateTime<Utc>) {
        let stored = if self.stopped {
            at.timestamp_millis()
        } else {
            (at - Utc::now()).num_milliseconds()
        };
        self.offset_ms.store(stored, Ordering::Relaxed);
    }

    /// Moves this clock and its clones forward by `by` (tests).
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
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

    #[test]
    fn a_stopped_clock_reads_what_it_was_set_to_however_long_a_step_takes() {
        let start = Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap();
        let clock = Clock::stopped_at(start);
        let held = clock.clone();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(held.now(), start);
        let later = start + Duration::minutes(90);
        clock.set(later);
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(held.now(), later);
        held.advance(Duration::hours(1));
        assert_eq!(clock.now(), later + Duration::hours(1));
    }

    #[test]
    fn clones_share_a_moved_clock() {
        let clock = Clock::system();
        let held = clock.clone();
        let start = Utc.with_ymd_and_hms(2026, 5, 8, 13, 30, 0).unwrap();
        clock.set(start);
        assert!((held.now() - start).num_seconds().abs() < 5);
        held.advance(Duration::hours(4));
        assert!(
            (clock.now() - start - Duration::hours(4))
                .num_seconds()
                .abs()
                < 5
        );
    }
}

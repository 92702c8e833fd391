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
#[derive(Clone, Debug)]
pub struct Clock {
    /// Milliseconds added to the machine's clock.
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The machine's clock.
    pub fn system() -> Clock {
        Clock {
            offset_ms: Arc::new(AtomicI64::new(0)),
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
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Makes this clock and its clones read `at` now and run on from there (tests, demos).
    pub fn set(&self, at: DateTime<Utc>) {
        let offset = (at - Utc::now()).num_milliseconds();
        self.offset_ms.store(offset, Ordering::Relaxed);
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

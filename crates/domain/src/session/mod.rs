//! Logging in: how hard a run of wrong passwords slows the next attempt.
//!
//! Failures are counted per client address and per account *at* that address, never per
//! account alone: a limit on the account by itself would let anyone lock a real user out by
//! typing wrong passwords for them (a denial of service). An attacker therefore slows only
//! themselves, while the account's owner, from their own address, logs in as usual.
//!
//! After a few free attempts each further failure doubles the wait before the next attempt,
//! up to a ceiling; a quiet day forgets everything.

use chrono::{DateTime, Duration, Utc};

/// Which run of failures a counter follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleScope {
    /// One account from one client address: the guessing of one password.
    AccountAtAddress,
    /// Every account from one client address: spraying one password over many accounts. An
    /// office behind one address is many people, so it gets more room.
    Address,
}

impl ThrottleScope {
    /// Failures allowed before any wait.
    pub fn free_attempts(self) -> u32 {
        match self {
            ThrottleScope::AccountAtAddress => 5,
            ThrottleScope::Address => 30,
        }
    }
}

/// The longest wait one more failure can add.
pub const MAX_WAIT_SECONDS: i64 = 15 * 60;

/// How long a counter remembers: a day without failures starts it from zero.
pub const FORGET_AFTER_HOURS: i64 = 24;

/// A run of failed logins as stored: how many, and when the last one was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last_at: DateTime<Utc>,
}

/// The wait that `count` failures impose after the last one: none within the free attempts,
/// then 1 s, 2 s, 4 s, … up to [`MAX_WAIT_SECONDS`].
pub fn wait_after(scope: ThrottleScope, count: u32) -> Duration {
    let over = count.saturating_sub(scope.free_attempts());
    if over == 0 {
        return Duration::zero();
    }
    let seconds = 1i64
        .checked_shl(over - 1)
        .filter(|s| (1..=MAX_WAIT_SECONDS).contains(s))
        .unwrap_or(MAX_WAIT_SECONDS);
    Duration::seconds(seconds)
}

/// The failures still in force at `now` (an old run is forgotten).
pub fn current(failures: Option<Failures>, now: DateTime<Utc>) -> Option<Failures> {
    failures.filter(|f| now - f.last_at < Duration::hours(FORGET_AFTER_HOURS))
}

/// How long the caller must still wait before another attempt, if at all.
pub fn retry_after(
    scope: ThrottleScope,
    failures: Option<Failures>,
    now: DateTime<Utc>,
) -> Option<Duration> {
    let f = current(failures, now)?;
    let until = f.last_at + wait_after(scope, f.count);
    (until > now).then(|| until - now)
}

/// A wait in words: «16 с», «3 мин», «15 мин» (minutes rounded up).
pub fn wait_text(seconds: u64) -> String {
    if seconds < 60 {
        format!("{seconds} с")
    } else {
        format!("{} мин", seconds.div_ceil(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap() + Duration::seconds(seconds)
    }

    #[test]
    fn five_wrong_passwords_cost_nothing_the_sixth_a_second_then_the_wait_doubles() {
        let scope = ThrottleScope::AccountAtAddress;
        assert_eq!(wait_after(scope, 5), Duration::zero());
        assert_eq!(wait_after(scope, 6), Duration::seconds(1));
        assert_eq!(wait_after(scope, 7), Duration::seconds(2));
        assert_eq!(wait_after(scope, 10), Duration::seconds(16));
    }

    #[test]
    fn the_wait_never_exceeds_fifteen_minutes_however_long_the_attack() {
        let scope = ThrottleScope::AccountAtAddress;
        assert_eq!(wait_after(scope, 16), Duration::seconds(MAX_WAIT_SECONDS));
        assert_eq!(
            wait_after(scope, u32::MAX),
            Duration::seconds(MAX_WAIT_SECONDS)
        );
    }

    #[test]
    fn an_office_behind_one_address_gets_thirty_free_attempts() {
        assert_eq!(wait_after(ThrottleScope::Address, 30), Duration::zero());
        assert_eq!(wait_after(ThrottleScope::Address, 31), Duration::seconds(1));
    }

    #[test]
    fn retry_after_counts_from_the_last_failure() {
        let scope = ThrottleScope::AccountAtAddress;
        let f = Some(Failures {
            count: 8,
            last_at: at(0),
        });
        assert_eq!(retry_after(scope, f, at(1)), Some(Duration::seconds(3)));
        assert_eq!(retry_after(scope, f, at(4)), None);
        assert_eq!(retry_after(scope, None, at(0)), None);
    }

    #[test]
    fn the_wait_is_said_in_seconds_then_in_minutes() {
        assert_eq!(wait_text(16), "16 с");
        assert_eq!(wait_text(61), "2 мин");
        assert_eq!(wait_text(900), "15 мин");
    }

    #[test]
    fn a_quiet_day_forgets_the_failures() {
        let scope = ThrottleScope::AccountAtAddress;
        let f = Some(Failures {
            count: 100,
            last_at: at(0),
        });
        assert!(retry_after(scope, f, at(60)).is_some());
        assert_eq!(current(f, at(24 * 3600)), None);
        assert_eq!(retry_after(scope, f, at(24 * 3600)), None);
    }
}

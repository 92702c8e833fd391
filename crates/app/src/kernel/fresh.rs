//! This instance's copies of items that are read on nearly every request and change
//! rarely (a caller's session, the working calendar), trusted for a short while.
//!
//! A warm Lambda serves one user's clicks one after another; reading the same session and
//! calendar items from the table for each of them was half of a ticket request's round
//! trips (issue #12). A copy is used for at most [`FRESH_FOR`] after it was read; a change
//! made on this instance removes the copy at once ([`Fresh::evict`]), a change made
//! elsewhere is seen here within that time. Each feature documents what that delay means
//! for it (a logout, an admin's calendar edit).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a copy is used without asking the table again.
pub const FRESH_FOR: Duration = Duration::from_secs(60);

/// Copies beyond which the stale ones are dropped (and, if all are fresh, all of them):
/// a bound on memory against a flood of distinct keys, not an eviction policy.
const MAX_COPIES: usize = 10_000;

/// Copies of `V` by `K`, each used for [`FRESH_FOR`] after it was put.
pub struct Fresh<K, V> {
    copies: Mutex<HashMap<K, (Instant, V)>>,
    fresh_for: Duration,
}

impl<K: Eq + Hash, V: Clone> Default for Fresh<K, V> {
    fn default() -> Self {
        Fresh::new(FRESH_FOR)
    }
}

impl<K: Eq + Hash, V: Clone> Fresh<K, V> {
    /// Copies used for `fresh_for` each.
    pub fn new(fresh_for: Duration) -> Self {
        Fresh {
            copies: Mutex::new(HashMap::new()),
            fresh_for,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Instant, V)>> {
        // A panic while holding the lock leaves a map of whole entries: still usable.
        self.copies.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The copy of `key`, if one was put less than the freshness ago.
    pub fn get(&self, key: &K) -> Option<V> {
        self.get_at(key, Instant::now())
    }

    fn get_at(&self, key: &K, now: Instant) -> Option<V> {
        let copies = self.lock();
        copies
            .get(key)
            .filter(|(put, _)| now.saturating_duration_since(*put) < self.fresh_for)
            .map(|(_, value)| value.clone())
    }

    /// Keeps `value` as the copy of `key`, read from the table just now.
    pub fn put(&self, key: K, value: V) {
        self.put_at(key, value, Instant::now());
    }

    fn put_at(&self, key: K, value: V, now: Instant) {
        let mut copies = self.lock();
        if copies.len() >= MAX_COPIES {
            copies.retain(|_, (put, _)| now.saturating_duration_since(*put) < self.fresh_for);
            if copies.len() >= MAX_COPIES {
                copies.clear();
            }
        }
        copies.insert(key, (now, value));
    }

    /// Forgets the copy of `key` (changed or ended on this instance).
    pub fn evict(&self, key: &K) {
        self.lock().remove(key);
    }

    /// Forgets every copy `which` picks (e.g. all sessions of a revoked user).
    pub fn evict_where(&self, which: impl Fn(&K, &V) -> bool) {
        self.lock().retain(|k, (_, v)| !which(k, v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_used_for_a_minute_and_then_read_again() {
        let fresh: Fresh<&str, u32> = Fresh::default();
        let t0 = Instant::now();
        fresh.put_at("session", 1, t0);
        assert_eq!(
            fresh.get_at(&"session", t0 + Duration::from_secs(59)),
            Some(1)
        );
        assert_eq!(fresh.get_at(&"session", t0 + Duration::from_secs(60)), None);
        assert_eq!(fresh.get_at(&"other", t0), None);
    }

    #[test]
    fn a_change_on_this_instance_forgets_the_copy_at_once() {
        let fresh: Fresh<&str, u32> = Fresh::default();
        fresh.put("a", 1);
        fresh.put("b", 2);
        fresh.put("c", 2);
        fresh.evict(&"a");
        assert_eq!(fresh.get(&"a"), None);
        fresh.evict_where(|_, v| *v == 2);
        assert_eq!((fresh.get(&"b"), fresh.get(&"c")), (None, None));
    }

    #[test]
    fn a_flood_of_keys_keeps_memory_bounded() {
        let fresh: Fresh<usize, ()> = Fresh::default();
        let t0 = Instant::now();
        for i in 0..MAX_COPIES {
            fresh.put_at(i, (), t0);
        }
        // All stale a minute later: the next copy drops them.
        fresh.put_at(MAX_COPIES, (), t0 + FRESH_FOR);
        assert_eq!(fresh.lock().len(), 1);
        for i in 0..MAX_COPIES * 2 {
            fresh.put_at(i, (), t0 + FRESH_FOR);
        }
        assert!(fresh.lock().len() <= MAX_COPIES);
    }
}

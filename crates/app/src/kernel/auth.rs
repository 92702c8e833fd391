//! Passwords, session tokens, cookies and CSRF.
//!
//! The API authenticates with `Authorization: Bearer <token>`; the portal with the
//! `dd_session` cookie plus a per-session CSRF token in every form. Only the SHA-256 of
//! a token is stored, so a leaked table does not leak sessions.

use crate::kernel::error::AppError;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use dealerdesk_domain::Actor;
use dealerdesk_store::SessionRecord;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The portal's session cookie.
pub const SESSION_COOKIE: &str = "dd_session";
/// The login form's double-submit CSRF cookie (before there is a session).
pub const LOGIN_CSRF_COOKIE: &str = "dd_login_csrf";

/// Hashes a password with argon2id (the crate's default parameters: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Config(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the stored PHC string. A malformed hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Password checks running at once: argon2id takes ~19 MiB and tens of milliseconds of one
/// core each, so they run on the blocking pool, at most one per core — a burst of logins
/// waits its turn instead of stalling every other request on the async workers.
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        tokio::sync::Semaphore::new(cores)
    })
}

/// [`verify_password`] off the async workers, bounded by [`hashing_slots`].
pub async fn verify_password_off_thread(password: String, phc: String) -> Result<bool, AppError> {
    let _slot = hashing_slots()
        .acquire()
        .await
        .map_err(|e| AppError::Config(format!("password hashing slots closed: {e}")))?;
    tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .map_err(|e| AppError::Config(format!("password check failed: {e}")))
}

/// Whether a request's `Origin` (when it has one) is the host it was sent to. Browsers send
/// `Origin` on every cross-site POST; `null` (a sandboxed or file page) is foreign too.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(axum::http::header::ORIGIN) else {
        return true;
    };
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest.trim_end_matches('/'));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

/// A fresh random token (256 bits, hex).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the store keeps instead of the token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Constant-time equality for secrets compared on every request.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The bearer token of an API request.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, and `Secure` when configured.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub actor: Actor,
    pub session: SessionRecord,
}

impl Principal {
    /// Checks a form's CSRF token against the session's.
    pub fn check_csrf(&self, submitted: Option<&str>) -> Result<(), AppError> {
        match submitted {
            Some(token) if secrets_equal(token, &self.session.csrf) => Ok(()),
            _ => Err(AppError::csrf()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let phc = hash_password("demo-password").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("demo-password", &phc));
        assert!(!verify_password("demo-passwort", &phc));
        assert!(!verify_password("demo-password", "not a hash"));
    }

    /// On a one-thread runtime a hash computed on the async worker would let no other task
    /// run until it is done; off the worker, the other task runs meanwhile.
    #[tokio::test(flavor = "current_thread")]
    async fn a_password_check_leaves_the_async_worker_free_for_other_requests() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicU64, Ordering};
        let phc = hash_password("demo-password").unwrap();
        let ticks = Arc::new(AtomicU64::new(0));
        let ticker = {
            let ticks = Arc::clone(&ticks);
            tokio::spawn(async move {
                loop {
                    ticks.fetch_add(1, Ordering::Relaxed);
                    tokio::task::yield_now().await;
                }
            })
        };
        let matched = verify_password_off_thread("demo-password".into(), phc)
            .await
            .unwrap();
        assert!(matched);
        assert!(
            ticks.load(Ordering::Relaxed) > 0,
            "the other task never ran"
        );
        ticker.abort();
    }

    #[test]
    fn only_a_page_of_our_own_origin_or_no_browser_may_post_a_login() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (name, value) in pairs {
                h.insert(*name, axum::http::HeaderValue::from_static(value));
            }
            h
        };
        assert!(same_origin(&headers(&[("host", "127.0.0.1:8080")])));
        assert!(same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "null")
        ])));
    }

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_static("bearer abc"));
        assert_eq!(bearer_token(&h), Some("abc"));
        h.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&h), None);
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&h), None);
    }

    #[test]
    fn cookies_are_found_among_several() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("a=1; dd_session=tok; b=2"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("tok"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token());
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
    }

    #[test]
    fn secure_cookies_say_so() {
        assert!(set_cookie("x", "y", 60, true).ends_with("; Secure"));
        assert!(set_cookie("x", "y", 60, false).contains("HttpOnly; SameSite=Lax"));
    }
}

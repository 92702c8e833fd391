//! Logging in and out: credentials checked against the stored hash, sessions opened and
//! closed. Who the caller of a request is lives in the kernel ([`crate::kernel::caller`]).

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::address::ClientIp;
use crate::kernel::auth;
use crate::kernel::error::AppError;
use dealerdesk_domain::session as throttle;
use dealerdesk_store::{
    LoginThrottleRepo, SessionRecord, SessionRepo, ThrottleKey, UserRecord, UserRepo,
};

/// A successful login.
#[derive(Debug)]
pub struct LoginOutcome {
    /// The bearer token / cookie value; shown once, never stored.
    pub token: String,
    pub session: SessionRecord,
    pub user: UserRecord,
}

/// A hash no password matches: verified against when the e-mail is unknown, so that
/// "no such user" and "wrong password" take the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0L1Fq6dX8Q2pQ0m7m8kq3n0bH4wq3Zr0u5Wmp3sX5yQ";

/// Normalises an e-mail for lookup.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks credentials and opens a session, for a caller at `client`.
///
/// Failed attempts are counted per address and per account at that address
/// ([`dealerdesk_domain::session`]); while a count demands a wait, the attempt is refused with
/// 429 before any password is hashed. A successful login clears its account's count.
pub async fn login(
    state: &AppState,
    email: &str,
    password: &str,
    client: ClientIp,
) -> Result<LoginOutcome, AppError> {
    let email = normalise_email(email);
    if email.is_empty() || password.is_empty() {
        return Err(AppError::bad_request(
            "credentials_required",
            "Укажите e-mail и пароль.",
        ));
    }
    let now = state.clock.now();
    let counters = [
        ThrottleKey::AccountAtAddress {
            email: email.clone(),
            address: client.key(),
        },
        ThrottleKey::Address(client.key()),
    ];
    let (user, account_failures, address_failures) = tokio::try_join!(
        state.store.user_by_email(&email),
        state.store.login_failures(&counters[0]),
        state.store.login_failures(&counters[1]),
    )?;
    let stored = [account_failures, address_failures];
    let wait = counters
        .iter()
        .zip(stored)
        .filter_map(|(key, failures)| throttle::retry_after(key.scope(), failures, now))
        .max();
    if let Some(wait) = wait {
        tracing::warn!(address = %client.key(), "login throttled");
        return Err(AppError::too_many_logins(wait));
    }
    // An unknown e-mail is checked against a dummy hash, so that "no such user" and "wrong
    // password" take the same time.
    let phc = user
        .as_ref()
        .map_or(DUMMY_HASH.to_owned(), |u| u.password_hash.clone());
    let matches = auth::verify_password_off_thread(password.to_owned(), phc).await?;
    let Some(user) = user.filter(|_| matches) else {
        let restart = stored.map(|f| throttle::current(f, now).is_none());
        tokio::try_join!(
            state
                .store
                .record_login_failure(&counters[0], restart[0], now),
            state
                .store
                .record_login_failure(&counters[1], restart[1], now),
        )?;
        return Err(AppError::bad_credentials());
    };
    let token = auth::new_token();
    let session = SessionRecord {
        token_hash: auth::token_hash(&token),
        user_id: user.id.clone(),
        role: user.role,
        dealer_id: user.dealer_id.clone(),
        csrf: auth::new_token(),
        created_at: now,
        expires_at: now + chrono::Duration::hours(state.settings.session_hours),
    };
    state.store.put_session(&session).await?;
    if stored[0].is_some() {
        state.store.clear_login_failures(&counters[0]).await?;
    }
    tracing::info!(user = %user.id, role = user.role.code(), "login");
    Ok(LoginOutcome {
        token,
        session,
        user,
    })
}

/// Ends a session (unknown tokens are fine: logging out twice is not an error). This
/// instance forgets its copy at once; others within a minute ([`crate::kernel::fresh`]).
pub async fn logout(state: &AppState, token: &str) -> Result<(), AppError> {
    let hash = auth::token_hash(token);
    state.store.delete_session(&hash).await?;
    // After the delete: a request racing the logout cannot put the copy back.
    crate::kernel::caller::forget_session(state, &hash);
    Ok(())
}

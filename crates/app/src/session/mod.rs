//! Logging in and out: credentials checked against the stored hash, sessions opened and
//! closed. Who the caller of a request is lives in the kernel ([`crate::kernel::caller`]).

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::auth;
use crate::kernel::error::AppError;
use dealerdesk_store::{SessionRecord, SessionRepo, UserRecord, UserRepo};

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

/// Checks credentials and opens a session.
pub async fn login(
    state: &AppState,
    email: &str,
    password: &str,
) -> Result<LoginOutcome, AppError> {
    let email = normalise_email(email);
    if email.is_empty() || password.is_empty() {
        return Err(AppError::bad_request(
            "credentials_required",
            "Укажите e-mail и пароль.",
        ));
    }
    let user = state.store.user_by_email(&email).await?;
    let Some(user) = user else {
        auth::verify_password(password, DUMMY_HASH);
        return Err(AppError::bad_credentials());
    };
    if !auth::verify_password(password, &user.password_hash) {
        return Err(AppError::bad_credentials());
    }
    let now = state.clock.now();
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
    tracing::info!(user = %user.id, role = user.role.code(), "login");
    Ok(LoginOutcome {
        token,
        session,
        user,
    })
}

/// Ends a session (unknown tokens are fine: logging out twice is not an error).
pub async fn logout(state: &AppState, token: &str) -> Result<(), AppError> {
    state.store.delete_session(&auth::token_hash(token)).await?;
    Ok(())
}

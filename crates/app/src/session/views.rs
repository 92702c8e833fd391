//! What a login answers.

use crate::kernel::time::utc;
use crate::session::LoginOutcome;
use dealerdesk_domain::{DealerId, UserId};
use serde::Serialize;
use utoipa::ToSchema;

/// The API's answer to a login: the token, when it expires, and who logged in.
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    /// Send as `Authorization: Bearer <token>` (the cookie carries it too).
    pub token: String,
    /// RFC 3339 UTC.
    pub expires_at: String,
    pub user: SessionUser,
}

/// Who logged in.
#[derive(Serialize, ToSchema)]
pub struct SessionUser {
    #[schema(value_type = String)]
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: &'static str,
    #[schema(value_type = Option<String>)]
    pub dealer_id: Option<DealerId>,
}

impl SessionView {
    /// The login's answer.
    pub fn new(outcome: &LoginOutcome) -> Self {
        SessionView {
            token: outcome.token.clone(),
            expires_at: utc(outcome.session.expires_at),
            user: SessionUser {
                id: outcome.user.id.clone(),
                email: outcome.user.email.clone(),
                name: outcome.user.name.clone(),
                role: outcome.user.role.code(),
                dealer_id: outcome.user.dealer_id.clone(),
            },
        }
    }
}

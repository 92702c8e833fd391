//! What a login answers.

use crate::kernel::time::utc;
use crate::session::LoginOutcome;
use serde_json::{Value, json};

/// The API's answer to a login: the token, when it expires, and who logged in.
pub fn session_json(outcome: &LoginOutcome) -> Value {
    json!({
        "token": outcome.token,
        "expires_at": utc(outcome.session.expires_at),
        "user": {
            "id": outcome.user.id,
            "email": outcome.user.email,
            "name": outcome.user.name,
            "role": outcome.user.role.code(),
            "dealer_id": outcome.user.dealer_id,
        }
    })
}

//! Ids read from the path, parsed by their format before any store call. Tickets, wishes,
//! comments, files and time entries have ULIDs; anything else in their place — a
//! 3 000-character string, a broken `%FF` escape — is a 404 (the API's envelope, the
//! portal's page) and never reaches the store.

use crate::AppState;
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::templates::{error_page, is_api};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::lead::{CustomerId, LeadId};
use dealerdesk_domain::{AttachmentId, CommentId, TicketId, TimeEntryError, TimeEntryId, WishId};

/// A value of one path segment, parsed by its format.
pub trait PathId: Sized {
    /// The value, or `None` when `raw` is not of its format.
    fn parse(raw: &str) -> Option<Self>;

    /// What a segment that is not of the format answers: what an unknown one would.
    fn unknown() -> AppError {
        AppError::not_found()
    }
}

/// Whether `raw` is a ULID as the app writes them (26 Crockford base32 characters).
pub fn is_ulid(raw: &str) -> bool {
    raw.len() == 26 && ulid::Ulid::from_string(raw).is_ok()
}

macro_rules! ulid_ids {
    ($($id:ty),*) => {$(
        impl PathId for $id {
            fn parse(raw: &str) -> Option<Self> {
                is_ulid(raw).then(|| <$id>::new(raw))
            }
        }
    )*};
}

ulid_ids!(
    TicketId,
    WishId,
    CommentId,
    AttachmentId,
    LeadId,
    CustomerId
);

impl PathId for TimeEntryId {
    fn parse(raw: &str) -> Option<Self> {
        is_ulid(raw).then(|| TimeEntryId::new(raw))
    }

    /// An entry that cannot exist is the ledger's "no such entry", as an unknown one.
    fn unknown() -> AppError {
        TimeEntryError::UnknownEntry {
            id: TimeEntryId::new(""),
        }
        .into()
    }
}

/// A short word of the path the handler checks itself (a calendar year, a cost step):
/// at most 32 characters, or it is not one of ours.
impl PathId for String {
    fn parse(raw: &str) -> Option<Self> {
        (raw.len() <= 32).then(|| raw.to_string())
    }
}

/// The path's one parameter, parsed.
pub struct IdPath<T>(pub T);

/// The path's two parameters, parsed (a ticket and one of its items).
pub struct IdPath2<A, B>(pub A, pub B);

async fn raw_params(parts: &mut Parts, state: &AppState) -> Option<Vec<String>> {
    Path::<Vec<String>>::from_request_parts(parts, state)
        .await
        .ok()
        .map(|Path(values)| values)
}

/// What a path that does not parse answers: the API's 404 envelope, or the portal's 404
/// page (with the menu when the caller is logged in).
async fn refuse(parts: &mut Parts, state: &AppState, error: AppError) -> Response {
    if is_api(parts.uri.path()) {
        return error.into_response();
    }
    let caller = PortalCaller::from_request_parts(parts, state).await.ok();
    error_page(state, caller.as_ref(), &error)
}

impl<T: PathId + Send> FromRequestParts<AppState> for IdPath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match raw_params(parts, state).await.as_deref() {
            Some([one]) => match T::parse(one) {
                Some(id) => Ok(IdPath(id)),
                None => Err(refuse(parts, state, T::unknown()).await),
            },
            _ => Err(refuse(parts, state, T::unknown()).await),
        }
    }
}

impl<A: PathId + Send, B: PathId + Send> FromRequestParts<AppState> for IdPath2<A, B> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        // The ticket first: an item of a ticket that cannot exist is the ticket's 404.
        let error = match raw_params(parts, state).await.as_deref() {
            Some([a, b]) => match (A::parse(a), B::parse(b)) {
                (Some(a), Some(b)) => return Ok(IdPath2(a, b)),
                (None, _) => A::unknown(),
                (Some(_), None) => B::unknown(),
            },
            _ => A::unknown(),
        };
        Err(refuse(parts, state, error).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_ulids_and_nothing_else() {
        let id = ulid::Ulid::new().to_string();
        assert_eq!(TicketId::parse(&id), Some(TicketId::new(&id)));
        assert!(WishId::parse(&id).is_some());
        for bad in [
            "",
            "unknown",
            "01ARZ3NDEKTSV4RRFFQ69G5FA",
            "01ARZ3NDEKTSV4RRFFQ69G5FAVX",
        ] {
            assert_eq!(TicketId::parse(bad), None, "{bad}");
        }
        assert_eq!(TicketId::parse(&"7".repeat(3000)), None);
        assert_eq!(AttachmentId::parse("../../etc/passwd"), None);
        assert_eq!(String::parse(&"x".repeat(33)), None);
        assert_eq!(String::parse("2026").as_deref(), Some("2026"));
        assert_eq!(TimeEntryId::unknown().code(), "unknown_time_entry");
        assert_eq!(TicketId::unknown().code(), "not_found");
    }
}

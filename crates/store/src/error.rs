//! What can go wrong in the store, in terms the use cases act on.

use dealerdesk_domain::kernel::{Refusal, RefusalKind, Refuse};

/// A storage failure. No SDK type leaks out: engine errors are carried as text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A write's condition failed: the stored version is not the expected one, or a
    /// concurrent transaction touched the same item. Nothing was written; the caller
    /// reloads and decides again (an HTTP 409).
    #[error("the item changed since it was read (stale version or concurrent write)")]
    Conflict,
    /// The item (or the unique value it claims, such as an e-mail) exists already.
    #[error("the item exists already")]
    AlreadyExists,
    /// A listing cursor that this store did not hand out, or that belongs to another
    /// listing.
    #[error("invalid listing cursor")]
    BadCursor,
    /// The engine (DynamoDB, dynoxide, the network, the SDK) failed; the text says where.
    #[error("storage backend failure: {0}")]
    Backend(String),
    /// A stored item cannot be mapped back to a record; the text names the item and field.
    #[error("corrupt stored item: {0}")]
    Corrupt(String),
}

impl Refuse for StoreError {
    /// What the caller is told. A backend or corrupt-item failure is never the caller's
    /// fault: it is logged with its detail and shown with a generic message.
    fn refusal(&self) -> Refusal {
        match self {
            StoreError::Conflict => Refusal::new(
                RefusalKind::Conflict,
                "version_conflict",
                "Данные уже изменил кто-то другой. Обновите страницу и повторите действие.",
            ),
            StoreError::AlreadyExists => Refusal::new(
                RefusalKind::Conflict,
                "already_exists",
                "Такая запись уже существует.",
            ),
            StoreError::BadCursor => {
                Refusal::bad_request("bad_cursor", "Некорректный курсор постраничного вывода.")
            }
            StoreError::Backend(_) | StoreError::Corrupt(_) => Refusal::new(
                RefusalKind::Unavailable,
                "storage_unavailable",
                "Сервис временно недоступен. Повторите попытку позже.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_refusals_match_the_app_table() {
        let cases = [
            (
                StoreError::Conflict,
                RefusalKind::Conflict,
                "version_conflict",
            ),
            (
                StoreError::AlreadyExists,
                RefusalKind::Conflict,
                "already_exists",
            ),
            (StoreError::BadCursor, RefusalKind::BadRequest, "bad_cursor"),
            (
                StoreError::Backend("x".into()),
                RefusalKind::Unavailable,
                "storage_unavailable",
            ),
            (
                StoreError::Corrupt("x".into()),
                RefusalKind::Unavailable,
                "storage_unavailable",
            ),
        ];
        for (e, kind, code) in cases {
            let r = e.refusal();
            assert_eq!((r.kind, r.code), (kind, code), "{e:?}");
            assert!(r.fields.is_empty());
            // Russian, and never the engine's detail.
            assert!(r.message.chars().any(|c| ('а'..='я').contains(&c)), "{e:?}");
            assert!(!r.message.contains('x'), "{e:?}");
        }
        assert_eq!(
            StoreError::BadCursor.refusal().message,
            "Некорректный курсор постраничного вывода."
        );
        assert_eq!(
            StoreError::Backend("dynamo down".into()).refusal().message,
            "Сервис временно недоступен. Повторите попытку позже."
        );
    }
}

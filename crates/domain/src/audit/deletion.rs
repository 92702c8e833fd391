//! Soft delete and restore (SPEC §4.7): a deleted lead or ticket keeps everything — its
//! fields, its history, its audit — and only leaves every list, search, report and job
//! until someone restores it. Who may: leads by the brand's head office and the platform's
//! admin, tickets by the admin only; the same roles list the deleted items and restore them.

use crate::kernel::{Refusal, RefusalKind, Refuse};
use crate::{Role, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// When and by whom an item was deleted; `None` on a live item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deletion {
    pub at: DateTime<Utc>,
    pub by: UserId,
}

crate::coded_enum! {
    /// What can be deleted and restored.
    pub enum Deletable {
        Lead = "lead" / "Заявка",
        Ticket = "ticket" / "Обращение",
    }
}

/// Whether `role` deletes, lists deleted and restores items of `what`.
pub fn may_delete(role: Role, what: Deletable) -> bool {
    matches!(
        (what, role),
        (Deletable::Lead, Role::BrandAdmin | Role::Admin) | (Deletable::Ticket, Role::Admin)
    )
}

/// Why a delete or a restore is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeletionError {
    #[error("this role may not delete or restore {0:?}")]
    NotAllowed(Deletable),
    #[error("already deleted")]
    AlreadyDeleted(Deletable),
    #[error("not deleted")]
    NotDeleted(Deletable),
    /// A move on a deleted item.
    #[error("the item is deleted")]
    Deleted(Deletable),
}

impl Refuse for DeletionError {
    fn refusal(&self) -> Refusal {
        match self {
            DeletionError::NotAllowed(Deletable::Lead) => Refusal::new(
                RefusalKind::Forbidden,
                "forbidden",
                "Удалять и восстанавливать заявки могут только головной офис бренда и администратор.",
            ),
            DeletionError::NotAllowed(Deletable::Ticket) => Refusal::new(
                RefusalKind::Forbidden,
                "forbidden",
                "Удалять и восстанавливать обращения может только администратор.",
            ),
            DeletionError::AlreadyDeleted(what) => Refusal::new(
                RefusalKind::Conflict,
                "already_deleted",
                match what {
                    Deletable::Lead => "Заявка уже удалена.",
                    Deletable::Ticket => "Обращение уже удалено.",
                },
            ),
            DeletionError::NotDeleted(what) => Refusal::new(
                RefusalKind::Conflict,
                "not_deleted",
                match what {
                    Deletable::Lead => "Заявка не удалена: восстанавливать нечего.",
                    Deletable::Ticket => "Обращение не удалено: восстанавливать нечего.",
                },
            ),
            DeletionError::Deleted(what) => Refusal::new(
                RefusalKind::Conflict,
                "deleted",
                match what {
                    Deletable::Lead => "Заявка удалена: сначала её нужно восстановить.",
                    Deletable::Ticket => "Обращение удалено: сначала его нужно восстановить.",
                },
            ),
        }
    }
}

/// The one move of the deletion state: `Some` → `None` (restore), `None` → `Some`
/// (delete), checked for the role and the state.
pub fn next_deletion(
    what: Deletable,
    current: Option<&Deletion>,
    role: Role,
    by: &UserId,
    delete: bool,
    now: DateTime<Utc>,
) -> Result<Option<Deletion>, DeletionError> {
    if !may_delete(role, what) {
        return Err(DeletionError::NotAllowed(what));
    }
    match (current, delete) {
        (None, true) => Ok(Some(Deletion {
            at: now,
            by: by.clone(),
        })),
        (Some(_), true) => Err(DeletionError::AlreadyDeleted(what)),
        (Some(_), false) => Ok(None),
        (None, false) => Err(DeletionError::NotDeleted(what)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
    }

    #[test]
    fn leads_are_deleted_by_the_head_office_and_the_admin_tickets_by_the_admin_only() {
        for role in Role::ALL {
            assert_eq!(
                may_delete(role, Deletable::Lead),
                matches!(role, Role::BrandAdmin | Role::Admin),
                "{role:?}"
            );
            assert_eq!(
                may_delete(role, Deletable::Ticket),
                role == Role::Admin,
                "{role:?}"
            );
        }
    }

    #[test]
    fn a_delete_stamps_who_and_when_and_a_restore_clears_it() {
        let by = UserId::new("brand");
        let deleted =
            next_deletion(Deletable::Lead, None, Role::BrandAdmin, &by, true, now()).unwrap();
        assert_eq!(
            deleted,
            Some(Deletion {
                at: now(),
                by: by.clone()
            })
        );
        assert_eq!(
            next_deletion(
                Deletable::Lead,
                deleted.as_ref(),
                Role::Admin,
                &by,
                false,
                now()
            ),
            Ok(None)
        );
    }

    #[test]
    fn deleting_twice_or_restoring_a_live_item_is_a_conflict() {
        let by = UserId::new("admin");
        let d = Deletion {
            at: now(),
            by: by.clone(),
        };
        let twice = next_deletion(Deletable::Ticket, Some(&d), Role::Admin, &by, true, now());
        assert_eq!(twice, Err(DeletionError::AlreadyDeleted(Deletable::Ticket)));
        let live = next_deletion(Deletable::Ticket, None, Role::Admin, &by, false, now());
        assert_eq!(live.unwrap_err().refusal().kind, RefusalKind::Conflict);
    }

    #[test]
    fn a_dealer_may_not_delete_and_is_told_who_may() {
        let err = next_deletion(
            Deletable::Lead,
            None,
            Role::Dealer,
            &UserId::new("d"),
            true,
            now(),
        )
        .unwrap_err();
        assert_eq!(err.refusal().kind, RefusalKind::Forbidden);
        assert!(err.refusal().message.contains("головной офис бренда"));
    }
}

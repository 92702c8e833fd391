//! A lead's soft delete and restore (SPEC §4.7): the brand's head office and the admin take
//! a lead out of every list and job and bring it back, with a history line each time; the
//! card, its history and its keys stay as they were.

use super::card::{History, Lead, LeadField, LeadHistoryEntry};
use crate::Actor;
use crate::audit::{Deletable, Deletion, DeletionError, next_deletion};
use chrono::{DateTime, Utc};

/// The history line's words.
const DELETED: &str = "Удалена";
const RESTORED: &str = "Восстановлена";

impl Lead {
    /// When and by whom the lead was deleted; `None` while it is live.
    pub fn deleted(&self) -> Option<&Deletion> {
        self.deleted.as_ref()
    }

    /// Deletes the lead (the head office, the admin): the next version and its history line.
    pub fn delete(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(Lead, Vec<LeadHistoryEntry>), DeletionError> {
        self.deletion_move(actor, true, now)
    }

    /// Restores a deleted lead, as it was.
    pub fn restore(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(Lead, Vec<LeadHistoryEntry>), DeletionError> {
        self.deletion_move(actor, false, now)
    }

    fn deletion_move(
        &self,
        actor: &Actor,
        delete: bool,
        now: DateTime<Utc>,
    ) -> Result<(Lead, Vec<LeadHistoryEntry>), DeletionError> {
        let state = next_deletion(
            Deletable::Lead,
            self.deleted.as_ref(),
            actor.role,
            &actor.user_id,
            delete,
            now,
        )?;
        let mut next = self.clone();
        next.deleted = state;
        let mut log = History::new(Some(&actor.user_id), now);
        let (old, new) = if delete {
            (None, DELETED)
        } else {
            (Some(DELETED.to_string()), RESTORED)
        };
        log.push(LeadField::Deletion, old, Some(new.to_string()));
        Ok(next.stamped(log))
    }
}

#[cfg(test)]
mod tests {
    use crate::lead::card::tests::{dealer_actor, lead, t};
    use crate::lead::{LeadChange, LeadError};
    use crate::{Actor, Role, UserId};

    fn brand() -> Actor {
        Actor {
            user_id: UserId::new("brand"),
            role: Role::BrandAdmin,
            dealer_id: None,
        }
    }

    #[test]
    fn a_deleted_lead_keeps_its_keys_leaves_every_view_and_comes_back_as_it_was() {
        let live = lead();
        let (deleted, line) = live.delete(&brand(), t(12, 0)).unwrap();
        assert_eq!(deleted.version(), live.version() + 1);
        assert_eq!(deleted.deleted().unwrap().by, UserId::new("brand"));
        assert_eq!(line[0].new.as_deref(), Some("Удалена"));
        assert_eq!(
            deleted.keys(),
            live.keys(),
            "the key properties never change"
        );
        assert!(!deleted.visible_to(&dealer_actor("vostok")));
        assert!(!deleted.visible_to(&brand()));

        let (back, line) = deleted.restore(&brand(), t(13, 0)).unwrap();
        assert_eq!(back.deleted(), None);
        assert_eq!(line[0].new.as_deref(), Some("Восстановлена"));
        assert_eq!(back.keys(), live.keys());
        assert!(back.visible_to(&dealer_actor("vostok")));
    }

    #[test]
    fn a_deleted_lead_takes_no_change_and_a_dealer_may_not_delete() {
        let (deleted, _) = lead().delete(&brand(), t(12, 0)).unwrap();
        assert_eq!(
            deleted.apply(
                &dealer_actor("vostok"),
                &[LeadChange::Comment(Some("x".into()))],
                t(12, 5)
            ),
            Err(LeadError::Deleted)
        );
        assert!(lead().delete(&dealer_actor("vostok"), t(12, 0)).is_err());
    }
}

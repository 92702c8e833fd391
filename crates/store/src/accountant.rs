//! A dealer's accountants: invited by e-mail, set their password once through the link,
//! revoked by the dealer or an admin. The user and its e-mail claim are always written (or
//! removed) together, with the invitation's notice, in one transaction.

use crate::UserRecord;
use crate::client::{Condition, Store};
use crate::error::{Entity, StoreError};
use crate::keys;
use crate::mapping;
use crate::user::{email_claim_to_item, user_to_item};
use std::future::Future;

/// The accountant's account as the invitation and revocation change it.
pub trait AccountantRepo {
    /// Creates an invited accountant (the user, its e-mail claim) and the invitation's
    /// notices in one transaction; [`StoreError::AlreadyExists`] when the e-mail is taken.
    fn invite_accountant(
        &self,
        user: &UserRecord,
        notices: &[dealerdesk_domain::Notice],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Replaces the user's password hash, only while it still is `expected_hash` (the
    /// invitation's marker), so a link sets a password once; otherwise
    /// [`StoreError::Conflict`] and nothing is written.
    fn set_invited_password(
        &self,
        user: &UserRecord,
        expected_hash: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Removes the user and its e-mail claim together; a user already gone is
    /// [`StoreError::Conflict`].
    fn remove_user(&self, user: &UserRecord)
    -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl AccountantRepo for Store {
    async fn invite_accountant(
        &self,
        user: &UserRecord,
        notices: &[dealerdesk_domain::Notice],
    ) -> Result<(), StoreError> {
        let mut items = vec![
            self.put(user_to_item(user), Condition::absent())?,
            self.put(email_claim_to_item(user), Condition::absent())?,
        ];
        for notice in notices {
            items.push(self.put(crate::outbox::notice_to_item(notice), Condition::absent())?);
        }
        match self.transact(items).await? {
            Ok(()) => Ok(()),
            Err(cancelled) => match cancelled.backend_failure() {
                Some(err) => Err(err),
                None => Err(StoreError::AlreadyExists),
            },
        }
    }

    async fn set_invited_password(
        &self,
        user: &UserRecord,
        expected_hash: &str,
    ) -> Result<(), StoreError> {
        let unchanged = || Condition {
            expression: "#hash = :expected",
            names: vec![("#hash", PASSWORD_HASH)],
            values: vec![(":expected", mapping::string(expected_hash))],
            return_old_item: false,
        };
        let items = vec![
            self.put(user_to_item(user), unchanged())?,
            self.put(email_claim_to_item(user), unchanged())?,
        ];
        match self.transact(items).await? {
            Ok(()) => Ok(()),
            Err(cancelled) => match cancelled.backend_failure() {
                Some(err) => Err(err),
                None => Err(StoreError::Conflict {
                    entity: Entity::User,
                }),
            },
        }
    }

    async fn remove_user(&self, user: &UserRecord) -> Result<(), StoreError> {
        let items = vec![
            self.delete_item(keys::user_pk(&user.id), keys::USER_SK, true)?,
            self.delete_item(keys::email_pk(&user.email), keys::EMAIL_SK, false)?,
        ];
        match self.transact(items).await? {
            Ok(()) => Ok(()),
            Err(cancelled) => match cancelled.backend_failure() {
                Some(err) => Err(err),
                None => Err(StoreError::Conflict {
                    entity: Entity::User,
                }),
            },
        }
    }
}

/// The attribute of the password hash on a user and its claim.
const PASSWORD_HASH: &str = "password_hash";

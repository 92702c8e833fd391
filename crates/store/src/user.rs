//! People who log in, found by id, by e-mail (a unique claim item), by dealer and by role.

use crate::client::{Condition, Store};
use crate::error::{Entity, StoreError};
use crate::kernel::Listing;
use crate::keys;
use crate::mapping::{Builder, Item, Reader, attr};
use crate::table::{GSI1, GSI2, GsiDefinition};
use crate::{UserRecord, UserRepo};
use dealerdesk_domain::{DealerId, Role, UserId};

impl UserRepo for Store {
    async fn create_user(&self, user: &UserRecord) -> Result<(), StoreError> {
        let item = user_to_item(user);
        // Users are created by the command line and the demo seed, not by a person in
        // the product, so the entry names no one.
        let stamp = crate::AuditStamp::new(
            dealerdesk_domain::audit::AuditItem::new(
                dealerdesk_domain::audit::AuditKind::User,
                user.id.as_str(),
            ),
            user.created_at,
            None,
        );
        let audit = self.audit_write(&stamp, None, &item)?;
        let mut items = vec![
            self.put(item, Condition::absent())?,
            self.put(email_claim_to_item(user), Condition::absent())?,
        ];
        items.extend(audit);
        match self.transact(items).await? {
            Ok(()) => Ok(()),
            Err(cancelled) => {
                if let Some(err) = cancelled.backend_failure() {
                    return Err(err);
                }
                if cancelled.condition_failed(0)
                    || cancelled.condition_failed(1)
                    || cancelled.unexplained()
                {
                    Err(StoreError::AlreadyExists)
                } else {
                    Err(StoreError::Conflict {
                        entity: Entity::User,
                    })
                }
            }
        }
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        let Some(claim) = self.get(keys::email_pk(email), keys::EMAIL_SK).await? else {
            return Ok(None);
        };
        // The claim carries the whole user, so a known e-mail costs the same one read as an
        // unknown one (no timing tells which e-mails exist). Claims written before it did
        // point to the user item.
        if claim.contains_key(PASSWORD_HASH) {
            return user_from_item(&claim).map(Some);
        }
        let id = email_claim_user(&claim)?;
        match self.user(&id).await? {
            Some(user) => Ok(Some(user)),
            // Both are written in one transaction: a claim without its user is damage.
            None => Err(StoreError::Corrupt(format!(
                "e-mail {email} is claimed by user {id}, who does not exist"
            ))),
        }
    }

    async fn user(&self, id: &UserId) -> Result<Option<UserRecord>, StoreError> {
        self.get(keys::user_pk(id), keys::USER_SK)
            .await?
            .map(|item| user_from_item(&item))
            .transpose()
    }

    async fn users_of_dealer(&self, dealer: &DealerId) -> Result<Vec<UserRecord>, StoreError> {
        self.users_in(&GSI1, keys::users_of_dealer_gsi1pk(dealer))
            .await
    }

    async fn users_with_role(&self, role: Role) -> Result<Vec<UserRecord>, StoreError> {
        self.users_in(&GSI2, keys::users_with_role_gsi2pk(role))
            .await
    }
}

impl Store {
    /// Every user under one index partition.
    async fn users_in(
        &self,
        index: &GsiDefinition,
        partition: String,
    ) -> Result<Vec<UserRecord>, StoreError> {
        let mut users = Vec::new();
        let listing = Listing {
            newest_first: false,
            ..Listing::newest_first(index, partition)
        };
        for item in &self.listed(&listing).await? {
            users.push(user_from_item(item)?);
        }
        Ok(users)
    }
}

// ---------------------------------------------------------------- mapping: users and their e-mail claims ⇄ items

pub(crate) fn user_to_item(user: &UserRecord) -> Item {
    let mut b = Builder::new(keys::user_pk(&user.id), keys::USER_SK, "user")
        .string(GSI2.partition_key, keys::users_with_role_gsi2pk(user.role))
        .string(GSI2.sort_key, &user.email);
    if let Some(dealer) = &user.dealer_id {
        b = b
            .string(GSI1.partition_key, keys::users_of_dealer_gsi1pk(dealer))
            .string(GSI1.sort_key, &user.email);
    }
    user_attributes(b, user).build()
}

const PASSWORD_HASH: &str = "password_hash";

/// What a user item and its e-mail claim both carry.
fn user_attributes(b: Builder, user: &UserRecord) -> Builder {
    b.string("id", user.id.as_str())
        .string("email", &user.email)
        .string("name", &user.name)
        .string("role", user.role.code())
        .opt_string("dealer_id", user.dealer_id.as_ref().map(DealerId::as_str))
        .string(PASSWORD_HASH, &user.password_hash)
        .instant("created_at", user.created_at)
}

pub(crate) fn user_from_item(item: &Item) -> Result<UserRecord, StoreError> {
    let r = Reader::new(item);
    Ok(UserRecord {
        id: UserId::new(r.string("id")?),
        email: r.string("email")?,
        name: r.string("name")?,
        role: r.code("role", Role::from_code)?,
        dealer_id: r.opt_string("dealer_id")?.map(DealerId::new),
        password_hash: r.string(PASSWORD_HASH)?,
        created_at: r.instant("created_at")?,
    })
}

/// The item that claims `user.email` for `user`, with the user's attributes (login reads
/// only this item).
pub(crate) fn email_claim_to_item(user: &UserRecord) -> Item {
    let b = Builder::new(keys::email_pk(&user.email), keys::EMAIL_SK, "email")
        .string(attr::USER_ID, user.id.as_str());
    user_attributes(b, user).build()
}

/// The user an e-mail claim points to.
pub(crate) fn email_claim_user(item: &Item) -> Result<UserId, StoreError> {
    Ok(UserId::new(Reader::new(item).string(attr::USER_ID)?))
}

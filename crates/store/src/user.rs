//! People who log in, found by id, by e-mail (a unique claim item), by dealer and by role.

use crate::client::{Condition, Store};
use crate::error::{Entity, StoreError};
use crate::keys;
use crate::mapping::{self};
use crate::table::{GSI1, GSI2, GsiDefinition};
use crate::{UserRecord, UserRepo};
use dealerdesk_domain::{DealerId, Role, UserId};

impl UserRepo for Store {
    async fn create_user(&self, user: &UserRecord) -> Result<(), StoreError> {
        let items = vec![
            self.put(mapping::user_to_item(user), Condition::absent())?,
            self.put(mapping::email_claim_to_item(user), Condition::absent())?,
        ];
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
        let id = mapping::email_claim_user(&claim)?;
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
            .map(|item| mapping::user_from_item(&item))
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
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .index_name(index.name)
            .key_condition_expression("#ipk = :ipk")
            .expression_attribute_names("#ipk", index.partition_key)
            .expression_attribute_values(":ipk", mapping::string(partition.clone()));
        for item in &self.query_all(query).await? {
            users.push(mapping::user_from_item(item)?);
        }
        Ok(users)
    }
}

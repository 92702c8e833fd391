//! Login sessions, kept under the SHA-256 of their token and expired by TTL.

use crate::client::Store;
use crate::error::StoreError;
use crate::keys;
use crate::mapping::{self};
use crate::table::PK;
use crate::{SessionRecord, SessionRepo};
use chrono::{DateTime, Utc};

impl SessionRepo for Store {
    async fn put_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&*self.table)
            .set_item(Some(mapping::session_to_item(session)))
            // A token hash is 256 random bits; a collision means a replayed write.
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::AlreadyExists)
            }
            Err(err) => Err(self.backend("PutItem", err)),
        }
    }

    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let Some(item) = self
            .get(keys::session_pk(token_hash), keys::SESSION_SK)
            .await?
        else {
            return Ok(None);
        };
        let session = mapping::session_from_item(&item)?;
        // TTL deletion lags (up to days in AWS), so expiry is checked here.
        Ok((session.expires_at > now).then_some(session))
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&*self.table)
            .set_key(Some(Self::key(
                keys::session_pk(token_hash),
                keys::SESSION_SK,
            )))
            .send()
            .await
            .map_err(|e| self.backend("DeleteItem", e))?;
        Ok(())
    }
}

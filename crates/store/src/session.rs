//! Login sessions, kept under the SHA-256 of their token and expired by TTL.

use crate::client::Store;
use crate::error::StoreError;
use crate::keys;
use crate::mapping::{Builder, Item, Reader, attr, n};
use crate::table::{PK, TTL_ATTRIBUTE};
use crate::{SessionRecord, SessionRepo};
use chrono::{DateTime, Utc};
use dealerdesk_domain::{DealerId, Role, UserId};

impl SessionRepo for Store {
    async fn put_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&*self.table)
            .set_item(Some(session_to_item(session)))
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
        let session = session_from_item(&item)?;
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

// ---------------------------------------------------------------- mapping: sessions ⇄ items

pub(crate) fn session_to_item(session: &SessionRecord) -> Item {
    Builder::new(
        keys::session_pk(&session.token_hash),
        keys::SESSION_SK,
        "session",
    )
    .string("token_hash", &session.token_hash)
    .string(attr::USER_ID, session.user_id.as_str())
    .string("role", session.role.code())
    .opt_string(
        "dealer_id",
        session.dealer_id.as_ref().map(DealerId::as_str),
    )
    .string("csrf", &session.csrf)
    .instant("created_at", session.created_at)
    .instant("expires_at", session.expires_at)
    .put(TTL_ATTRIBUTE, n(session.expires_at.timestamp()))
    .build()
}

pub(crate) fn session_from_item(item: &Item) -> Result<SessionRecord, StoreError> {
    let r = Reader::new(item);
    Ok(SessionRecord {
        token_hash: r.string("token_hash")?,
        user_id: UserId::new(r.string(attr::USER_ID)?),
        role: r.code("role", Role::from_code)?,
        dealer_id: r.opt_string("dealer_id")?.map(DealerId::new),
        csrf: r.string("csrf")?,
        created_at: r.instant("created_at")?,
        expires_at: r.instant("expires_at")?,
    })
}

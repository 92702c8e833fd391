//! Post counters of the lead webhook: one item per scope and time window, counted with an
//! atomic ADD so a limit holds across every Lambda instance, and expired by TTL a window
//! after the window ends (layout in `keys.rs`). And the look-up that lets a retried post be
//! answered with its first lead before any limit counts it.

use crate::client::Store;
use crate::error::StoreError;
use crate::keys;
use crate::mapping::{self, Reader};
use crate::table::TTL_ATTRIBUTE;
use aws_sdk_dynamodb::types::ReturnValue;
use chrono::{DateTime, Utc};
use dealerdesk_domain::lead::LeadId;
use std::future::Future;

/// Post counters.
pub trait PostLimitRepo {
    /// Counts one post of `scope` in the window starting at `window_start` and returns the
    /// count after it; the counter expires at `expires_at`.
    fn count_post(
        &self,
        scope: &str,
        window_start: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// The lead an earlier post with this idempotency key made (see
    /// [`crate::LeadIdempotency`]) and that post's fingerprint, while its record is live at
    /// `now`.
    fn earlier_post(
        &self,
        owner: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<(LeadId, String)>, StoreError>> + Send;
}

const COUNT: &str = "posts";

impl PostLimitRepo for Store {
    async fn count_post(
        &self,
        scope: &str,
        window_start: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&*self.table)
            .set_key(Some(Store::key(
                keys::post_limit_pk(scope, window_start),
                keys::LIMIT_SK,
            )))
            .update_expression("SET #ttl = :ttl, #type = :type ADD #c :one")
            .expression_attribute_names("#c", COUNT)
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_names("#type", mapping::TYPE)
            .expression_attribute_values(":one", mapping::number(1))
            .expression_attribute_values(":ttl", mapping::number(expires_at.timestamp()))
            .expression_attribute_values(":type", mapping::string("post_limit"))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| self.backend("UpdateItem", e))?;
        let item = out.attributes.ok_or_else(|| {
            StoreError::Backend("UpdateItem on a post counter returned nothing".into())
        })?;
        Reader::new(&item).u64(COUNT)
    }

    async fn earlier_post(
        &self,
        owner: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(LeadId, String)>, StoreError> {
        let Some(item) = self
            .get(keys::lead_idempotency_pk(owner, key), keys::IDEMPOTENCY_SK)
            .await?
        else {
            return Ok(None);
        };
        let r = Reader::new(&item);
        // An expired record that TTL has not removed yet no longer counts.
        if r.u64(TTL_ATTRIBUTE)? < u64::try_from(now.timestamp()).unwrap_or(0) {
            return Ok(None);
        }
        Ok(Some((
            LeadId::new(r.string("lead_id")?),
            r.string("fingerprint")?,
        )))
    }
}

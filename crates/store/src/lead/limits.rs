//! Post counters of the lead webhook: one item per scope and time window, counted with an
//! atomic ADD so a limit holds across every Lambda instance, and expired by TTL a window
//! after the window ends (layout in `keys.rs`).

use crate::client::Store;
use crate::error::StoreError;
use crate::keys;
use crate::mapping::{self, Reader};
use crate::table::TTL_ATTRIBUTE;
use aws_sdk_dynamodb::types::ReturnValue;
use chrono::{DateTime, Utc};
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
}

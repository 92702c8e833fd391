//! Failed-login counters, one item per [`ThrottleKey`], kept in the table so that a limit
//! holds across every Lambda instance; expired by TTL a day after the last failure.

use crate::client::Store;
use crate::error::StoreError;
use crate::keys;
use crate::mapping::{self, Item, Reader};
use crate::table::TTL_ATTRIBUTE;
use crate::{LoginThrottleRepo, ThrottleKey};
use aws_sdk_dynamodb::types::ReturnValue;
use chrono::{DateTime, Duration, Utc};
use dealerdesk_domain::session::{FORGET_AFTER_HOURS, Failures};

const COUNT: &str = "failures";
const LAST_AT: &str = "last_failed_at";

impl LoginThrottleRepo for Store {
    async fn login_failures(&self, key: &ThrottleKey) -> Result<Option<Failures>, StoreError> {
        self.get(keys::login_throttle_pk(key), keys::THROTTLE_SK)
            .await?
            .map(|item| failures_from_item(&item))
            .transpose()
    }

    async fn record_login_failure(
        &self,
        key: &ThrottleKey,
        restart: bool,
        now: DateTime<Utc>,
    ) -> Result<Failures, StoreError> {
        // ADD is atomic, so concurrent failures from many instances are all counted; a run
        // the rules have forgotten starts again at one instead.
        let update = if restart {
            "SET #c = :one, #at = :now, #ttl = :ttl, #type = :type"
        } else {
            "SET #at = :now, #ttl = :ttl, #type = :type ADD #c :one"
        };
        let ttl = now + Duration::hours(FORGET_AFTER_HOURS);
        let out = self
            .client
            .update_item()
            .table_name(&*self.table)
            .set_key(Some(Self::key(
                keys::login_throttle_pk(key),
                keys::THROTTLE_SK,
            )))
            .update_expression(update)
            .expression_attribute_names("#c", COUNT)
            .expression_attribute_names("#at", LAST_AT)
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_names("#type", mapping::TYPE)
            .expression_attribute_values(":one", mapping::number(1))
            .expression_attribute_values(":now", mapping::string(keys::instant(now)))
            .expression_attribute_values(":ttl", mapping::number(ttl.timestamp()))
            .expression_attribute_values(":type", mapping::string("login_throttle"))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| self.backend("UpdateItem", e))?;
        let item = out.attributes.ok_or_else(|| {
            StoreError::Backend("UpdateItem on a login counter returned nothing".into())
        })?;
        failures_from_item(&item)
    }

    async fn clear_login_failures(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&*self.table)
            .set_key(Some(Self::key(
                keys::login_throttle_pk(key),
                keys::THROTTLE_SK,
            )))
            .send()
            .await
            .map_err(|e| self.backend("DeleteItem", e))?;
        Ok(())
    }
}

/// Reads a counter item (written only by [`LoginThrottleRepo::record_login_failure`]).
pub(crate) fn failures_from_item(item: &Item) -> Result<Failures, StoreError> {
    let r = Reader::new(item);
    let count = u32::try_from(r.u64(COUNT)?).map_err(|_| r.corrupt(COUNT))?;
    Ok(Failures {
        count,
        last_at: r.instant(LAST_AT)?,
    })
}

//! Post counters of the lead webhook: one item per scope and time window, counted with an
//! atomic ADD so a limit holds across every Lambda instance, and expired by TTL a window
//! after the window ends (layout in `keys.rs`). And the look-up that lets a retried post be
//! answered with its first lead before any limit counts it: [`PostLimitRepo::look_up_post`]
//! reads the post's idempotency record and its customer's identity claims in one
//! `BatchGetItem`, so a new lead's create needs no further read to decide its profile.

use crate::client::Store;
use crate::error::StoreError;
use crate::keys;
use crate::mapping::{self, Item, Reader};
use crate::table::TTL_ATTRIBUTE;
use aws_sdk_dynamodb::types::ReturnValue;
use chrono::{DateTime, Utc};
use dealerdesk_domain::lead::{CustomerId, LeadId};
use std::future::Future;

/// What the table knows of a post before it is created (one `BatchGetItem`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostLookup {
    /// The lead an earlier post with the same idempotency made and that post's
    /// fingerprint, while its record is live.
    pub earlier: Option<(LeadId, String)>,
    /// The profile that claimed each identity key asked about, in the order asked.
    pub owners: Vec<Option<CustomerId>>,
}

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
    /// In one consistent `BatchGetItem`: the lead an earlier post with the idempotency key
    /// `earlier` (`(owner, key)` of a [`crate::LeadIdempotency`]) made and that post's
    /// fingerprint, while its record is live at `now`; and the profile that claimed each
    /// of `identities` (as [`crate::CustomerRepo::customer_by_key`]).
    fn look_up_post(
        &self,
        earlier: Option<(&str, &str)>,
        identities: &[String],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<PostLookup, StoreError>> + Send;
}

/// The live earlier post an idempotency record names.
fn earlier_of(item: &Item, now: DateTime<Utc>) -> Result<Option<(LeadId, String)>, StoreError> {
    let r = Reader::new(item);
    // An expired record that TTL has not removed yet no longer counts.
    if r.u64(TTL_ATTRIBUTE)? < u64::try_from(now.timestamp()).unwrap_or(0) {
        return Ok(None);
    }
    Ok(Some((
        LeadId::new(r.string("lead_id")?),
        r.string("fingerprint")?,
    )))
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

    async fn look_up_post(
        &self,
        earlier: Option<(&str, &str)>,
        identities: &[String],
        now: DateTime<Utc>,
    ) -> Result<PostLookup, StoreError> {
        let mut wanted: Vec<(String, &str)> = Vec::with_capacity(identities.len() + 1);
        if let Some((owner, key)) = earlier {
            wanted.push((keys::lead_idempotency_pk(owner, key), keys::IDEMPOTENCY_SK));
        }
        let first_claim = wanted.len();
        for identity in identities {
            let pk = keys::customer_key_pk(identity);
            // A key asked twice is read once (a batch must not repeat a key).
            if !wanted[first_claim..].iter().any(|(p, _)| *p == pk) {
                wanted.push((pk, keys::CUSTOMER_KEY_SK));
            }
        }
        let found = self.batch_get(&wanted).await?;
        let earlier = match (earlier, found.first()) {
            (Some(_), Some(Some(item))) => earlier_of(item, now)?,
            _ => None,
        };
        let owners = identities
            .iter()
            .map(|identity| {
                let pk = keys::customer_key_pk(identity);
                let at = wanted[first_claim..].iter().position(|(p, _)| *p == pk);
                match at
                    .and_then(|i| found.get(first_claim + i))
                    .and_then(Option::as_ref)
                {
                    Some(item) => super::claim_owner(item).map(Some),
                    None => Ok(None),
                }
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(PostLookup { earlier, owners })
    }
}

//! Bulk seeding for benchmarks: many aggregates written in `BatchWriteItem` calls of 25
//! through the repositories' own item mappings, so a benchmark's data is exactly what the
//! product would have stored, without the product's transactions, history events, notices
//! or audit entries (which a bill run does not read). Never used by the product itself:
//! nothing here checks a version or a condition.

use crate::billing::{requisites_to_item, subscription_to_item};
use crate::client::Store;
use crate::directory::dealer_to_item;
use crate::error::StoreError;
use crate::lead::lead_to_item;
use crate::mapping::Item;
use crate::ticket::ticket_to_item;
use crate::{DealerRecord, DealerRequisites};
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use chrono::{DateTime, Utc};
use dealerdesk_domain::Ticket;
use dealerdesk_domain::billing::subscription::Subscription;
use dealerdesk_domain::lead::Lead;
use std::collections::HashMap;
use std::time::Duration;

/// One aggregate to seed, as the product stores it.
#[derive(Clone, Copy, Debug)]
pub enum Seed<'a> {
    Dealer(&'a DealerRecord),
    Ticket(&'a Ticket),
    Subscription(&'a Subscription),
    Requisites(&'a DealerRequisites),
    /// A lead and, while an escalation is owed, when (its place on the due index).
    Lead(&'a Lead, Option<DateTime<Utc>>),
}

impl Seed<'_> {
    fn item(self) -> Result<Item, StoreError> {
        match self {
            Seed::Dealer(d) => Ok(dealer_to_item(d)),
            Seed::Ticket(t) => Ok(ticket_to_item(t)),
            Seed::Subscription(s) => subscription_to_item(s),
            Seed::Requisites(r) => requisites_to_item(r),
            Seed::Lead(l, escalate_at) => lead_to_item(l, escalate_at),
        }
    }
}

/// The most items one `BatchWriteItem` takes.
const BATCH: usize = 25;

impl Store {
    /// Writes `seeds` unconditionally, 25 to a call; items the engine hands back
    /// unprocessed are sent again after a short pause. Benchmarks only.
    pub async fn seed_batch(&self, seeds: &[Seed<'_>]) -> Result<(), StoreError> {
        for chunk in seeds.chunks(BATCH) {
            let mut requests = chunk
                .iter()
                .map(|seed| {
                    Ok(WriteRequest::builder()
                        .put_request(
                            PutRequest::builder()
                                .set_item(Some(seed.item()?))
                                .build()
                                .map_err(|e| StoreError::Backend(format!("seed: {e}")))?,
                        )
                        .build())
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let mut pause = Duration::from_millis(10);
            while !requests.is_empty() {
                let out = self
                    .client
                    .batch_write_item()
                    .set_request_items(Some(HashMap::from([(self.table.to_string(), requests)])))
                    .send()
                    .await
                    .map_err(|e| self.backend("BatchWriteItem", e))?;
                requests = out
                    .unprocessed_items
                    .and_then(|mut left| left.remove(&*self.table))
                    .unwrap_or_default();
                if !requests.is_empty() {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(1));
                }
            }
        }
        Ok(())
    }
}

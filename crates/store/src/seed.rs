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
use chrono::{DateTime, Utc};
use dealerdesk_domain::Ticket;
use dealerdesk_domain::billing::subscription::Subscription;
use dealerdesk_domain::lead::Lead;

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

impl Store {
    /// Writes `seeds` unconditionally, 25 to a call; items the engine hands back
    /// unprocessed are sent again as every batch's are (`Store::until_processed`).
    /// Benchmarks only.
    pub async fn seed_batch(&self, seeds: &[Seed<'_>]) -> Result<(), StoreError> {
        let items = seeds
            .iter()
            .map(|seed| seed.item())
            .collect::<Result<Vec<_>, _>>()?;
        self.batch_put(items).await
    }
}

//! The reports' aggregate items (SPEC §4.6): counters per dealer and month (the tickets
//! filed each day) and per dealer and billing quarter (costs), added to in the same
//! transaction as each ticket change and read a month (or quarter) at a time. Keys and the
//! layout are in [`keys`](crate::keys); what a ticket counts is the domain's
//! `report::tickets`.

use crate::client::Store;
use crate::error::StoreError;
use crate::keys;
use crate::mapping::Item;
use crate::table::{PK, SK};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::Datelike;
use dealerdesk_domain::report::month_code;
use dealerdesk_domain::report::tickets::{Bucket, delta};
use dealerdesk_domain::{DealerId, Quarter};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

/// With this many dealers or fewer a report reads their items one by one; with more, the
/// whole month's partition (one Query) and keeps theirs.
const FEW_DEALERS: usize = 16;

/// One dealer's counters in a month or quarter: attribute → amount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealerCounters {
    pub dealer: DealerId,
    pub counters: BTreeMap<String, i64>,
}

/// The reports' counters.
pub trait ReportRepo {
    /// The ticket counters of a month (`<counter>@<dd>`) of `dealers` (every dealer's for
    /// `None`); dealers without any are left out.
    fn ticket_month(
        &self,
        year: i32,
        month: u32,
        dealers: Option<&BTreeSet<DealerId>>,
    ) -> impl Future<Output = Result<Vec<DealerCounters>, StoreError>> + Send;
    /// The cost counters of a billing quarter of `dealers` (every dealer's for `None`).
    fn ticket_costs(
        &self,
        quarter: Quarter,
        dealers: Option<&BTreeSet<DealerId>>,
    ) -> impl Future<Output = Result<Vec<DealerCounters>, StoreError>> + Send;
    /// Writes whole counter items of a month with batch writes, replacing what is there:
    /// for loading history (the benchmark's year of a thousand dealers), never for live
    /// changes, which add through the ticket's own transaction.
    fn put_ticket_month(
        &self,
        year: i32,
        month: u32,
        items: &[DealerCounters],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

fn counters_of(item: &Item) -> Option<DealerCounters> {
    let dealer = match item.get(SK) {
        Some(AttributeValue::S(sk)) => keys::report_dealer_of(sk)?,
        _ => return None,
    };
    let counters = item
        .iter()
        .filter(|(name, _)| name.as_str() != PK && name.as_str() != SK)
        .filter_map(|(name, value)| match value {
            AttributeValue::N(n) => n.parse::<i64>().ok().map(|v| (name.clone(), v)),
            _ => None,
        })
        .collect();
    Some(DealerCounters { dealer, counters })
}

impl Store {
    async fn counters(
        &self,
        pk: String,
        dealers: Option<&BTreeSet<DealerId>>,
    ) -> Result<Vec<DealerCounters>, StoreError> {
        match dealers {
            Some(few) if few.len() <= FEW_DEALERS => {
                let mut out = Vec::new();
                for dealer in few {
                    if let Some(item) = self
                        .get(pk.clone(), &keys::report_dealer_sk(dealer))
                        .await?
                    {
                        out.extend(counters_of(&item));
                    }
                }
                Ok(out)
            }
            _ => Ok(self
                .partition(pk)
                .await?
                .iter()
                .filter_map(counters_of)
                .filter(|c| dealers.is_none_or(|d| d.contains(&c.dealer)))
                .collect()),
        }
    }
}

impl ReportRepo for Store {
    async fn ticket_month(
        &self,
        year: i32,
        month: u32,
        dealers: Option<&BTreeSet<DealerId>>,
    ) -> Result<Vec<DealerCounters>, StoreError> {
        self.counters(keys::report_tickets_pk(&month_code(year, month)), dealers)
            .await
    }

    async fn ticket_costs(
        &self,
        quarter: Quarter,
        dealers: Option<&BTreeSet<DealerId>>,
    ) -> Result<Vec<DealerCounters>, StoreError> {
        self.counters(keys::report_costs_pk(&quarter.code()), dealers)
            .await
    }

    async fn put_ticket_month(
        &self,
        year: i32,
        month: u32,
        items: &[DealerCounters],
    ) -> Result<(), StoreError> {
        let pk = keys::report_tickets_pk(&month_code(year, month));
        let items = items
            .iter()
            .map(|c| {
                let mut item = Store::key(pk.clone(), &keys::report_dealer_sk(&c.dealer));
                for (name, value) in &c.counters {
                    item.insert(name.clone(), AttributeValue::N(value.to_string()));
                }
                item
            })
            .collect();
        self.batch_put(items).await
    }
}

/// The writes a ticket change adds to the reports' counters: the domain's delta (after
/// minus before), one `ADD` update per item with every counter of it, so no item is touched
/// twice in the transaction. Used as the ticket saves' [`Derive`](crate::kernel::Derive).
pub(crate) fn ticket_counters(
    store: &Store,
    before: Option<&Item>,
    after: &Item,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let before = before.map(crate::ticket::ticket_from_item).transpose()?;
    let after = crate::ticket::ticket_from_item(after)?;
    let mut items: BTreeMap<(String, String), BTreeMap<String, i64>> = BTreeMap::new();
    for (bucket, counters) in delta(before.as_ref(), &after) {
        let (pk, sk, day) = match bucket {
            Bucket::Day { dealer, day } => (
                keys::report_tickets_pk(&month_code(day.year(), day.month())),
                keys::report_dealer_sk(&dealer),
                Some(day.day()),
            ),
            Bucket::Quarter { dealer, quarter } => (
                keys::report_costs_pk(&quarter.code()),
                keys::report_dealer_sk(&dealer),
                None,
            ),
        };
        let item = items.entry((pk, sk)).or_default();
        for (name, amount) in counters {
            let name = match day {
                Some(d) => keys::report_day_counter(&name, d),
                None => name,
            };
            *item.entry(name).or_default() += amount;
        }
    }
    let mut writes = Vec::new();
    for ((pk, sk), counters) in items {
        let counters: Vec<(String, i64)> = counters.into_iter().filter(|(_, a)| *a != 0).collect();
        if counters.is_empty() {
            continue;
        }
        let mut update = Update::builder()
            .table_name(&*store.table)
            .set_key(Some(Store::key(pk, &sk)));
        let mut adds = Vec::new();
        for (i, (name, amount)) in counters.into_iter().enumerate() {
            adds.push(format!("#c{i} :c{i}"));
            update = update
                .expression_attribute_names(format!("#c{i}"), name)
                .expression_attribute_values(
                    format!(":c{i}"),
                    AttributeValue::N(amount.to_string()),
                );
        }
        let update = update
            .update_expression(format!("ADD {}", adds.join(", ")))
            .build()
            .map_err(|e| StoreError::Backend(format!("building a transaction Update: {e}")))?;
        writes.push(TransactWriteItem::builder().update(update).build());
    }
    Ok(writes)
}

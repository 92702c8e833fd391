//! What the lead card's screens read: the list with its filters (status, type, period),
//! either order, a page at a time; and the search across dealers by surname and name.
//!
//! The list reads the same index partitions as [`LeadRepo::leads`](super::LeadRepo::leads)
//! (one dealer's, a representative's, the network's). The period is a key condition on the
//! listing sort key (`<created>#<id>`), so a month of a busy dealer reads that month only;
//! status and type are filters on the attributes every lead item carries.
//!
//! The search reads the sparse `gsi2` partition `LEADSEARCH#<surname>#<name>` of the
//! leads' listing copies: every lead of a person with that name, across dealers; the caller
//! matches e-mail and phone ([`LeadQuery::matches`](dealerdesk_domain::lead::LeadQuery)).

use super::{KIND, lead_from_item};
use crate::client::Store;
use crate::cursor;
use crate::error::StoreError;
use crate::keys;
use crate::mapping::{self, Item, attr};
use crate::table::{GSI1, GSI2, GsiDefinition};
use crate::{LeadListing, MAX_PAGE_LIMIT, Page, PageRequest};
use chrono::{DateTime, Utc};
use dealerdesk_domain::lead::{Lead, LeadStatus, LeadType};
use std::future::Future;

/// Most Query calls one filtered page makes before it comes back short, with a cursor.
const MAX_QUERIES_PER_PAGE: usize = 25;
/// Items a filtered page asks the engine to evaluate per Query call.
const FILTERED_QUERY_LIMIT: i32 = 100;
/// The most leads one search reads: people of one name across the network.
const MAX_SEARCH_ITEMS: usize = 500;

/// Which leads of a listing the list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeadFilter {
    pub status: Option<LeadStatus>,
    pub kind: Option<LeadType>,
    /// Created at or after.
    pub from: Option<DateTime<Utc>>,
    /// Created before.
    pub to: Option<DateTime<Utc>>,
}

/// The list's order: by creation time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LeadOrder {
    #[default]
    NewestFirst,
    OldestFirst,
}

/// The lead card's reads.
pub trait LeadListRepo {
    /// A page of a listing, filtered and ordered.
    fn lead_list(
        &self,
        listing: &LeadListing,
        filter: &LeadFilter,
        order: LeadOrder,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Lead>, StoreError>> + Send;
    /// Every lead filed under a search key (`петров#иван`), newest first, across dealers.
    fn leads_named(&self, key: &str) -> impl Future<Output = Result<Vec<Lead>, StoreError>> + Send;
}

fn listing_partition(listing: &LeadListing) -> (&'static GsiDefinition, String) {
    match listing {
        LeadListing::Dealer(dealer) => (&GSI1, keys::dealer_leads_gsi1pk(dealer)),
        LeadListing::Observer(user) => (&GSI1, keys::observer_leads_gsi1pk(user)),
        LeadListing::All => (&GSI2, keys::ALL_LEADS_GSI2PK.to_string()),
    }
}

impl LeadListRepo for Store {
    async fn lead_list(
        &self,
        listing: &LeadListing,
        filter: &LeadFilter,
        order: LeadOrder,
        page: &PageRequest,
    ) -> Result<Page<Lead>, StoreError> {
        let (index, partition) = listing_partition(listing);
        let limit = page.limit.clamp(1, MAX_PAGE_LIMIT) as usize;
        let mut start = match &page.cursor {
            Some(c) => Some(cursor::decode(index, &partition, c)?),
            None => None,
        };
        // The period as a key range: `<created>#<id>` sorts after the bare `<created>`, so
        // BETWEEN from AND to keeps `from` itself and leaves out what was created at `to`.
        let key_condition = match (filter.from, filter.to) {
            (None, None) => "#ipk = :ipk",
            (Some(_), None) => "#ipk = :ipk AND #isk >= :from",
            (None, Some(_)) => "#ipk = :ipk AND #isk < :to",
            (Some(_), Some(_)) => "#ipk = :ipk AND #isk BETWEEN :from AND :to",
        };
        let mut filters = Vec::new();
        if filter.status.is_some() {
            filters.push("#status = :status");
        }
        if filter.kind.is_some() {
            filters.push("#kind = :kind");
        }
        let filtered = !filters.is_empty();
        let mut items: Vec<Item> = Vec::with_capacity(limit);
        let mut more = false;
        for _ in 0..MAX_QUERIES_PER_PAGE {
            let wanted = limit - items.len();
            let mut query = self
                .client
                .query()
                .table_name(&*self.table)
                .index_name(index.name)
                .key_condition_expression(key_condition)
                .expression_attribute_names("#ipk", index.partition_key)
                .expression_attribute_values(":ipk", mapping::string(partition.clone()))
                .scan_index_forward(order == LeadOrder::OldestFirst)
                .set_exclusive_start_key(start.take());
            if filter.from.is_some() || filter.to.is_some() {
                query = query.expression_attribute_names("#isk", index.sort_key);
            }
            if let Some(from) = filter.from {
                query = query
                    .expression_attribute_values(":from", mapping::string(keys::instant(from)));
            }
            if let Some(to) = filter.to {
                query =
                    query.expression_attribute_values(":to", mapping::string(keys::instant(to)));
            }
            if let Some(status) = filter.status {
                query = query
                    .expression_attribute_names("#status", attr::STATUS)
                    .expression_attribute_values(":status", mapping::string(status.code()));
            }
            if let Some(kind) = filter.kind {
                query = query
                    .expression_attribute_names("#kind", KIND)
                    .expression_attribute_values(":kind", mapping::string(kind.code()));
            }
            query = if filtered {
                query
                    .filter_expression(filters.join(" AND "))
                    .limit(FILTERED_QUERY_LIMIT.max(wanted as i32 + 1))
            } else {
                query.limit(wanted as i32 + 1)
            };
            let out = query.send().await.map_err(|e| self.backend("Query", e))?;
            let mut returned = out.items.unwrap_or_default().into_iter();
            items.extend(returned.by_ref().take(wanted));
            let left_over = returned.next().is_some();
            start = out.last_evaluated_key;
            if items.len() == limit {
                more = left_over || start.is_some();
                break;
            }
            if start.is_none() {
                break;
            }
        }
        if start.is_some() && items.len() < limit {
            more = true;
        }
        let next_cursor = match (more, items.last()) {
            (true, Some(last)) => Some(cursor::encode(index, last)?),
            (true, None) => match &start {
                Some(key) => Some(cursor::encode(index, key)?),
                None => None,
            },
            (false, _) => None,
        };
        let items = items.iter().map(lead_from_item).collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor })
    }

    async fn leads_named(&self, key: &str) -> Result<Vec<Lead>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .index_name(GSI2.name)
            .key_condition_expression("#ipk = :ipk")
            .expression_attribute_names("#ipk", GSI2.partition_key)
            .expression_attribute_values(":ipk", mapping::string(keys::lead_search_gsi2pk(key)))
            .scan_index_forward(false)
            .limit(MAX_SEARCH_ITEMS as i32);
        let out = query.send().await.map_err(|e| self.backend("Query", e))?;
        out.items
            .unwrap_or_default()
            .iter()
            .map(lead_from_item)
            .collect()
    }
}

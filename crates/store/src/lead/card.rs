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
use crate::error::StoreError;
use crate::kernel::Listing;
use crate::keys;
use crate::mapping::attr;
use crate::table::{GSI1, GSI2, GsiDefinition};
use crate::{LeadListing, Page, PageRequest};
use chrono::{DateTime, Utc};
use dealerdesk_domain::lead::{Lead, LeadStatus, LeadType};
use std::future::Future;

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
        // The period as a key range: `<created>#<id>` sorts after the bare `<created>`, so
        // it keeps `from` itself and leaves out what was created at `to`.
        let mut only = Vec::new();
        if let Some(status) = filter.status {
            only.push((attr::STATUS, status.code().to_string()));
        }
        if let Some(kind) = filter.kind {
            only.push((KIND, kind.code().to_string()));
        }
        let query = Listing {
            from: filter.from.map(keys::instant),
            to: filter.to.map(keys::instant),
            only,
            newest_first: order == LeadOrder::NewestFirst,
            ..Listing::newest_first(index, partition)
        };
        self.page_of(&query, page, lead_from_item).await
    }

    async fn leads_named(&self, key: &str) -> Result<Vec<Lead>, StoreError> {
        let listing = Listing::newest_first(&GSI2, keys::lead_search_gsi2pk(key));
        self.listed_where(&listing, Some(MAX_SEARCH_ITEMS), None)
            .await?
            .iter()
            .map(lead_from_item)
            .collect()
    }
}

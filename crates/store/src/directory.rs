//! Brand networks and dealer centres on the table.

use crate::client::Store;
use crate::error::StoreError;
use crate::kernel::Listing;
use crate::keys;
use crate::mapping::{Builder, Item, Reader};
use crate::table::GSI1;
use crate::{DealerRecord, DirectoryRepo, NetworkRecord};
use dealerdesk_domain::{DealerId, NetworkId, UserId};

impl DirectoryRepo for Store {
    async fn put_network(&self, network: &NetworkRecord) -> Result<(), StoreError> {
        self.put_plain(network_to_item(network)).await
    }

    async fn put_dealer(&self, dealer: &DealerRecord) -> Result<(), StoreError> {
        self.put_plain(dealer_to_item(dealer)).await
    }

    async fn dealer(&self, id: &DealerId) -> Result<Option<DealerRecord>, StoreError> {
        self.get(keys::dealer_pk(id), keys::DEALER_SK)
            .await?
            .map(|item| dealer_from_item(&item))
            .transpose()
    }

    async fn dealers(&self) -> Result<Vec<DealerRecord>, StoreError> {
        let mut dealers = Vec::new();
        let listing = Listing {
            newest_first: false,
            ..Listing::newest_first(&GSI1, keys::DEALERS_GSI1PK.to_string())
        };
        for item in &self.listed(&listing).await? {
            dealers.push(dealer_from_item(item)?);
        }
        Ok(dealers)
    }
}

// ---------------------------------------------------------------- mapping: networks and dealers ⇄ items

pub(crate) fn network_to_item(network: &NetworkRecord) -> Item {
    Builder::new(keys::network_pk(&network.id), keys::NETWORK_SK, "network")
        .string("id", network.id.as_str())
        .string("name", &network.name)
        .build()
}

#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn network_from_item(item: &Item) -> Result<NetworkRecord, StoreError> {
    let r = Reader::new(item);
    Ok(NetworkRecord {
        id: NetworkId::new(r.string("id")?),
        name: r.string("name")?,
    })
}

pub(crate) fn dealer_to_item(dealer: &DealerRecord) -> Item {
    Builder::new(keys::dealer_pk(&dealer.id), keys::DEALER_SK, "dealer")
        .string(GSI1.partition_key, keys::DEALERS_GSI1PK)
        .string(GSI1.sort_key, keys::dealer_gsi1sk(&dealer.name, &dealer.id))
        .string("id", dealer.id.as_str())
        .string("network_id", dealer.network_id.as_str())
        .string("name", &dealer.name)
        .string("city", &dealer.city)
        .string("timezone", &dealer.timezone)
        .opt_string(
            "account_manager_id",
            dealer.account_manager_id.as_ref().map(UserId::as_str),
        )
        .build()
}

pub(crate) fn dealer_from_item(item: &Item) -> Result<DealerRecord, StoreError> {
    let r = Reader::new(item);
    Ok(DealerRecord {
        id: DealerId::new(r.string("id")?),
        network_id: NetworkId::new(r.string("network_id")?),
        name: r.string("name")?,
        city: r.string("city")?,
        timezone: r.string("timezone")?,
        account_manager_id: r.opt_string("account_manager_id")?.map(UserId::new),
    })
}

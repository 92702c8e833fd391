//! Brand networks and dealer centres on the table.

use crate::client::Store;
use crate::error::StoreError;
use crate::keys;
use crate::mapping::{self};
use crate::table::GSI1;
use crate::{DealerRecord, DirectoryRepo, NetworkRecord};
use dealerdesk_domain::DealerId;

impl DirectoryRepo for Store {
    async fn put_network(&self, network: &NetworkRecord) -> Result<(), StoreError> {
        self.put_plain(mapping::network_to_item(network)).await
    }

    async fn put_dealer(&self, dealer: &DealerRecord) -> Result<(), StoreError> {
        self.put_plain(mapping::dealer_to_item(dealer)).await
    }

    async fn dealer(&self, id: &DealerId) -> Result<Option<DealerRecord>, StoreError> {
        self.get(keys::dealer_pk(id), keys::DEALER_SK)
            .await?
            .map(|item| mapping::dealer_from_item(&item))
            .transpose()
    }

    async fn dealers(&self) -> Result<Vec<DealerRecord>, StoreError> {
        let mut dealers = Vec::new();
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .index_name(GSI1.name)
            .key_condition_expression("#ipk = :ipk")
            .expression_attribute_names("#ipk", GSI1.partition_key)
            .expression_attribute_values(":ipk", mapping::string(keys::DEALERS_GSI1PK));
        for item in &self.query_all(query).await? {
            dealers.push(mapping::dealer_from_item(item)?);
        }
        Ok(dealers)
    }
}

//! Wishes (SPEC §2.7) on the table: a wish and its history in one partition, listed per
//! dealer and for everyone through the overloaded indexes. Same rules as tickets: every
//! change is one transaction of the conditional wish write, its history event and its
//! notices, so a stale decision writes nothing and a notice is never lost or invented.

use crate::client::Store;
use crate::error::{Entity, StoreError};
use crate::kernel::AggregateWrite;
use crate::keys;
use crate::mapping;
use crate::table::{GSI1, GSI2, PK};
use crate::{Page, PageRequest};
use dealerdesk_domain::{DealerId, Notice, Wish, WishEvent, WishId};
use std::future::Future;

/// Wishes and their history.
pub trait WishRepo {
    /// Writes a new wish, its submission event and its notices in one transaction;
    /// [`StoreError::AlreadyExists`] when the id is taken.
    fn create_wish(
        &self,
        wish: &Wish,
        event: &WishEvent,
        notices: &[Notice],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One wish.
    fn wish(&self, id: &WishId) -> impl Future<Output = Result<Option<Wish>, StoreError>> + Send;
    /// One wish with its history, oldest event first (one query).
    fn wish_with_history(
        &self,
        id: &WishId,
    ) -> impl Future<Output = Result<Option<(Wish, Vec<WishEvent>)>, StoreError>> + Send;
    /// Stores a decided wish, its history event and its notices in one transaction, only
    /// if the stored version still is `expected_version`; otherwise
    /// [`StoreError::Conflict`] and nothing is written.
    fn save_wish_move(
        &self,
        wish: &Wish,
        expected_version: u64,
        event: &WishEvent,
        notices: &[Notice],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One dealer's wishes, newest first.
    fn dealer_wishes(
        &self,
        dealer: &DealerId,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Wish>, StoreError>> + Send;
    /// Every dealer's wishes, newest first.
    fn all_wishes(
        &self,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Wish>, StoreError>> + Send;
}

impl WishRepo for Store {
    async fn create_wish(
        &self,
        wish: &Wish,
        event: &WishEvent,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let write = AggregateWrite::new(Entity::Wish, mapping::wish_to_item(wish), 0, notices)
            .event(mapping::wish_event_to_item(&wish.id, wish.version, event));
        self.save_aggregate(write).await.map(|_| ())
    }

    async fn wish(&self, id: &WishId) -> Result<Option<Wish>, StoreError> {
        self.get(keys::wish_pk(id), keys::WISH_SK)
            .await?
            .map(|item| mapping::wish_from_item(&item))
            .transpose()
    }

    async fn wish_with_history(
        &self,
        id: &WishId,
    ) -> Result<Option<(Wish, Vec<WishEvent>)>, StoreError> {
        let mut wish = None;
        let mut events = Vec::new();
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":pk", mapping::string(keys::wish_pk(id)))
            .consistent_read(true);
        for item in &self.query_all(query).await? {
            if mapping::is_wish(item) {
                wish = Some(mapping::wish_from_item(item)?);
            } else if mapping::is_event(item) {
                events.push(mapping::wish_event_from_item(item)?);
            }
        }
        Ok(wish.map(|w| (w, events)))
    }

    async fn save_wish_move(
        &self,
        wish: &Wish,
        expected_version: u64,
        event: &WishEvent,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let write = AggregateWrite::new(
            Entity::Wish,
            mapping::wish_to_item(wish),
            expected_version,
            notices,
        )
        .event(mapping::wish_event_to_item(&wish.id, wish.version, event));
        self.save_aggregate(write).await.map(|_| ())
    }

    async fn dealer_wishes(
        &self,
        dealer: &DealerId,
        page: &PageRequest,
    ) -> Result<Page<Wish>, StoreError> {
        self.page(
            &GSI1,
            keys::dealer_wishes_gsi1pk(dealer),
            None,
            page,
            mapping::wish_from_item,
        )
        .await
    }

    async fn all_wishes(&self, page: &PageRequest) -> Result<Page<Wish>, StoreError> {
        self.page(
            &GSI2,
            keys::ALL_WISHES_GSI2PK.to_string(),
            None,
            page,
            mapping::wish_from_item,
        )
        .await
    }
}

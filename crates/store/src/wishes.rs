//! Wishes (SPEC §2.7) on the table: a wish and its history in one partition, listed per
//! dealer and for everyone through the overloaded indexes. Same rules as tickets: every
//! change is one transaction of the conditional wish write, its history event and its
//! notices, so a stale decision writes nothing and a notice is never lost or invented.

use crate::cursor;
use crate::dynamo::{Condition, MAX_PAGE_LIMIT, Store};
use crate::error::{Entity, StoreError};
use crate::keys;
use crate::mapping::{self, Item, attr};
use crate::table::{GSI1, GSI2, GsiDefinition, PK};
use crate::{Page, PageRequest};
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
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

impl Store {
    /// A transactional Put of `item` on the condition that the stored `version` is
    /// `expected`.
    fn put_if_version(&self, item: Item, expected: u64) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&*self.table)
            .set_item(Some(item))
            .condition_expression("#version = :expected")
            .expression_attribute_names("#version", attr::VERSION)
            .expression_attribute_values(":expected", mapping::number(expected))
            .build()
            .map_err(|e| StoreError::Backend(format!("building a transaction Put: {e}")))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// One page of wishes from an index partition, newest first.
    async fn list_wishes(
        &self,
        index: &GsiDefinition,
        partition: String,
        page: &PageRequest,
    ) -> Result<Page<Wish>, StoreError> {
        let limit = page.limit.clamp(1, MAX_PAGE_LIMIT) as usize;
        let start = match &page.cursor {
            Some(c) => Some(cursor::decode(index, &partition, c)?),
            None => None,
        };
        let out = self
            .client
            .query()
            .table_name(&*self.table)
            .index_name(index.name)
            .key_condition_expression("#ipk = :ipk")
            .expression_attribute_names("#ipk", index.partition_key)
            .expression_attribute_values(":ipk", mapping::string(partition))
            .scan_index_forward(false)
            .set_exclusive_start_key(start)
            // One more than needed tells whether another page exists.
            .limit(limit as i32 + 1)
            .send()
            .await
            .map_err(|e| self.backend("Query", e))?;
        let mut items = out.items.unwrap_or_default();
        let more = items.len() > limit || out.last_evaluated_key.is_some();
        items.truncate(limit);
        let next_cursor = match (more, items.last()) {
            (true, Some(last)) => Some(cursor::encode(index, last)?),
            _ => None,
        };
        let items = items
            .iter()
            .map(mapping::wish_from_item)
            .collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor })
    }
}

impl WishRepo for Store {
    async fn create_wish(
        &self,
        wish: &Wish,
        event: &WishEvent,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let mut items = vec![
            self.put(mapping::wish_to_item(wish), Condition::absent())?,
            self.put(
                mapping::wish_event_to_item(&wish.id, wish.version, event),
                Condition::absent(),
            )?,
        ];
        for notice in notices {
            items.push(self.put(crate::outbox::notice_to_item(notice), Condition::absent())?);
        }
        match self.transact(items).await? {
            Ok(()) => Ok(()),
            Err(cancelled) => Err(cancelled
                .backend_failure()
                .unwrap_or(StoreError::AlreadyExists)),
        }
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
        let mut items = vec![
            self.put_if_version(mapping::wish_to_item(wish), expected_version)?,
            self.put(
                mapping::wish_event_to_item(&wish.id, wish.version, event),
                Condition::absent(),
            )?,
        ];
        for notice in notices {
            items.push(self.put(crate::outbox::notice_to_item(notice), Condition::absent())?);
        }
        match self.transact(items).await? {
            Ok(()) => Ok(()),
            Err(cancelled) => Err(cancelled.backend_failure().unwrap_or(StoreError::Conflict {
                entity: Entity::Wish,
            })),
        }
    }

    async fn dealer_wishes(
        &self,
        dealer: &DealerId,
        page: &PageRequest,
    ) -> Result<Page<Wish>, StoreError> {
        self.list_wishes(&GSI1, keys::dealer_wishes_gsi1pk(dealer), page)
            .await
    }

    async fn all_wishes(&self, page: &PageRequest) -> Result<Page<Wish>, StoreError> {
        self.list_wishes(&GSI2, keys::ALL_WISHES_GSI2PK.to_string(), page)
            .await
    }
}

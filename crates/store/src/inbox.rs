//! The portal's notification inbox: one partition per user (`INBOX#<user>`), its items
//! newest first, each with a read flag, and one counter item holding the unread count, so
//! the portal's header costs one read.
//!
//! An item's id is chosen by the deliverer and is deterministic for (notice, user): the
//! item is written on the condition that it does not exist yet, in the same transaction as
//! the counter's increment, so delivering a notice twice neither stores it twice nor counts
//! it twice. Marking read is the item's conditional flip (unread → read) with the
//! counter's decrement, in one transaction; marking an already read item changes nothing.

use crate::client::{Condition, Store};
use crate::error::StoreError;
use crate::keys;
use crate::mapping::{Builder, Item, Reader, n, s};
use crate::table::{PK, SK};
use crate::{Page, PageRequest};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use dealerdesk_domain::UserId;
use std::future::Future;

/// The `type` of an inbox item.
const INBOX_ITEM_TYPE: &str = "inbox_item";
/// The `type` of a user's unread counter.
const INBOX_COUNT_TYPE: &str = "inbox_count";
/// The counter item's attribute.
const UNREAD: &str = "unread";
const READ: &str = "read";
/// At most this many items are flipped in one transaction by «прочитать все» (DynamoDB
/// allows 100 items per transaction; one is the counter).
const READ_ALL_CHUNK: usize = 99;

/// One notification in a user's inbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxEntry {
    /// A ULID: its time part is the notice's time, so ids sort newest last.
    pub id: String,
    /// The notice it came from.
    pub notice_key: String,
    /// A short Russian title.
    pub title: String,
    /// Where it leads in the portal (a path: `/tickets/<id>`).
    pub link: String,
    pub at: DateTime<Utc>,
    pub read: bool,
}

/// The notification inbox of each user.
pub trait InboxRepo {
    /// Puts an unread entry in `user`'s inbox and counts it; `false` (and nothing written)
    /// when an entry with this id is there already.
    fn deliver_to_inbox(
        &self,
        user: &UserId,
        entry: &InboxEntry,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// A page of `user`'s inbox, newest first.
    fn inbox_page(
        &self,
        user: &UserId,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<InboxEntry>, StoreError>> + Send;
    /// How many of `user`'s entries are unread (one read).
    fn unread_count(&self, user: &UserId) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Marks one entry read and returns it; `None` when `user` has no entry with this id.
    /// Marking a read entry again is fine and changes nothing.
    fn mark_read(
        &self,
        user: &UserId,
        id: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<InboxEntry>, StoreError>> + Send;
    /// Marks every unread entry of `user` read; returns how many were.
    fn mark_all_read(
        &self,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

fn entry_to_item(user: &UserId, entry: &InboxEntry) -> Item {
    Builder::new(
        keys::inbox_pk(user),
        &keys::inbox_item_sk(&entry.id),
        INBOX_ITEM_TYPE,
    )
    .string("id", &entry.id)
    .string("notice_key", &entry.notice_key)
    .string("title", &entry.title)
    .string("link", &entry.link)
    .instant("at", entry.at)
    .bool(READ, entry.read)
    .build()
}

fn entry_from_item(item: &Item) -> Result<InboxEntry, StoreError> {
    let r = Reader::new(item);
    Ok(InboxEntry {
        id: r.string("id")?,
        notice_key: r.string("notice_key")?,
        title: r.string("title")?,
        link: r.string("link")?,
        at: r.instant("at")?,
        read: r.flag(READ)?,
    })
}

/// The inbox's cursor: the hex of the last id handed out (ids are ULIDs). The partition is
/// the caller's own, so a cursor cannot reach another user's inbox.
fn encode_cursor(id: &str) -> String {
    hex::encode(id.as_bytes())
}

fn decode_cursor(cursor: &str) -> Result<String, StoreError> {
    let bytes = hex::decode(cursor).map_err(|_| StoreError::BadCursor)?;
    let id = String::from_utf8(bytes).map_err(|_| StoreError::BadCursor)?;
    match ulid::Ulid::from_string(&id) {
        Ok(_) if id.len() == 26 => Ok(id),
        _ => Err(StoreError::BadCursor),
    }
}

impl Store {
    /// One Update of a transaction.
    fn update(
        &self,
        key: Item,
        expression: &str,
        condition: Option<&str>,
        names: &[(&str, &str)],
        values: Vec<(&str, AttributeValue)>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&*self.table)
            .set_key(Some(key))
            .update_expression(expression);
        if let Some(condition) = condition {
            update = update.condition_expression(condition);
        }
        for (placeholder, name) in names {
            update = update.expression_attribute_names(*placeholder, *name);
        }
        for (placeholder, value) in values {
            update = update.expression_attribute_values(placeholder, value);
        }
        let update = update
            .build()
            .map_err(|e| StoreError::Backend(format!("building a transaction Update: {e}")))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The counter's change by `delta`.
    fn count_by(&self, user: &UserId, delta: i64) -> Result<TransactWriteItem, StoreError> {
        self.update(
            Store::key(keys::inbox_pk(user), keys::INBOX_COUNT_SK),
            "SET #type = :type ADD #unread :delta",
            None,
            &[("#type", crate::mapping::TYPE), ("#unread", UNREAD)],
            vec![(":type", s(INBOX_COUNT_TYPE)), (":delta", n(delta))],
        )
    }

    /// The flip of one unread entry to read (its condition: it exists and is unread).
    fn flip_read(
        &self,
        user: &UserId,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<TransactWriteItem, StoreError> {
        self.update(
            Store::key(keys::inbox_pk(user), &keys::inbox_item_sk(id)),
            "SET #read = :yes, read_at = :now",
            Some("attribute_exists(#pk) AND #read = :no"),
            &[("#read", READ), ("#pk", PK)],
            vec![
                (":yes", AttributeValue::Bool(true)),
                (":no", AttributeValue::Bool(false)),
                (":now", s(keys::instant(now))),
            ],
        )
    }

    /// Flips the given unread entries and counts them down in one transaction; `Ok(false)`
    /// when one of them was not unread any more (nothing written).
    async fn read_together(
        &self,
        user: &UserId,
        ids: &[String],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut writes = ids
            .iter()
            .map(|id| self.flip_read(user, id, now))
            .collect::<Result<Vec<_>, _>>()?;
        writes.push(self.count_by(user, -(ids.len() as i64))?);
        match self.transact(writes).await? {
            Ok(()) => Ok(true),
            Err(cancelled) => match cancelled.backend_failure() {
                Some(err) => Err(err),
                None => Ok(false),
            },
        }
    }
}

impl InboxRepo for Store {
    async fn deliver_to_inbox(
        &self,
        user: &UserId,
        entry: &InboxEntry,
    ) -> Result<bool, StoreError> {
        let put = self.put(entry_to_item(user, entry), Condition::absent())?;
        let count = self.count_by(user, 1)?;
        match self.transact(vec![put, count]).await? {
            Ok(()) => Ok(true),
            Err(cancelled) => {
                if let Some(err) = cancelled.backend_failure() {
                    return Err(err);
                }
                if cancelled.condition_failed(0) || cancelled.unexplained() {
                    // Delivered before (a retried job): the entry and its count stand.
                    return Ok(false);
                }
                // A concurrent transaction on the counter: once more, now alone.
                let put = self.put(entry_to_item(user, entry), Condition::absent())?;
                let count = self.count_by(user, 1)?;
                match self.transact(vec![put, count]).await? {
                    Ok(()) => Ok(true),
                    Err(cancelled) => match cancelled.backend_failure() {
                        Some(err) => Err(err),
                        None if cancelled.condition_failed(0) || cancelled.unexplained() => {
                            Ok(false)
                        }
                        None => Err(StoreError::Backend(
                            "the inbox counter stayed busy; the delivery is retried".into(),
                        )),
                    },
                }
            }
        }
    }

    async fn inbox_page(
        &self,
        user: &UserId,
        page: &PageRequest,
    ) -> Result<Page<InboxEntry>, StoreError> {
        let limit = page.limit.clamp(1, crate::MAX_PAGE_LIMIT) as usize;
        let start = match &page.cursor {
            Some(c) => Some(Item::from([
                (PK.to_string(), s(keys::inbox_pk(user))),
                (SK.to_string(), s(keys::inbox_item_sk(&decode_cursor(c)?))),
            ])),
            None => None,
        };
        let out = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(keys::inbox_pk(user)))
            .expression_attribute_values(":prefix", s(keys::INBOX_ITEM_SK_PREFIX))
            .scan_index_forward(false)
            .consistent_read(true)
            .limit(limit as i32 + 1)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| self.backend("Query", e))?;
        let mut items = out
            .items
            .unwrap_or_default()
            .iter()
            .map(entry_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = match (more, items.last()) {
            (true, Some(last)) => Some(encode_cursor(&last.id)),
            _ => None,
        };
        Ok(Page { items, next_cursor })
    }

    async fn unread_count(&self, user: &UserId) -> Result<u64, StoreError> {
        match self.get(keys::inbox_pk(user), keys::INBOX_COUNT_SK).await? {
            None => Ok(0),
            Some(item) => match item.get(UNREAD) {
                // A count below zero cannot be right: show none rather than nonsense.
                Some(AttributeValue::N(raw)) => Ok(raw.parse::<i64>().unwrap_or(0).max(0) as u64),
                None => Ok(0),
                Some(_) => Err(StoreError::Corrupt(format!(
                    "inbox counter of {user}: `{UNREAD}` is not a number"
                ))),
            },
        }
    }

    async fn mark_read(
        &self,
        user: &UserId,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<InboxEntry>, StoreError> {
        // Not flipped: read already (fine), or not this user's at all (no item).
        self.read_together(user, &[id.to_string()], now).await?;
        self.get(keys::inbox_pk(user), &keys::inbox_item_sk(id))
            .await?
            .map(|item| entry_from_item(&item))
            .transpose()
    }

    async fn mark_all_read(&self, user: &UserId, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .filter_expression("#read = :no")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_names("#read", READ)
            .expression_attribute_values(":pk", s(keys::inbox_pk(user)))
            .expression_attribute_values(":prefix", s(keys::INBOX_ITEM_SK_PREFIX))
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .consistent_read(true);
        let unread = self
            .query_all(query)
            .await?
            .iter()
            .map(|item| Reader::new(item).string("id"))
            .collect::<Result<Vec<_>, _>>()?;
        let mut marked = 0;
        for chunk in unread.chunks(READ_ALL_CHUNK) {
            if self.read_together(user, chunk, now).await? {
                marked += chunk.len() as u64;
                continue;
            }
            // Someone read one of them meanwhile: one by one, each still unread counted.
            for id in chunk {
                if self
                    .read_together(user, std::slice::from_ref(id), now)
                    .await?
                {
                    marked += 1;
                }
            }
        }
        Ok(marked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_inbox_entry_round_trips_under_its_users_partition() {
        let entry = InboxEntry {
            id: "01JQ0000000000000000000000".into(),
            notice_key: "ticket:01T:v2".into(),
            title: "DD-1001: В работе".into(),
            link: "/tickets/01T".into(),
            at: Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
            read: false,
        };
        let item = entry_to_item(&UserId::new("u1"), &entry);
        assert_eq!(item.get(PK), Some(&s("INBOX#u1")));
        assert_eq!(item.get(SK), Some(&s("NOTE#01JQ0000000000000000000000")));
        assert_eq!(entry_from_item(&item), Ok(entry));
    }

    #[test]
    fn a_cursor_is_an_id_and_nothing_else() {
        let id = "01JQ0000000000000000000000";
        assert_eq!(decode_cursor(&encode_cursor(id)).as_deref(), Ok(id));
        for bad in ["zz", "00", &hex::encode("NOTE#x")] {
            assert_eq!(decode_cursor(bad), Err(StoreError::BadCursor), "{bad}");
        }
    }
}

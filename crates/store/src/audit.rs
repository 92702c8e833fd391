//! The audit log on the table (SPEC §4.7): one entry per stored change of an aggregate,
//! written by the kernel's save in the change's own transaction (see
//! [`AggregateWrite::audit`](crate::kernel::AggregateWrite::audit)), read per item (the
//! card's «История изменений») and searched by item, person and period (the admin's
//! «Журнал изменений»).
//!
//! An entry's field changes come from the item before and after the save, flattened into
//! `path → text` ([`fields_of`]): the item's own attributes, and the fields of a JSON
//! attribute (a lead keeps its card as JSON in `data`) under the attribute's name. Keys,
//! index keys and secrets never count as fields. The domain compares the two and masks
//! personal data before the entry is stored.

use crate::client::{Condition, Store};
use crate::error::StoreError;
use crate::kernel::Listing;
use crate::keys;
use crate::mapping::{Builder, Item, Reader};
use crate::table::{GSI1, GSI2, GSI3, PK, SK, TABLE_GSIS, TTL_ATTRIBUTE};
use crate::{MAX_PAGE_LIMIT, Page, PageRequest};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use dealerdesk_domain::UserId;
use dealerdesk_domain::audit::{
    AuditEntry, AuditItem, AuditQuery, FieldChange, changed_paths, changes, erase,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::future::Future;

/// The `type` of an audit entry.
pub(crate) const AUDIT_TYPE: &str = "audit";
const ITEM: &str = "item";
const BY: &str = "by";
const AT: &str = "at";
const VERSION: &str = "version";
const CHANGES: &str = "changes";

/// Attributes that are never a field of the log: the secret of a login, the fingerprint
/// of a request.
const SECRET_ATTRIBUTES: [&str; 3] = ["password_hash", "fingerprint", "token_hash"];

/// How far back a search without a start reads the month partitions.
const DEFAULT_SEARCH_DAYS: i64 = 366;

/// Who changed which item when: what a save needs to write its audit entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditStamp {
    pub item: AuditItem,
    pub at: DateTime<Utc>,
    /// `None` for the platform itself.
    pub by: Option<UserId>,
}

impl AuditStamp {
    /// A change of `item` by `by` at `at`.
    pub fn new(item: AuditItem, at: DateTime<Utc>, by: Option<UserId>) -> AuditStamp {
        AuditStamp { item, at, by }
    }
}

/// Reading the audit log.
pub trait AuditRepo {
    /// Every entry of one item, oldest first (one Query).
    fn item_audit(
        &self,
        item: &AuditItem,
    ) -> impl Future<Output = Result<Vec<AuditEntry>, StoreError>> + Send;
    /// A page of the entries that match `query`, newest first. Without an item or a
    /// person the log is read month by month from `query.to` (or `now`) back to
    /// `query.from` (or a year before).
    fn audit_page(
        &self,
        query: &AuditQuery,
        page: &PageRequest,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Page<AuditEntry>, StoreError>> + Send;
}

impl AuditRepo for Store {
    async fn item_audit(&self, item: &AuditItem) -> Result<Vec<AuditEntry>, StoreError> {
        self.partition(keys::audit_pk(&item.code()))
            .await?
            .iter()
            .map(entry_from_item)
            .collect()
    }

    async fn audit_page(
        &self,
        query: &AuditQuery,
        page: &PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Page<AuditEntry>, StoreError> {
        let from = query.from.map(keys::instant);
        let to = query.to.map(keys::instant);
        if let Some(item) = &query.item {
            let listing = Listing {
                index: &GSI1,
                partition: keys::audit_item_gsi1pk(&item.code()),
                from,
                to,
                only: query
                    .user
                    .iter()
                    .map(|u| (BY, u.as_str().to_string()))
                    .collect(),
                newest_first: true,
            };
            return self.page_of(&listing, page, entry_from_item).await;
        }
        if let Some(user) = &query.user {
            let listing = Listing {
                index: &GSI2,
                partition: keys::audit_user_gsi2pk(user),
                from,
                to,
                only: Vec::new(),
                newest_first: true,
            };
            return self.page_of(&listing, page, entry_from_item).await;
        }
        self.audit_by_month(query, page, now).await
    }
}

impl Store {
    /// The whole log newest first, one month partition after another. The cursor is the
    /// hex of the month and the cursor within it (`2026-03~<cursor>`; empty: the month's
    /// start), hex like every other cursor.
    async fn audit_by_month(
        &self,
        query: &AuditQuery,
        page: &PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Page<AuditEntry>, StoreError> {
        let to = query.to.unwrap_or(now);
        let from = query
            .from
            .unwrap_or(to - Duration::days(DEFAULT_SEARCH_DAYS));
        let months = months_newest_first(from, to);
        let (mut at, mut inner) = match &page.cursor {
            None => (0, None),
            Some(c) => {
                let c = hex::decode(c)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .ok_or(StoreError::BadCursor)?;
                let (month, rest) = c.split_once('~').ok_or(StoreError::BadCursor)?;
                let at = months
                    .iter()
                    .position(|m| m == month)
                    .ok_or(StoreError::BadCursor)?;
                (at, (!rest.is_empty()).then(|| rest.to_string()))
            }
        };
        let limit = page.limit.clamp(1, MAX_PAGE_LIMIT);
        let mut items = Vec::new();
        while at < months.len() {
            let listing = Listing {
                index: &GSI3,
                partition: keys::audit_month_gsi3pk(&months[at]),
                from: query.from.map(keys::instant),
                to: query.to.map(keys::instant),
                only: Vec::new(),
                newest_first: true,
            };
            let request = PageRequest {
                limit: limit - items.len() as u32,
                cursor: inner.take(),
            };
            let got = self.page_of(&listing, &request, entry_from_item).await?;
            items.extend(got.items);
            if let Some(next) = got.next_cursor {
                return Ok(Page {
                    items,
                    next_cursor: Some(hex::encode(format!("{}~{next}", months[at]))),
                });
            }
            at += 1;
            if items.len() as u32 >= limit {
                let next_cursor = months.get(at).map(|m| hex::encode(format!("{m}~")));
                return Ok(Page { items, next_cursor });
            }
        }
        Ok(Page {
            items,
            next_cursor: None,
        })
    }

    /// The audit entry of a save, as a transaction item (absent before), or `None` when the
    /// save changed no field a person would see.
    pub(crate) fn audit_write(
        &self,
        stamp: &AuditStamp,
        before: Option<&Item>,
        after: &Item,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        let old = before.map(fields_of);
        let changes = changes(old.as_ref(), &fields_of(after));
        if changes.is_empty() {
            return Ok(None);
        }
        let version = Reader::new(after).u64(VERSION).unwrap_or(0);
        let entry = AuditEntry {
            item: stamp.item.clone(),
            version,
            at: stamp.at,
            by: stamp.by.clone(),
            changes,
        };
        Ok(Some(self.put(entry_to_item(&entry)?, Condition::absent())?))
    }
}

impl Store {
    /// An anonymisation's audit writes: every earlier entry of the item rewritten with the
    /// values of the fields it erased replaced by «[удалено]», and the entry of the
    /// anonymisation itself, erased the same way — so the log keeps that the fields
    /// changed and nothing of what they held.
    pub(crate) async fn erasing_audit_writes(
        &self,
        stamp: &AuditStamp,
        before: &Item,
        after: &Item,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let paths = changed_paths(&fields_of(before), &fields_of(after));
        let mut writes = Vec::new();
        for item in self.partition(keys::audit_pk(&stamp.item.code())).await? {
            if let Some(scrubbed) = erase(&entry_from_item(&item)?, &paths) {
                writes.push(self.put(entry_to_item(&scrubbed)?, Condition::none())?);
            }
        }
        let own = AuditEntry {
            item: stamp.item.clone(),
            version: Reader::new(after).u64(VERSION).unwrap_or(0),
            at: stamp.at,
            by: stamp.by.clone(),
            changes: changes(Some(&fields_of(before)), &fields_of(after)),
        };
        let own = erase(&own, &paths).unwrap_or(own);
        if !own.changes.is_empty() {
            writes.push(self.put(entry_to_item(&own)?, Condition::absent())?);
        }
        Ok(writes)
    }
}

/// The months (`2026-03`) from `to`'s back to `from`'s.
fn months_newest_first(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    let first = |at: DateTime<Utc>| NaiveDate::from_ymd_opt(at.year(), at.month(), 1);
    let (Some(start), Some(mut month)) = (first(from), first(to)) else {
        return Vec::new();
    };
    let mut months = Vec::new();
    while month >= start {
        months.push(month.format("%Y-%m").to_string());
        month = match month.checked_sub_months(chrono::Months::new(1)) {
            Some(m) => m,
            None => break,
        };
    }
    months
}

/// The stored changes, compact: field, old, new.
#[derive(Serialize, Deserialize)]
struct StoredChange {
    f: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    o: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<String>,
}

fn entry_to_item(e: &AuditEntry) -> Result<Item, StoreError> {
    let item = e.item.code();
    let listing_sk = keys::audit_listing_sk(e.at, &item, e.version);
    let stored: Vec<StoredChange> = e
        .changes
        .iter()
        .map(|c| StoredChange {
            f: c.field.clone(),
            o: c.old.clone(),
            n: c.new.clone(),
        })
        .collect();
    let changes = serde_json::to_string(&stored)
        .map_err(|err| StoreError::Backend(format!("encoding audit changes: {err}")))?;
    let mut b = Builder::new(
        keys::audit_pk(&item),
        &keys::audit_sk(e.at, e.version),
        AUDIT_TYPE,
    )
    .string(ITEM, item.clone())
    .instant(AT, e.at)
    .put(VERSION, crate::mapping::number(e.version))
    .string(CHANGES, changes)
    .string(GSI1.partition_key, keys::audit_item_gsi1pk(&item))
    .string(GSI1.sort_key, keys::audit_sk(e.at, e.version))
    .string(
        GSI3.partition_key,
        keys::audit_month_gsi3pk(&keys::audit_month(e.at)),
    )
    .string(GSI3.sort_key, listing_sk.clone());
    if let Some(by) = &e.by {
        b = b
            .string(BY, by.as_str())
            .string(GSI2.partition_key, keys::audit_user_gsi2pk(by))
            .string(GSI2.sort_key, listing_sk);
    }
    Ok(b.build())
}

fn entry_from_item(item: &Item) -> Result<AuditEntry, StoreError> {
    let r = Reader::new(item);
    let code = r.string(ITEM)?;
    let audited = AuditItem::parse(&code).ok_or_else(|| r.corrupt("unknown audit item"))?;
    let stored: Vec<StoredChange> =
        serde_json::from_str(r.str(CHANGES)?).map_err(|e| r.corrupt(e))?;
    Ok(AuditEntry {
        item: audited,
        version: r.u64(VERSION)?,
        at: r.instant(AT)?,
        by: r.opt_string(BY)?.map(UserId::new),
        changes: stored
            .into_iter()
            .map(|c| FieldChange {
                field: c.f,
                old: c.o,
                new: c.n,
            })
            .collect(),
    })
}

/// An item's fields as `path → text`: every attribute but the keys, the index keys, the
/// TTL, the `type` and the secrets; a JSON object attribute by its fields
/// (`data.person.phone`); a list as its values joined by `, `.
pub(crate) fn fields_of(item: &Item) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (name, value) in item {
        let key_like = name == PK
            || name == SK
            || name == TTL_ATTRIBUTE
            || name == crate::mapping::TYPE
            || TABLE_GSIS
                .iter()
                .any(|g| name == g.partition_key || name == g.sort_key);
        // What a lead counts in the reports is derived from its fields, not one of them.
        let derived = name == crate::lead::stats::TALLY;
        if key_like || derived || SECRET_ATTRIBUTES.contains(&name.as_str()) {
            continue;
        }
        attribute_fields(name, value, &mut out);
    }
    out
}

fn attribute_fields(path: &str, value: &AttributeValue, out: &mut BTreeMap<String, String>) {
    match value {
        AttributeValue::S(s) => {
            if s.starts_with('{')
                && let Ok(json @ serde_json::Value::Object(_)) = serde_json::from_str(s)
            {
                json_fields(path, &json, out);
            } else {
                out.insert(path.to_string(), s.clone());
            }
        }
        AttributeValue::N(n) => {
            out.insert(path.to_string(), n.clone());
        }
        AttributeValue::Bool(b) => {
            out.insert(path.to_string(), b.to_string());
        }
        AttributeValue::Ss(list) | AttributeValue::Ns(list) => {
            out.insert(path.to_string(), list.join(", "));
        }
        AttributeValue::M(map) => {
            for (name, v) in map {
                attribute_fields(&format!("{path}.{name}"), v, out);
            }
        }
        AttributeValue::L(list) => {
            let mut parts = Vec::new();
            for (i, v) in list.iter().enumerate() {
                let mut one = BTreeMap::new();
                attribute_fields(&i.to_string(), v, &mut one);
                parts.extend(one.into_values());
            }
            if !parts.is_empty() {
                out.insert(path.to_string(), parts.join(", "));
            }
        }
        _ => {}
    }
}

fn json_fields(path: &str, value: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    use serde_json::Value;
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (name, v) in map {
                json_fields(&format!("{path}.{name}"), v, out);
            }
        }
        Value::Array(items) => {
            if items.is_empty() {
                return;
            }
            let text: Vec<String> = items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            out.insert(path.to_string(), text.join(", "));
        }
        Value::String(s) => {
            out.insert(path.to_string(), s.clone());
        }
        other => {
            out.insert(path.to_string(), other.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use dealerdesk_domain::audit::AuditKind;

    fn at(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 9, 0, 0).unwrap()
    }

    #[test]
    fn an_entry_round_trips_with_its_three_index_keys() {
        let entry = AuditEntry {
            item: AuditItem::new(AuditKind::Ticket, "DD-1001"),
            version: 2,
            at: at(2),
            by: Some(UserId::new("u1")),
            changes: vec![FieldChange {
                field: "status".into(),
                old: Some("new".into()),
                new: None,
            }],
        };
        let item = entry_to_item(&entry).unwrap();
        assert_eq!(entry_from_item(&item).unwrap(), entry);
        let s = |n: &str| match item.get(n) {
            Some(AttributeValue::S(v)) => v.clone(),
            _ => String::new(),
        };
        assert_eq!(s("gsi1pk"), "AUDIT#ITEM#ticket:DD-1001");
        assert_eq!(s("gsi2pk"), "AUDIT#USER#u1");
        assert_eq!(s("gsi3pk"), "AUDIT#MONTH#2026-03");
    }

    #[test]
    fn the_platforms_own_change_is_on_no_persons_index() {
        let entry = AuditEntry {
            item: AuditItem::new(AuditKind::Ticket, "DD-1001"),
            version: 2,
            at: at(2),
            by: None,
            changes: Vec::new(),
        };
        let item = entry_to_item(&entry).unwrap();
        assert!(!item.contains_key("gsi2pk"));
        assert_eq!(entry_from_item(&item).unwrap().by, None);
    }

    #[test]
    fn an_items_fields_leave_out_keys_and_secrets_and_open_its_json() {
        let mut item = Item::new();
        for (k, v) in [
            ("pk", "USER#1"),
            ("sk", "USER"),
            ("gsi1pk", "x"),
            ("type", "user"),
            ("password_hash", "$argon2id$…"),
            ("status", "new"),
            (
                "data",
                r#"{"person":{"phone":"+79161234567"},"tags":["a","b"]}"#,
            ),
        ] {
            item.insert(k.to_string(), AttributeValue::S(v.to_string()));
        }
        let fields = fields_of(&item);
        assert_eq!(
            fields.keys().collect::<Vec<_>>(),
            vec!["data.person.phone", "data.tags", "status"]
        );
        assert_eq!(fields["data.tags"], "a, b");
    }

    #[test]
    fn a_search_reads_its_months_newest_first() {
        let from = Utc.with_ymd_and_hms(2025, 11, 20, 0, 0, 0).unwrap();
        assert_eq!(
            months_newest_first(from, at(2)),
            vec!["2026-03", "2026-02", "2026-01", "2025-12", "2025-11"]
        );
    }
}

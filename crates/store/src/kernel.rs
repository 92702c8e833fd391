//! What every feature's repository shares: one save of a versioned aggregate and one
//! paging read. A feature maps its records to items and calls these; it never builds its
//! own transaction of "thing + history + notices" or its own cursor loop.
//!
//! The save is one `TransactWriteItems`: the aggregate's item on the condition "absent"
//! (a create) or "version = expected" (a change), its history event (absent), an optional
//! idempotency record, any extra items of the feature, and its notices (outbox items,
//! absent). Either all of it is written or none of it; a failed condition comes back as
//! [`StoreError::Conflict`] naming the [`Entity`], [`StoreError::AlreadyExists`] (a
//! create whose id is taken) or [`Saved::Replayed`] (a create whose idempotency key was
//! used). An audited save adds the change's audit entry: a create's
//! ([`AggregateWrite::audit`]) lists the new values, a change's
//! ([`AggregateWrite::audit_against`]) the old ones from the item the caller read before
//! deciding the change — the save itself reads nothing (one round trip, issue #12).

use crate::audit::AuditStamp;
use crate::client::{Condition, Reason, Store};
use crate::cursor;
use crate::error::{Entity, StoreError};
use crate::mapping::{self, Item};
use crate::table::{GsiDefinition, PK, SK, TTL_ATTRIBUTE};
use crate::{MAX_PAGE_LIMIT, Page, PageRequest};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use dealerdesk_domain::Notice;

/// Most Query calls one listing page makes. A filter on a large partition may match
/// nothing for a long stretch; past this the page comes back short, with a cursor, rather
/// than holding a request open.
const MAX_QUERIES_PER_PAGE: usize = 25;
/// Items a filtered listing asks the engine to evaluate per Query call.
const FILTERED_QUERY_LIMIT: i32 = 100;

/// One change of a versioned aggregate (a ticket, a wish, a calendar year…) with
/// everything that must be stored with it.
pub(crate) struct AggregateWrite<'a> {
    /// What the aggregate is, for the conflict's message.
    pub entity: Entity,
    /// The aggregate's item, carrying its new version.
    pub item: Item,
    /// The version the caller read; `0` for a create (the item must not exist yet).
    pub expected_version: u64,
    /// The change's history event, if it has one (must not exist yet).
    pub event: Option<Item>,
    /// The create's idempotency record, if the caller sent a key.
    pub idempotency: Option<IdempotencyRecord>,
    /// The feature's further writes (a time entry, a projection, a delete).
    pub extra: Vec<TransactWriteItem>,
    /// The notices the change sends, stored in the outbox.
    pub notices: &'a [Notice],
    /// Who changed which item when: the save also writes the audit entry of the change.
    pub audit: Option<AuditStamp>,
    /// What the item was before the change (as the caller read it, or the defaults a
    /// first save replaces).
    pub audit_before: Option<Item>,
    /// Further writes computed from the item as stored before and as written (a report's
    /// counters: after minus before), in the same transaction.
    pub derive: Option<Derive>,
    /// The derivation needs the item as stored, not the caller's "before".
    pub derive_reads: bool,
}

/// Computes further writes of a save from the item as stored before (`None` for a create)
/// and the item written.
pub(crate) type Derive =
    fn(&Store, Option<&Item>, &Item) -> Result<Vec<TransactWriteItem>, StoreError>;

impl<'a> AggregateWrite<'a> {
    /// A change of `item` from `expected_version` (0: a create) with its history event and
    /// notices; extras and an idempotency record are added with the builders below.
    pub fn new(entity: Entity, item: Item, expected_version: u64, notices: &'a [Notice]) -> Self {
        AggregateWrite {
            entity,
            item,
            expected_version,
            event: None,
            idempotency: None,
            extra: Vec::new(),
            notices,
            audit: None,
            audit_before: None,
            derive: None,
            derive_reads: false,
        }
    }

    /// With writes derived from the item before and after the change. The "before" is the
    /// item the caller passed to [`AggregateWrite::audit_against`] (the write's version
    /// condition makes it exactly the item replaced), so deriving costs no read.
    pub fn derive(mut self, derive: Derive) -> Self {
        self.derive = Some(derive);
        self
    }

    /// Like [`AggregateWrite::derive`], from the item as stored (read once before the
    /// write): for a derivation that needs attributes the caller's domain record does not
    /// carry (a lead's stored tally when the lead was not read from its item, kept so a
    /// later change of the dealer's hours cannot skew what it counted).
    pub fn derive_from_stored(mut self, derive: Derive) -> Self {
        self.derive = Some(derive);
        self.derive_reads = true;
        self
    }

    /// A create, audited: the save also writes the create's audit entry (SPEC §4.7) — the
    /// item's fields, who, when — in the same transaction. A change is audited with
    /// [`AggregateWrite::audit_against`].
    pub fn audit(mut self, stamp: AuditStamp) -> Self {
        self.audit = Some(stamp);
        self
    }

    /// Audited: the save also writes the change's audit entry — the item's fields before
    /// and after, who, when — in the same transaction, the old values taken from `before`:
    /// the item as the caller read it (its version is the write's condition, so the entry
    /// describes exactly the change made), or the defaults a first save replaces.
    pub fn audit_against(mut self, stamp: AuditStamp, before: Item) -> Self {
        self.audit = Some(stamp);
        self.audit_before = Some(before);
        self
    }

    /// With its history event.
    pub fn event(mut self, event: Item) -> Self {
        self.event = Some(event);
        self
    }

    /// With the feature's further writes.
    pub fn extra(mut self, extra: impl IntoIterator<Item = TransactWriteItem>) -> Self {
        self.extra.extend(extra);
        self
    }

    /// With an idempotency record.
    pub fn idempotency(mut self, record: Option<IdempotencyRecord>) -> Self {
        self.idempotency = record;
        self
    }
}

/// An idempotency record of a create: written unless a live record of the same key exists,
/// in which case the create is a replay of the first one.
pub(crate) struct IdempotencyRecord {
    pub item: Item,
    /// Its key, to read the first record when the engine does not return it.
    pub pk: String,
    pub sk: &'static str,
    /// The create's clock: a record past its expiry no longer counts.
    pub now: i64,
}

/// What a save did.
#[derive(Debug)]
pub(crate) enum Saved {
    /// Everything was written.
    Written,
    /// Nothing was written: the idempotency key was used before; the first record.
    Replayed(Item),
}

/// What one listing reads: an index partition, optionally a range of its sort keys, the
/// items whose attributes have the given values, in one direction.
pub(crate) struct Listing<'a> {
    pub index: &'a GsiDefinition,
    pub partition: String,
    /// Sort keys from this one on (inclusive).
    pub from: Option<String>,
    /// Sort keys before this one: a bare instant leaves out the `<instant>#<id>` keys of
    /// that instant; with `from` it is the upper bound of a `BETWEEN`.
    pub to: Option<String>,
    /// Attribute = value filters, all of which must hold.
    pub only: Vec<(&'static str, String)>,
    pub newest_first: bool,
}

impl<'a> Listing<'a> {
    /// The whole partition, newest first, unfiltered.
    pub(crate) fn newest_first(index: &'a GsiDefinition, partition: String) -> Self {
        Listing {
            index,
            partition,
            from: None,
            to: None,
            only: Vec::new(),
            newest_first: true,
        }
    }
}

impl Store {
    /// Saves an aggregate's change in one transaction (see the module's documentation).
    pub(crate) async fn save_aggregate(&self, w: AggregateWrite<'_>) -> Result<Saved, StoreError> {
        let creating = w.expected_version == 0;
        let key = (w.item.get(PK).cloned(), w.item.get(SK).cloned());
        // The item as stored, only for a derivation that needs it (or a change saved
        // without the item it replaces). Its version is checked by the write's condition,
        // so what is derived describes exactly the change made.
        let reads_before = w.derive.is_some() && (w.derive_reads || w.audit_before.is_none());
        let stored_before = match (creating, &key) {
            (false, (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk)))) if reads_before => {
                self.get(pk.clone(), sk).await?
            }
            _ => None,
        };
        let audit = match &w.audit {
            // A change audited without its old values would log every field as new.
            Some(_) if !creating && w.audit_before.is_none() => {
                return Err(StoreError::Backend(format!(
                    "an audited change of {:?} was saved without the item it replaces",
                    w.entity
                )));
            }
            Some(stamp) => self.audit_write(stamp, w.audit_before.as_ref(), &w.item)?,
            None => None,
        };
        let derived = match w.derive {
            Some(derive) => {
                let before = match (creating, w.derive_reads) {
                    (true, _) => None,
                    (false, true) => stored_before.as_ref(),
                    (false, false) => w.audit_before.as_ref().or(stored_before.as_ref()),
                };
                derive(self, before, &w.item)?
            }
            None => Vec::new(),
        };
        let mut items = vec![self.put(w.item, Condition::version(w.expected_version))?];
        let event_at = match w.event {
            Some(event) => {
                items.push(self.put(event, Condition::absent())?);
                Some(items.len() - 1)
            }
            None => None,
        };
        let mut idempotency = None;
        if let Some(record) = w.idempotency {
            items.push(self.put(
                record.item,
                Condition {
                    // An expired record that TTL has not removed yet no longer counts.
                    expression: "attribute_not_exists(#pk) OR #ttl < :now",
                    names: vec![("#pk", PK), ("#ttl", TTL_ATTRIBUTE)],
                    values: vec![(":now", mapping::number(record.now))],
                    return_old_item: true,
                },
            )?);
            idempotency = Some((items.len() - 1, record.pk, record.sk));
        }
        items.extend(w.extra);
        items.extend(derived);
        for notice in w.notices {
            items.push(self.put(crate::outbox::notice_to_item(notice), Condition::absent())?);
        }
        items.extend(audit);
        let cancelled = match self.transact(items).await? {
            Ok(()) => return Ok(Saved::Written),
            Err(cancelled) => cancelled,
        };
        if let Some(err) = cancelled.backend_failure() {
            return Err(err);
        }
        if let Some((at, pk, sk)) = idempotency {
            match cancelled.reason(at) {
                Some(Reason::ConditionFailed(Some(old))) => {
                    return Ok(Saved::Replayed(old.clone()));
                }
                // The engine did not return the record (or did not say which item failed):
                // look it up.
                Some(Reason::ConditionFailed(None)) | None => {
                    if let Some(old) = self.get(pk, sk).await? {
                        return Ok(Saved::Replayed(old));
                    }
                }
                Some(_) => {}
            }
        }
        let conflict = StoreError::Conflict { entity: w.entity };
        if !creating {
            return Err(conflict);
        }
        if cancelled.condition_failed(0)
            || event_at.is_some_and(|at| cancelled.condition_failed(at))
        {
            return Err(StoreError::AlreadyExists);
        }
        if cancelled.any_conflict() {
            return Err(conflict);
        }
        // Cancelled without a reason we can place: it exists already only if the item does.
        if let (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) = key
            && self.get(pk, &sk).await?.is_some()
        {
            return Err(StoreError::AlreadyExists);
        }
        Err(conflict)
    }

    /// One listing page of an index partition, newest first, each item mapped by `map`;
    /// `only` keeps the items whose attribute has the value (a state filter). See
    /// [`Store::page_of`].
    pub(crate) async fn page<T>(
        &self,
        index: &GsiDefinition,
        partition: String,
        only: Option<(&'static str, String)>,
        page: &PageRequest,
        map: impl Fn(&Item) -> Result<T, StoreError>,
    ) -> Result<Page<T>, StoreError> {
        let listing = Listing {
            only: only.into_iter().collect(),
            ..Listing::newest_first(index, partition)
        };
        self.page_of(&listing, page, map).await
    }

    /// One page of `listing`, each item mapped by `map`. Pages through the engine until the
    /// page is full or the partition is exhausted, so filters that leave an engine page with
    /// few or no matches still fill the page.
    pub(crate) async fn page_of<T>(
        &self,
        listing: &Listing<'_>,
        page: &PageRequest,
        map: impl Fn(&Item) -> Result<T, StoreError>,
    ) -> Result<Page<T>, StoreError> {
        let index = listing.index;
        let limit = page.limit.clamp(1, MAX_PAGE_LIMIT) as usize;
        let mut start = match &page.cursor {
            Some(c) => Some(cursor::decode(index, &listing.partition, c)?),
            None => None,
        };
        let key_condition = match (&listing.from, &listing.to) {
            (None, None) => "#ipk = :ipk",
            (Some(_), None) => "#ipk = :ipk AND #isk >= :from",
            (None, Some(_)) => "#ipk = :ipk AND #isk < :to",
            (Some(_), Some(_)) => "#ipk = :ipk AND #isk BETWEEN :from AND :to",
        };
        let filter = (0..listing.only.len())
            .map(|i| format!("#only{i} = :only{i}"))
            .collect::<Vec<_>>()
            .join(" AND ");
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
                .expression_attribute_values(":ipk", mapping::string(listing.partition.clone()))
                .scan_index_forward(!listing.newest_first)
                .set_exclusive_start_key(start.take());
            if listing.from.is_some() || listing.to.is_some() {
                query = query.expression_attribute_names("#isk", index.sort_key);
            }
            for (placeholder, bound) in [(":from", &listing.from), (":to", &listing.to)] {
                if let Some(bound) = bound {
                    query = query.expression_attribute_values(placeholder, mapping::string(bound));
                }
            }
            for (i, (name, value)) in listing.only.iter().enumerate() {
                query = query
                    .expression_attribute_names(format!("#only{i}"), *name)
                    .expression_attribute_values(format!(":only{i}"), mapping::string(value));
            }
            query = if listing.only.is_empty() {
                // One more than needed tells whether another page exists, so a listing
                // that ends on a page boundary hands out no cursor to an empty page.
                query.limit(wanted as i32 + 1)
            } else {
                // Limit counts evaluated items, before the filter: ask for a batch.
                query
                    .filter_expression(filter.clone())
                    .limit(FILTERED_QUERY_LIMIT.max(wanted as i32 + 1))
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
        // Out of query budget with the partition not exhausted: a short page, with a cursor.
        if start.is_some() && items.len() < limit {
            more = true;
        }
        let next_cursor = match (more, items.last()) {
            // Continue after the last item handed out, not after the engine's last
            // evaluated key: with a filter the engine may have read past items not
            // handed out.
            (true, Some(last)) => Some(cursor::encode(index, last)?),
            // Nothing matched within the budget: continue from where the engine stopped.
            (true, None) => match &start {
                Some(key) => Some(cursor::encode(index, key)?),
                None => None,
            },
            (false, _) => None,
        };
        let items = items.iter().map(map).collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor })
    }
}

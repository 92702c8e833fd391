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
//!
//! Every read of an index goes through [`Store::page_of`], [`Store::listed`],
//! [`Store::listed_where`] or [`Store::listed_keys`]. The three indexes are keys-only (an
//! index holding whole items stored every ticket four times and rewrote three copies on
//! each change, issue #12), so a read is a Query for the index's keys, then one
//! strongly consistent `BatchGetItem` per 100 of them for the items, kept in the index's
//! order. A filter on attributes the index does not carry is checked on the items read,
//! and the read goes on until the page is full; an item deleted or moved out of the
//! listing between the two requests is passed over.

use crate::audit::AuditStamp;
use crate::client::{Condition, Reason, Store};
use crate::cursor;
use crate::error::{Entity, StoreError};
use crate::mapping::{self, Item};
use crate::numbering::counter_value;
use crate::table::{GsiDefinition, PK, SK, TTL_ATTRIBUTE};
use crate::{MAX_PAGE_LIMIT, Page, PageRequest};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use dealerdesk_domain::Notice;
use std::collections::VecDeque;

/// Most Query calls one listing page makes. A filter on a large partition may match
/// nothing for a long stretch; past this the page comes back short, with a cursor, rather
/// than holding a request open.
const MAX_QUERIES_PER_PAGE: usize = 25;
/// Index entries a filtered listing asks for per Query call (the filter is applied to the
/// items read, so most of a batch may be passed over).
const FILTERED_QUERY_LIMIT: usize = 100;
/// Most keys one `BatchGetItem` asks for (the service's limit).
const BATCH_GET_KEYS: usize = 100;

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
    /// The number sequence this create takes its number from, in the same transaction.
    pub counter: Option<CounterStep>,
}

/// A create's step of a number sequence (tickets 1001, 1002, …): the counter item is raised
/// to `to` in the create's own transaction, on the condition that it is still below — so a
/// number is taken only by a create that is written, and two creates never take one (see
/// `crate::numbering`).
pub(crate) struct CounterStep {
    pub pk: &'static str,
    pub to: u64,
}

/// A numbered save that was not written because the counter had moved on (another
/// instance took the number): the counter's value, if the engine returned it.
pub(crate) struct CounterMoved(pub Option<u64>);

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
            counter: None,
        }
    }

    /// Takes the create's number from a sequence in the same transaction (see
    /// [`CounterStep`]); [`Store::save_numbered`] saves it.
    pub fn counter(mut self, step: CounterStep) -> Self {
        self.counter = Some(step);
        self
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
        self.save_numbered(w).await?.map_err(|_| {
            StoreError::Backend(
                "a save without a number sequence reported its counter moved".into(),
            )
        })
    }

    /// [`Store::save_aggregate`] of a create that takes a number ([`AggregateWrite::counter`]):
    /// `Err(CounterMoved)` when nothing was written because the sequence had moved on.
    pub(crate) async fn save_numbered(
        &self,
        w: AggregateWrite<'_>,
    ) -> Result<Result<Saved, CounterMoved>, StoreError> {
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
        let counter_at = match w.counter {
            Some(step) => {
                items.push(self.sequence_step(step)?);
                Some(items.len() - 1)
            }
            None => None,
        };
        let cancelled = match self.transact(items).await? {
            Ok(()) => return Ok(Ok(Saved::Written)),
            Err(cancelled) => cancelled,
        };
        if let Some(err) = cancelled.backend_failure() {
            return Err(err);
        }
        if let Some((at, pk, sk)) = idempotency {
            match cancelled.reason(at) {
                Some(Reason::ConditionFailed(Some(old))) => {
                    return Ok(Ok(Saved::Replayed(old.clone())));
                }
                // The engine did not return the record (or did not say which item failed):
                // look it up.
                Some(Reason::ConditionFailed(None)) | None => {
                    if let Some(old) = self.get(pk, sk).await? {
                        return Ok(Ok(Saved::Replayed(old)));
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
        if let Some(at) = counter_at {
            match cancelled.reason(at) {
                Some(Reason::ConditionFailed(old)) => {
                    let value = old.as_ref().map(counter_value).transpose()?;
                    return Ok(Err(CounterMoved(value)));
                }
                Some(Reason::TransactionConflict) => return Ok(Err(CounterMoved(None))),
                // An engine that does not say which item failed: the counter is the part
                // another writer can move; the caller draws its number instead and tries
                // once more (a second failure is then placed without the counter).
                None if cancelled.unexplained() => return Ok(Err(CounterMoved(None))),
                _ => {}
            }
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

    /// One page of `listing`, each item mapped by `map`. Reads on until the page is full or
    /// the partition is exhausted, so filters that leave a batch with few or no matches
    /// still fill the page (within [`MAX_QUERIES_PER_PAGE`] index queries).
    pub(crate) async fn page_of<T>(
        &self,
        listing: &Listing<'_>,
        page: &PageRequest,
        map: impl Fn(&Item) -> Result<T, StoreError>,
    ) -> Result<Page<T>, StoreError> {
        let limit = page.limit.clamp(1, MAX_PAGE_LIMIT) as usize;
        let start = match &page.cursor {
            Some(c) => Some(cursor::decode(listing.index, &listing.partition, c)?),
            None => None,
        };
        let found = self
            .read_listing(listing, start, Some(limit), None, MAX_QUERIES_PER_PAGE)
            .await?;
        let next_cursor = match found.resume {
            Some(key) => Some(cursor::encode(listing.index, &key)?),
            None => None,
        };
        let items = found.items.iter().map(map).collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor })
    }

    /// Every item of `listing`, in the index's order.
    pub(crate) async fn listed(&self, listing: &Listing<'_>) -> Result<Vec<Item>, StoreError> {
        self.listed_where(listing, None, None).await
    }

    /// The items of `listing` that `keep` accepts, in the index's order, at most `max` of
    /// them: for a condition on attributes the keys-only index does not carry, checked on
    /// the items as read.
    pub(crate) async fn listed_where(
        &self,
        listing: &Listing<'_>,
        max: Option<usize>,
        keep: Option<&Keep>,
    ) -> Result<Vec<Item>, StoreError> {
        Ok(self
            .read_listing(listing, None, max, keep, usize::MAX)
            .await?
            .items)
    }

    /// The index entries of `listing` alone (table and index keys), for a reader that needs
    /// nothing else: no item is read. `only` filters cannot be checked on keys and are
    /// refused.
    pub(crate) async fn listed_keys(&self, listing: &Listing<'_>) -> Result<Vec<Item>, StoreError> {
        if !listing.only.is_empty() {
            return Err(StoreError::Backend(
                "a keys-only read cannot filter on attributes".into(),
            ));
        }
        let mut keys = Vec::new();
        let mut start = None;
        loop {
            let (batch, last) = self.index_keys(listing, start, None).await?;
            keys.extend(batch);
            start = last;
            if start.is_none() {
                return Ok(keys);
            }
        }
    }

    /// One Query of the listing's index: the keys of up to `limit` entries from `start`,
    /// and where the engine stopped (`None`: the partition is exhausted).
    async fn index_keys(
        &self,
        listing: &Listing<'_>,
        start: Option<Item>,
        limit: Option<usize>,
    ) -> Result<(Vec<Item>, Option<Item>), StoreError> {
        let index = listing.index;
        let key_condition = match (&listing.from, &listing.to) {
            (None, None) => "#ipk = :ipk",
            (Some(_), None) => "#ipk = :ipk AND #isk >= :from",
            (None, Some(_)) => "#ipk = :ipk AND #isk < :to",
            (Some(_), Some(_)) => "#ipk = :ipk AND #isk BETWEEN :from AND :to",
        };
        let mut query = self
            .client
            .query()
            .table_name(&*self.table)
            .index_name(index.name)
            .key_condition_expression(key_condition)
            // The keys alone, also from a table made before the indexes were keys-only
            // (a local data directory), where the index still holds whole items.
            .projection_expression("#pk, #sk, #ipk, #isk")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_names("#ipk", index.partition_key)
            .expression_attribute_names("#isk", index.sort_key)
            .expression_attribute_values(":ipk", mapping::string(listing.partition.clone()))
            .scan_index_forward(!listing.newest_first)
            .set_exclusive_start_key(start)
            .set_limit(limit.map(|n| i32::try_from(n).unwrap_or(i32::MAX)));
        for (placeholder, bound) in [(":from", &listing.from), (":to", &listing.to)] {
            if let Some(bound) = bound {
                query = query.expression_attribute_values(placeholder, mapping::string(bound));
            }
        }
        let out = query.send().await.map_err(|e| self.backend("Query", e))?;
        let keys = out.items.unwrap_or_default();
        self.index_reads.keys(keys.len());
        Ok((keys, out.last_evaluated_key))
    }

    /// Reads `listing` from `start`: the index's keys, then their items by key (strongly
    /// consistent, in the index's order), keeping those still in the listing that pass its
    /// `only` filters and `keep`, until `want` items are kept, the partition ends, or
    /// `max_queries` index queries were made.
    ///
    /// An item is dropped when it is gone or no longer carries the listing's index keys
    /// by the time it is read (deleted, or moved out of the partition between the two
    /// reads): an index is a step behind its table, the item is the truth.
    async fn read_listing(
        &self,
        listing: &Listing<'_>,
        start: Option<Item>,
        want: Option<usize>,
        keep: Option<&Keep>,
        max_queries: usize,
    ) -> Result<Found, StoreError> {
        let filtered = !listing.only.is_empty() || keep.is_some();
        let full = |n: usize| want.is_some_and(|w| n >= w);
        let mut items: Vec<Item> = Vec::new();
        let mut buffer: VecDeque<Item> = VecDeque::new();
        let mut start = start;
        let mut exhausted = false;
        let mut queries = 0;
        // The key of the last entry handed out or passed over.
        let mut consumed: Option<Item> = None;
        while !full(items.len()) {
            if buffer.is_empty() {
                if exhausted || queries == max_queries {
                    break;
                }
                let limit = want.map(|w| {
                    let wanted = w - items.len();
                    // One more than needed tells whether another page exists, so a
                    // listing that ends on a page boundary hands out no cursor to an
                    // empty page; a filtered one asks for a batch, most may not match.
                    if filtered {
                        FILTERED_QUERY_LIMIT.max(wanted + 1)
                    } else {
                        wanted + 1
                    }
                });
                let (keys, last) = self.index_keys(listing, start.take(), limit).await?;
                queries += 1;
                exhausted = last.is_none();
                start = last;
                buffer.extend(keys);
                continue;
            }
            let take = match want {
                Some(w) if !filtered => w - items.len(),
                _ => BATCH_GET_KEYS,
            }
            .min(BATCH_GET_KEYS)
            .min(buffer.len());
            let keys: Vec<Item> = buffer.drain(..take).collect();
            self.faults.run_between_index_reads().await;
            let read = self.batch_get_keys(&keys).await?;
            self.index_reads
                .items(read.iter().filter(|item| item.is_some()).count());
            let mut keys = keys.into_iter().zip(read);
            for (key, item) in keys.by_ref() {
                consumed = Some(key);
                if let Some(item) = item
                    && listing.holds(&item)
                    && keep.is_none_or(|keep| keep(&item))
                {
                    items.push(item);
                    if full(items.len()) {
                        break;
                    }
                }
            }
            // Read but not reached: back in line for the page after this one.
            let rest: Vec<Item> = keys.map(|(key, _)| key).collect();
            for key in rest.into_iter().rev() {
                buffer.push_front(key);
            }
        }
        let more = !buffer.is_empty() || !exhausted;
        let resume = match (more, full(items.len())) {
            (false, _) => None,
            // Continue after the last entry handed out.
            (true, true) => consumed,
            // Out of query budget with every key read: continue where the engine stopped.
            (true, false) => start,
        };
        Ok(Found { items, resume })
    }
}

/// A condition on an item as read, beyond the listing's `only` filters.
pub(crate) type Keep = dyn Fn(&Item) -> bool + Send + Sync;

/// What [`Store::read_listing`] found.
struct Found {
    /// The items kept, in the index's order.
    items: Vec<Item>,
    /// The key to continue from (a cursor's), if more of the listing is left.
    resume: Option<Item>,
}

impl Listing<'_> {
    /// Whether `item`, read by a key the index gave, still belongs to the listing: it
    /// carries the listing's partition and a sort key in its range, and every `only`
    /// attribute has its value.
    fn holds(&self, item: &Item) -> bool {
        let text = |name: &str| match item.get(name) {
            Some(AttributeValue::S(value)) => Some(value.as_str()),
            _ => None,
        };
        if text(self.index.partition_key) != Some(self.partition.as_str()) {
            return false;
        }
        let Some(sort) = text(self.index.sort_key) else {
            return false;
        };
        // The key condition's own bounds, compared as DynamoDB compares strings (bytes).
        let in_range = match (&self.from, &self.to) {
            (None, None) => true,
            (Some(from), None) => sort >= from.as_str(),
            (None, Some(to)) => sort < to.as_str(),
            (Some(from), Some(to)) => from.as_str() <= sort && sort <= to.as_str(),
        };
        in_range
            && self
                .only
                .iter()
                .all(|(name, value)| text(name) == Some(value.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::GSI3;

    fn entry(partition: &str, sort: &str, state: Option<&str>) -> Item {
        let mut item = Item::from([
            (PK.to_string(), mapping::string("TICKET#t1")),
            (SK.to_string(), mapping::string("TICKET")),
            (GSI3.partition_key.to_string(), mapping::string(partition)),
            (GSI3.sort_key.to_string(), mapping::string(sort)),
        ]);
        if let Some(state) = state {
            item.insert("state".into(), mapping::string(state));
        }
        item
    }

    fn due_before(bound: &str) -> Listing<'static> {
        Listing {
            to: Some(bound.to_string()),
            ..Listing::newest_first(&GSI3, "QUEUE#OPEN".to_string())
        }
    }

    #[test]
    fn an_item_read_after_its_key_still_belongs_to_the_listing_only_in_its_partition_and_range() {
        let due = due_before("2026-03-02T09:00:00.001Z");
        assert!(due.holds(&entry("QUEUE#OPEN", "2026-03-02T09:00:00.000Z#t1", None)));
        // Its watch time moved past the bound since the index was read.
        assert!(!due.holds(&entry("QUEUE#OPEN", "2026-03-02T10:00:00.000Z#t1", None)));
        // Closed meanwhile: it left the queue for the open costs.
        assert!(!due.holds(&entry("COST#OPEN", "2026-Q1#t1", None)));
        // No index keys at all (a deleted ticket keeps none of the live ones).
        let mut bare = entry("QUEUE#OPEN", "x", None);
        bare.remove(GSI3.partition_key);
        assert!(!due.holds(&bare));
    }

    #[test]
    fn a_range_from_and_to_is_inclusive_like_between_and_from_alone_like_at_least() {
        let between = Listing {
            from: Some("b".into()),
            to: Some("d".into()),
            ..Listing::newest_first(&GSI3, "P".to_string())
        };
        for (sort, held) in [
            ("a", false),
            ("b", true),
            ("c#1", true),
            ("d", true),
            ("d#1", false),
        ] {
            assert_eq!(between.holds(&entry("P", sort, None)), held, "{sort}");
        }
        let from = Listing {
            from: Some("b".into()),
            ..Listing::newest_first(&GSI3, "P".to_string())
        };
        assert!(!from.holds(&entry("P", "a", None)));
        assert!(from.holds(&entry("P", "b", None)));
    }

    #[test]
    fn an_only_filter_is_checked_on_the_item_as_read() {
        let open_only = Listing {
            only: vec![("state", "open".to_string())],
            ..Listing::newest_first(&GSI3, "P".to_string())
        };
        assert!(open_only.holds(&entry("P", "a", Some("open"))));
        assert!(!open_only.holds(&entry("P", "a", Some("done"))));
        assert!(!open_only.holds(&entry("P", "a", None)));
    }
}

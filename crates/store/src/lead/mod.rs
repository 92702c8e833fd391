//! Leads (SPEC §4) on the table: the lead card, its history, the customer profiles with
//! their identity claims, the network's routing rules and representatives' assignments,
//! and the dealers' working hours.
//!
//! A lead is read and written whole and none of its fields is ever a key condition, so the
//! item keeps the domain's [`Lead`] as JSON in one attribute (`data`) beside its index keys
//! and the few attributes listings filter on (`status`, `kind`). Its history lines share
//! its partition (`EVENT#…` sorts before `LEAD`), so one Query gives the card with its
//! history, like a ticket.
//!
//! Listings: one dealer's leads (`gsi1`), the whole network's (`gsi2`), and a
//! representative's — through a copy of the lead in its own partition (`sk` `OBSERVER`)
//! whose `gsi1` is `OBSERVER#<user>#LEADS`, rewritten in the same transaction as every save,
//! so a transfer or a new observer moves it with the lead.
//!
//! Due work sits on sparse `gsi3` partitions: `LEAD#ESCALATE` on the lead item while an
//! escalation is still owed (keyed by when), and `LEAD#SURVEY` on a small marker item
//! written with the lead (keyed by when the customer's survey is due), so the jobs read
//! what is due, never the leads.
//!
//! One person, one profile: a profile claims each identity key (`phone#+7…`,
//! `email#…`) with an item written on the condition that it does not exist, in the same
//! transaction as the lead and the profile, so two concurrent posts of one person cannot
//! make two profiles — the loser's transaction fails and it joins the winner's profile on
//! its retry.

pub mod card;
pub mod limits;
pub mod network;
pub mod site;
pub mod stats;
pub mod survey;

use crate::client::{Condition, Store};
use crate::error::{Entity, StoreError};
use crate::kernel::{AggregateWrite, IdempotencyRecord, Listing, Saved};
use crate::keys;
use crate::mapping::{self, Builder, Item, Reader, attr, n};
use crate::table::{GSI1, GSI2, GSI3, PK, TTL_ATTRIBUTE};
use crate::{Page, PageRequest};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use dealerdesk_domain::audit::{AuditItem, AuditKind};
use dealerdesk_domain::lead::{
    CustomerId, CustomerProfile, Lead, LeadHistoryEntry, LeadId, LeadStatus, LeadTally,
};
use dealerdesk_domain::{DealerId, Notice, UserId};
use std::future::Future;

pub use card::{LeadFilter, LeadListRepo, LeadOrder};
pub use limits::{PostLimitRepo, PostLookup};
pub use network::{LeadNetwork, LeadNetworkRepo};
pub use site::{SiteRepo, SiteWithSpam};
pub use stats::{CounterSet, DealerSet, LeadStatsRepo, MAX_SURVEY_ROWS, Span};
pub use survey::{LeadErasure, LeadSurveyRepo};

/// The `type` of a lead item.
pub(crate) const LEAD_TYPE: &str = "lead";
/// The `type` of a representative's listing copy of a lead.
pub(crate) const LEAD_COPY_TYPE: &str = "lead_observer_copy";
/// The `type` of a lead history line.
pub(crate) const LEAD_EVENT_TYPE: &str = "lead_event";
/// The `type` of the survey-due marker.
pub(crate) const LEAD_SURVEY_TYPE: &str = "lead_survey_due";
/// The `type` of a customer profile.
pub(crate) const CUSTOMER_TYPE: &str = "customer";
/// The `type` of an identity claim.
pub(crate) const CUSTOMER_KEY_TYPE: &str = "customer_key";

/// The lead as JSON.
const DATA: &str = "data";
const KIND: &str = "kind";
const CUSTOMER_ID: &str = "customer_id";
const LEAD_ID: &str = "lead_id";
const FINGERPRINT: &str = "fingerprint";

/// A customer profile written with a lead (or alone): the profile after the change, the
/// version it had when read (0: a new profile) and the identity keys it claims now.
#[derive(Clone, Debug)]
pub struct CustomerWrite<'a> {
    pub profile: &'a CustomerProfile,
    pub expected_version: u64,
    /// Identity keys (`domain::lead::identity_keys`) this write claims for the profile;
    /// each must not be claimed yet.
    pub new_claims: Vec<String>,
}

/// The idempotency of a lead's create: the first post with `key` (per `owner`: a site or
/// a user) wins for `ttl_seconds`; a later post with the key is answered with the first
/// lead, and `fingerprint` (of the first post's body) tells a retry from a different post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadIdempotency {
    pub owner: String,
    pub key: String,
    pub fingerprint: String,
    pub ttl_seconds: i64,
}

/// Everything a new lead is stored with, in one transaction.
#[derive(Clone, Debug)]
pub struct LeadCreate<'a> {
    pub lead: &'a Lead,
    /// Its first history lines (the creation, the routing).
    pub history: &'a [LeadHistoryEntry],
    /// Who is told (the dealer, the customer's confirmation).
    pub notices: &'a [Notice],
    /// The customer profile the lead creates or joins.
    pub customer: Option<CustomerWrite<'a>>,
    pub idempotency: Option<LeadIdempotency>,
    /// When the first escalation falls due (`None`: none owed).
    pub escalate_at: Option<DateTime<Utc>>,
    /// When the customer's survey falls due (`None`: no survey for this lead).
    pub survey_due: Option<DateTime<Utc>>,
    /// What the lead counts in the lead reports (`domain::lead::tally`).
    pub tally: Option<&'a LeadTally>,
    /// The create's clock (idempotency expiry).
    pub now: DateTime<Utc>,
}

/// A change of a stored lead, in one transaction.
#[derive(Clone, Debug)]
pub struct LeadSave<'a> {
    /// The lead as read: the save fails with [`StoreError::Conflict`] if its version
    /// moved; the audit entry's old values.
    pub before: &'a Lead,
    /// The lead after the change (its version bumped by the domain).
    pub lead: &'a Lead,
    pub history: &'a [LeadHistoryEntry],
    pub notices: &'a [Notice],
    /// When the next escalation falls due now (`None`: nothing owed any more).
    pub escalate_at: Option<DateTime<Utc>>,
    /// A profile changed with the lead (a survey answer, an anonymisation).
    pub customer: Option<CustomerWrite<'a>>,
    /// What the lead counts now (`None`: nothing, a deleted lead); the counters get the
    /// difference from what its stored item counted.
    pub tally: Option<&'a LeadTally>,
}

/// What [`LeadRepo::create_lead`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeadCreated {
    Created,
    /// The idempotency key was used before: nothing was written; the first lead and the
    /// fingerprint of the post that made it.
    Replayed {
        lead: LeadId,
        fingerprint: String,
    },
}

/// Which leads a listing shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeadListing {
    /// One dealer's (the dealer's staff).
    Dealer(DealerId),
    /// Those a representative observes.
    Observer(UserId),
    /// The whole network's (the brand, the platform operator).
    All,
}

/// Leads and their history.
pub trait LeadRepo {
    /// Stores a new lead with its history, notices, customer profile, idempotency record
    /// and due markers in one transaction. [`StoreError::Conflict`] when the profile or an
    /// identity claim changed meanwhile (a concurrent post of the same person): nothing was
    /// written and the caller decides the profile again.
    fn create_lead(
        &self,
        create: LeadCreate<'_>,
    ) -> impl Future<Output = Result<LeadCreated, StoreError>> + Send;
    /// One lead.
    fn lead(&self, id: &LeadId) -> impl Future<Output = Result<Option<Lead>, StoreError>> + Send;
    /// One lead with its history, oldest line first (one Query).
    fn lead_with_history(
        &self,
        id: &LeadId,
    ) -> impl Future<Output = Result<Option<(Lead, Vec<LeadHistoryEntry>)>, StoreError>> + Send;
    /// Stores a change conditional on the version read (see [`LeadSave`]).
    fn save_lead(&self, save: LeadSave<'_>) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A page of leads, newest first, optionally only those in `status`.
    fn leads(
        &self,
        listing: &LeadListing,
        status: Option<LeadStatus>,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Lead>, StoreError>> + Send;
    /// Leads whose next escalation is due at `now` or before (the sparse due index).
    fn leads_to_escalate(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Lead>, StoreError>> + Send;
    /// Leads whose customer survey is due at `now` or before, with when it fell due.
    fn surveys_due(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<(LeadId, DateTime<Utc>)>, StoreError>> + Send;
}

/// Customer profiles.
pub trait CustomerRepo {
    /// One profile.
    fn customer(
        &self,
        id: &CustomerId,
    ) -> impl Future<Output = Result<Option<CustomerProfile>, StoreError>> + Send;
    /// The profile that claimed an identity key (`phone#+7…`, `email#…`), if any (a
    /// consistent read, so a claim just written is seen).
    fn customer_by_key(
        &self,
        identity: &str,
    ) -> impl Future<Output = Result<Option<CustomerId>, StoreError>> + Send;
    /// Stores a profile alone (a merge decision), conditional on its version
    /// (`write.expected_version`); `before` is the profile as read (`None`: a new one), the
    /// audit entry's old values.
    fn save_customer(
        &self,
        before: Option<&CustomerProfile>,
        write: CustomerWrite<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl Store {
    /// The profile's item and its new claims as transaction items.
    pub(crate) fn customer_writes(
        &self,
        write: &CustomerWrite<'_>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut items = vec![self.put(
            customer_to_item(write.profile)?,
            Condition::version(write.expected_version),
        )?];
        items.extend(self.claim_writes(write)?);
        Ok(items)
    }

    /// The identity claims a profile write makes, each on the condition that nobody made it.
    fn claim_writes(
        &self,
        write: &CustomerWrite<'_>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        write
            .new_claims
            .iter()
            .map(|identity| {
                self.put(
                    customer_key_to_item(identity, write.profile.id()),
                    Condition::absent(),
                )
            })
            .collect()
    }

    /// The representative's copy of a lead: rewritten with every save; without an
    /// observer it carries no index keys and so lists nowhere.
    fn lead_copy_write(&self, lead: &Lead) -> Result<TransactWriteItem, StoreError> {
        self.put(lead_copy_to_item(lead)?, Condition::none())
    }
}

/// The audit stamp of a lead's save: the person of its history lines (none: the platform
/// itself — an escalation, the survey), at the lead's change time.
fn lead_stamp(lead: &Lead, history: &[LeadHistoryEntry]) -> crate::AuditStamp {
    crate::AuditStamp::new(
        AuditItem::new(AuditKind::Lead, lead.id().as_str()),
        history.first().map_or(lead.updated_at(), |h| h.at),
        history.iter().find_map(|h| h.by.clone()),
    )
}

impl LeadRepo for Store {
    async fn create_lead(&self, c: LeadCreate<'_>) -> Result<LeadCreated, StoreError> {
        let lead = c.lead;
        let mut extra = vec![self.lead_copy_write(lead)?];
        if let Some(customer) = &c.customer {
            extra.extend(self.customer_writes(customer)?);
        }
        if let Some(due) = c.survey_due {
            extra.push(self.put(survey_marker_to_item(lead.id(), due), Condition::absent())?);
        }
        extra.extend(self.history_writes(lead, c.history)?);
        let record = c.idempotency.as_ref().map(|i| IdempotencyRecord {
            item: lead_idempotency_to_item(i, lead.id(), c.now),
            pk: keys::lead_idempotency_pk(&i.owner, &i.key),
            sk: keys::IDEMPOTENCY_SK,
            now: c.now.timestamp(),
        });
        let tally = c.tally;
        let write = AggregateWrite::new(
            Entity::Lead,
            stats::with_tally(lead_to_item(lead, c.escalate_at)?, tally)?,
            0,
            c.notices,
        )
        .extra(extra)
        .idempotency(record)
        .derive(stats::tally_writes)
        .audit(lead_stamp(lead, c.history));
        match self.save_aggregate(write).await? {
            Saved::Written => Ok(LeadCreated::Created),
            Saved::Replayed(first) => {
                let r = Reader::new(&first);
                Ok(LeadCreated::Replayed {
                    lead: LeadId::new(r.string(LEAD_ID)?),
                    fingerprint: r.string(FINGERPRINT)?,
                })
            }
        }
    }

    async fn lead(&self, id: &LeadId) -> Result<Option<Lead>, StoreError> {
        self.get(keys::lead_pk(id), keys::LEAD_SK)
            .await?
            .map(|item| lead_from_item(&item))
            .transpose()
    }

    async fn lead_with_history(
        &self,
        id: &LeadId,
    ) -> Result<Option<(Lead, Vec<LeadHistoryEntry>)>, StoreError> {
        let mut lead = None;
        let mut history = Vec::new();
        for item in &self.partition(keys::lead_pk(id)).await? {
            match item_type(item) {
                Some(LEAD_TYPE) => lead = Some(lead_from_item(item)?),
                Some(LEAD_EVENT_TYPE) => history.push(lead_event_from_item(item)?),
                _ => {}
            }
        }
        Ok(lead.map(|l| (l, history)))
    }

    async fn save_lead(&self, s: LeadSave<'_>) -> Result<(), StoreError> {
        let lead = s.lead;
        let mut extra = vec![self.lead_copy_write(lead)?];
        if let Some(customer) = &s.customer {
            extra.extend(self.customer_writes(customer)?);
        }
        extra.extend(self.history_writes(lead, s.history)?);
        if lead.deleted().is_some() {
            // A deleted lead owes its customer no survey (a restore does not bring it back).
            extra.push(self.delete_item(keys::lead_pk(lead.id()), keys::LEAD_SURVEY_SK, false)?);
        }
        let write = AggregateWrite::new(
            Entity::Lead,
            stats::with_tally(lead_to_item(lead, s.escalate_at)?, s.tally)?,
            s.before.version(),
            s.notices,
        )
        .extra(extra);
        // Index keys are not audited: the before's escalation instant does not matter.
        let before = lead_to_item(s.before, None)?;
        let stamp = lead_stamp(lead, s.history);
        // The counters' change needs what the stored lead counts: carried by a lead read
        // from the table at the version this save is conditional on (so it is exactly what
        // is replaced), else read once more.
        let write = match s.before.counted() {
            Some(counted) => write
                .derive(stats::tally_writes)
                .audit_against(stamp, stats::with_tally(before, counted)?),
            None => write
                .derive_from_stored(stats::tally_writes)
                .audit_against(stamp, before),
        };
        self.save_aggregate(write).await.map(|_| ())
    }

    async fn leads(
        &self,
        listing: &LeadListing,
        status: Option<LeadStatus>,
        page: &PageRequest,
    ) -> Result<Page<Lead>, StoreError> {
        let (index, partition) = match listing {
            LeadListing::Dealer(dealer) => (&GSI1, keys::dealer_leads_gsi1pk(dealer)),
            LeadListing::Observer(user) => (&GSI1, keys::observer_leads_gsi1pk(user)),
            LeadListing::All => (&GSI2, keys::ALL_LEADS_GSI2PK.to_string()),
        };
        let only = status.map(|s| (attr::STATUS, s.code().to_string()));
        self.page(index, partition, only, page, lead_from_item)
            .await
    }

    async fn leads_to_escalate(&self, now: DateTime<Utc>) -> Result<Vec<Lead>, StoreError> {
        let items = self
            .due_query(keys::LEAD_ESCALATE_GSI3PK, keys::watch_due_bound(now))
            .await?;
        items.iter().map(lead_from_item).collect()
    }

    async fn surveys_due(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(LeadId, DateTime<Utc>)>, StoreError> {
        // The index's keys say it all (the lead in `pk`, the due time in the sort key): no
        // item is read.
        let listing = due_listing(keys::LEAD_SURVEY_GSI3PK, keys::watch_due_bound(now));
        self.listed_keys(&listing)
            .await?
            .iter()
            .map(|entry| {
                let r = Reader::new(entry);
                keys::lead_due_from_keys(r.str(PK)?, r.str(GSI3.sort_key)?).ok_or_else(|| {
                    r.corrupt(format_args!(
                        "the survey's index keys do not name a lead and a time"
                    ))
                })
            })
            .collect()
    }
}

impl CustomerRepo for Store {
    async fn customer(&self, id: &CustomerId) -> Result<Option<CustomerProfile>, StoreError> {
        self.get(keys::customer_pk(id), keys::CUSTOMER_SK)
            .await?
            .map(|item| customer_from_item(&item))
            .transpose()
    }

    async fn customer_by_key(&self, identity: &str) -> Result<Option<CustomerId>, StoreError> {
        self.get(keys::customer_key_pk(identity), keys::CUSTOMER_KEY_SK)
            .await?
            .map(|item| claim_owner(&item))
            .transpose()
    }

    async fn save_customer(
        &self,
        before: Option<&CustomerProfile>,
        write: CustomerWrite<'_>,
    ) -> Result<(), StoreError> {
        let claims = self.claim_writes(&write)?;
        let aggregate = AggregateWrite::new(
            Entity::Customer,
            customer_to_item(write.profile)?,
            write.expected_version,
            &[],
        )
        .extra(claims);
        let stamp = crate::AuditStamp::new(
            AuditItem::new(AuditKind::Customer, write.profile.id().as_str()),
            write.profile.updated_at(),
            None,
        );
        let aggregate = match before {
            Some(before) => aggregate.audit_against(stamp, customer_to_item(before)?),
            None => aggregate.audit(stamp),
        };
        self.save_aggregate(aggregate).await.map(|_| ())
    }
}

impl Store {
    /// The history lines of one save: each its own item, absent before.
    fn history_writes(
        &self,
        lead: &Lead,
        history: &[LeadHistoryEntry],
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        history
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                self.put(
                    lead_event_to_item(lead.id(), lead.version(), i, entry)?,
                    Condition::absent(),
                )
            })
            .collect()
    }

    /// Every item of a sparse `gsi3` partition whose sort key is below `bound`.
    pub(crate) async fn due_query(
        &self,
        partition: &str,
        bound: String,
    ) -> Result<Vec<Item>, StoreError> {
        self.listed(&due_listing(partition, bound)).await
    }
}

/// The entries of a sparse `gsi3` partition whose sort key is below `bound`, soonest due
/// first.
fn due_listing(partition: &str, bound: String) -> Listing<'static> {
    Listing {
        to: Some(bound),
        newest_first: false,
        ..Listing::newest_first(&GSI3, partition.to_string())
    }
}

// ---------------------------------------------------------------- mapping

fn item_type(item: &Item) -> Option<&str> {
    match item.get(mapping::TYPE) {
        Some(AttributeValue::S(t)) => Some(t.as_str()),
        _ => None,
    }
}

fn json<T: serde::Serialize>(what: &str, value: &T) -> Result<String, StoreError> {
    // Serialising the domain's plain data cannot fail; if it ever does, say what.
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(r: &Reader<'_>, name: &str) -> Result<T, StoreError> {
    let raw = r.str(name)?;
    serde_json::from_str(raw).map_err(|e| r.corrupt(format_args!("`{name}` is not valid: {e}")))
}

/// The lead item: its data, listing keys, the attributes listings filter on, and the
/// escalation index keys while one is owed.
pub(crate) fn lead_to_item(
    lead: &Lead,
    escalate_at: Option<DateTime<Utc>>,
) -> Result<Item, StoreError> {
    let listing_sk = keys::lead_listing_sk(lead.created_at(), lead.id());
    let mut b = Builder::new(keys::lead_pk(lead.id()), keys::LEAD_SK, LEAD_TYPE)
        .string(GSI1.partition_key, keys::dealer_leads_gsi1pk(lead.dealer()))
        .string(GSI1.sort_key, listing_sk.clone())
        .string(GSI2.partition_key, keys::ALL_LEADS_GSI2PK)
        .string(GSI2.sort_key, listing_sk);
    if let Some(at) = escalate_at {
        b = b
            .string(GSI3.partition_key, keys::LEAD_ESCALATE_GSI3PK)
            .string(GSI3.sort_key, keys::lead_due_gsi3sk(at, lead.id()));
    }
    let mut item = lead_attributes(b, lead)?.build();
    if let Some(deleted) = lead.deleted() {
        mapping::as_deleted(
            &mut item,
            deleted,
            keys::DELETED_LEADS_GSI2PK,
            keys::deleted_listing_sk(deleted.at, lead.id().as_str()),
        );
    }
    Ok(item)
}

fn lead_attributes(b: Builder, lead: &Lead) -> Result<Builder, StoreError> {
    Ok(b.string("id", lead.id().as_str())
        .string("dealer_id", lead.dealer().as_str())
        .string(attr::STATUS, lead.status().code())
        .string(KIND, lead.kind().code())
        .instant("created_at", lead.created_at())
        .instant("updated_at", lead.updated_at())
        .put(attr::VERSION, n(lead.version()))
        .string(DATA, json("lead", lead)?))
}

/// The representative's listing copy (see the module's documentation).
fn lead_copy_to_item(lead: &Lead) -> Result<Item, StoreError> {
    let mut b = Builder::new(
        keys::lead_pk(lead.id()),
        keys::LEAD_OBSERVER_SK,
        LEAD_COPY_TYPE,
    );
    if let Some(observer) = lead.observer() {
        b = b
            .string(GSI1.partition_key, keys::observer_leads_gsi1pk(observer))
            .string(
                GSI1.sort_key,
                keys::lead_listing_sk(lead.created_at(), lead.id()),
            );
    }
    // The search across dealers finds the copy by surname and name (`card.rs`).
    if let Some(key) = dealerdesk_domain::lead::search_key(lead) {
        b = b
            .string(GSI2.partition_key, keys::lead_search_gsi2pk(&key))
            .string(
                GSI2.sort_key,
                keys::lead_listing_sk(lead.created_at(), lead.id()),
            );
    }
    // The survey report lists the answers of a period from the answer's UTC month.
    if let Some(survey) = lead.survey() {
        b = b
            .string(
                GSI3.partition_key,
                keys::lead_surveys_gsi3pk(&keys::audit_month(survey.answered_at)),
            )
            .string(
                GSI3.sort_key,
                keys::lead_due_gsi3sk(survey.answered_at, lead.id()),
            );
    }
    let mut item = lead_attributes(b, lead)?.build();
    // A deleted lead is in no representative's list, no search and no survey report.
    if lead.deleted().is_some() {
        for gsi in crate::table::TABLE_GSIS {
            item.remove(gsi.partition_key);
            item.remove(gsi.sort_key);
        }
    }
    Ok(item)
}

/// A lead from its item or its listing copy; from its item, with what it counts in the
/// reports (the copy does not carry that).
pub(crate) fn lead_from_item(item: &Item) -> Result<Lead, StoreError> {
    let r = Reader::new(item);
    let lead: Lead = from_json(&r, DATA)?;
    if lead.version() != r.u64(attr::VERSION)? {
        return Err(r.corrupt("`version` differs from the lead's data"));
    }
    if item_type(item) == Some(LEAD_TYPE) {
        return Ok(lead.counted_as_read(stats::stored_tally(item)?));
    }
    Ok(lead)
}

/// History line `index` of the save that made `version`.
fn lead_event_to_item(
    lead: &LeadId,
    version: u64,
    index: usize,
    entry: &LeadHistoryEntry,
) -> Result<Item, StoreError> {
    Ok(Builder::new(
        keys::lead_pk(lead),
        &keys::lead_event_sk(entry.at, version, index),
        LEAD_EVENT_TYPE,
    )
    .string(LEAD_ID, lead.as_str())
    .put(attr::VERSION, n(version))
    .instant("at", entry.at)
    .string(DATA, json("lead history", entry)?)
    .build())
}

fn lead_event_from_item(item: &Item) -> Result<LeadHistoryEntry, StoreError> {
    from_json(&Reader::new(item), DATA)
}

fn survey_marker_to_item(lead: &LeadId, due: DateTime<Utc>) -> Item {
    Builder::new(keys::lead_pk(lead), keys::LEAD_SURVEY_SK, LEAD_SURVEY_TYPE)
        .string(GSI3.partition_key, keys::LEAD_SURVEY_GSI3PK)
        .string(GSI3.sort_key, keys::lead_due_gsi3sk(due, lead))
        .string(LEAD_ID, lead.as_str())
        .instant("due_at", due)
        .build()
}

fn lead_idempotency_to_item(i: &LeadIdempotency, lead: &LeadId, now: DateTime<Utc>) -> Item {
    Builder::new(
        keys::lead_idempotency_pk(&i.owner, &i.key),
        keys::IDEMPOTENCY_SK,
        "lead_idempotency",
    )
    .string(LEAD_ID, lead.as_str())
    .string(FINGERPRINT, &i.fingerprint)
    .instant("created_at", now)
    .put(TTL_ATTRIBUTE, n(now.timestamp() + i.ttl_seconds))
    .build()
}

pub(crate) fn customer_to_item(profile: &CustomerProfile) -> Result<Item, StoreError> {
    Ok(Builder::new(
        keys::customer_pk(profile.id()),
        keys::CUSTOMER_SK,
        CUSTOMER_TYPE,
    )
    .string("id", profile.id().as_str())
    .put(attr::VERSION, n(profile.version()))
    .instant("updated_at", profile.updated_at())
    .string(DATA, json("customer", profile)?)
    .build())
}

pub(crate) fn customer_from_item(item: &Item) -> Result<CustomerProfile, StoreError> {
    from_json(&Reader::new(item), DATA)
}

/// The profile an identity claim names.
pub(crate) fn claim_owner(item: &Item) -> Result<CustomerId, StoreError> {
    Ok(CustomerId::new(Reader::new(item).string(CUSTOMER_ID)?))
}

fn customer_key_to_item(identity: &str, customer: &CustomerId) -> Item {
    Builder::new(
        keys::customer_key_pk(identity),
        keys::CUSTOMER_KEY_SK,
        CUSTOMER_KEY_TYPE,
    )
    .string(CUSTOMER_ID, customer.as_str())
    .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::SK;

    /// Whether an item is in the history's sort-key space of a lead's partition.
    fn is_history(item: &Item) -> bool {
        matches!(item.get(SK), Some(AttributeValue::S(sk)) if sk.starts_with(keys::EVENT_SK_PREFIX))
    }
    use chrono::TimeZone;
    use dealerdesk_domain::lead::{LeadDraft, LeadSource, Placement};

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 12, 10, 0, 0).unwrap() + chrono::Duration::minutes(min)
    }

    pub(crate) fn lead(observer: Option<&str>) -> Lead {
        let draft = LeadDraft {
            kind: Some("test_drive".into()),
            name: Some("Иван".into()),
            surname: Some("Петров".into()),
            phone: Some("8 (912) 345-67-89".into()),
            email: Some("ivan@mail.ru".into()),
            consent: Some("true".into()),
            ..LeadDraft::default()
        };
        Lead::create(
            LeadId::new("01L"),
            draft.validate().unwrap(),
            LeadSource::Site,
            Placement {
                dealer: DealerId::new("d1"),
                observer: observer.map(UserId::new),
                customer: Some(CustomerId::new("01C")),
            },
            at(0),
        )
    }

    #[test]
    fn a_lead_round_trips_and_carries_its_listing_and_due_keys() {
        let l = lead(Some("rep1"));
        let item = lead_to_item(&l, Some(at(120))).unwrap();
        assert_eq!(lead_from_item(&item).unwrap(), l);
        let s = |name: &str| match item.get(name) {
            Some(AttributeValue::S(v)) => v.clone(),
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(s("gsi1pk"), "DEALER#d1#LEADS");
        assert_eq!(s("gsi2pk"), "LEADS");
        assert_eq!(s("gsi3pk"), "LEAD#ESCALATE");
        assert_eq!(s("gsi3sk"), "2026-05-12T12:00:00.000Z#01L");
        assert_eq!(s("status"), "new");
        assert!(!lead_to_item(&l, None).unwrap().contains_key("gsi3pk"));
        let copy = lead_copy_to_item(&l).unwrap();
        assert_eq!(lead_from_item(&copy).unwrap(), l);
        assert_eq!(
            copy.get("gsi1pk"),
            Some(&AttributeValue::S("OBSERVER#rep1#LEADS".into()))
        );
        assert!(
            !lead_copy_to_item(&lead(None))
                .unwrap()
                .contains_key("gsi1pk")
        );
    }

    #[test]
    fn a_history_line_sorts_before_the_lead_in_its_partition() {
        let entry = LeadHistoryEntry {
            at: at(1),
            by: Some(UserId::new("u1")),
            field: dealerdesk_domain::lead::LeadField::Comment,
            old: None,
            new: Some("Перезвонить".into()),
        };
        let item = lead_event_to_item(&LeadId::new("01L"), 2, 0, &entry).unwrap();
        assert!(is_history(&item));
        assert_eq!(lead_event_from_item(&item).unwrap(), entry);
        let Some(AttributeValue::S(sk)) = item.get(SK) else {
            panic!()
        };
        assert!(sk.as_str() < keys::LEAD_SK);
    }

    #[test]
    fn a_corrupt_lead_is_reported_not_panicked_on() {
        let mut item = lead_to_item(&lead(None), None).unwrap();
        item.insert(DATA.into(), AttributeValue::S("{".into()));
        assert!(matches!(lead_from_item(&item), Err(StoreError::Corrupt(_))));
        let mut item = lead_to_item(&lead(None), None).unwrap();
        item.insert(attr::VERSION.into(), AttributeValue::N("7".into()));
        assert!(matches!(lead_from_item(&item), Err(StoreError::Corrupt(_))));
    }
}

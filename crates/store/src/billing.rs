//! Billing's data (`dealerdesk_domain::billing`): each network's price list (a head item
//! with the version and one item per price version, in one partition), the platform's
//! billing settings, and in each dealer's partition its subscription with the history of
//! changes and its requisites.
//!
//! Every change is the kernel's aggregate save: a price version is appended with its head
//! at the version the admin saw; a subscription is saved with its change. So two editors
//! saving at once cannot both win, and the history never misses a change.

use crate::audit::AuditStamp;
use crate::client::{Condition, Store};
use crate::error::{Entity, StoreError};
use crate::kernel::AggregateWrite;
use crate::keys;
use crate::mapping::{self, Builder, Item, Reader, attr, n};
use crate::table::{GSI1, GSI2};
use crate::table::{PK, SK};
use crate::{Page, PageRequest};
use chrono::Datelike;
use chrono::{DateTime, Utc};
use dealerdesk_domain::audit::{AuditItem, AuditKind};
use dealerdesk_domain::billing::document::Requisites;
use dealerdesk_domain::billing::issued::{DocumentStatus, IssuedDocument};
use dealerdesk_domain::billing::price_list::{PriceList, PriceLists};
use dealerdesk_domain::billing::requisites::BillingSettings;
use dealerdesk_domain::billing::subscription::{Subscription, SubscriptionChange};
use dealerdesk_domain::{DealerId, NetworkId, UserId};
use dealerdesk_domain::{Notice, Quarter};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

/// A dealer's requisites as stored, with who saved them and the version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealerRequisites {
    pub dealer_id: DealerId,
    pub requisites: Requisites,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<UserId>,
    /// 1 for the first save.
    pub version: u64,
}

/// Billing's repository.
pub trait BillingRepo {
    /// The network's price list: the seed and every version added (version 0: seed only).
    fn price_lists(
        &self,
        network: &NetworkId,
    ) -> impl Future<Output = Result<PriceLists, StoreError>> + Send;
    /// Appends `list` as the network's version `expected_version + 1`; a version already
    /// added meanwhile is [`StoreError::Conflict`]. Audited: the head carries the version
    /// added last, so the entry shows the prices added.
    fn add_price_list(
        &self,
        network: &NetworkId,
        list: &PriceList,
        expected_version: u64,
        at: DateTime<Utc>,
        by: &UserId,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The platform's billing settings (the defaults, version 0, while none were saved).
    fn billing_settings(&self) -> impl Future<Output = Result<BillingSettings, StoreError>> + Send;
    /// Saves the settings (their `version` is the new one) if the stored ones are still
    /// `before` (version 0: the defaults, nothing stored yet), audited against `before` as
    /// changed by `by` (`None`: the platform's own seeding) at `at`.
    fn save_billing_settings(
        &self,
        settings: &BillingSettings,
        before: &BillingSettings,
        at: DateTime<Utc>,
        by: Option<&UserId>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A dealer's subscription, if it was ever set.
    fn subscription(
        &self,
        dealer: &DealerId,
    ) -> impl Future<Output = Result<Option<Subscription>, StoreError>> + Send;
    /// The subscription's changes, oldest first.
    fn subscription_history(
        &self,
        dealer: &DealerId,
    ) -> impl Future<Output = Result<Vec<SubscriptionChange>, StoreError>> + Send;
    /// Saves `subscription` with its `change` if the stored one is still `before` (`None`:
    /// none yet), audited against `before` as the change's author made it.
    fn save_subscription(
        &self,
        subscription: &Subscription,
        before: Option<&Subscription>,
        change: &SubscriptionChange,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A dealer's requisites, if entered.
    fn dealer_requisites(
        &self,
        dealer: &DealerId,
    ) -> impl Future<Output = Result<Option<DealerRequisites>, StoreError>> + Send;
    /// Saves a dealer's requisites (their `version` is the new one) if the stored ones are
    /// still `before` (`None`: none yet), audited against `before` as changed by
    /// `updated_by` at `updated_at`.
    fn save_dealer_requisites(
        &self,
        requisites: &DealerRequisites,
        before: Option<&DealerRequisites>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

const BODY: &str = "body";
/// The price list head's copy of the version added last (what its audit entry shows).
const ADDED: &str = "added";

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("billing: {e}")))
}

fn from_json<T: DeserializeOwned>(r: &Reader<'_>, name: &str) -> Result<T, StoreError> {
    serde_json::from_str(r.str(name)?).map_err(|e| r.corrupt(format_args!("`{name}`: {e}")))
}

/// The audit stamp of a billing item's change.
fn stamp(kind: AuditKind, id: &str, at: DateTime<Utc>, by: Option<&UserId>) -> AuditStamp {
    AuditStamp::new(AuditItem::new(kind, id), at, by.cloned())
}

/// The id the audit log names the platform's billing settings by.
pub const BILLING_SETTINGS_AUDIT_ID: &str = "platform";

fn billing_settings_to_item(settings: &BillingSettings) -> Result<Item, StoreError> {
    Ok(Builder::new(
        keys::BILLING_SETTINGS_PK.to_string(),
        keys::BILLING_SETTINGS_SK,
        "billing_settings",
    )
    .string(BODY, to_json(settings)?)
    .put(attr::VERSION, n(settings.version))
    .build())
}

pub(crate) fn subscription_to_item(subscription: &Subscription) -> Result<Item, StoreError> {
    Ok(Builder::new(
        keys::dealer_pk(&subscription.dealer_id),
        keys::SUBSCRIPTION_SK,
        "subscription",
    )
    .string("dealer_id", subscription.dealer_id.as_str())
    .string(BODY, to_json(subscription)?)
    .put(attr::VERSION, n(subscription.version))
    .build())
}

pub(crate) fn requisites_to_item(requisites: &DealerRequisites) -> Result<Item, StoreError> {
    Ok(Builder::new(
        keys::dealer_pk(&requisites.dealer_id),
        keys::DEALER_REQUISITES_SK,
        "dealer_requisites",
    )
    .string("dealer_id", requisites.dealer_id.as_str())
    .string(BODY, to_json(&requisites.requisites)?)
    .instant("updated_at", requisites.updated_at)
    .opt_string(
        "updated_by",
        requisites
            .updated_by
            .as_ref()
            .map(|u| u.as_str().to_string()),
    )
    .put(attr::VERSION, n(requisites.version))
    .build())
}

/// A first save that lost to another first save is the same stale read.
fn stale(entity: Entity) -> impl Fn(StoreError) -> StoreError {
    move |e| match e {
        StoreError::AlreadyExists => StoreError::Conflict { entity },
        e => e,
    }
}

impl BillingRepo for Store {
    async fn price_lists(&self, network: &NetworkId) -> Result<PriceLists, StoreError> {
        let mut version = 0;
        let mut lists = Vec::new();
        for item in self.partition(keys::price_list_pk(network)).await? {
            let r = Reader::new(&item);
            match item.get(SK) {
                Some(aws_sdk_dynamodb::types::AttributeValue::S(sk))
                    if sk == keys::PRICE_LIST_HEAD_SK =>
                {
                    version = r.u64(attr::VERSION)?;
                }
                _ => lists.push(from_json::<PriceList>(&r, BODY)?),
            }
        }
        Ok(PriceLists::new(lists, version))
    }

    async fn add_price_list(
        &self,
        network: &NetworkId,
        list: &PriceList,
        expected_version: u64,
        at: DateTime<Utc>,
        by: &UserId,
    ) -> Result<(), StoreError> {
        let head = Builder::new(
            keys::price_list_pk(network),
            keys::PRICE_LIST_HEAD_SK,
            "price_list_head",
        )
        .instant("updated_at", at)
        .string("updated_by", by.as_str())
        .string(ADDED, to_json(list)?)
        .put(attr::VERSION, n(expected_version + 1))
        .build();
        let version = Builder::new(
            keys::price_list_pk(network),
            &keys::price_list_version_sk(list.effective_from),
            "price_list_version",
        )
        .string(BODY, to_json(list)?)
        .instant("added_at", at)
        .string("added_by", by.as_str())
        .build();
        // The head as stored is the entry's "before" (one read): the version added last is
        // on it, and no reader of this repository keeps it.
        let write = AggregateWrite::new(Entity::PriceList, head, expected_version, &[])
            .event(version)
            .audit(stamp(AuditKind::PriceList, network.as_str(), at, Some(by)));
        self.save_aggregate(write)
            .await
            .map(|_| ())
            .map_err(stale(Entity::PriceList))
    }

    async fn billing_settings(&self) -> Result<BillingSettings, StoreError> {
        let Some(item) = self
            .get(
                keys::BILLING_SETTINGS_PK.to_string(),
                keys::BILLING_SETTINGS_SK,
            )
            .await?
        else {
            return Ok(BillingSettings::default());
        };
        let r = Reader::new(&item);
        let mut settings: BillingSettings = from_json(&r, BODY)?;
        settings.version = r.u64(attr::VERSION)?;
        Ok(settings)
    }

    async fn save_billing_settings(
        &self,
        settings: &BillingSettings,
        before: &BillingSettings,
        at: DateTime<Utc>,
        by: Option<&UserId>,
    ) -> Result<(), StoreError> {
        // Version 0 is the defaults in force: the first save changes them.
        let write = AggregateWrite::new(
            Entity::BillingSettings,
            billing_settings_to_item(settings)?,
            before.version,
            &[],
        )
        .audit_against(
            stamp(
                AuditKind::BillingSettings,
                BILLING_SETTINGS_AUDIT_ID,
                at,
                by,
            ),
            billing_settings_to_item(before)?,
        );
        self.save_aggregate(write)
            .await
            .map(|_| ())
            .map_err(stale(Entity::BillingSettings))
    }

    async fn subscription(&self, dealer: &DealerId) -> Result<Option<Subscription>, StoreError> {
        let Some(item) = self
            .get(keys::dealer_pk(dealer), keys::SUBSCRIPTION_SK)
            .await?
        else {
            return Ok(None);
        };
        let r = Reader::new(&item);
        let mut sub: Subscription = from_json(&r, BODY)?;
        sub.version = r.u64(attr::VERSION)?;
        Ok(Some(sub))
    }

    async fn subscription_history(
        &self,
        dealer: &DealerId,
    ) -> Result<Vec<SubscriptionChange>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", mapping::string(keys::dealer_pk(dealer)))
            .expression_attribute_values(
                ":prefix",
                mapping::string(keys::SUBSCRIPTION_CHANGE_SK_PREFIX),
            )
            .consistent_read(true);
        self.query_all(query)
            .await?
            .iter()
            .map(|item| from_json(&Reader::new(item), BODY))
            .collect()
    }

    async fn save_subscription(
        &self,
        subscription: &Subscription,
        before: Option<&Subscription>,
        change: &SubscriptionChange,
    ) -> Result<(), StoreError> {
        let pk = keys::dealer_pk(&subscription.dealer_id);
        let event = Builder::new(
            pk,
            &keys::subscription_change_sk(change.at, change.version),
            "subscription_change",
        )
        .string(BODY, to_json(change)?)
        .build();
        let audit = stamp(
            AuditKind::Subscription,
            subscription.dealer_id.as_str(),
            change.at,
            Some(&change.actor_id),
        );
        let write = AggregateWrite::new(
            Entity::Subscription,
            subscription_to_item(subscription)?,
            before.map_or(0, |b| b.version),
            &[],
        )
        .event(event);
        // Against the version the editor changed: its write condition holds only if that
        // is still the stored one, so the entry needs no read of its own.
        let write = match before {
            Some(before) => write.audit_against(audit, subscription_to_item(before)?),
            None => write.audit(audit),
        };
        self.save_aggregate(write)
            .await
            .map(|_| ())
            .map_err(stale(Entity::Subscription))
    }

    async fn dealer_requisites(
        &self,
        dealer: &DealerId,
    ) -> Result<Option<DealerRequisites>, StoreError> {
        let Some(item) = self
            .get(keys::dealer_pk(dealer), keys::DEALER_REQUISITES_SK)
            .await?
        else {
            return Ok(None);
        };
        let r = Reader::new(&item);
        Ok(Some(DealerRequisites {
            dealer_id: dealer.clone(),
            requisites: from_json(&r, BODY)?,
            updated_at: r.instant("updated_at")?,
            updated_by: r.opt_string("updated_by")?.map(UserId::new),
            version: r.u64(attr::VERSION)?,
        }))
    }

    async fn save_dealer_requisites(
        &self,
        requisites: &DealerRequisites,
        before: Option<&DealerRequisites>,
    ) -> Result<(), StoreError> {
        let audit = stamp(
            AuditKind::Requisites,
            requisites.dealer_id.as_str(),
            requisites.updated_at,
            requisites.updated_by.as_ref(),
        );
        let write = AggregateWrite::new(
            Entity::Requisites,
            requisites_to_item(requisites)?,
            before.map_or(0, |b| b.version),
            &[],
        );
        let write = match before {
            Some(before) => write.audit_against(audit, requisites_to_item(before)?),
            None => write.audit(audit),
        };
        self.save_aggregate(write)
            .await
            .map(|_| ())
            .map_err(stale(Entity::Requisites))
    }
}

/// The billing documents: claimed with their number, issued, paid, corrected.
pub trait DocumentRepo {
    /// The last number used in `year` (0: none yet).
    fn document_counter(&self, year: i32) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Claims `doc` (status claimed, version 1) with the year's next number: the document
    /// on the condition it does not exist, the counter on the condition it still holds
    /// `counter_seen`, and `replaced` — the original a corrective document corrects, as
    /// read and as marked corrected — on the version read; all or nothing, with the audit
    /// entries of the new document and of the original, by `by` (`None`: the bill run) at
    /// the claim's time. A document claimed already is [`StoreError::AlreadyExists`]; a
    /// number taken meanwhile is [`StoreError::Conflict`].
    fn claim_document(
        &self,
        doc: &IssuedDocument,
        counter_seen: u64,
        replaced: Option<(&IssuedDocument, &IssuedDocument)>,
        by: Option<&UserId>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A document by id.
    fn document(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<IssuedDocument>, StoreError>> + Send;
    /// Saves a document's move (its `version` is the new one) with its notices, if the
    /// stored document is still `before`; audited against `before` as made by `by`
    /// (`None`: the bill run) at `at`.
    fn save_document(
        &self,
        doc: &IssuedDocument,
        before: &IssuedDocument,
        notices: &[Notice],
        at: DateTime<Utc>,
        by: Option<&UserId>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One dealer's documents, newest first, optionally of one quarter.
    fn dealer_documents(
        &self,
        dealer: &DealerId,
        quarter: Option<Quarter>,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<IssuedDocument>, StoreError>> + Send;
    /// Every dealer's documents, newest first, optionally of one quarter.
    fn all_documents(
        &self,
        quarter: Option<Quarter>,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<IssuedDocument>, StoreError>> + Send;
}

const QUARTER: &str = "quarter";

fn document_to_item(doc: &IssuedDocument) -> Result<Item, StoreError> {
    let listing = keys::document_listing_sk(doc.document.date, &doc.id);
    Ok(
        Builder::new(keys::document_pk(&doc.id), keys::DOCUMENT_SK, "document")
            .string(
                GSI1.partition_key,
                keys::dealer_documents_gsi1pk(&doc.dealer_id),
            )
            .string(GSI1.sort_key, listing.clone())
            .string(GSI2.partition_key, keys::ALL_DOCUMENTS_GSI2PK)
            .string(GSI2.sort_key, listing)
            .string("id", &doc.id)
            .string("dealer_id", doc.dealer_id.as_str())
            .string(QUARTER, doc.quarter.code())
            .string("kind", doc.document.kind.code())
            .string("number", &doc.document.number)
            .string(attr::STATUS, doc.status.code())
            .string(BODY, to_json(&doc.document)?)
            .instant("claimed_at", doc.claimed_at)
            .opt_instant("issued_at", doc.issued_at)
            .opt_instant("paid_at", doc.paid_at)
            .opt_string(
                "paid_by",
                doc.paid_by.as_ref().map(|u| u.as_str().to_string()),
            )
            .opt_string("corrected_by", doc.corrected_by.clone())
            .put(attr::VERSION, n(doc.version))
            .build(),
    )
}

fn document_from_item(item: &Item) -> Result<IssuedDocument, StoreError> {
    let r = Reader::new(item);
    let quarter = r.str(QUARTER)?;
    Ok(IssuedDocument {
        id: r.string("id")?,
        dealer_id: DealerId::new(r.string("dealer_id")?),
        quarter: Quarter::from_code(quarter)
            .ok_or_else(|| r.corrupt(format_args!("`{QUARTER}` = {quarter}")))?,
        document: from_json(&r, BODY)?,
        status: r.code(attr::STATUS, DocumentStatus::from_code)?,
        claimed_at: r.instant("claimed_at")?,
        issued_at: r.opt_instant("issued_at")?,
        paid_at: r.opt_instant("paid_at")?,
        paid_by: r.opt_string("paid_by")?.map(UserId::new),
        corrected_by: r.opt_string("corrected_by")?,
        version: r.u64(attr::VERSION)?,
    })
}

impl DocumentRepo for Store {
    async fn document_counter(&self, year: i32) -> Result<u64, StoreError> {
        match self
            .get(keys::document_counter_pk(year), keys::COUNTER_SK)
            .await?
        {
            None => Ok(0),
            Some(item) => Reader::new(&item).u64(attr::COUNTER_VALUE),
        }
    }

    async fn claim_document(
        &self,
        doc: &IssuedDocument,
        counter_seen: u64,
        replaced: Option<(&IssuedDocument, &IssuedDocument)>,
        by: Option<&UserId>,
    ) -> Result<(), StoreError> {
        let year = doc.document.date.year();
        let counter = Builder::new(keys::document_counter_pk(year), keys::COUNTER_SK, "counter")
            .put(attr::COUNTER_VALUE, n(counter_seen + 1))
            .build();
        let counter_condition = if counter_seen == 0 {
            Condition::absent()
        } else {
            Condition {
                expression: "#n = :seen",
                names: vec![("#n", attr::COUNTER_VALUE)],
                values: vec![(":seen", mapping::number(counter_seen))],
                return_old_item: false,
            }
        };
        let mut extra = vec![self.put(counter, counter_condition)?];
        let at = doc.claimed_at;
        if let Some((before, marked)) = replaced {
            let item = document_to_item(marked)?;
            let audit = self.audit_write(
                &stamp(AuditKind::Document, &marked.id, at, by),
                Some(&document_to_item(before)?),
                &item,
            )?;
            extra.push(self.put(item, Condition::version(before.version))?);
            extra.extend(audit);
        }
        let write = AggregateWrite::new(Entity::Document, document_to_item(doc)?, 0, &[])
            .extra(extra)
            .audit(stamp(AuditKind::Document, &doc.id, at, by));
        self.save_aggregate(write).await.map(|_| ())
    }

    async fn document(&self, id: &str) -> Result<Option<IssuedDocument>, StoreError> {
        self.get(keys::document_pk(id), keys::DOCUMENT_SK)
            .await?
            .map(|item| document_from_item(&item))
            .transpose()
    }

    async fn save_document(
        &self,
        doc: &IssuedDocument,
        before: &IssuedDocument,
        notices: &[Notice],
        at: DateTime<Utc>,
        by: Option<&UserId>,
    ) -> Result<(), StoreError> {
        let write = AggregateWrite::new(
            Entity::Document,
            document_to_item(doc)?,
            before.version,
            notices,
        )
        .audit_against(
            stamp(AuditKind::Document, &doc.id, at, by),
            document_to_item(before)?,
        );
        self.save_aggregate(write).await.map(|_| ())
    }

    async fn dealer_documents(
        &self,
        dealer: &DealerId,
        quarter: Option<Quarter>,
        page: &PageRequest,
    ) -> Result<Page<IssuedDocument>, StoreError> {
        self.page(
            &GSI1,
            keys::dealer_documents_gsi1pk(dealer),
            quarter.map(|q| (QUARTER, q.code())),
            page,
            document_from_item,
        )
        .await
    }

    async fn all_documents(
        &self,
        quarter: Option<Quarter>,
        page: &PageRequest,
    ) -> Result<Page<IssuedDocument>, StoreError> {
        self.page(
            &GSI2,
            keys::ALL_DOCUMENTS_GSI2PK.to_string(),
            quarter.map(|q| (QUARTER, q.code())),
            page,
            document_from_item,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_version_sorts_by_its_date() {
        let a = keys::price_list_version_sk(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        let b = keys::price_list_version_sk(chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        assert!(a < b);
        assert_eq!(a, "FROM#2026-12-01");
    }

    #[test]
    fn requisites_round_trip_through_their_json() {
        let r = Requisites {
            legal_name: "ООО \"Платформа\"".into(),
            inn: "7707083893".into(),
            kpp: Some("770701001".into()),
            address: "г. Москва".into(),
            bank: None,
        };
        let json = to_json(&r).unwrap();
        assert_eq!(serde_json::from_str::<Requisites>(&json).unwrap(), r);
    }
}

//! The sites that post leads (`dealerdesk_domain::lead::site`): the site item, its spam
//! counters and the claim of its secret key (layout in `keys.rs`).
//!
//! The key claim carries a copy of the site and is written in the same transaction as the
//! site, so authenticating a server-to-server post is one GetItem by the key's hash; a
//! rotation deletes the old claim and writes the new one, a revocation deletes it, so an old
//! or revoked key finds nothing.

use crate::client::{Condition, Store};
use crate::error::{Entity, StoreError};
use crate::kernel::Listing;
use crate::keys;
use crate::mapping::{self, Builder, Item, Reader, attr, n};
use crate::table::{GSI1, SK};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem};
use dealerdesk_domain::lead::{Site, SiteId, SpamReason};
use std::collections::BTreeMap;
use std::future::Future;

/// A site with its spam counters, as the admin's list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteWithSpam {
    pub site: Site,
    /// Spam posts stopped, by reason code (never stored as leads).
    pub spam: BTreeMap<String, u64>,
}

impl SiteWithSpam {
    /// Every spam post stopped.
    pub fn spam_total(&self) -> u64 {
        self.spam.values().sum()
    }
}

/// Sites, their keys and their spam counters.
pub trait SiteRepo {
    /// Writes a new site and its key claim; [`StoreError::AlreadyExists`] when the id or
    /// the key is taken.
    fn create_site(&self, site: &Site) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One site by id (its public form id).
    fn site(&self, id: &SiteId) -> impl Future<Output = Result<Option<Site>, StoreError>> + Send;
    /// The site whose current key hashes to `key_hash` (one read); `None` for an unknown,
    /// rotated-away or revoked key.
    fn site_by_key_hash(
        &self,
        key_hash: &str,
    ) -> impl Future<Output = Result<Option<Site>, StoreError>> + Send;
    /// Stores a changed site only if the stored version is still `expected_version`, with
    /// its key claim kept in step: `previous_key_hash` is the claim to delete when the key
    /// changed or the site was revoked.
    fn save_site(
        &self,
        site: &Site,
        expected_version: u64,
        previous_key_hash: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Every site with its spam counters, by id (one Query).
    fn sites(&self) -> impl Future<Output = Result<Vec<SiteWithSpam>, StoreError>> + Send;
    /// Counts one spam post of a site (atomic; never touches the site's version).
    fn count_spam(
        &self,
        site: &SiteId,
        reason: SpamReason,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

const SITE_TYPE: &str = "site";
const SITE_KEY_TYPE: &str = "site_key";
const SPAM_TYPE: &str = "site_spam";
const SITE_JSON: &str = "site";
const SPAM_PREFIX: &str = "spam_";

impl SiteRepo for Store {
    async fn create_site(&self, site: &Site) -> Result<(), StoreError> {
        let items = vec![
            self.put(site_to_item(site)?, Condition::absent())?,
            self.put(site_key_to_item(site)?, Condition::absent())?,
        ];
        match self.transact(items).await? {
            Ok(()) => Ok(()),
            Err(cancelled) => {
                if let Some(err) = cancelled.backend_failure() {
                    return Err(err);
                }
                if cancelled.condition_failed(0) || cancelled.condition_failed(1) {
                    return Err(StoreError::AlreadyExists);
                }
                Err(StoreError::Conflict {
                    entity: Entity::Site,
                })
            }
        }
    }

    async fn site(&self, id: &SiteId) -> Result<Option<Site>, StoreError> {
        self.get(keys::site_pk(id), keys::SITE_SK)
            .await?
            .map(|item| site_from_item(&item))
            .transpose()
    }

    async fn site_by_key_hash(&self, key_hash: &str) -> Result<Option<Site>, StoreError> {
        let Some(item) = self
            .get(keys::site_key_pk(key_hash), keys::SITE_KEY_SK)
            .await?
        else {
            return Ok(None);
        };
        let site = site_from_item(&item)?;
        // A claim left behind is never trusted: the copy must name this very key.
        Ok((site.key_hash == key_hash && site.is_active()).then_some(site))
    }

    async fn save_site(
        &self,
        site: &Site,
        expected_version: u64,
        previous_key_hash: &str,
    ) -> Result<(), StoreError> {
        let mut items = vec![self.put(site_to_item(site)?, Condition::version(expected_version))?];
        if previous_key_hash != site.key_hash || !site.is_active() {
            items.push(delete(
                self,
                keys::site_key_pk(previous_key_hash),
                keys::SITE_KEY_SK,
            )?);
        }
        if site.is_active() {
            items.push(self.put(site_key_to_item(site)?, Condition::none())?);
        }
        match self.transact(items).await? {
            Ok(()) => Ok(()),
            Err(cancelled) => Err(cancelled.backend_failure().unwrap_or(StoreError::Conflict {
                entity: Entity::Site,
            })),
        }
    }

    async fn sites(&self) -> Result<Vec<SiteWithSpam>, StoreError> {
        let listing = Listing {
            newest_first: false,
            ..Listing::newest_first(&GSI1, keys::SITES_GSI1PK.to_string())
        };
        let mut sites: Vec<SiteWithSpam> = Vec::new();
        let mut spam: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for item in self.listed(&listing).await? {
            match item.get(SK) {
                Some(AttributeValue::S(sk)) if sk == keys::SITE_SK => sites.push(SiteWithSpam {
                    site: site_from_item(&item)?,
                    spam: BTreeMap::new(),
                }),
                Some(AttributeValue::S(sk)) if sk == keys::SITE_SPAM_SK => {
                    let (id, counts) = spam_from_item(&item)?;
                    spam.insert(id, counts);
                }
                _ => {}
            }
        }
        for s in &mut sites {
            if let Some(counts) = spam.remove(s.site.id.as_str()) {
                s.spam = counts;
            }
        }
        Ok(sites)
    }

    async fn count_spam(&self, site: &SiteId, reason: SpamReason) -> Result<(), StoreError> {
        let counter = format!("{SPAM_PREFIX}{}", reason.code());
        self.client
            .update_item()
            .table_name(&*self.table)
            .set_key(Some(Store::key(keys::site_pk(site), keys::SITE_SPAM_SK)))
            .update_expression(
                "SET #type = :type, #g1pk = :g1pk, #g1sk = :g1sk, #site = :site ADD #c :one",
            )
            .expression_attribute_names("#type", mapping::TYPE)
            .expression_attribute_names("#g1pk", GSI1.partition_key)
            .expression_attribute_names("#g1sk", GSI1.sort_key)
            .expression_attribute_names("#site", "site_id")
            .expression_attribute_names("#c", counter)
            .expression_attribute_values(":type", mapping::string(SPAM_TYPE))
            .expression_attribute_values(":g1pk", mapping::string(keys::SITES_GSI1PK))
            .expression_attribute_values(
                ":g1sk",
                mapping::string(keys::site_gsi1sk(site, keys::SITE_SPAM_SK)),
            )
            .expression_attribute_values(":site", mapping::string(site.as_str()))
            .expression_attribute_values(":one", n(1))
            .send()
            .await
            .map_err(|e| self.backend("UpdateItem", e))?;
        Ok(())
    }
}

fn delete(store: &Store, pk: String, sk: &str) -> Result<TransactWriteItem, StoreError> {
    let delete = Delete::builder()
        .table_name(store.table_name())
        .set_key(Some(Store::key(pk, sk)))
        .build()
        .map_err(|e| StoreError::Backend(format!("building a transaction Delete: {e}")))?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

fn site_json(site: &Site) -> Result<String, StoreError> {
    serde_json::to_string(site)
        .map_err(|e| StoreError::Backend(format!("a site does not serialise: {e}")))
}

pub(crate) fn site_to_item(site: &Site) -> Result<Item, StoreError> {
    Ok(
        Builder::new(keys::site_pk(&site.id), keys::SITE_SK, SITE_TYPE)
            .string(GSI1.partition_key, keys::SITES_GSI1PK)
            .string(GSI1.sort_key, keys::site_gsi1sk(&site.id, keys::SITE_SK))
            .string(SITE_JSON, site_json(site)?)
            .put(attr::VERSION, n(site.version))
            .build(),
    )
}

fn site_key_to_item(site: &Site) -> Result<Item, StoreError> {
    Ok(Builder::new(
        keys::site_key_pk(&site.key_hash),
        keys::SITE_KEY_SK,
        SITE_KEY_TYPE,
    )
    .string("site_id", site.id.as_str())
    .string(SITE_JSON, site_json(site)?)
    .build())
}

pub(crate) fn site_from_item(item: &Item) -> Result<Site, StoreError> {
    let r = Reader::new(item);
    let raw = r.str(SITE_JSON)?;
    serde_json::from_str(raw).map_err(|e| r.corrupt(format_args!("`{SITE_JSON}`: {e}")))
}

fn spam_from_item(item: &Item) -> Result<(String, BTreeMap<String, u64>), StoreError> {
    let r = Reader::new(item);
    let id = r.string("site_id")?;
    let mut counts = BTreeMap::new();
    for name in item.keys() {
        if let Some(reason) = name.strip_prefix(SPAM_PREFIX) {
            counts.insert(reason.to_string(), r.u64(name)?);
        }
    }
    Ok((id, counts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use dealerdesk_domain::DealerId;
    use dealerdesk_domain::lead::{SiteOwner, SiteSettings};

    fn site() -> Site {
        Site::new(
            SiteId::new("site-1"),
            SiteOwner::Dealer {
                dealer_id: DealerId::new("dealer-1"),
            },
            SiteSettings {
                name: "Сайт".into(),
                origins: vec!["https://a.ru".into()],
                thank_you_url: None,
                consent_version: "1".into(),
            },
            "abc".into(),
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
        )
    }

    #[test]
    fn a_site_and_its_key_claim_round_trip_and_carry_their_keys() {
        let s = site();
        let item = site_to_item(&s).unwrap();
        assert_eq!(site_from_item(&item), Ok(s.clone()));
        assert_eq!(item.get("gsi1pk"), Some(&AttributeValue::S("SITES".into())));
        let claim = site_key_to_item(&s).unwrap();
        assert_eq!(
            claim.get("pk"),
            Some(&AttributeValue::S("SITEKEY#abc".into()))
        );
        assert_eq!(site_from_item(&claim), Ok(s));
    }

    #[test]
    fn a_corrupt_site_is_reported_not_panicked_on() {
        let mut item = site_to_item(&site()).unwrap();
        item.insert("site".into(), AttributeValue::S("{".into()));
        assert!(matches!(site_from_item(&item), Err(StoreError::Corrupt(_))));
    }
}

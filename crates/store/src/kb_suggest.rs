//! Knowledge-base suggestions on the table (SPEC §2.8): which suggestion index is current,
//! and what the deflection report counts — suggested articles a dealer opened from the
//! new-ticket form, tickets filed from such a form, and queries that found nothing.
//!
//! The index itself (a few hundred KB of JSON) is in the blob port; the table holds only the
//! pointer to it with its version, which every warm instance reads at most once a minute.

use crate::client::Store;
use crate::error::StoreError;
use crate::keys;
use crate::mapping::{self, Builder, Item, Reader};
use crate::table::{PK, SK, TTL_ATTRIBUTE};
use chrono::{DateTime, Duration, Utc};
use dealerdesk_domain::DealerId;
pub use dealerdesk_domain::kb::deflection::{SuggestEvent, SuggestEventKind};
use std::future::Future;

/// How long deflection events and misses are kept.
pub const EVENT_DAYS: i64 = 400;

/// The current suggestion index: where its bytes are and which version it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuggestIndexPointer {
    /// Changes with every publish; an instance reloads when it differs from its own.
    pub version: String,
    /// The blob key of the serialised index.
    pub blob: String,
    pub published_at: DateTime<Utc>,
    /// How many articles it holds.
    pub articles: u64,
}

/// A query that found no article, with how often it was asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuggestMiss {
    pub query: String,
    pub count: u64,
    pub last_at: DateTime<Utc>,
    pub dealer: DealerId,
}

/// The suggestions' pointer and their deflection records.
pub trait KbSuggestRepo {
    /// The current index, if one was ever published.
    fn suggest_index(
        &self,
    ) -> impl Future<Output = Result<Option<SuggestIndexPointer>, StoreError>> + Send;
    /// Makes `pointer` the current index.
    fn set_suggest_index(
        &self,
        pointer: &SuggestIndexPointer,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Records a deflection event.
    fn record_suggest_event(
        &self,
        event: &SuggestEvent,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Every deflection event since `since`, oldest first.
    fn suggest_events(
        &self,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<SuggestEvent>, StoreError>> + Send;
    /// Counts one more asking of a query that found nothing (`query` already normalised).
    fn record_suggest_miss(
        &self,
        query: &str,
        dealer: &DealerId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Every recorded miss.
    fn suggest_misses(&self) -> impl Future<Output = Result<Vec<SuggestMiss>, StoreError>> + Send;
}

const VERSION: &str = "version";
const BLOB: &str = "blob";
const PUBLISHED_AT: &str = "published_at";
const ARTICLES: &str = "articles";
const AT: &str = "at";
const KIND: &str = "kind";
const DEALER: &str = "dealer_id";
const DRAFT: &str = "draft";
const SLUG: &str = "slug";
const QUERY: &str = "query";
const COUNT: &str = "count";
const LAST_AT: &str = "last_at";

impl KbSuggestRepo for Store {
    async fn suggest_index(&self) -> Result<Option<SuggestIndexPointer>, StoreError> {
        let Some(item) = self
            .get(keys::KB_SUGGEST_PK.to_string(), keys::KB_SUGGEST_INDEX_SK)
            .await?
        else {
            return Ok(None);
        };
        let r = Reader::new(&item);
        Ok(Some(SuggestIndexPointer {
            version: r.string(VERSION)?,
            blob: r.string(BLOB)?,
            published_at: r.instant(PUBLISHED_AT)?,
            articles: r.u64(ARTICLES)?,
        }))
    }

    async fn set_suggest_index(&self, pointer: &SuggestIndexPointer) -> Result<(), StoreError> {
        let item = Builder::new(
            keys::KB_SUGGEST_PK.to_string(),
            keys::KB_SUGGEST_INDEX_SK,
            "kb_suggest_index",
        )
        .string(VERSION, &pointer.version)
        .string(BLOB, &pointer.blob)
        .instant(PUBLISHED_AT, pointer.published_at)
        .put(ARTICLES, mapping::n(pointer.articles))
        .build();
        self.put_plain(item).await
    }

    async fn record_suggest_event(&self, event: &SuggestEvent) -> Result<(), StoreError> {
        let item = Builder::new(
            keys::KB_SUGGEST_EVENTS_PK.to_string(),
            &keys::kb_suggest_event_sk(event.at, &event.draft, event.kind.code()),
            "kb_suggest_event",
        )
        .instant(AT, event.at)
        .string(KIND, event.kind.code())
        .string(DEALER, event.dealer.as_str())
        .string(DRAFT, &event.draft)
        .opt_string(SLUG, event.slug.clone())
        .put(
            TTL_ATTRIBUTE,
            mapping::n((event.at + Duration::days(EVENT_DAYS)).timestamp()),
        )
        .build();
        self.put_plain(item).await
    }

    async fn suggest_events(&self, since: DateTime<Utc>) -> Result<Vec<SuggestEvent>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk AND #sk >= :since")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", mapping::string(keys::KB_SUGGEST_EVENTS_PK))
            .expression_attribute_values(":since", mapping::string(keys::instant(since)));
        self.query_all(query)
            .await?
            .iter()
            .map(event_from_item)
            .collect()
    }

    async fn record_suggest_miss(
        &self,
        query: &str,
        dealer: &DealerId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&*self.table)
            .set_key(Some(Self::key(
                keys::KB_SUGGEST_MISSES_PK.to_string(),
                query,
            )))
            .update_expression(
                "ADD #c :one SET #q = :q, #at = :at, #d = :d, #ttl = :ttl, #type = :type",
            )
            .expression_attribute_names("#c", COUNT)
            .expression_attribute_names("#q", QUERY)
            .expression_attribute_names("#at", LAST_AT)
            .expression_attribute_names("#d", DEALER)
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_names("#type", mapping::TYPE)
            .expression_attribute_values(":one", mapping::number(1))
            .expression_attribute_values(":q", mapping::string(query))
            .expression_attribute_values(":at", mapping::string(keys::instant(at)))
            .expression_attribute_values(":d", mapping::string(dealer.as_str()))
            .expression_attribute_values(
                ":ttl",
                mapping::number((at + Duration::days(EVENT_DAYS)).timestamp()),
            )
            .expression_attribute_values(":type", mapping::string("kb_suggest_miss"))
            .send()
            .await
            .map_err(|e| self.backend("UpdateItem", e))?;
        Ok(())
    }

    async fn suggest_misses(&self) -> Result<Vec<SuggestMiss>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":pk", mapping::string(keys::KB_SUGGEST_MISSES_PK));
        self.query_all(query)
            .await?
            .iter()
            .map(|item| {
                let r = Reader::new(item);
                Ok(SuggestMiss {
                    query: r.string(QUERY)?,
                    count: r.u64(COUNT)?,
                    last_at: r.instant(LAST_AT)?,
                    dealer: DealerId::new(r.string(DEALER)?),
                })
            })
            .collect()
    }
}

fn event_from_item(item: &Item) -> Result<SuggestEvent, StoreError> {
    let r = Reader::new(item);
    let raw = r.str(KIND)?;
    let kind = SuggestEventKind::from_code(raw)
        .ok_or_else(|| r.corrupt(format_args!("`kind` = {raw:?}")))?;
    Ok(SuggestEvent {
        at: r.instant(AT)?,
        kind,
        dealer: DealerId::new(r.string(DEALER)?),
        draft: r.string(DRAFT)?,
        slug: r.opt_string(SLUG)?,
    })
}

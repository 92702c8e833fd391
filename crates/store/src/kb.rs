//! Knowledge-base articles (SPEC §2.8) on the table: an article and its versions share a
//! partition (`EVENT#…` sorts before `ARTICLE`, so one Query gives the history in order and
//! the article); every article is on one `gsi2` partition, sorted by section and slug (a
//! knowledge base has tens to hundreds of articles: the site is rebuilt from all of them).
//! Each save is the kernel's one transaction of the conditional article write and its
//! version, so a stale save writes nothing and is a 409 naming the article.

use crate::client::Store;
use crate::error::{Entity, StoreError};
use crate::kernel::{AggregateWrite, Listing};
use crate::keys;
use crate::mapping::{self, Builder, Item, Reader, attr, n};
use crate::table::GSI2;
use dealerdesk_domain::kb::{Article, ArticleEvent};
use std::future::Future;

/// Articles and their versions.
pub trait KbRepo {
    /// Writes a new article and its first version; [`StoreError::AlreadyExists`] when the
    /// slug is taken.
    fn create_article(
        &self,
        article: &Article,
        event: &ArticleEvent,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Stores the next version of an article only if the stored one still is
    /// `expected_version`; otherwise [`StoreError::Conflict`] and nothing is written.
    fn save_article(
        &self,
        article: &Article,
        expected_version: u64,
        event: &ArticleEvent,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One article.
    fn article(
        &self,
        slug: &str,
    ) -> impl Future<Output = Result<Option<Article>, StoreError>> + Send;
    /// One article with its versions, oldest first (one query).
    fn article_with_history(
        &self,
        slug: &str,
    ) -> impl Future<Output = Result<Option<(Article, Vec<ArticleEvent>)>, StoreError>> + Send;
    /// Every article, drafts too, by section and slug.
    fn articles(&self) -> impl Future<Output = Result<Vec<Article>, StoreError>> + Send;
}

impl KbRepo for Store {
    async fn create_article(
        &self,
        article: &Article,
        event: &ArticleEvent,
    ) -> Result<(), StoreError> {
        let write = AggregateWrite::new(Entity::Article, article_to_item(article)?, 0, &[])
            .event(event_to_item(&article.slug, event)?);
        self.save_aggregate(write).await.map(|_| ())
    }

    async fn save_article(
        &self,
        article: &Article,
        expected_version: u64,
        event: &ArticleEvent,
    ) -> Result<(), StoreError> {
        let write = AggregateWrite::new(
            Entity::Article,
            article_to_item(article)?,
            expected_version,
            &[],
        )
        .event(event_to_item(&article.slug, event)?);
        self.save_aggregate(write).await.map(|_| ())
    }

    async fn article(&self, slug: &str) -> Result<Option<Article>, StoreError> {
        self.get(keys::kb_article_pk(slug), keys::KB_ARTICLE_SK)
            .await?
            .map(|item| from_doc(&item))
            .transpose()
    }

    async fn article_with_history(
        &self,
        slug: &str,
    ) -> Result<Option<(Article, Vec<ArticleEvent>)>, StoreError> {
        let mut article = None;
        let mut events = Vec::new();
        for item in &self.partition(keys::kb_article_pk(slug)).await? {
            if mapping::is_event(item) {
                events.push(from_doc(item)?);
            } else if Reader::new(item).str("type")? == ARTICLE_TYPE {
                article = Some(from_doc(item)?);
            }
        }
        Ok(article.map(|a| (a, events)))
    }

    async fn articles(&self) -> Result<Vec<Article>, StoreError> {
        let listing = Listing {
            newest_first: false,
            ..Listing::newest_first(&GSI2, keys::KB_ARTICLES_GSI2PK.to_string())
        };
        self.listed(&listing).await?.iter().map(from_doc).collect()
    }
}

// ---------------------------------------------------------------- mapping: articles and versions ⇄ items

/// The `type` of an article item.
pub(crate) const ARTICLE_TYPE: &str = "kb_article";
/// The `type` of an article version.
pub(crate) const ARTICLE_EVENT_TYPE: &str = "kb_article_event";

fn doc<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Backend(format!("serialising an article: {e}")))
}

fn from_doc<T: serde::de::DeserializeOwned>(item: &Item) -> Result<T, StoreError> {
    let r = Reader::new(item);
    serde_json::from_str(r.str("doc")?).map_err(|e| r.corrupt(format_args!("`doc`: {e}")))
}

pub(crate) fn article_to_item(article: &Article) -> Result<Item, StoreError> {
    Ok(Builder::new(
        keys::kb_article_pk(&article.slug),
        keys::KB_ARTICLE_SK,
        ARTICLE_TYPE,
    )
    .string(GSI2.partition_key, keys::KB_ARTICLES_GSI2PK)
    .string(
        GSI2.sort_key,
        keys::kb_article_listing_sk(&article.section, &article.slug),
    )
    .string("slug", &article.slug)
    .string(attr::STATUS, article.status.code())
    .put(attr::VERSION, n(article.version))
    .string("doc", doc(article)?)
    .build())
}

pub(crate) fn event_to_item(slug: &str, event: &ArticleEvent) -> Result<Item, StoreError> {
    Ok(Builder::new(
        keys::kb_article_pk(slug),
        &keys::event_sk(event.at, event.version),
        ARTICLE_EVENT_TYPE,
    )
    .put(attr::VERSION, n(event.version))
    .string("doc", doc(event)?)
    .build())
}

//! Knowledge-base suggestions (SPEC §2.8): the articles a dealer sees while typing a new
//! ticket, and the deflection report that says how often they answered the question.
//!
//! The index (`dealerdesk_domain::kb::suggest::Index`) is built when articles are published
//! ([`publish_index`]) and stored as a blob under its version; the table's pointer names the
//! current one. Every instance keeps the index it loaded in memory ([`IndexCache`]) and
//! reads the pointer at most once a minute ([`RECHECK`]), so a warm Lambda answers from
//! memory and picks up a newly published index within a minute; a publish on this instance
//! is seen at once.

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::visibility::ensure_area;
use chrono::{DateTime, Duration, Utc};
use dealerdesk_domain::kb::deflection::{DeflectionReport, SuggestEvent, SuggestEventKind};
use dealerdesk_domain::kb::suggest::{self, Document, Index, Suggestion};
use dealerdesk_domain::kernel::Area;
use dealerdesk_domain::{Actor, Role};
use dealerdesk_store::{KbSuggestRepo, SuggestIndexPointer, SuggestMiss};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// How often an instance asks the table whether a newer index was published.
pub const RECHECK: std::time::Duration = std::time::Duration::from_secs(60);
/// How far back the deflection report looks.
pub const REPORT_DAYS: i64 = 90;

/// The seed articles of `site/content`, embedded at build time (`build.rs`).
const SEED_ARTICLES: &[&str] = include!(concat!(env!("OUT_DIR"), "/seed_articles.rs"));

/// The seed articles as suggestion documents.
pub fn seed_documents() -> Vec<Document> {
    SEED_ARTICLES
        .iter()
        .filter_map(|md| match Document::from_markdown(md) {
            Ok(doc) => Some(doc),
            Err(e) => {
                tracing::error!(error = %e, "a seed article cannot be read");
                None
            }
        })
        .collect()
}

struct Loaded {
    version: Option<String>,
    index: Option<Arc<Index>>,
    checked: Instant,
}

/// This instance's copy of the current index.
pub struct IndexCache {
    loaded: Mutex<Option<Loaded>>,
    recheck: std::time::Duration,
}

impl Default for IndexCache {
    /// Rechecks every [`RECHECK`]; `DEALERDESK_KB_RECHECK_SECONDS` may make it shorter
    /// (tests of a newly published index), never longer.
    fn default() -> Self {
        let recheck = std::env::var("DEALERDESK_KB_RECHECK_SECONDS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(RECHECK, |s| std::time::Duration::from_secs(s).min(RECHECK));
        IndexCache {
            loaded: Mutex::new(None),
            recheck,
        }
    }
}

impl IndexCache {
    fn fresh(&self) -> Option<Option<Arc<Index>>> {
        let loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        loaded
            .as_ref()
            .filter(|l| l.checked.elapsed() < self.recheck)
            .map(|l| l.index.clone())
    }

    fn version(&self) -> Option<(Option<String>, Option<Arc<Index>>)> {
        let loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        loaded
            .as_ref()
            .map(|l| (l.version.clone(), l.index.clone()))
    }

    fn set(&self, version: Option<String>, index: Option<Arc<Index>>) {
        *self.loaded.lock().unwrap_or_else(|e| e.into_inner()) = Some(Loaded {
            version,
            index,
            checked: Instant::now(),
        });
    }
}

/// The current index: from memory while checked within a minute, else after one read of
/// the pointer (and, when it changed, of the blob). While nothing was ever published, the
/// index of the embedded seed articles.
pub async fn current_index(state: &AppState) -> Result<Option<Arc<Index>>, AppError> {
    if let Some(index) = state.kb_suggest.fresh() {
        return Ok(index);
    }
    let pointer = state.store.suggest_index().await?;
    let known = state.kb_suggest.version();
    let Some(pointer) = pointer else {
        // Nothing published yet (a new deployment): the embedded seed articles, built once
        // per instance, until the first publish.
        if let Some((None, Some(index))) = known {
            state.kb_suggest.set(None, Some(index.clone()));
            return Ok(Some(index));
        }
        let index = Arc::new(Index::build(&seed_documents()));
        state.kb_suggest.set(None, Some(index.clone()));
        return Ok(Some(index));
    };
    if let Some((Some(version), index)) = &known
        && *version == pointer.version
    {
        state.kb_suggest.set(Some(version.clone()), index.clone());
        return Ok(index.clone());
    }
    let bytes = state.blobs.get(&pointer.blob).await?.ok_or_else(|| {
        AppError::Blob(format!("the suggestion index {} is missing", pointer.blob))
    })?;
    let index: Index = serde_json::from_slice(&bytes)
        .map_err(|e| AppError::Blob(format!("the suggestion index {}: {e}", pointer.blob)))?;
    let index = Arc::new(index);
    state
        .kb_suggest
        .set(Some(pointer.version), Some(index.clone()));
    Ok(Some(index))
}

/// Builds the index of `documents`, stores it under a new version and makes it current;
/// this instance uses it at once, the others within [`RECHECK`]. Called when articles are
/// published.
pub async fn publish_index(
    state: &AppState,
    documents: &[Document],
    now: DateTime<Utc>,
) -> Result<SuggestIndexPointer, AppError> {
    let index = Index::build(documents);
    let bytes = serde_json::to_vec(&index)
        .map_err(|e| AppError::Blob(format!("serialising the suggestion index: {e}")))?;
    let version = ulid::Ulid::new().to_string().to_lowercase();
    let pointer = SuggestIndexPointer {
        blob: format!("kb-suggest/index-{version}"),
        version,
        published_at: now,
        articles: documents.len() as u64,
    };
    state
        .blobs
        .put(&pointer.blob, "application/json", bytes)
        .await?;
    state.store.set_suggest_index(&pointer).await?;
    state
        .kb_suggest
        .set(Some(pointer.version.clone()), Some(Arc::new(index)));
    Ok(pointer)
}

/// Publishes the index of the seed articles when none was ever published (the first start).
pub async fn seed(state: &AppState, now: DateTime<Utc>) -> Result<(), AppError> {
    if state.store.suggest_index().await?.is_none() {
        let pointer = publish_index(state, &seed_documents(), now).await?;
        tracing::info!(
            articles = pointer.articles,
            "knowledge-base suggestion index published"
        );
    }
    Ok(())
}

/// The best articles for a ticket's text (`GET /api/kb/suggest`): for anyone who works
/// with tickets; a too short text gets none, a too long one is refused.
pub async fn suggestions(
    state: &AppState,
    actor: &Actor,
    q: &str,
) -> Result<Vec<Suggestion>, AppError> {
    ensure_area(actor, Area::Tickets)?;
    let Some(q) = suggest::read_query(q)? else {
        return Ok(Vec::new());
    };
    let Some(index) = current_index(state).await? else {
        return Ok(Vec::new());
    };
    Ok(index.suggest(q, suggest::DEFAULT_SUGGESTIONS, &state.settings.kb_url))
}

/// A dealer filed a ticket from the portal's form: when its title and text find no article,
/// the text is counted for the admin's «queries that found nothing» (what to write next).
/// Counted at filing, not while typing, so half-typed words are never counted.
pub async fn filed_text(state: &AppState, actor: &Actor, title: &str, text: &str) {
    let Some(dealer) = actor.filing_dealer() else {
        return;
    };
    let full = format!("{title}\n{text}");
    let q: String = full.chars().take(suggest::MAX_QUERY_CHARS).collect();
    let Ok(Some(q)) = suggest::read_query(&q) else {
        return;
    };
    let found = match current_index(state).await {
        Ok(Some(index)) => !index.suggest(q, 1, &state.settings.kb_url).is_empty(),
        Ok(None) => false,
        Err(e) => {
            tracing::warn!(error = %e, "the suggestion index could not be read");
            return;
        }
    };
    if found {
        return;
    }
    if let Err(e) = state
        .store
        .record_suggest_miss(&normalised(q), dealer, state.clock.now())
        .await
    {
        // The ticket is filed; only the admin's statistics miss it.
        tracing::warn!(error = %e, "a ticket text without suggestions was not recorded");
    }
}

/// A query as a miss is counted: its words, lowercase, at most 200 characters.
fn normalised(q: &str) -> String {
    let words = dealerdesk_domain::tokens(q).join(" ");
    words.chars().take(200).collect()
}

/// A form id as the new-ticket form makes it (`auth::new_token`): 64 hex digits; anything
/// else is not recorded.
pub fn valid_form_id(id: &str) -> bool {
    id.len() == 64 && id.chars().all(|c| c.is_ascii_hexdigit())
}

/// The dealer opened a suggested article from form `form`: records it (dealers only) and
/// returns the article's page. `None` when the index has no such article.
pub async fn open(
    state: &AppState,
    actor: &Actor,
    slug: &str,
    form: &str,
) -> Result<Option<String>, AppError> {
    ensure_area(actor, Area::Tickets)?;
    let Some(index) = current_index(state).await? else {
        return Ok(None);
    };
    let Some(url) = index.url_of(slug, &state.settings.kb_url) else {
        return Ok(None);
    };
    if let Some(dealer) = actor.filing_dealer()
        && valid_form_id(form)
    {
        state
            .store
            .record_suggest_event(&SuggestEvent {
                at: state.clock.now(),
                kind: SuggestEventKind::Opened,
                dealer: dealer.clone(),
                draft: form.to_string(),
                slug: Some(slug.to_string()),
            })
            .await?;
    }
    Ok(Some(url))
}

/// A ticket was filed from form `form`, in which a suggestion had been opened.
pub async fn filed(state: &AppState, actor: &Actor, form: &str) {
    let Some(dealer) = actor.filing_dealer() else {
        return;
    };
    if !valid_form_id(form) {
        return;
    }
    let event = SuggestEvent {
        at: state.clock.now(),
        kind: SuggestEventKind::Filed,
        dealer: dealer.clone(),
        draft: form.to_string(),
        slug: None,
    };
    if let Err(e) = state.store.record_suggest_event(&event).await {
        // The ticket is filed; only the statistics miss it.
        tracing::warn!(error = %e, "a filed ticket was not recorded for deflection");
    }
}

/// The admin's report: deflection of the last [`REPORT_DAYS`] and the queries that found
/// nothing, most asked first.
pub async fn report(
    state: &AppState,
    actor: &Actor,
) -> Result<(DeflectionReport, Vec<SuggestMiss>), AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::forbidden());
    }
    let now = state.clock.now();
    let events = state
        .store
        .suggest_events(now - Duration::days(REPORT_DAYS))
        .await?;
    let mut misses = state.store.suggest_misses().await?;
    misses.sort_by(|a, b| b.count.cmp(&a.count).then(b.last_at.cmp(&a.last_at)));
    Ok((
        dealerdesk_domain::kb::deflection::deflection(&events, now),
        misses,
    ))
}

//! The knowledge base (SPEC §2.8, issue 9): articles as data, written by support staff in
//! the portal or through the API, and the public static site rebuilt from the published
//! ones on every publish ([`site`]).
//!
//! Who may do what: specialists and admins list, create, edit, publish and unpublish
//! articles (everyone else 403, anonymous 401); the site itself is public. Every save is
//! one transaction of the article and its version (a stale version is a 409 naming the
//! article). A change that touches the site (a publish, an unpublish, an edit of a
//! published article) rebuilds the whole site and then calls [`after_publish`], the hook
//! of the suggestion index.

pub mod api;
pub mod content;
pub mod portal;
pub mod routes;
pub mod site;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::ids::PathId;
use chrono::{DateTime, NaiveDate, Utc};
use dealerdesk_domain::kb::{
    self, Article, ArticleDraft, ArticleEvent, ArticleStatus, KbError, Section, TicketForArticle,
    may_edit_articles,
};
use dealerdesk_domain::ticket::comment::Side;
use dealerdesk_domain::{Actor, TicketId};
use dealerdesk_store::{KbRepo, StoreError};

/// An article's slug from the path: its format is checked before any store call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArticleSlug(pub String);

impl PathId for ArticleSlug {
    fn parse(raw: &str) -> Option<Self> {
        kb::article::valid_slug(raw).then(|| ArticleSlug(raw.to_string()))
    }
}

/// The sections of the knowledge base, from the embedded `_sections.yml`.
pub fn sections() -> &'static [Section] {
    content::sections()
}

/// Whether `actor` may open the knowledge base's editor: 403 for anyone but support staff.
pub fn list_allowed(actor: &Actor) -> Result<(), AppError> {
    editor(actor)
}

fn editor(actor: &Actor) -> Result<(), AppError> {
    if may_edit_articles(actor.role) {
        Ok(())
    } else {
        Err(KbError::NotEditor.into())
    }
}

/// The platform's date of `now` (Moscow), the «Обновлено» of a change.
fn today(now: DateTime<Utc>) -> NaiveDate {
    dealerdesk_domain::platform_date(now)
}

/// Every article, drafts too, by section and slug.
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<Article>, AppError> {
    editor(actor)?;
    Ok(state.store.articles().await?)
}

/// One article with its versions, oldest first.
pub async fn card(
    state: &AppState,
    actor: &Actor,
    slug: &ArticleSlug,
) -> Result<(Article, Vec<ArticleEvent>), AppError> {
    editor(actor)?;
    state
        .store
        .article_with_history(&slug.0)
        .await?
        .ok_or_else(AppError::not_found)
}

/// A new draft.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    draft: &ArticleDraft,
) -> Result<Article, AppError> {
    editor(actor)?;
    let fields = draft.validate(sections())?;
    let now = state.clock.now();
    let (article, event) = Article::create(fields, actor, today(now), now)?;
    match state.store.create_article(&article, &event).await {
        Err(StoreError::AlreadyExists) => Err(KbError::SlugTaken.into()),
        other => other.map(|_| article).map_err(AppError::from),
    }
}

/// Saves new fields over version `expected`; a published article's page changes on the
/// site at once.
pub async fn edit(
    state: &AppState,
    actor: &Actor,
    slug: &ArticleSlug,
    expected: u64,
    draft: &ArticleDraft,
) -> Result<Article, AppError> {
    editor(actor)?;
    let draft = ArticleDraft {
        slug: Some(slug.0.clone()),
        ..draft.clone()
    };
    let fields = draft.validate(sections())?;
    let current = stored(state, slug, expected).await?;
    let now = state.clock.now();
    let (next, event) = current.edit(fields, actor, today(now), now)?;
    if next.status == ArticleStatus::Published {
        let missing = site::missing_links(&next, &published_with(state, &next).await?);
        if !missing.is_empty() {
            return Err(KbError::BrokenLinks(missing).into());
        }
    }
    state.store.save_article(&next, expected, &event).await?;
    if next.status == ArticleStatus::Published {
        rebuild(state, Some(&next)).await?;
    }
    Ok(next)
}

/// Publishes version `expected` of a draft and rebuilds the site.
pub async fn publish(
    state: &AppState,
    actor: &Actor,
    slug: &ArticleSlug,
    expected: u64,
) -> Result<Article, AppError> {
    editor(actor)?;
    let current = stored(state, slug, expected).await?;
    let candidate = Article {
        status: ArticleStatus::Published,
        ..current.clone()
    };
    let missing = site::missing_links(&candidate, &published_with(state, &candidate).await?);
    let (next, event) = current.publish(actor, missing, state.clock.now())?;
    state.store.save_article(&next, expected, &event).await?;
    rebuild(state, Some(&next)).await?;
    Ok(next)
}

/// Takes version `expected` off the site and rebuilds it; refused while published articles
/// link to it.
pub async fn unpublish(
    state: &AppState,
    actor: &Actor,
    slug: &ArticleSlug,
    expected: u64,
) -> Result<Article, AppError> {
    editor(actor)?;
    let current = stored(state, slug, expected).await?;
    let published = state.store.articles().await?;
    let linked_from = site::linking_to(&current, &published);
    let (next, event) = current.unpublish(actor, linked_from, state.clock.now())?;
    state.store.save_article(&next, expected, &event).await?;
    rebuild(state, Some(&next)).await?;
    Ok(next)
}

/// «Создать статью из обращения»: a draft from a ticket's question and support's answers
/// with the dealer's and people's names, phones and e-mails taken out. Nothing is stored:
/// the editor reviews it, picks the section and saves.
pub async fn draft_from_ticket(
    state: &AppState,
    actor: &Actor,
    ticket_id: &TicketId,
) -> Result<ArticleDraft, AppError> {
    editor(actor)?;
    let ticket = crate::ticket::visible_ticket(state, actor, ticket_id).await?;
    let notes = crate::comment::notes(state, &ticket).await?;
    let answer = notes
        .comments
        .iter()
        .filter(|c| Side::of(c.author_role) == Some(Side::Platform))
        .map(|c| c.text.trim().to_string())
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut people_ids = vec![ticket.author_id.clone()];
    people_ids.extend(notes.comments.iter().map(|c| c.author_id.clone()));
    people_ids.extend(ticket.assignee_id.clone());
    let people = crate::kernel::names::user_names(state, &people_ids)
        .await?
        .into_values()
        .collect();
    let dealer = crate::kernel::names::dealer_name(state, &ticket.dealer_id).await?;
    Ok(kb::draft_from_ticket(&TicketForArticle {
        title: ticket.title.clone(),
        question: ticket.text.clone(),
        answer,
        dealer_names: vec![dealer],
        people,
        tags: vec![ticket.category.label().to_string()],
    }))
}

/// On a store without articles: stores every seed article of `site/content` as published
/// (dated as in its file) and builds the site. Returns how many were stored.
pub async fn seed(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    if !state.store.articles().await?.is_empty() {
        return Ok(0);
    }
    let system = Actor {
        user_id: dealerdesk_domain::UserId::new("system"),
        role: dealerdesk_domain::Role::Admin,
        dealer_id: None,
    };
    let seeds = content::seed_articles()?;
    for seed in &seeds {
        let (draft, _) = Article::create(seed.fields.clone(), &system, seed.updated, now)?;
        let (article, event) = draft.publish(&system, Vec::new(), now)?;
        // The first version is the published one: a seed has no draft life.
        let article = Article {
            version: 1,
            ..article
        };
        let event = ArticleEvent {
            version: 1,
            ..event
        };
        match state.store.create_article(&article, &event).await {
            Ok(()) | Err(StoreError::AlreadyExists) => {}
            Err(e) => return Err(e.into()),
        }
    }
    rebuild(state, None).await?;
    Ok(seeds.len())
}

/// Rebuilds the whole site from the published articles (with `changed` as just saved, in
/// case the listing index has not caught up) and calls [`after_publish`].
pub async fn rebuild(state: &AppState, changed: Option<&Article>) -> Result<site::Built, AppError> {
    let mut articles = state.store.articles().await?;
    if let Some(changed) = changed {
        articles.retain(|a| a.slug != changed.slug);
        articles.push(changed.clone());
    }
    articles.retain(|a| a.status == ArticleStatus::Published);
    let built = state
        .site
        .publish(&articles, sections(), state.clock.now())
        .await?;
    after_publish(state, &articles).await?;
    Ok(built)
}

/// Called after every rebuild of the site with the published articles: the suggestion
/// index (`GET /api/kb/suggest`) is rebuilt from them and published, so a published article
/// appears in suggestions without a restart (warm instances pick the new index up within a
/// minute). An article goes through the same file form as the seed (`Article::to_markdown`),
/// so the suggestions read every article one way.
pub async fn after_publish(state: &AppState, published: &[Article]) -> Result<(), AppError> {
    let documents: Vec<_> = published
        .iter()
        .filter_map(|a| {
            dealerdesk_domain::kb::suggest::Document::from_markdown(&a.to_markdown())
                .map_err(|e| tracing::error!(article = %a.slug, error = %e, "not indexed"))
                .ok()
        })
        .collect();
    let pointer = crate::kb_suggest::publish_index(state, &documents, state.clock.now()).await?;
    tracing::info!(
        articles = published.len(),
        indexed = pointer.articles,
        "knowledge base published"
    );
    Ok(())
}

/// How many articles are published (the command line's report).
pub async fn list_published(state: &AppState) -> Result<usize, AppError> {
    Ok(state
        .store
        .articles()
        .await?
        .iter()
        .filter(|a| a.status == ArticleStatus::Published)
        .count())
}

/// The stored article, if it still is at `expected`.
async fn stored(state: &AppState, slug: &ArticleSlug, expected: u64) -> Result<Article, AppError> {
    let current = state
        .store
        .article(&slug.0)
        .await?
        .ok_or_else(AppError::not_found)?;
    if current.version != expected {
        return Err(StoreError::Conflict {
            entity: dealerdesk_store::Entity::Article,
        }
        .into());
    }
    Ok(current)
}

/// The published articles with `article` as it would be.
async fn published_with(state: &AppState, article: &Article) -> Result<Vec<Article>, AppError> {
    let mut all = state.store.articles().await?;
    all.retain(|a| a.slug != article.slug && a.status == ArticleStatus::Published);
    all.push(article.clone());
    Ok(all)
}

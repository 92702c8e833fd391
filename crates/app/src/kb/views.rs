//! How an article looks on the outside: the API's answers and the portal's templates.

use crate::kernel::templates;
use crate::kernel::time::utc;
use dealerdesk_domain::kb::{Article, ArticleDraft, ArticleEvent};
use serde::Serialize;
use utoipa::ToSchema;

/// Adds the portal's knowledge-base pages.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    templates::add(
        env,
        "articles.html",
        include_str!("../../templates/articles.html"),
    );
    templates::add(
        env,
        "article_form.html",
        include_str!("../../templates/article_form.html"),
    );
}

/// An article as the API returns it.
#[derive(Serialize, ToSchema)]
pub struct ArticleView {
    pub slug: String,
    pub section: String,
    pub section_title: String,
    pub title: String,
    pub tags: Vec<String>,
    pub summary: String,
    /// Markdown.
    pub body: String,
    /// `YYYY-MM-DD`, shown as «Обновлено».
    pub updated: String,
    /// `draft` or `published`.
    pub status: String,
    pub status_label: String,
    pub version: u64,
    pub created_at: String,
    pub changed_at: String,
    /// Its page below the site's root: `<section>/<slug>/`.
    pub path: String,
    /// Its page on the site (only once published).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl ArticleView {
    pub fn new(a: &Article, site_url: &str) -> ArticleView {
        let section_title = super::sections()
            .iter()
            .find(|s| s.slug == a.section)
            .map(|s| s.title.clone())
            .unwrap_or_default();
        ArticleView {
            slug: a.slug.clone(),
            section: a.section.clone(),
            section_title,
            title: a.title.clone(),
            tags: a.tags.clone(),
            summary: a.summary.clone(),
            body: a.body.clone(),
            updated: a.updated.to_string(),
            status: a.status.code().into(),
            status_label: a.status.label().into(),
            version: a.version,
            created_at: utc(a.created_at),
            changed_at: utc(a.changed_at),
            path: a.path(),
            url: (a.status == dealerdesk_domain::kb::ArticleStatus::Published)
                .then(|| format!("{site_url}{}", a.path())),
        }
    }
}

/// A version in an article's history.
#[derive(Serialize, ToSchema)]
pub struct ArticleVersionView {
    pub version: u64,
    pub at: String,
    pub actor_id: String,
    pub actor_role: String,
    /// `created`, `edited`, `published`, `unpublished`.
    pub action: String,
    pub action_label: String,
    pub title: String,
    pub summary: String,
    pub tags: Vec<String>,
    pub body: String,
    pub status: String,
}

impl ArticleVersionView {
    pub fn new(e: &ArticleEvent) -> ArticleVersionView {
        ArticleVersionView {
            version: e.version,
            at: utc(e.at),
            actor_id: e.actor_id.to_string(),
            actor_role: e.actor_role.code().into(),
            action: e.action.code().into(),
            action_label: e.action.label().into(),
            title: e.title.clone(),
            summary: e.summary.clone(),
            tags: e.tags.clone(),
            body: e.body.clone(),
            status: e.status.code().into(),
        }
    }
}

/// An article with its versions, oldest first.
#[derive(Serialize, ToSchema)]
pub struct ArticleCard {
    pub article: ArticleView,
    pub history: Vec<ArticleVersionView>,
}

/// Every article.
#[derive(Serialize, ToSchema)]
pub struct ArticleList {
    pub items: Vec<ArticleView>,
}

/// A draft to start an article from (not stored).
#[derive(Serialize, ToSchema)]
pub struct ArticleDraftView {
    pub slug: String,
    pub section: Option<String>,
    pub title: String,
    pub tags: Vec<String>,
    pub summary: String,
    pub body: String,
}

impl ArticleDraftView {
    pub fn new(d: &ArticleDraft) -> ArticleDraftView {
        ArticleDraftView {
            slug: d.slug.clone().unwrap_or_default(),
            section: d.section.clone(),
            title: d.title.clone().unwrap_or_default(),
            tags: d.tags.clone().unwrap_or_default(),
            summary: d.summary.clone().unwrap_or_default(),
            body: d.body.clone().unwrap_or_default(),
        }
    }
}

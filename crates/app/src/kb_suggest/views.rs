//! What the suggestions API and the admin's report show.

use dealerdesk_domain::kb::deflection::Deflection;
use dealerdesk_domain::kb::suggest::Suggestion;
use serde::Serialize;

/// One snippet piece: `mark` is true for a word of the query.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SnippetPartView {
    pub text: String,
    pub mark: bool,
}

/// One suggested article.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SuggestionView {
    pub slug: String,
    pub title: String,
    pub section: String,
    /// The article's page on the knowledge-base site.
    pub url: String,
    /// Where the portal's form links: records the opening, then redirects to `url`.
    pub open_url: String,
    /// A passage of the article with the query's words marked.
    pub snippet: Vec<SnippetPartView>,
}

impl SuggestionView {
    pub fn new(s: &Suggestion) -> SuggestionView {
        SuggestionView {
            slug: s.slug.clone(),
            title: s.title.clone(),
            section: s.section.clone(),
            url: s.url.clone(),
            open_url: format!("/kb-suggest/open/{}", s.slug),
            snippet: s
                .snippet
                .iter()
                .map(|p| SnippetPartView {
                    text: p.text.clone(),
                    mark: p.mark,
                })
                .collect(),
        }
    }
}

/// `GET /api/kb/suggest`: the best articles, best first (empty for a short text).
#[derive(Serialize, utoipa::ToSchema)]
pub struct SuggestionsView {
    pub items: Vec<SuggestionView>,
}

/// One row of the deflection report.
#[derive(Serialize)]
pub struct DeflectionRow {
    pub name: String,
    pub deflected: u32,
    pub filed: u32,
    pub pending: u32,
    /// «67 %», or «—» before any form is decided.
    pub rate: String,
}

impl DeflectionRow {
    pub fn new(name: String, d: &Deflection) -> DeflectionRow {
        DeflectionRow {
            name,
            deflected: d.deflected,
            filed: d.filed,
            pending: d.pending,
            rate: d
                .rate_percent()
                .map_or_else(|| "—".to_string(), |r| format!("{r:.0} %")),
        }
    }
}

/// Adds the feature's templates.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    crate::kernel::templates::add(
        env,
        "admin_kb_suggest.html",
        include_str!("../../templates/admin_kb_suggest.html"),
    );
}

//! The seed content of `site/content`, embedded at build time (`build.rs`), so a Lambda
//! and the local server need no files beside the binary.

use crate::kernel::error::AppError;
use dealerdesk_domain::kb::{Section, SeedArticle, parse_article_file, parse_sections};
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/kb_content.rs"));

/// The sections of `_sections.yml`, in display order. The file is part of the build and a
/// test reads it, so it always parses; were it ever broken the knowledge base would show no
/// sections rather than stop the service.
pub fn sections() -> &'static [Section] {
    static SECTIONS: OnceLock<Vec<Section>> = OnceLock::new();
    SECTIONS.get_or_init(|| {
        parse_sections(SECTIONS_YML).unwrap_or_else(|e| {
            tracing::error!(error = %e, "site/content/_sections.yml");
            Vec::new()
        })
    })
}

/// Every seed article, checked like an editor's article.
pub fn seed_articles() -> Result<Vec<SeedArticle>, AppError> {
    SEED_FILES
        .iter()
        .map(|(folder, slug, text)| {
            parse_article_file(folder, slug, text, sections()).map_err(AppError::from)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_article_and_section_parses() {
        assert!(sections().len() >= 5);
        let articles = seed_articles().unwrap();
        assert!(articles.len() >= 30, "{} articles", articles.len());
        for s in sections() {
            assert!(
                articles.iter().any(|a| a.fields.section == s.slug),
                "section {} has no article",
                s.slug
            );
        }
    }
}

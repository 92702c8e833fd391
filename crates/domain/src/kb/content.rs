//! The seed content's format (`site/content`, see `site/README.md`): `_sections.yml` lists
//! the sections in display order; each article is `<section>/<slug>.md`, YAML front matter
//! between `---` lines and a Markdown body.

use super::article::{ArticleDraft, ArticleFields, KbError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A section of the knowledge base.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub slug: String,
    pub title: String,
    /// One line under the title.
    pub description: String,
}

/// An article read from a file: its checked fields and its `updated` date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedArticle {
    pub fields: ArticleFields,
    pub updated: NaiveDate,
}

#[derive(Deserialize)]
struct SectionsFile {
    sections: Vec<Section>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    slug: String,
    section: String,
    #[serde(default)]
    tags: Vec<String>,
    updated: String,
    summary: String,
}

fn bad(file: &str, reason: impl Into<String>) -> KbError {
    KbError::BadContent {
        file: file.to_string(),
        reason: reason.into(),
    }
}

/// Reads `_sections.yml`.
pub fn parse_sections(yaml: &str) -> Result<Vec<Section>, KbError> {
    let file: SectionsFile = serde_norway::from_str(yaml)
        .map_err(|e| bad("_sections.yml", format!("не YAML разделов: {e}")))?;
    if file.sections.is_empty() {
        return Err(bad("_sections.yml", "нет ни одного раздела"));
    }
    for (i, s) in file.sections.iter().enumerate() {
        if !super::article::valid_slug(&s.slug) {
            return Err(bad(
                "_sections.yml",
                format!("неверный slug раздела «{}»", s.slug),
            ));
        }
        if file.sections[..i].iter().any(|o| o.slug == s.slug) {
            return Err(bad(
                "_sections.yml",
                format!("раздел «{}» указан дважды", s.slug),
            ));
        }
    }
    Ok(file.sections)
}

/// Reads one article file `<folder>/<file_slug>.md`; its front matter must name the same
/// section and slug, and its fields pass the editor's rules.
pub fn parse_article_file(
    folder: &str,
    file_slug: &str,
    text: &str,
    sections: &[Section],
) -> Result<SeedArticle, KbError> {
    let name = format!("{folder}/{file_slug}.md");
    let text = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .replace("\r\n", "\n");
    let rest = text.strip_prefix("---\n").ok_or_else(|| {
        bad(
            &name,
            "нет front matter: файл должен начинаться со строки ---",
        )
    })?;
    let end = rest
        .find("\n---\n")
        .ok_or_else(|| bad(&name, "front matter не закрыт строкой ---"))?;
    let (yaml, body) = (&rest[..end], &rest[end + 5..]);
    let meta: FrontMatter =
        serde_norway::from_str(yaml).map_err(|e| bad(&name, format!("front matter: {e}")))?;
    if meta.slug != file_slug {
        return Err(bad(
            &name,
            format!("slug «{}» не совпадает с именем файла", meta.slug),
        ));
    }
    if meta.section != folder {
        return Err(bad(
            &name,
            format!("раздел «{}» не совпадает с папкой", meta.section),
        ));
    }
    let updated = NaiveDate::parse_from_str(&meta.updated, "%Y-%m-%d").map_err(|_| {
        bad(
            &name,
            format!("дата updated «{}» не в виде ГГГГ-ММ-ДД", meta.updated),
        )
    })?;
    let fields = ArticleDraft {
        slug: Some(meta.slug),
        section: Some(meta.section),
        title: Some(meta.title),
        tags: Some(meta.tags),
        summary: Some(meta.summary),
        body: Some(body.to_string()),
    }
    .validate(sections)
    .map_err(|e| bad(&name, e.message_ru()))?;
    Ok(SeedArticle { fields, updated })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECTIONS: &str = "sections:\n  - slug: rabota-s-saitom\n    title: \"Работа с сайтом\"\n    description: \"Новости, редиректы.\"\n";

    #[test]
    fn sections_are_read_in_order() {
        let s = parse_sections(SECTIONS).unwrap();
        assert_eq!(s[0].title, "Работа с сайтом");
        assert!(parse_sections("sections: []").is_err());
    }

    #[test]
    fn an_article_file_is_front_matter_and_markdown() {
        let text = "---\ntitle: \"Редиректы 301\"\nslug: redirekty\nsection: rabota-s-saitom\ntags: [редирект, \"301\"]\nupdated: 2026-11-30\nsummary: \"Как настроить.\"\n---\n\n**Редирект** — это…\n";
        let a = parse_article_file(
            "rabota-s-saitom",
            "redirekty",
            text,
            &parse_sections(SECTIONS).unwrap(),
        )
        .unwrap();
        assert_eq!(a.fields.tags, vec!["редирект", "301"]);
        assert_eq!(a.updated, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        assert!(a.fields.body.starts_with("**Редирект**"));
    }

    #[test]
    fn a_file_whose_slug_is_not_its_name_is_refused_with_the_file_named() {
        let text = "---\ntitle: \"T\"\nslug: drugoi\nsection: rabota-s-saitom\nupdated: 2026-11-30\nsummary: \"S\"\n---\nТекст\n";
        let e = parse_article_file(
            "rabota-s-saitom",
            "redirekty",
            text,
            &parse_sections(SECTIONS).unwrap(),
        )
        .unwrap_err();
        assert!(
            e.message_ru().contains("rabota-s-saitom/redirekty.md"),
            "{e:?}"
        );
    }
}

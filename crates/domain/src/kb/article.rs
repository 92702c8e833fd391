//! An article of the knowledge base and its moves: created as a draft, edited, published,
//! unpublished. Every move returns the next version and its history event, which holds the
//! article as it was after the move, so the history shows every version.

use crate::access::Actor;
use crate::error::ValidationError;
use crate::kernel::{FieldError, Refusal, RefusalKind, Refuse, TextRule};
use crate::{Role, UserId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::content::Section;

/// Longest slug (the last part of the article's address).
pub const SLUG_MAX: usize = 80;
/// Longest title.
pub const TITLE_MAX: usize = 200;
/// Longest summary (the line under the title in lists and search).
pub const SUMMARY_MAX: usize = 400;
/// Longest body in Markdown.
pub const BODY_MAX: usize = 100_000;
/// Most tags of one article.
pub const TAGS_MAX: usize = 12;
/// Longest tag.
pub const TAG_MAX: usize = 40;

const TITLE_RULE: TextRule = TextRule::line(
    "title",
    "Заголовок статьи",
    "Укажите заголовок статьи.",
    TITLE_MAX,
);
const SUMMARY_RULE: TextRule = TextRule::line(
    "summary",
    "Краткое описание",
    "Укажите краткое описание статьи: одно-два предложения о том, на какой вопрос она отвечает.",
    SUMMARY_MAX,
);
const BODY_RULE: TextRule =
    TextRule::text("body", "Текст статьи", "Напишите текст статьи.", BODY_MAX);

crate::coded_enum! {
    /// Whether an article is on the public site.
    pub enum ArticleStatus {
        /// Only support staff see it in the portal.
        Draft = "draft" / "Черновик",
        /// On the public site and in suggestions.
        Published = "published" / "Опубликована",
    }
}

crate::coded_enum! {
    /// What a version of an article was made by.
    pub enum ArticleAction {
        Created = "created" / "Создана",
        Edited = "edited" / "Изменена",
        Published = "published" / "Опубликована",
        Unpublished = "unpublished" / "Снята с публикации",
    }
}

/// Whether `role` writes the knowledge base: support staff only (specialist, admin).
pub fn may_edit_articles(role: Role) -> bool {
    matches!(role, Role::Specialist | Role::Admin)
}

/// An article.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// The last part of its address, unique, never changed: `redirekty`.
    pub slug: String,
    /// Its section's slug (`_sections.yml`).
    pub section: String,
    pub title: String,
    pub tags: Vec<String>,
    pub summary: String,
    /// The text in Markdown.
    pub body: String,
    /// The date shown as «Обновлено»: the day its text last changed.
    pub updated: NaiveDate,
    pub status: ArticleStatus,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub changed_at: DateTime<Utc>,
    /// Who made the last version.
    pub changed_by: UserId,
}

/// What an editor sends: every field optional, checked by [`ArticleDraft::validate`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct ArticleDraft {
    pub slug: Option<String>,
    pub section: Option<String>,
    pub title: Option<String>,
    /// Tags, or one string of tags separated by commas (the portal's form).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    pub summary: Option<String>,
    pub body: Option<String>,
}

/// A checked draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArticleFields {
    pub slug: String,
    pub section: String,
    pub title: String,
    pub tags: Vec<String>,
    pub summary: String,
    pub body: String,
}

/// One version in an article's history: the move, who, when, and the article after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleEvent {
    pub version: u64,
    pub at: DateTime<Utc>,
    pub actor_id: UserId,
    pub actor_role: Role,
    pub action: ArticleAction,
    pub section: String,
    pub title: String,
    pub tags: Vec<String>,
    pub summary: String,
    pub body: String,
    pub status: ArticleStatus,
}

/// Why the knowledge base refuses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KbError {
    #[error("invalid article: {0}")]
    Invalid(#[from] ValidationError),
    #[error("only support staff write articles")]
    NotEditor,
    #[error("an article with this slug exists")]
    SlugTaken,
    #[error("the article is published already")]
    AlreadyPublished,
    #[error("the article is not published")]
    NotPublished,
    #[error("links to articles that are not published: {0:?}")]
    BrokenLinks(Vec<String>),
    #[error("published articles link here: {0:?}")]
    LinkedFrom(Vec<String>),
    #[error("seed content {file}: {reason}")]
    BadContent { file: String, reason: String },
}

impl KbError {
    /// The Russian message.
    pub fn message_ru(&self) -> String {
        match self {
            KbError::Invalid(e) => e.message_ru(),
            KbError::NotEditor => {
                "Статьи базы знаний пишут и публикуют сотрудники поддержки.".into()
            }
            KbError::SlugTaken => {
                "Статья с таким адресом уже есть: выберите другой адрес (slug).".into()
            }
            KbError::AlreadyPublished => "Статья уже опубликована.".into(),
            KbError::NotPublished => "Статья не опубликована.".into(),
            KbError::BrokenLinks(links) => format!(
                "Ссылки ведут на статьи, которых нет на сайте: {}. Исправьте ссылки или сначала опубликуйте эти статьи.",
                links.join(", ")
            ),
            KbError::LinkedFrom(slugs) => format!(
                "На эту статью ссылаются опубликованные статьи: {}. Сначала уберите из них ссылки.",
                slugs.join(", ")
            ),
            KbError::BadContent { file, reason } => {
                format!("Файл статьи {file} не прочитан: {reason}")
            }
        }
    }
}

impl Refuse for KbError {
    fn refusal(&self) -> Refusal {
        match self {
            KbError::Invalid(e) => e.refusal(),
            KbError::NotEditor => {
                Refusal::new(RefusalKind::Forbidden, "forbidden", self.message_ru())
            }
            KbError::SlugTaken => {
                Refusal::new(RefusalKind::Conflict, "slug_taken", self.message_ru()).with_fields(
                    vec![FieldError {
                        field: "slug",
                        message: self.message_ru(),
                    }],
                )
            }
            KbError::AlreadyPublished => Refusal::new(
                RefusalKind::Conflict,
                "already_published",
                self.message_ru(),
            ),
            KbError::NotPublished => {
                Refusal::new(RefusalKind::Conflict, "not_published", self.message_ru())
            }
            KbError::BrokenLinks(_) => {
                Refusal::new(RefusalKind::Invalid, "broken_links", self.message_ru()).with_fields(
                    vec![FieldError {
                        field: "body",
                        message: self.message_ru(),
                    }],
                )
            }
            KbError::LinkedFrom(_) => {
                Refusal::new(RefusalKind::Conflict, "linked_from", self.message_ru())
            }
            KbError::BadContent { .. } => {
                Refusal::new(RefusalKind::Invalid, "bad_content", self.message_ru())
            }
        }
    }
}

/// Whether `slug` is a valid address part: lowercase Latin letters and digits in words
/// joined by single hyphens.
pub fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= SLUG_MAX
        && slug.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Tags from a list whose items may themselves be comma-separated: trimmed, empty ones
/// dropped, duplicates (ignoring case) dropped, order kept.
pub fn normalize_tags(raw: &[String]) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw.iter().flat_map(|t| t.split(',')) {
        let tag = crate::kernel::clean_line(tag);
        if !tag.is_empty() && !tags.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            tags.push(tag);
        }
    }
    tags
}

impl ArticleDraft {
    /// Checks every field (the section against `sections`) and reports all problems at once.
    pub fn validate(&self, sections: &[Section]) -> Result<ArticleFields, ValidationError> {
        let mut errors = Vec::new();
        let mut take = |r: Result<String, FieldError>| {
            r.unwrap_or_else(|e| {
                errors.push(e);
                String::new()
            })
        };
        let title = take(TITLE_RULE.required(self.title.as_deref()));
        let summary = take(SUMMARY_RULE.required(self.summary.as_deref()));
        let body = take(BODY_RULE.required(self.body.as_deref()));
        let slug = self.slug.as_deref().unwrap_or("").trim().to_string();
        if slug.is_empty() {
            errors.push(FieldError {
                field: "slug",
                message: "Укажите адрес статьи (slug): латиница, например «redirekty».".into(),
            });
        } else if !valid_slug(&slug) {
            errors.push(FieldError {
                field: "slug",
                message: format!(
                    "Адрес статьи (slug) — строчные латинские буквы и цифры, слова через дефис, не длиннее {SLUG_MAX} символов: например «razmeshchenie-novosti»."
                ),
            });
        }
        let section = self.section.as_deref().unwrap_or("").trim().to_string();
        if section.is_empty() {
            errors.push(FieldError {
                field: "section",
                message: "Выберите раздел базы знаний.".into(),
            });
        } else if !sections.iter().any(|s| s.slug == section) {
            errors.push(FieldError {
                field: "section",
                message: "Такого раздела базы знаний нет: выберите раздел из списка.".into(),
            });
        }
        let tags = normalize_tags(self.tags.as_deref().unwrap_or_default());
        if tags.len() > TAGS_MAX {
            errors.push(FieldError {
                field: "tags",
                message: format!("Не больше {TAGS_MAX} тегов у статьи."),
            });
        } else if let Some(long) = tags.iter().find(|t| t.chars().count() > TAG_MAX) {
            errors.push(FieldError {
                field: "tags",
                message: format!("Тег «{long}» длиннее {TAG_MAX} символов."),
            });
        }
        if errors.is_empty() {
            Ok(ArticleFields {
                slug,
                section,
                title,
                tags,
                summary,
                body,
            })
        } else {
            Err(ValidationError { errors })
        }
    }
}

impl Article {
    /// A new draft (version 1), its text dated `updated`.
    pub fn create(
        fields: ArticleFields,
        actor: &Actor,
        updated: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(Article, ArticleEvent), KbError> {
        editor(actor)?;
        let article = Article {
            slug: fields.slug,
            section: fields.section,
            title: fields.title,
            tags: fields.tags,
            summary: fields.summary,
            body: fields.body,
            updated,
            status: ArticleStatus::Draft,
            version: 1,
            created_at: now,
            changed_at: now,
            changed_by: actor.user_id.clone(),
        };
        let event = article.event(ArticleAction::Created, actor, now);
        Ok((article, event))
    }

    /// The article with new fields (its slug never changes; a published article stays
    /// published). `updated` becomes `today` when the text changed.
    pub fn edit(
        &self,
        fields: ArticleFields,
        actor: &Actor,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(Article, ArticleEvent), KbError> {
        editor(actor)?;
        let text_changed = fields.body != self.body
            || fields.title != self.title
            || fields.summary != self.summary;
        let next = Article {
            section: fields.section,
            title: fields.title,
            tags: fields.tags,
            summary: fields.summary,
            body: fields.body,
            updated: if text_changed { today } else { self.updated },
            ..self.next(actor, now)
        };
        let event = next.event(ArticleAction::Edited, actor, now);
        Ok((next, event))
    }

    /// Puts a draft on the site. `missing_links` are its links to articles that would not be
    /// on the site (see [`super::markdown::render`]): any refuses the move.
    pub fn publish(
        &self,
        actor: &Actor,
        missing_links: Vec<String>,
        now: DateTime<Utc>,
    ) -> Result<(Article, ArticleEvent), KbError> {
        editor(actor)?;
        if self.status == ArticleStatus::Published {
            return Err(KbError::AlreadyPublished);
        }
        if !missing_links.is_empty() {
            return Err(KbError::BrokenLinks(missing_links));
        }
        let next = Article {
            status: ArticleStatus::Published,
            ..self.next(actor, now)
        };
        let event = next.event(ArticleAction::Published, actor, now);
        Ok((next, event))
    }

    /// Takes a published article off the site; refused while published articles
    /// (`linked_from`) link to it, since their links would break.
    pub fn unpublish(
        &self,
        actor: &Actor,
        linked_from: Vec<String>,
        now: DateTime<Utc>,
    ) -> Result<(Article, ArticleEvent), KbError> {
        editor(actor)?;
        if self.status != ArticleStatus::Published {
            return Err(KbError::NotPublished);
        }
        if !linked_from.is_empty() {
            return Err(KbError::LinkedFrom(linked_from));
        }
        let next = Article {
            status: ArticleStatus::Draft,
            ..self.next(actor, now)
        };
        let event = next.event(ArticleAction::Unpublished, actor, now);
        Ok((next, event))
    }

    /// The article as a file of `site/content`: YAML front matter and the Markdown body
    /// (what [`super::parse_article_file`] reads back; the suggestion index reads it too).
    pub fn to_markdown(&self) -> String {
        let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let tags: Vec<String> = self.tags.iter().map(|t| quote(t)).collect();
        format!(
            "---\ntitle: {}\nslug: {}\nsection: {}\ntags: [{}]\nupdated: {}\nsummary: {}\n---\n\n{}\n",
            quote(&self.title),
            self.slug,
            self.section,
            tags.join(", "),
            self.updated.format("%Y-%m-%d"),
            quote(&self.summary),
            self.body.trim_end(),
        )
    }

    /// The article's address below the site's root: `<section>/<slug>/`.
    pub fn path(&self) -> String {
        format!("{}/{}/", self.section, self.slug)
    }

    fn next(&self, actor: &Actor, now: DateTime<Utc>) -> Article {
        Article {
            version: self.version + 1,
            changed_at: now,
            changed_by: actor.user_id.clone(),
            ..self.clone()
        }
    }

    fn event(&self, action: ArticleAction, actor: &Actor, now: DateTime<Utc>) -> ArticleEvent {
        ArticleEvent {
            version: self.version,
            at: now,
            actor_id: actor.user_id.clone(),
            actor_role: actor.role,
            action,
            section: self.section.clone(),
            title: self.title.clone(),
            tags: self.tags.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            status: self.status,
        }
    }
}

fn editor(actor: &Actor) -> Result<(), KbError> {
    if may_edit_articles(actor.role) {
        Ok(())
    } else {
        Err(KbError::NotEditor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap()
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::new(format!("user-{}", role.code())),
            role,
            dealer_id: role.is_dealer_bound().then(|| crate::DealerId::new("d1")),
        }
    }

    fn sections() -> Vec<Section> {
        vec![Section {
            slug: "rabota-s-saitom".into(),
            title: "Работа с сайтом".into(),
            description: "Что можно менять самому.".into(),
        }]
    }

    fn draft() -> ArticleDraft {
        ArticleDraft {
            slug: Some("redirekty".into()),
            section: Some("rabota-s-saitom".into()),
            title: Some("Редиректы 301".into()),
            tags: Some(vec!["редирект, 301".into(), "SEO".into(), "seo".into()]),
            summary: Some("Когда нужен 301 редирект и как его настроить.".into()),
            body: Some("**Редирект** — перенаправление.".into()),
        }
    }

    #[test]
    fn a_valid_draft_keeps_its_fields_and_splits_the_tags() {
        let fields = draft().validate(&sections()).unwrap();
        assert_eq!(fields.slug, "redirekty");
        assert_eq!(fields.tags, vec!["редирект", "301", "SEO"]);
    }

    #[test]
    fn every_bad_field_is_named_in_russian() {
        let bad = ArticleDraft {
            slug: Some("Редиректы!".into()),
            section: Some("net-takogo".into()),
            tags: Some((0..20).map(|i| format!("тег{i}")).collect()),
            ..ArticleDraft::default()
        };
        let errors = bad.validate(&sections()).unwrap_err().errors;
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["title", "summary", "body", "slug", "section", "tags"]
        );
        assert!(errors[3].message.contains("латинские"));
        assert!(errors[4].message.contains("раздела"));
    }

    #[test]
    fn only_support_staff_write_articles() {
        let fields = draft().validate(&sections()).unwrap();
        for role in [Role::Dealer, Role::AccountManager, Role::Accountant] {
            assert_eq!(
                Article::create(fields.clone(), &actor(role), day(), now()).unwrap_err(),
                KbError::NotEditor
            );
        }
        for role in [Role::Specialist, Role::Admin] {
            let (a, e) = Article::create(fields.clone(), &actor(role), day(), now()).unwrap();
            assert_eq!(
                (a.status, a.version, e.action),
                (ArticleStatus::Draft, 1, ArticleAction::Created)
            );
        }
    }

    #[test]
    fn a_draft_is_published_edited_and_unpublished_each_as_a_new_version() {
        let who = actor(Role::Specialist);
        let fields = draft().validate(&sections()).unwrap();
        let (a, _) = Article::create(fields.clone(), &who, day(), now()).unwrap();
        let (a, e) = a.publish(&who, vec![], now()).unwrap();
        assert_eq!(
            (a.version, a.status, e.version),
            (2, ArticleStatus::Published, 2)
        );
        assert_eq!(
            a.publish(&who, vec![], now()).unwrap_err(),
            KbError::AlreadyPublished
        );
        let later = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let changed = ArticleFields {
            body: "Новый текст.".into(),
            ..fields
        };
        let (a, e) = a.edit(changed, &who, later, now()).unwrap();
        assert_eq!(
            (a.version, a.status, a.updated),
            (3, ArticleStatus::Published, later)
        );
        assert_eq!(
            (e.action, e.body.as_str()),
            (ArticleAction::Edited, "Новый текст.")
        );
        assert_eq!(
            a.unpublish(&who, vec!["meta-tegi".into()], now())
                .unwrap_err(),
            KbError::LinkedFrom(vec!["meta-tegi".into()])
        );
        let (a, _) = a.unpublish(&who, vec![], now()).unwrap();
        assert_eq!((a.version, a.status), (4, ArticleStatus::Draft));
    }

    #[test]
    fn an_article_reads_back_from_its_markdown_file() {
        let who = actor(Role::Admin);
        let fields = ArticleFields {
            title: "Цитата «в кавычках» и \"прямые\" кавычки: двоеточие".into(),
            summary: "Коротко: что и как.".into(),
            ..draft().validate(&sections()).unwrap()
        };
        let (a, _) = Article::create(fields.clone(), &who, day(), now()).unwrap();
        let back = crate::kb::parse_article_file(
            "rabota-s-saitom",
            "redirekty",
            &a.to_markdown(),
            &sections(),
        )
        .unwrap();
        assert_eq!((back.fields, back.updated), (fields, day()));
    }

    #[test]
    fn publishing_with_links_to_missing_articles_is_refused() {
        let who = actor(Role::Admin);
        let (a, _) =
            Article::create(draft().validate(&sections()).unwrap(), &who, day(), now()).unwrap();
        let e = a
            .publish(&who, vec!["../moduli/net-takoi/".into()], now())
            .unwrap_err();
        assert!(e.message_ru().contains("../moduli/net-takoi/"));
        assert_eq!(e.refusal().kind, RefusalKind::Invalid);
    }
}

//! The knowledge base (SPEC §2.8): articles as data, their versions, the seed content's
//! format (`site/content`), Markdown rendered to safe HTML, the draft support starts from a
//! ticket with the people taken out; the article suggestions a dealer sees while typing a
//! ticket ([`suggest`]) and how often they answer the question ([`deflection`]).
//!
//! Who writes articles is a rule of its own, not a dealer scope: support staff (specialist,
//! admin) create, edit, publish and unpublish; everyone else only reads the public site.

pub mod article;
pub mod content;
pub mod deflection;
pub mod draft;
pub mod markdown;
pub mod suggest;

pub use article::{
    Article, ArticleAction, ArticleDraft, ArticleEvent, ArticleFields, ArticleStatus, KbError,
    may_edit_articles,
};
pub use content::{Section, SeedArticle, parse_article_file, parse_sections};
pub use draft::{TicketForArticle, draft_from_ticket, scrub};
pub use markdown::{Rendered, render};

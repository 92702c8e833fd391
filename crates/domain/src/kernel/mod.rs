//! The small kernel every feature shares: refusals that carry their kind, coded enums with
//! Russian labels, text parsing for drafts, and the actor's visibility scope.
//!
//! A feature never invents its own version of these: a new refusal implements [`Refuse`], a
//! new code list is a [`coded_enum!`](crate::coded_enum), a new draft field goes through
//! [`TextRule`], and "may this actor see it" is one [`Scope::admits`] call.

pub mod coded;
pub mod refusal;
pub mod scope;
pub mod text;

pub use coded::Coded;
pub use refusal::{FieldError, Refusal, RefusalKind, Refuse};
pub use scope::{Area, Owner, Scope};
pub use text::{TextRule, clean_line, clean_text};

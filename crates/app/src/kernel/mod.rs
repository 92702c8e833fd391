//! What every feature repeats, written once: the error type and its one HTTP mapping, who
//! the caller is (API bearer token or portal cookie), typed request bodies and CSRF-checked
//! forms, ids and pages read from the request, the security headers, the one visibility check, names for display,
//! time for people, this instance's short-lived copies of sessions and the calendar, the templates, and the scheduled jobs' names.
//!
//! The kernel imports no feature; every feature imports the kernel.

pub mod address;
pub mod auth;
pub mod caller;
pub mod card;
pub mod error;
pub mod extract;
pub mod fresh;
pub mod headers;
pub mod ids;
pub mod job;
pub mod names;
pub mod paging;
pub mod sign;
pub mod templates;
pub mod time;
pub mod visibility;

pub use caller::{ApiCaller, PortalCaller};
pub use error::AppError;

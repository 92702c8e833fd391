//! Leads on the table (SPEC §4).

pub mod limits;
pub mod site;

pub use limits::PostLimitRepo;
pub use site::{SiteRepo, SiteWithSpam};

//! Notices on their way out: the outbox's delivery job, the e-mails rendered from notices,
//! and `/dev/mail`, the local mailbox for testers.

pub mod jobs;
pub mod mail;
pub mod portal;
pub mod routes;

pub use routes::routes;

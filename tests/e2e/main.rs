//! Every end-to-end test of DealerDesk in one test binary: one link instead of one per file
//! (linking dominated CI on two cores). Each module is one area, as the files were before;
//! run one area with `cargo test -p dealerdesk-e2e -- tickets_api::`.
//!
//! The storage conformance suite stays its own binary (`crates/store/tests/conformance.rs`):
//! it belongs to the store crate and runs against two engines.

mod access_matrix;
mod accountants;
mod api_contract;
mod audit;
mod billing;
mod blobs_s3;
mod costs;
mod dashboard;
mod dealer_survey;
mod demo_history;
mod estimates;
mod faults;
mod inbox;
mod kb_site;
mod kb_suggest;
mod lambda_events;
mod lead_card;
mod lead_escalation;
mod lead_export;
mod lead_intake;
mod lead_reports;
mod lead_survey;
mod login_abuse;
mod notices;
mod portal;
mod readme_run;
mod reports;
mod restore;
mod review;
mod round_trips;
mod serve_clock;
mod serve_restart;
mod sla;
mod ticket_notes;
mod tickets_api;
mod wishes;

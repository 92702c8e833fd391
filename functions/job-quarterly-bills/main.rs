//! Lambda `job-quarterly-bills`: the scheduled job `quarterly_bills` — issues the invoices
//! and acts of the quarter just ended for every dealer (SPEC §3). Invoked by an EventBridge
//! schedule after each quarter's end (see template.yaml); a retry or a second run issues
//! nothing twice.
//!
//! A thin edge: the job lives in `dealerdesk_app::billing::jobs`, its Lambda wiring in
//! `job_main.rs`.

#[path = "../job_main.rs"]
mod job_main;

use dealerdesk_app::Ports;
use dealerdesk_app::jobs::Job;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let ports = Ports::store().blobs();
    job_main::lambda_main(ports, const { Job::QuarterlyBills.runner() }).await
}

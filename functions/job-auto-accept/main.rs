//! Lambda `job-auto-accept`: the scheduled job `auto_accept` — accepts results left in review
//! for the configured working days. Invoked by an EventBridge schedule every 15 minutes (see
//! template.yaml).
//!
//! A thin edge: the job lives in `dealerdesk_app::jobs`, its Lambda wiring in `job_main.rs`.

#[path = "../job_main.rs"]
mod job_main;

use dealerdesk_app::Ports;
use dealerdesk_app::jobs::Job;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let ports = Ports::store();
    job_main::lambda_main(ports, const { Job::AutoAccept.runner() }).await
}

//! Lambda `job-sla-watch`: the scheduled job `sla_watch` — warns the specialist team at 80 % of
//! a reaction time and tells the account manager of a breach. Invoked by an EventBridge schedule
//! every 5 minutes (see template.yaml).
//!
//! A thin edge: the job lives in `dealerdesk_app::jobs`, its Lambda wiring in `job_main.rs`.

#[path = "../job_main.rs"]
mod job_main;

use dealerdesk_app::Ports;
use dealerdesk_app::jobs::Job;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let ports = Ports::store();
    job_main::lambda_main(ports, const { Job::SlaWatch.runner() }).await
}

//! Lambda `job-outbox`: the scheduled job `outbox` — delivers the outbox's pending notices by
//! e-mail (SES). Invoked by an EventBridge schedule every minute (see template.yaml).
//!
//! A thin edge: the job lives in `dealerdesk_app::jobs`, its Lambda wiring in `job_main.rs`.

#[path = "../job_main.rs"]
mod job_main;

use dealerdesk_app::Ports;
use dealerdesk_app::jobs::Job;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let ports = Ports::store().mail().templates();
    job_main::lambda_main(ports, const { Job::Outbox.runner() }).await
}

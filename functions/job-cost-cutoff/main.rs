//! Lambda `job-cost-cutoff`: the scheduled job `cost_cutoff` — after the quarter's deadline,
//! pending costs count as confirmed and disputed ones move to the next quarter. Invoked by an
//! EventBridge schedule every hour (see template.yaml).
//!
//! A thin edge: the job lives in `dealerdesk_app::jobs`, its Lambda wiring in `job_main.rs`.

#[path = "../job_main.rs"]
mod job_main;

use dealerdesk_app::Ports;
use dealerdesk_app::jobs::Job;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let ports = Ports::store();
    job_main::lambda_main(ports, const { Job::CostCutoff.runner() }).await
}

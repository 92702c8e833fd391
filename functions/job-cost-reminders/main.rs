//! Lambda `job-cost-reminders`: the scheduled job `cost_reminders` — reminds dealers of costs
//! awaiting confirmation 7 days and 1 day before the quarter's deadline. Invoked by an
//! EventBridge schedule hourly in working hours (see template.yaml).
//!
//! A thin edge: the job lives in `dealerdesk_app::jobs`, its Lambda wiring in `job_main.rs`.

#[path = "../job_main.rs"]
mod job_main;

use dealerdesk_app::Ports;
use dealerdesk_app::jobs::Job;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let ports = Ports::store();
    job_main::lambda_main(ports, const { Job::CostReminders.runner() }).await
}

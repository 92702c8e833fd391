//! Lambda `job-lead-escalations`: the scheduled job `lead_escalations` — a lead still «Новый»
//! or «Не обработан» after 2 working hours of its dealer is reported to the dealer, after 4 to
//! its regional representative, each once. Invoked by an EventBridge schedule every 5 minutes
//! (see template.yaml).
//!
//! A thin edge: the job lives in `dealerdesk_app::jobs`, its Lambda wiring in `job_main.rs`.

#[path = "../job_main.rs"]
mod job_main;

use dealerdesk_app::Ports;
use dealerdesk_app::jobs::Job;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let ports = Ports::store();
    job_main::lambda_main(ports, const { Job::LeadEscalations.runner() }).await
}

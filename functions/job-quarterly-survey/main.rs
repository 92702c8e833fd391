//! Lambda `job-quarterly-survey`: the scheduled job `quarterly_survey` — at each quarter's
//! start every dealer is invited to the quarterly survey (SPEC §2.9), once. Invoked by an
//! EventBridge schedule on the first day of January, April, July and October (see
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
    job_main::lambda_main(ports, const { Job::QuarterlySurvey.runner() }).await
}

//! Lambda `job-cost-cutoff`: the scheduled job `cost_cutoff` — after the quarter's deadline,
//! pending costs count as confirmed and disputed ones move to the next quarter. Invoked by an
//! EventBridge schedule every hour (see template.yaml).
//!
//! A thin edge: configuration and wiring only; the job lives in `dealerdesk_app::jobs`. The
//! event carries nothing the job needs: it runs at the injected clock's "now". The job is
//! idempotent (conditional writes; the outbox also leases each notice), so an overlapping or
//! repeated run is harmless. The `JobReport` is the result; an error is an invocation error, so
//! Lambda retries the event.

use dealerdesk_app::jobs::{self, Job, JobReport};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let _log_guard = dealerdesk_app::telemetry::init_lambda();
    let state = dealerdesk_app::AppState::from_env().await?;
    let state = &state;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        lambda_runtime::tracing::info!(
            scheduled_at = event.payload["time"].as_str(),
            "scheduled run"
        );
        let report: JobReport = jobs::run(state, Job::CostCutoff, state.clock.now()).await?;
        Ok::<JobReport, Error>(report)
    }))
    .await
}

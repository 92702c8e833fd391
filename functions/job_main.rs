//! The one `main` of every scheduled-job function: JSON logs, the state from the
//! environment, and one run of the job per EventBridge event at the injected clock's "now".
//!
//! The event carries nothing the job needs. The job is idempotent (conditional writes; the
//! outbox also leases each notice), so an overlapping or repeated run is harmless. The
//! `JobReport` is the result; an error is an invocation error, so Lambda retries the event.

use dealerdesk_app::Ports;
use dealerdesk_app::jobs::{JobReport, JobRunner};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

/// Serves `job` as this Lambda's handler until the runtime stops, over the `ports` its `main`
/// names.
pub async fn lambda_main(ports: Ports, job: JobRunner) -> Result<(), Error> {
    let _log_guard = dealerdesk_app::telemetry::init_lambda();
    let state = dealerdesk_app::AppState::from_env(ports).await?;
    let state = &state;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        lambda_runtime::tracing::info!(
            scheduled_at = event.payload["time"].as_str(),
            "scheduled run"
        );
        let report: JobReport = job.run(state, state.clock.now()).await.inspect_err(|e| {
            // Lambda records a failed invocation without its message; the on-call engineer
            // reads it here (infra/deploy.md, "Alarms and what to do").
            lambda_runtime::tracing::error!(job = job.job.code(), error = %e, "job failed");
        })?;
        Ok::<JobReport, Error>(report)
    }))
    .await
}

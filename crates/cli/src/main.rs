//! `dealerdesk`: the whole product on one local port. Only wiring lives here.

use clap::Parser;
use dealerdesk_cli::{Cli, run};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    dealerdesk_app::telemetry::init_local();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dealerdesk: {e}");
            ExitCode::FAILURE
        }
    }
}

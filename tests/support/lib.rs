//! Support for the end-to-end tests in `tests/`: an in-process server over the embedded
//! engine, an HTTP client that speaks the API, a fake Lambda runtime, and the benchmarks'
//! measuring.

pub mod browser;
pub mod dynamo_proxy;
pub mod lambda_runtime;
pub mod perf;
pub mod server;

/// The workspace root (this package lives in its `tests/` folder): where `template.yaml`,
/// `README.md`, `functions/` and `crates/` are.
pub fn workspace_root() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the e2e package lives one folder below the workspace root")
}

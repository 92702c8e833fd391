//! Support for the end-to-end tests in `tests/`: an in-process server over the embedded
//! engine, an HTTP client that speaks the API, and a fake Lambda runtime.

pub mod browser;
pub mod dynamo_proxy;
pub mod lambda_runtime;
pub mod server;

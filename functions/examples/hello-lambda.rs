//! The yardstick of the cold-start benchmark (`cargo bench --bench lambda`): the smallest
//! `lambda_http` function, built with the same profile and the same dependency versions as the
//! real ones. An example, not a `[[bin]]`: cargo-lambda does not build it, the template does not
//! deploy it, and nothing counts it as a function.

use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_request: Request| async {
        Ok::<_, Error>(Response::new(Body::from("hello")))
    }))
    .await
}

//! The yardstick of the cold-start benchmark (`cargo bench --bench lambda`): the smallest
//! `lambda_http` function, built with the same profile and the same dependency versions as the
//! real ones. Never deployed: template.yaml has no function for it.

use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_request: Request| async {
        Ok::<_, Error>(Response::new(Body::from("hello")))
    }))
    .await
}

//! The blob port's S3 adapter against moto (`moto_server` from PyPI `moto[server]`, the
//! same engine as the storage conformance suite; `MOTO_SERVER` overrides the command): the
//! code that runs in AWS is exercised without AWS.

use dealerdesk_app::blobs::Blobs;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// moto on a free loopback port; killed when dropped (also when the test panics).
struct Moto {
    endpoint: String,
    child: Child,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_moto() -> Moto {
    let command = std::env::var("MOTO_SERVER").unwrap_or_else(|_| "moto_server".into());
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(&command)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run {command}: {e}; install it with `pip install 'moto[server]'`")
        });
    let moto = Moto {
        endpoint: format!("http://127.0.0.1:{port}"),
        child,
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let started = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "moto did not start on {addr}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

#[tokio::test]
async fn files_go_to_an_s3_bucket_and_come_back_byte_for_byte() {
    let moto = start_moto();
    let blobs = Blobs::s3_at(&moto.endpoint, "dealerdesk-files");
    let Blobs::S3 { client, bucket } = &blobs else {
        panic!("an S3 port");
    };
    client
        .create_bucket()
        .bucket(bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuCentral1)
                .build(),
        )
        .send()
        .await
        .expect("bucket");

    assert_eq!(
        blobs.get("tickets/t1/a1").await.unwrap(),
        None,
        "no such key is None"
    );
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    blobs
        .put("tickets/t1/a1", "image/png", png.clone())
        .await
        .unwrap();
    assert_eq!(blobs.get("tickets/t1/a1").await.unwrap(), Some(png));
    let head = client
        .head_object()
        .bucket(bucket)
        .key("tickets/t1/a1")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_type(), Some("image/png"));
}

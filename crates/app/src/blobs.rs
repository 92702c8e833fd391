//! The blob port: where the bytes of attached files live — S3 in AWS, a folder locally.
//!
//! The table keeps only a file's description (name, type, size, key); the bytes go here,
//! because a DynamoDB item is limited to 400 KB and files may be up to 5 MB.
//!
//! Files are read and written whole: the platform's limit is 5 MB (what a Lambda request
//! can carry), so holding one in memory is cheaper and simpler than streaming.

use crate::kernel::error::AppError;
use std::path::{Path, PathBuf};

/// Where attached files are stored.
#[derive(Clone, Debug)]
pub enum Blobs {
    /// An S3 bucket (AWS).
    S3 {
        client: aws_sdk_s3::Client,
        bucket: String,
    },
    /// A folder on this machine (the local server: `<data dir>/blobs`; tests).
    LocalDir(PathBuf),
    /// None: a Lambda function whose `main` does not name the blob port
    /// ([`crate::Ports::blobs`]); every use is refused with [`AppError::Config`].
    Absent,
}

fn absent() -> AppError {
    AppError::Config("this function has no blob port (its main does not name Ports::blobs)".into())
}

impl Blobs {
    /// From the environment: `DEALERDESK_BLOBS` = `s3` (with `DEALERDESK_BLOB_BUCKET`) or
    /// `local` (with `DEALERDESK_BLOB_DIR`, default `default_dir`). Unset means `s3` when a
    /// bucket is named and `local` otherwise.
    pub async fn from_env(default_dir: &Path) -> Result<Blobs, AppError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let bucket = var("DEALERDESK_BLOB_BUCKET");
        let kind = var("DEALERDESK_BLOBS")
            .unwrap_or_else(|| if bucket.is_some() { "s3" } else { "local" }.to_string());
        match kind.as_str() {
            "local" => Ok(Blobs::LocalDir(
                var("DEALERDESK_BLOB_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| default_dir.to_path_buf()),
            )),
            "s3" => {
                let bucket = bucket.ok_or_else(|| {
                    AppError::Config("DEALERDESK_BLOBS=s3 needs DEALERDESK_BLOB_BUCKET".into())
                })?;
                Ok(Blobs::S3 {
                    client: aws_sdk_s3::Client::new(
                        &dealerdesk_store::aws::sdk_config("S3")
                            .map_err(|e| AppError::Config(e.to_string()))?,
                    ),
                    bucket,
                })
            }
            other => Err(AppError::Config(format!(
                "DEALERDESK_BLOBS must be s3 or local, not {other:?}"
            ))),
        }
    }

    /// An S3-compatible endpoint (moto, MinIO) with static dummy credentials and
    /// path-style addressing: for tests of the S3 adapter without AWS.
    pub fn s3_at(endpoint: &str, bucket: &str) -> Blobs {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("eu-central-1"))
            .http_client(dealerdesk_store::aws::http_client())
            .credentials_provider(dealerdesk_store::aws::local_credentials())
            .endpoint_url(endpoint)
            .force_path_style(true)
            .build();
        Blobs::S3 {
            client: aws_sdk_s3::Client::from_conf(config),
            bucket: bucket.to_string(),
        }
    }

    /// Stores `bytes` under `key`, replacing what was there.
    pub async fn put(&self, key: &str, content_type: &str, bytes: Vec<u8>) -> Result<(), AppError> {
        match self {
            Blobs::Absent => Err(absent()),
            Blobs::LocalDir(dir) => {
                let path = local_path(dir, key)?;
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent)
                        .await
                        .map_err(|e| AppError::Blob(format!("{}: {e}", parent.display())))?;
                }
                // Write then rename, so a reader never sees half a file.
                let tmp = path.with_extension("part");
                tokio::fs::write(&tmp, bytes)
                    .await
                    .map_err(|e| AppError::Blob(format!("{}: {e}", tmp.display())))?;
                tokio::fs::rename(&tmp, &path)
                    .await
                    .map_err(|e| AppError::Blob(format!("{}: {e}", path.display())))
            }
            Blobs::S3 { client, bucket } => client
                .put_object()
                .bucket(bucket)
                .key(key)
                .content_type(content_type)
                .body(bytes.into())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    AppError::Blob(format!(
                        "S3 PutObject {bucket}/{key}: {}",
                        aws_sdk_s3::error::DisplayErrorContext(e)
                    ))
                }),
        }
    }

    /// The bytes under `key`; `None` when there are none.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, AppError> {
        match self {
            Blobs::Absent => Err(absent()),
            Blobs::LocalDir(dir) => {
                let path = local_path(dir, key)?;
                match tokio::fs::read(&path).await {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(AppError::Blob(format!("{}: {e}", path.display()))),
                }
            }
            Blobs::S3 { client, bucket } => {
                let out = match client.get_object().bucket(bucket).key(key).send().await {
                    Ok(out) => out,
                    Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => {
                        return Ok(None);
                    }
                    Err(e) => {
                        return Err(AppError::Blob(format!(
                            "S3 GetObject {bucket}/{key}: {}",
                            aws_sdk_s3::error::DisplayErrorContext(e)
                        )));
                    }
                };
                let bytes = out.body.collect().await.map_err(|e| {
                    AppError::Blob(format!(
                        "S3 GetObject {bucket}/{key}: reading the body: {e}"
                    ))
                })?;
                Ok(Some(bytes.into_bytes().to_vec()))
            }
        }
    }
}

/// The file of `key` under `dir`. Keys are made by the platform (`tickets/<id>/<id>`,
/// `documents/<dealer>/<id>.pdf`), but
/// the check is here anyway: nothing outside `dir` is ever touched.
fn local_path(dir: &Path, key: &str) -> Result<PathBuf, AppError> {
    let safe = !key.is_empty()
        && key.split('/').all(|part| {
            // A dot for an extension (`documents/<dealer>/<id>.pdf`), never first: no `.`,
            // `..` or hidden file.
            !part.is_empty()
                && !part.starts_with('.')
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
    if !safe {
        return Err(AppError::Blob(format!("refused blob key {key:?}")));
    }
    Ok(dir.join(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_local_folder_keeps_what_it_is_given_and_refuses_keys_that_leave_it() {
        let dir = std::env::temp_dir().join(format!("dd-blobs-{}", ulid::Ulid::new()));
        let blobs = Blobs::LocalDir(dir.clone());
        assert_eq!(blobs.get("tickets/t1/a1").await.unwrap(), None);
        blobs
            .put("tickets/t1/a1", "text/plain", b"first".to_vec())
            .await
            .unwrap();
        blobs
            .put("tickets/t1/a1", "text/plain", b"second".to_vec())
            .await
            .unwrap();
        assert_eq!(
            blobs.get("tickets/t1/a1").await.unwrap().as_deref(),
            Some(&b"second"[..])
        );
        for bad in ["../x", "tickets/../../x", "/etc/passwd", "", "a//b", "a/.b"] {
            assert!(blobs.get(bad).await.is_err(), "{bad}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}

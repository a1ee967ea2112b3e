//! Where documents' files live: an object store, through the `object_store` crate. By default
//! a folder of the data directory; with `RELAIS_FILES_BUCKET`, an S3-compatible bucket (its
//! endpoint and credentials from the usual `AWS_*` variables), so that several server
//! processes serve the same files.
//!
//! Each upload is written under a key of its own and only then named on the document, in a
//! transaction: a file is never served half-written, and a failed upload leaves the previous
//! one in place.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt};

use crate::error::{ApiError, ApiResult};
use crate::msg;

/// Where the files are kept.
#[derive(Clone, Debug)]
pub enum Storage {
    /// A folder, created when missing.
    Folder(PathBuf),
    /// An S3-compatible bucket.
    Bucket(String),
}

/// The file store.
pub struct Files {
    store: Arc<dyn ObjectStore>,
    /// The largest file accepted, in bytes.
    pub max_bytes: u64,
}

impl Files {
    pub fn open(storage: &Storage, max_bytes: u64) -> Result<Files, String> {
        let store: Arc<dyn ObjectStore> = match storage {
            Storage::Folder(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                Arc::new(
                    LocalFileSystem::new_with_prefix(dir)
                        .map_err(|e| format!("cannot use {} for files: {e}", dir.display()))?,
                )
            }
            Storage::Bucket(bucket) => Arc::new(
                AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .build()
                    .map_err(|e| format!("cannot use the bucket {bucket}: {e}"))?,
            ),
        };
        Ok(Files { store, max_bytes })
    }

    /// A writer of a new object: buffered, then uploaded in parts past its capacity.
    pub fn writer(&self, key: &str) -> BufWriter {
        BufWriter::new(self.store.clone(), Path::from(key))
    }

    /// The bytes of `key`, or of `range` of them.
    pub async fn read(
        &self,
        key: &str,
        range: Option<Range<u64>>,
    ) -> ApiResult<BoxStream<'static, object_store::Result<Bytes>>> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let found = self
            .store
            .get_opts(&Path::from(key), options)
            .await
            .map_err(|e| match e {
                object_store::Error::NotFound { .. } => {
                    ApiError::internal(format!("the file {key} is missing from the store"))
                }
                other => ApiError::unavailable(msg!("file-store", reason = other.to_string())),
            })?;
        Ok(found.into_stream())
    }

    /// Removes `key`; a failure leaves an orphan object, which is logged, not an error of the
    /// request that no longer needs it.
    pub async fn remove(&self, key: &str) {
        if let Err(e) = self.store.delete(&Path::from(key)).await {
            log::warn!("could not remove the file {key}: {e}");
        }
    }
}

//! Blob stores besides a local folder, and sets of replicas, all behind the one
//! [`BlobStore`] trait.
//!
//! - [`open`] turns a `--store` value into a store: a folder path ([`DirStore`]),
//!   `s3://bucket[/prefix]` (any S3-compatible service; endpoint, region and credentials
//!   from the usual `AWS_*` environment variables, path-style requests so local servers
//!   work), or `https://host[/path]` / `http://host[:port][/path]` (read-only: a static
//!   host or `ehr store serve`). Remote stores are [`object_store`] clients.
//! - [`Replicas`] is several stores as one: a write goes to every writable store and
//!   succeeds when at least the quorum took it; a read tries them in order.
//!
//! The trait is synchronous (it streams through `Read`/`Write`, and its callers run
//! inside tokio, the CLI's runtime or `ehr serve`'s). Remote stores do their I/O on a
//! small runtime of their own and the calling thread waits on a channel: no runtime is
//! ever entered from inside another, so this works from any thread, async or not.

use std::future::Future;
use std::io::{Read, Write};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt as _;
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path as KeyPath;
use object_store::{
    ClientOptions, GetOptions, GetRange, ObjectStore, PutPayload, RetryConfig, WriteMultipart,
};
use rand_core::{OsRng, RngCore as _};
use sha2::{Digest, Sha256};

use super::locator::{base_url, is_bucket, is_host_port, is_segment, BlobUrl, Scheme};
use super::records::{BlobError, BlobStore, BlobWriter, DirStore, RecordError, Stored};
use super::upload::{Progress, Saved, Staged, StoreUpload, UploadEvent, UploadedPart};

/// Bytes gathered before they are handed to an upload (one hop to the I/O runtime each).
const HAND_OFF: usize = 1024 * 1024;
/// The size of each part of a multipart upload (S3 takes 5 MiB at least, but the last).
const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts in flight at once: memory for an upload stays under (this + 1) parts.
const PARTS_IN_FLIGHT: usize = 2;

/// The runtime remote stores do their I/O on, started on first use and kept for the
/// process (never dropped, so never dropped inside an async context).
fn io_runtime() -> Result<&'static tokio::runtime::Runtime, String> {
    static RUNTIME: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("ehr-blob-io")
                .enable_all()
                .build()
                .ok()
        })
        .as_ref()
        .ok_or_else(|| "cannot start the blob I/O threads".to_string())
}

/// Runs `task` on the I/O runtime and waits for its output on this thread.
fn wait<F>(task: F) -> Result<F::Output, String>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    io_runtime()?.spawn(async move {
        let _ = tx.send(task.await);
    });
    rx.recv()
        .map_err(|_| "the blob I/O task stopped".to_string())
}

/// A store on an [`ObjectStore`]: an S3-compatible bucket, or a plain HTTP(S) server
/// (read-only), with blobs under `<prefix>/<sha256 hex>`.
#[derive(Debug, Clone)]
pub struct ObjectBlobs {
    store: Arc<dyn ObjectStore>,
    /// The same store's multipart uploads, part by part (S3), for uploads that resume.
    multipart: Option<Arc<object_store::aws::AmazonS3>>,
    /// The key prefix inside the store (S3), or none (HTTP: the prefix is in the base URL).
    keys: Vec<String>,
    /// How locators and messages name it: `s3://bucket/prefix`, `https://host/path`.
    base: String,
    writable: bool,
}

/// The client settings of every remote store: a few quick retries (a dead replica must
/// not hold a read for minutes), and room for a large blob to stream.
fn client_options(allow_http: bool) -> ClientOptions {
    ClientOptions::new()
        .with_allow_http(allow_http)
        .with_connect_timeout(Duration::from_secs(5))
        .with_timeout(Duration::from_secs(3600))
}

fn retry() -> RetryConfig {
    RetryConfig {
        max_retries: 2,
        retry_timeout: Duration::from_secs(15),
        ..RetryConfig::default()
    }
}

impl ObjectBlobs {
    /// The bucket `bucket` of an S3-compatible service, blobs under `prefix`. Endpoint,
    /// region and credentials come from `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT`),
    /// `AWS_DEFAULT_REGION` (or `AWS_REGION`), `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY`; requests are path-style (`endpoint/bucket/key`), which
    /// local servers need. Without an access key, requests go unsigned (a public bucket).
    pub fn s3(bucket: &str, prefix: &[String]) -> Result<Self, String> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let endpoint = env("AWS_ENDPOINT_URL").or_else(|| env("AWS_ENDPOINT"));
        let allow_http = endpoint
            .as_deref()
            .is_some_and(|e| e.starts_with("http://"));
        let mut builder = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_virtual_hosted_style_request(false)
            .with_client_options(client_options(allow_http))
            .with_retry(retry());
        if let Some(endpoint) = endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if env("AWS_DEFAULT_REGION").is_none() {
            if let Some(region) = env("AWS_REGION") {
                builder = builder.with_region(region);
            }
        }
        if env("AWS_ACCESS_KEY_ID").is_none()
            && env("AWS_WEB_IDENTITY_TOKEN_FILE").is_none()
            && env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").is_none()
            && env("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_none()
        {
            builder = builder.with_skip_signature(true);
        }
        let store = Arc::new(builder.build().map_err(|e| format!("s3://{bucket}: {e}"))?);
        Ok(ObjectBlobs {
            store: store.clone(),
            multipart: Some(store),
            keys: prefix.to_vec(),
            base: base_url(Scheme::S3, bucket, prefix),
            writable: true,
        })
    }

    /// A plain HTTP(S) server with blobs at `<scheme>://<authority>/<prefix>/<hex>`:
    /// read-only.
    pub fn http(scheme: Scheme, authority: &str, prefix: &[String]) -> Result<Self, String> {
        let base = base_url(scheme, authority, prefix);
        let store = object_store::http::HttpBuilder::new()
            .with_url(base.clone())
            .with_client_options(client_options(scheme == Scheme::Http))
            .with_retry(retry())
            .build()
            .map_err(|e| format!("{base}: {e}"))?;
        Ok(ObjectBlobs {
            store: Arc::new(store),
            multipart: None,
            keys: Vec::new(),
            base,
            writable: false,
        })
    }

    fn key(&self, name: &str) -> KeyPath {
        KeyPath::from_iter(self.keys.iter().map(String::as_str).chain([name]))
    }

    fn failed(&self, what: &str, e: impl std::fmt::Display) -> String {
        format!("{}: {what}: {e}", self.base)
    }
}

impl BlobStore for ObjectBlobs {
    fn writer(&self) -> Result<Box<dyn BlobWriter + '_>, RecordError> {
        if !self.writable {
            return Err(RecordError::Store(format!(
                "{} is read-only (a plain HTTP store): write to a folder or an s3:// store",
                self.base
            )));
        }
        // Uploaded under a temporary name, copied to its hash's name by `commit`.
        let mut tag = [0u8; 8];
        OsRng.fill_bytes(&mut tag);
        let tmp = self.key(&format!(".incoming-{}", hex::encode(tag)));
        let store = self.store.clone();
        let key = tmp.clone();
        let upload = wait(async move { store.put_multipart(&key).await })
            .and_then(|r| r.map_err(|e| self.failed("starting an upload", e)))
            .map_err(RecordError::Store)?;
        Ok(Box::new(ObjectBlobWriter {
            blobs: self,
            tmp,
            upload: Some(WriteMultipart::new_with_chunk_size(upload, PART_SIZE)),
            buffer: Vec::with_capacity(HAND_OFF),
            hash: Sha256::new(),
            len: 0,
        }))
    }

    fn reader(&self, hash: &[u8; 32]) -> Result<Box<dyn Read + Send + '_>, BlobError> {
        self.reader_from(hash, 0)
    }

    fn reader_from(
        &self,
        hash: &[u8; 32],
        offset: u64,
    ) -> Result<Box<dyn Read + Send + '_>, BlobError> {
        let name = hex::encode(hash);
        let store = self.store.clone();
        let key = self.key(&name);
        let options = GetOptions {
            range: (offset > 0).then_some(GetRange::Offset(offset)),
            ..GetOptions::default()
        };
        let got =
            wait(async move { store.get_opts(&key, options).await }).map_err(BlobError::Failed)?;
        match got {
            Ok(got) => Ok(Box::new(StreamReader {
                stream: Some(got.into_stream()),
                current: Bytes::new(),
                base: self.base.clone(),
            })),
            Err(object_store::Error::NotFound { .. }) => Err(BlobError::Missing(name)),
            Err(e) => Err(BlobError::Failed(
                self.failed(&format!("reading blob {name}"), e),
            )),
        }
    }

    fn name(&self) -> String {
        self.base.clone()
    }

    fn writable(&self) -> bool {
        self.writable
    }

    /// A multipart upload straight to the blob's key in parts of [`PART_SIZE`]
    /// ([`PARTS_IN_FLIGHT`] at once), each part journaled as the service confirms it; a
    /// rerun sends only the parts the journal lacks. The object's size is checked after
    /// the upload completes.
    fn upload(
        &self,
        staged: &Staged,
        state: &mut StoreUpload,
        saved: &mut Saved<'_>,
        progress: &mut Progress<'_>,
    ) -> Result<Stored, RecordError> {
        let Some(multipart) = self.multipart.clone().filter(|_| self.writable) else {
            return super::upload::upload_whole(self, staged, progress);
        };
        let name = hex::encode(staged.hash);
        let key = self.key(&name);
        let failed = |what: &str, e: String| RecordError::Store(self.failed(what, e));
        if let StoreUpload::Multipart { key: k, .. } = state {
            if *k != key.as_ref() {
                return Err(RecordError::Store(format!(
                    "the upload journal names the key {k}, not {key}"
                )));
            }
        }
        let (upload_id, mut parts) = match std::mem::take(state) {
            StoreUpload::NotStarted => {
                let (mp, k) = (multipart.clone(), key.clone());
                let id = wait(async move { mp.create_multipart(&k).await })
                    .map_err(|e| failed("starting an upload", e))?
                    .map_err(|e| failed("starting an upload", e.to_string()))?;
                (id, Vec::new())
            }
            StoreUpload::Multipart {
                upload_id, parts, ..
            } => (upload_id, parts),
            other => {
                let kind = other.kind();
                *state = other;
                return Err(RecordError::Store(format!(
                    "the upload journal holds a {kind} upload, not an S3 store's"
                )));
            }
        };
        let journal = |parts: &[UploadedPart]| StoreUpload::Multipart {
            key: key.to_string(),
            upload_id: upload_id.clone(),
            parts: parts.to_vec(),
        };
        *state = journal(&parts);
        saved(state).map_err(|e| failed("journaling the upload", e.to_string()))?;

        let count = staged.len.div_ceil(PART_SIZE as u64).max(1);
        let part_len =
            |number: u64| (staged.len - (number - 1) * PART_SIZE as u64).min(PART_SIZE as u64);
        if let Some(bad) = parts.iter().find(|p| {
            !(1..=count).contains(&u64::from(p.number)) || p.size != part_len(p.number.into())
        }) {
            return Err(RecordError::Store(format!(
                "the upload journal's part {} ({} bytes) is not a part of this blob",
                bad.number, bad.size
            )));
        }
        let mut done: u64 = parts.iter().map(|p| p.size).sum();
        progress(UploadEvent::Started {
            store: self.name(),
            done,
            total: staged.len,
            resumable: true,
        });
        let mut missing = (1..=count)
            .filter(|n| !parts.iter().any(|p| u64::from(p.number) == *n))
            .collect::<Vec<_>>()
            .into_iter();
        let runtime = io_runtime().map_err(|e| failed("uploading", e))?;
        let (tx, rx) = std::sync::mpsc::channel();
        let mut in_flight = 0;
        loop {
            while in_flight < PARTS_IN_FLIGHT {
                let Some(number) = missing.next() else { break };
                let size = part_len(number);
                let mut bytes = vec![0u8; size as usize];
                staged
                    .open_at((number - 1) * PART_SIZE as u64)?
                    .read_exact(&mut bytes)
                    .map_err(|e| {
                        RecordError::Store(format!("reading {}: {e}", staged.path.display()))
                    })?;
                let (mp, k, id, tx) = (
                    multipart.clone(),
                    key.clone(),
                    upload_id.clone(),
                    tx.clone(),
                );
                runtime.spawn(async move {
                    let put = mp
                        .put_part(&k, &id, (number - 1) as usize, PutPayload::from(bytes))
                        .await;
                    let _ = tx.send((number, size, put));
                });
                in_flight += 1;
            }
            if in_flight == 0 {
                break;
            }
            let (number, size, put) = rx
                .recv()
                .map_err(|_| failed("uploading", "the blob I/O task stopped".into()))?;
            in_flight -= 1;
            let part = match put {
                Ok(part) => part,
                // The service dropped the upload (expired or aborted): the next run
                // starts a new one, from the same staged file.
                Err(object_store::Error::NotFound { .. }) => {
                    *state = StoreUpload::NotStarted;
                    saved(state).map_err(|e| failed("journaling the upload", e.to_string()))?;
                    return Err(failed(
                        "uploading",
                        format!("the service no longer has the multipart upload {upload_id} (expired or aborted); the next run starts it over"),
                    ));
                }
                Err(e) => return Err(failed(&format!("uploading part {number}"), e.to_string())),
            };
            parts.push(UploadedPart {
                number: number as u32,
                etag: part.content_id,
                size,
            });
            parts.sort_by_key(|p| p.number);
            *state = journal(&parts);
            saved(state).map_err(|e| failed("journaling the upload", e.to_string()))?;
            done += size;
            progress(UploadEvent::Sent { done });
        }

        let ids = parts
            .iter()
            .map(|p| PartId {
                content_id: p.etag.clone(),
            })
            .collect();
        let (store, mp, k, id) = (
            self.store.clone(),
            multipart,
            key.clone(),
            upload_id.clone(),
        );
        let meta = wait(async move {
            mp.complete_multipart(&k, &id, ids)
                .await
                .map_err(|e| ("completing the upload", e))?;
            store
                .head(&k)
                .await
                .map_err(|e| ("checking the uploaded blob", e))
        })
        .map_err(|e| failed("uploading", e))?
        .map_err(|(what, e)| failed(what, e.to_string()))?;
        if meta.size != staged.len {
            return Err(RecordError::Store(self.failed(
                "checking the uploaded blob",
                format!("it holds {} bytes, not the {} sent", meta.size, staged.len),
            )));
        }
        Ok(Stored {
            locator: format!("{}/{name}", self.base),
            content_hash: staged.hash,
            len: staged.len,
        })
    }
}

/// [`ObjectBlobs`]' blob writer: a multipart upload under a temporary key, copied to the
/// hash's key by `commit` (the hash is known only at the end) and aborted when dropped
/// before.
struct ObjectBlobWriter<'a> {
    blobs: &'a ObjectBlobs,
    tmp: KeyPath,
    /// `None` once failed or committed.
    upload: Option<WriteMultipart>,
    buffer: Vec<u8>,
    hash: Sha256,
    len: u64,
}

impl ObjectBlobWriter<'_> {
    /// Hands the buffered bytes to the upload, waiting while too many parts are in flight.
    fn hand_off(&mut self) -> std::io::Result<()> {
        let mut upload = self
            .upload
            .take()
            .ok_or_else(|| std::io::Error::other("the upload already failed"))?;
        let bytes = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(HAND_OFF),
        ));
        let handed = wait(async move {
            match upload.wait_for_capacity(PARTS_IN_FLIGHT).await {
                Ok(()) => {
                    upload.put(bytes);
                    Ok(upload)
                }
                Err(e) => {
                    let _ = upload.abort().await;
                    Err(e)
                }
            }
        })
        .map_err(std::io::Error::other)?;
        self.upload = Some(
            handed.map_err(|e| std::io::Error::other(self.blobs.failed("uploading a blob", e)))?,
        );
        Ok(())
    }
}

impl Write for ObjectBlobWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.upload.is_none() {
            return Err(std::io::Error::other("the upload already failed"));
        }
        let n = buf.len().min(HAND_OFF - self.buffer.len());
        self.buffer.extend_from_slice(&buf[..n]);
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        if self.buffer.len() >= HAND_OFF {
            self.hand_off()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl BlobWriter for ObjectBlobWriter<'_> {
    fn commit(mut self: Box<Self>) -> Result<Stored, RecordError> {
        let failed = |e: std::io::Error| RecordError::Store(e.to_string());
        if !self.buffer.is_empty() {
            self.hand_off().map_err(failed)?;
        }
        let upload = self
            .upload
            .take()
            .ok_or_else(|| RecordError::Store("the upload already failed".into()))?;
        let content_hash: [u8; 32] = std::mem::take(&mut self.hash).finalize().into();
        let name = hex::encode(content_hash);
        let store = self.blobs.store.clone();
        let (tmp, key) = (self.tmp.clone(), self.blobs.key(&name));
        let stored = wait(async move {
            if let Err(e) = upload.finish().await {
                return Err(("uploading a blob", e));
            }
            // The same name always holds the same bytes: a copy over an existing blob is
            // harmless.
            let copied = store.copy(&tmp, &key).await;
            let _ = store.delete(&tmp).await;
            copied.map_err(|e| ("storing a blob under its hash", e))
        })
        .map_err(RecordError::Store)?;
        stored.map_err(|(what, e)| RecordError::Store(self.blobs.failed(what, e)))?;
        Ok(Stored {
            locator: format!("{}/{name}", self.blobs.base),
            content_hash,
            len: self.len,
        })
    }
}

impl Drop for ObjectBlobWriter<'_> {
    fn drop(&mut self) {
        // Not committed: the partial upload goes, in the background (nothing to do if
        // that fails; the service expires abandoned uploads).
        if let (Some(upload), Ok(runtime)) = (self.upload.take(), io_runtime()) {
            runtime.spawn(async move {
                let _ = upload.abort().await;
            });
        }
    }
}

/// A blob's byte stream read through [`wait`], one chunk at a time.
struct StreamReader {
    stream: Option<BoxStream<'static, object_store::Result<Bytes>>>,
    current: Bytes,
    base: String,
}

impl Read for StreamReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            let Some(mut stream) = self.stream.take() else {
                return Ok(0);
            };
            let (stream, next) = wait(async move {
                let next = stream.next().await;
                (stream, next)
            })
            .map_err(std::io::Error::other)?;
            match next {
                Some(Ok(bytes)) => {
                    self.current = bytes;
                    self.stream = Some(stream);
                }
                Some(Err(e)) => {
                    return Err(std::io::Error::other(format!("{}: {e}", self.base)));
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// The store a URL locator names (its place, without the hash).
pub fn open_url(url: &BlobUrl) -> Result<Box<dyn BlobStore>, String> {
    Ok(Box::new(match url.scheme {
        Scheme::S3 => ObjectBlobs::s3(&url.authority, &url.prefix)?,
        Scheme::Https | Scheme::Http => ObjectBlobs::http(url.scheme, &url.authority, &url.prefix)?,
    }))
}

/// The store a `--store` value names: `s3://bucket[/prefix]`, `https://host[/path]`,
/// `http://host[:port][/path]`, or else a folder path.
pub fn open(spec: &str) -> Result<Box<dyn BlobStore>, RecordError> {
    let bad = |why: &str| RecordError::Store(format!("--store {spec}: {why}"));
    let Some((scheme, rest)) = spec.split_once("://") else {
        return Ok(Box::new(DirStore::new(spec)));
    };
    let scheme = match scheme {
        "s3" => Scheme::S3,
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        _ => {
            return Err(bad(
                "a store is a folder, s3://bucket[/prefix], or an http(s):// URL",
            ))
        }
    };
    let rest = rest.trim_end_matches('/');
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let prefix: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if !prefix.iter().all(|s| is_segment(s)) {
        return Err(bad(
            "path segments are letters, digits, `.`, `_`, `~` and `-` (not `.` or `..`)",
        ));
    }
    let store = match scheme {
        Scheme::S3 if is_bucket(authority) => ObjectBlobs::s3(authority, &prefix),
        Scheme::S3 => return Err(bad("not an S3 bucket name")),
        _ if is_host_port(authority) => ObjectBlobs::http(scheme, authority, &prefix),
        _ => return Err(bad("not a host name or address (with an optional port)")),
    };
    Ok(Box::new(store.map_err(RecordError::Store)?))
}

/// Several stores as one: writes go to every writable store, and succeed when at least
/// `quorum` of them took the blob; reads try the stores in order (see
/// [`Sources`](super::records::Sources)). The locator written on chain names the first
/// store: when that one is a read-only HTTP store (the public address of a folder that
/// `ehr store serve` publishes, say), the blob goes to the writable stores after it and
/// the locator is `<that URL>/<hex>`; otherwise it is the locator of the first writable
/// store that took the blob.
pub struct Replicas {
    stores: Vec<Box<dyn BlobStore>>,
    quorum: usize,
}

impl Replicas {
    /// The stores `specs` name (see [`open`]), with writes needing `quorum` of the
    /// writable ones (all of them when `None`).
    pub fn open(specs: &[String], quorum: Option<usize>) -> Result<Self, RecordError> {
        let stores = specs
            .iter()
            .map(|s| open(s))
            .collect::<Result<Vec<_>, _>>()?;
        Replicas::new(stores, quorum)
    }

    /// `stores` as one, with writes needing `quorum` of the writable ones (all of them
    /// when `None`).
    pub fn new(
        stores: Vec<Box<dyn BlobStore>>,
        quorum: Option<usize>,
    ) -> Result<Self, RecordError> {
        if stores.is_empty() {
            return Err(RecordError::Store("no store given".into()));
        }
        let writable = stores.iter().filter(|s| s.writable()).count();
        let quorum = quorum.unwrap_or(writable);
        if quorum == 0 && writable > 0 || quorum > writable {
            return Err(RecordError::Store(format!(
                "a write quorum of {quorum} with {writable} writable store(s): give 1 to {writable}"
            )));
        }
        Ok(Replicas { stores, quorum })
    }

    /// The stores, in order.
    pub fn stores(&self) -> impl Iterator<Item = &dyn BlobStore> {
        self.stores.iter().map(|s| s.as_ref())
    }
}

impl BlobStore for Replicas {
    fn writer(&self) -> Result<Box<dyn BlobWriter + '_>, RecordError> {
        if self.quorum == 0 {
            return Err(all_read_only());
        }
        let mut writers = Vec::new();
        let mut failures = Vec::new();
        for (n, store) in self.stores.iter().enumerate().filter(|(_, s)| s.writable()) {
            let label = format!("store {} ({})", n + 1, store.name());
            match store.writer() {
                Ok(w) => writers.push((label, w)),
                Err(e) => failures.push(format!("{label}: {e}")),
            }
        }
        if writers.len() < self.quorum {
            return Err(quorum_error(self.quorum, &failures));
        }
        let published = (!self.stores[0].writable()).then(|| self.stores[0].name());
        Ok(Box::new(TeeWriter {
            writers,
            failures,
            quorum: self.quorum,
            published,
        }))
    }

    fn reader(&self, hash: &[u8; 32]) -> Result<Box<dyn Read + Send + '_>, BlobError> {
        let mut failures = Vec::new();
        let mut all_missing = true;
        for (n, store) in self.stores.iter().enumerate() {
            match store.reader(hash) {
                Ok(reader) => return Ok(reader),
                Err(e) => {
                    all_missing &= matches!(e, BlobError::Missing(_));
                    failures.push(format!("store {} ({}): {e}", n + 1, store.name()));
                }
            }
        }
        let message = failures.join("; ");
        Err(if all_missing {
            BlobError::Missing(message)
        } else {
            BlobError::Failed(message)
        })
    }

    fn name(&self) -> String {
        self.stores
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn writable(&self) -> bool {
        self.quorum > 0
    }

    fn replicas(&self) -> Option<Vec<&dyn BlobStore>> {
        Some(self.stores().collect())
    }

    /// Uploads to each writable store in turn, each resuming from its own state; a store
    /// that has the whole blob is not sent it again. Succeeds when at least the quorum
    /// has it, with the locator [`Replicas`] writes name.
    fn upload(
        &self,
        staged: &Staged,
        state: &mut StoreUpload,
        saved: &mut Saved<'_>,
        progress: &mut Progress<'_>,
    ) -> Result<Stored, RecordError> {
        if self.quorum == 0 {
            return Err(all_read_only());
        }
        let mut states = match std::mem::take(state) {
            StoreUpload::NotStarted => vec![StoreUpload::NotStarted; self.stores.len()],
            StoreUpload::Replicas { stores } if stores.len() == self.stores.len() => stores,
            other => {
                let kind = other.kind();
                *state = other;
                return Err(RecordError::Store(format!(
                    "the upload journal holds a {kind} upload, not one to these {} store(s)",
                    self.stores.len()
                )));
            }
        };
        let mut first = None;
        let mut taken = 0;
        let mut failures = Vec::new();
        for (n, store) in self.stores.iter().enumerate().filter(|(_, s)| s.writable()) {
            let label = format!("store {} ({})", n + 1, store.name());
            let result = match std::mem::take(&mut states[n]) {
                StoreUpload::Done { locator } => {
                    states[n] = StoreUpload::Done {
                        locator: locator.clone(),
                    };
                    Ok(Stored {
                        locator,
                        content_hash: staged.hash,
                        len: staged.len,
                    })
                }
                mut mine => {
                    let others = &states;
                    let result = store.upload(
                        staged,
                        &mut mine,
                        &mut |now| {
                            let mut all = others.clone();
                            all[n] = now.clone();
                            saved(&StoreUpload::Replicas { stores: all })
                        },
                        progress,
                    );
                    states[n] = match &result {
                        Ok(stored) => StoreUpload::Done {
                            locator: stored.locator.clone(),
                        },
                        Err(_) => mine,
                    };
                    *state = StoreUpload::Replicas {
                        stores: states.clone(),
                    };
                    saved(state)
                        .map_err(|e| RecordError::Store(format!("journaling the upload: {e}")))?;
                    result
                }
            };
            match result {
                Ok(stored) => {
                    taken += 1;
                    first.get_or_insert(stored);
                }
                Err(e) => failures.push(format!("{label}: {e}")),
            }
        }
        *state = StoreUpload::Replicas { stores: states };
        match first {
            Some(stored) if taken >= self.quorum => Ok(as_published(
                (!self.stores[0].writable()).then(|| self.stores[0].name()),
                stored,
            )),
            _ => Err(quorum_error(self.quorum, &failures)),
        }
    }
}

/// `stored` as the locator names it: under `published` (the read-only store the
/// locator names, when the first store is one), else where it was stored.
fn as_published(published: Option<String>, stored: Stored) -> Stored {
    match published {
        Some(base) => Stored {
            locator: format!("{base}/{}", hex::encode(stored.content_hash)),
            ..stored
        },
        None => stored,
    }
}

fn all_read_only() -> RecordError {
    RecordError::Store("every store given is read-only: add a folder or an s3:// store".into())
}

fn quorum_error(quorum: usize, failures: &[String]) -> RecordError {
    RecordError::Store(format!(
        "fewer stores than the write quorum of {quorum} took the blob: {}",
        failures.join("; ")
    ))
}

/// [`Replicas`]' writer: every byte to every store still writing; a store that fails is
/// dropped (its partial blob with it) while the quorum can still be met.
struct TeeWriter<'a> {
    writers: Vec<(String, Box<dyn BlobWriter + 'a>)>,
    failures: Vec<String>,
    quorum: usize,
    /// The read-only store the locator names, if the first store is one.
    published: Option<String>,
}

impl Write for TeeWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut i = 0;
        while i < self.writers.len() {
            match self.writers[i].1.write_all(buf) {
                Ok(()) => i += 1,
                Err(e) => {
                    let (label, _) = self.writers.remove(i);
                    self.failures.push(format!("{label}: {e}"));
                }
            }
        }
        if self.writers.len() < self.quorum {
            return Err(std::io::Error::other(format!(
                "fewer stores than the write quorum of {} are still writing: {}",
                self.quorum,
                self.failures.join("; ")
            )));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        for (_, w) in &mut self.writers {
            w.flush()?;
        }
        Ok(())
    }
}

impl BlobWriter for TeeWriter<'_> {
    fn commit(self: Box<Self>) -> Result<Stored, RecordError> {
        let TeeWriter {
            writers,
            mut failures,
            quorum,
            published,
        } = *self;
        let mut first = None;
        let mut taken = 0;
        for (label, writer) in writers {
            match writer.commit() {
                Ok(stored) => {
                    taken += 1;
                    first.get_or_insert(stored);
                }
                Err(e) => failures.push(format!("{label}: {e}")),
            }
        }
        match first {
            Some(stored) if taken >= quorum => Ok(as_published(published, stored)),
            _ => Err(quorum_error(quorum, &failures)),
        }
    }
}

/// Copies the blob stored under `hash` from `from` into `to`, streaming, after checking
/// that `from`'s copy has the SHA-256 `expected` (the chain's content hash); the copy is
/// checked again as it is written.
pub fn copy_blob(
    from: &dyn BlobStore,
    to: &dyn BlobStore,
    hash: &[u8; 32],
    expected: &[u8; 32],
) -> Result<Stored, RecordError> {
    let name = hex::encode(hash);
    let reading = |e: BlobError| RecordError::Store(format!("{}: {e}", from.name()));
    let mut hasher = Sha256::new();
    let mut source = from.reader(hash).map_err(reading)?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = source.read(&mut buf).map_err(|e| {
            RecordError::Store(format!("{}: reading blob {name}: {e}", from.name()))
        })?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    if &<[u8; 32]>::from(hasher.finalize()) != expected {
        return Err(RecordError::Store(format!(
            "{}: its copy of blob {name} does not match the hash on chain; not copied",
            from.name()
        )));
    }
    let mut writer = to.writer()?;
    std::io::copy(&mut from.reader(hash).map_err(reading)?, &mut writer)
        .map_err(|e| RecordError::Store(format!("copying blob {name} to {}: {e}", to.name())))?;
    let stored = writer.commit()?;
    if &stored.content_hash != expected {
        return Err(RecordError::Store(format!(
            "blob {name} changed in {} while it was copied",
            from.name()
        )));
    }
    Ok(stored)
}

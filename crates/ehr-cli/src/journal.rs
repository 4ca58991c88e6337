//! Progress of multi-transaction commands, kept on disk so that running the same command
//! again after an interruption (a timeout, Ctrl-C, a node restart) finishes what is
//! missing instead of doing it twice.
//!
//! One JSON file per unit of work under `$EHR_HOME/pending/`, named by a hash of what the
//! command was asked to do (kind, network, signer, inputs): the same command finds it, a
//! different one does not. Written atomically (temporary file, then rename), readable by
//! the user only; removed when the whole command has succeeded.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// One unit of work's saved progress.
#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
}

impl Journal {
    /// The journal of the work `kind` identified by `parts` (each hashed in, with its
    /// length, so no two different lists collide).
    pub fn new<P: AsRef<[u8]>>(kind: &str, parts: &[P]) -> anyhow::Result<Self> {
        let mut hash = Sha256::new();
        for part in std::iter::once(kind.as_bytes()).chain(parts.iter().map(AsRef::as_ref)) {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part);
        }
        let name = format!("{kind}-{}.json", hex::encode(&hash.finalize()[..12]));
        Ok(Journal {
            path: crate::context::ehr_home()?.join("pending").join(name),
        })
    }

    /// Where it is kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved progress, if an earlier run left some.
    pub fn load<T: DeserializeOwned>(&self) -> anyhow::Result<Option<T>> {
        match fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).with_context(|| {
                format!(
                    "the saved progress in {} is damaged; delete it to start over",
                    self.path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", self.path.display())),
        }
    }

    /// Saves `progress`, replacing what was there.
    pub fn save<T: Serialize>(&self, progress: &T) -> anyhow::Result<()> {
        let dir = self.path.parent().expect("a journal lives in a directory");
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .with_context(|| format!("restricting {}", dir.display()))?;
        // Each save has its own temporary file (created 0600), so two runs saving at once
        // cannot mix their bytes; the rename is atomic.
        let write = || -> std::io::Result<()> {
            let mut file = tempfile::NamedTempFile::new_in(dir)?;
            file.write_all(&serde_json::to_vec_pretty(progress)?)?;
            file.as_file().sync_all()?;
            file.persist(&self.path).map_err(|e| e.error)?;
            Ok(())
        };
        write().with_context(|| format!("saving progress to {}", self.path.display()))
    }

    /// Saves `progress` from inside work that cannot stop to handle an error: a failure is
    /// said on standard error, and the work goes on.
    pub fn save_or_warn<T: Serialize>(&self, progress: &T) {
        if let Err(e) = self.save(progress) {
            eprintln!(
                "warning: {e:#}; if this command is interrupted now, the rerun may not find its progress"
            );
        }
    }

    /// Forgets the progress: the work is done.
    pub fn remove(&self) -> anyhow::Result<()> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e).with_context(|| format!("removing {}", self.path.display())),
        }
    }
}

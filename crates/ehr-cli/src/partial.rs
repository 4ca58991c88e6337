//! A file written in full or not at all: the bytes go to a temporary file beside the
//! target, which takes the target's name only once everything is written and checked
//! (a decrypted record streamed out is not to be trusted until its last segment opens).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rand_core::RngCore as _;

/// A file being written; removed when dropped before [`Partial::keep`].
pub struct Partial {
    file: Option<File>,
    tmp: PathBuf,
    target: PathBuf,
}

impl Partial {
    /// A temporary file in `target`'s directory.
    pub fn create(target: &Path) -> anyhow::Result<Self> {
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .with_context(|| format!("{} names no file", target.display()))?;
        let mut tag = [0u8; 6];
        rand_core::OsRng.fill_bytes(&mut tag);
        let tmp = dir.join(format!(
            ".{}.partial-{}",
            name.to_string_lossy(),
            hex::encode(tag)
        ));
        let file = File::create(&tmp).with_context(|| format!("writing {}", target.display()))?;
        Ok(Partial {
            file: Some(file),
            tmp,
            target: target.to_path_buf(),
        })
    }

    /// Gives the written bytes the target's name.
    pub fn keep(mut self) -> anyhow::Result<()> {
        let writing = || format!("writing {}", self.target.display());
        if let Some(file) = self.file.take() {
            file.sync_all().with_context(writing)?;
        }
        std::fs::rename(&self.tmp, &self.target).with_context(writing)
    }
}

impl Write for Partial {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(file) => file.write(buf),
            None => Err(io::Error::other("already kept")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), |f| f.flush())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if self.file.is_some() {
            // Not kept: the incomplete file goes. Nothing to do if that fails.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

//! The local keystore: one file per named key, readable only by its owner.
//!
//! A key file holds the secret key in hex and nothing else, so `--key-file` can read it
//! too. As ssh does: the directory is created 0700 and files 0600, and a key file that
//! others can read is refused ([`read_key_file`]). Files are never overwritten: importing
//! or creating a name that exists is refused, so a key cannot be lost by a typo.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use ehr_sdk::keys::SecretKey;

/// A directory of named keys.
pub struct Keystore {
    dir: PathBuf,
}

impl Keystore {
    /// The keystore at `dir`, or `$EHR_HOME/keys`, or `~/.ehr/keys`.
    pub fn open(dir: Option<PathBuf>) -> anyhow::Result<Self> {
        let dir = match dir {
            Some(dir) => dir,
            None => crate::context::ehr_home()
                .map_err(|_| anyhow::anyhow!("no keystore: set EHR_HOME or --keystore DIR"))?
                .join("keys"),
        };
        Ok(Keystore { dir })
    }

    /// Where it is.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, name: &str) -> anyhow::Result<PathBuf> {
        let valid = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            bail!("account name `{name}`: use 1-64 letters, digits, `-` or `_`");
        }
        Ok(self.dir.join(format!("{name}.key")))
    }

    /// The key named `name`, if the keystore has it.
    pub fn load(&self, name: &str) -> anyhow::Result<Option<SecretKey>> {
        let Ok(path) = self.path(name) else {
            return Ok(None);
        };
        if !path.exists() {
            return Ok(None);
        }
        read_key_file(&path).map(Some)
    }

    /// Stores `key` as `name`; refuses to overwrite.
    pub fn store(&self, name: &str, key: &SecretKey) -> anyhow::Result<PathBuf> {
        let path = self.path(name)?;
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt as _;
            builder.mode(0o700);
        }
        builder
            .create(&self.dir)
            .with_context(|| format!("creating {}", self.dir.display()))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = match options.open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                bail!(
                    "an account named `{name}` already exists ({}); choose another name",
                    path.display()
                )
            }
            Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
        };
        file.write_all(key.expose_hex().as_bytes())
            .and_then(|()| file.write_all(b"\n"))
            .and_then(|()| file.sync_all())
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }

    /// The names of the stored keys, sorted.
    pub fn names(&self) -> anyhow::Result<Vec<String>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", self.dir.display())),
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.strip_suffix(".key"))
                    .map(str::to_string)
            })
            .collect();
        names.sort();
        Ok(names)
    }
}

/// Reads the secret key in the file at `path` (hex, surrounding whitespace ignored). On
/// Unix a file that its group or others may read or write is refused, as ssh refuses an
/// unprotected private key: the message names the file and the `chmod` that fixes it.
pub fn read_key_file(path: &Path) -> anyhow::Result<SecretKey> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("reading key file {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "key file {} is open to others (mode {:o}): a secret key must be readable by its owner only; run `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading key file {}", path.display()))?;
    SecretKey::from_hex(text.trim()).with_context(|| format!("key file {}", path.display()))
}

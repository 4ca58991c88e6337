//! Clarinet project manifests (`Clarinet.toml`): which contracts a project has, where their
//! sources are, and their Clarity version.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clarity::vm::ClarityVersion;
use serde::Deserialize;

use super::error::SimnetError;

/// One contract of a project, its source read from disk.
#[derive(Debug, Clone)]
pub struct ProjectContract {
    /// Contract name (the key under `[contracts]`).
    pub name: String,
    /// Path of the source file.
    pub path: PathBuf,
    /// Clarity source.
    pub source: String,
    /// Clarity version the contract is written in.
    pub clarity_version: ClarityVersion,
}

/// A loaded Clarinet project.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Project name.
    pub name: String,
    /// Directory holding `Clarinet.toml`.
    pub root: PathBuf,
    /// Contracts in the manifest's order.
    pub contracts: Vec<ProjectContract>,
}

#[derive(Deserialize)]
struct RawManifest {
    project: RawProject,
    #[serde(default)]
    contracts: BTreeMap<String, RawContract>,
}

#[derive(Deserialize)]
struct RawProject {
    name: String,
}

#[derive(Deserialize)]
struct RawContract {
    path: String,
    #[serde(default)]
    clarity_version: Option<u8>,
}

impl Manifest {
    /// Reads `Clarinet.toml` at `path` (or `path/Clarinet.toml` when `path` is a directory)
    /// and every contract source it names.
    pub fn load(path: &Path) -> Result<Manifest, SimnetError> {
        let file = if path.is_dir() {
            path.join("Clarinet.toml")
        } else {
            path.to_path_buf()
        };
        let bad = |message: String| SimnetError::Manifest {
            path: file.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(&file).map_err(|e| bad(format!("cannot read: {e}")))?;
        let raw: RawManifest = toml::from_str(&text).map_err(|e| bad(e.message().to_string()))?;
        let root = file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let mut contracts = Vec::with_capacity(raw.contracts.len());
        for (name, c) in raw.contracts {
            let clarity_version = match c.clarity_version.unwrap_or(2) {
                1 => ClarityVersion::Clarity1,
                2 => ClarityVersion::Clarity2,
                v => {
                    return Err(bad(format!(
                        "contract {name}: clarity_version {v} is not supported (this VM runs Clarity 1 and 2)"
                    )))
                }
            };
            let path = root.join(&c.path);
            let source = std::fs::read_to_string(&path).map_err(|e| SimnetError::Manifest {
                path: path.display().to_string(),
                message: format!("contract {name}: cannot read source: {e}"),
            })?;
            contracts.push(ProjectContract {
                name,
                path,
                source,
                clarity_version,
            });
        }
        Ok(Manifest {
            name: raw.project.name,
            root,
            contracts,
        })
    }
}

//! What a deployment publishes: [`Plan`], built in for the EHR contracts or read from a
//! Clarinet deployment plan.

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use clarity::vm::ClarityVersion;
use serde_yaml::{Mapping, Value as Yaml};

use crate::ehr::EHR_CONTRACTS;
use crate::network::Network;
use crate::tx::{Payload, TxError};

/// The SIP-009 NFT trait published on mainnet, which `access-token-nft` implements there
/// instead of a local copy: `<address>.<contract>.<trait>`.
pub const MAINNET_NFT_TRAIT: &str = "SP2PABAF9FTAJYNFZH93XENAJ8FVY99RRM50D2JG9.nft-trait.nft-trait";

/// The local SIP-009 trait contract, published on devnet and testnet only.
const LOCAL_TRAIT_CONTRACT: &str = "nft-trait";
/// The contract that implements the trait.
const TRAIT_IMPLEMENTER: &str = "access-token-nft";
/// Its declaration of the local trait, rewritten for mainnet.
const LOCAL_IMPL_TRAIT: &str = "(impl-trait .nft-trait.nft-trait)";

/// Clarity version of a Clarinet `contract-publish` without `clarity-version` (Clarinet's
/// default since epoch 2.1).
const CLARINET_DEFAULT_CLARITY: ClarityVersion = ClarityVersion::Clarity2;

/// Why a plan could not be built, read or used.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum PlanError {
    /// The plan file could not be read.
    #[error("cannot read deployment plan {}: {reason}", path.display())]
    Read {
        /// The plan file.
        path: PathBuf,
        /// The I/O error.
        reason: String,
    },
    /// The plan file is not a Clarinet deployment plan.
    #[error(
        "{} is not a Clarinet deployment plan: {reason} (expected `plan: batches: - \
         transactions: - contract-publish: {{contract-name, path, clarity-version, \
         expected-sender}}`)",
        path.display()
    )]
    Format {
        /// The plan file.
        path: PathBuf,
        /// What does not fit.
        reason: String,
    },
    /// The plan holds transactions other than contract publishes.
    #[error(
        "{} holds transactions that `ehr deploy` does not run: {}. Only `contract-publish` \
         is supported; remove the others, or apply the plan with `clarinet deployments apply`",
        path.display(),
        transactions.join(", ")
    )]
    UnsupportedTransactions {
        /// The plan file.
        path: PathBuf,
        /// Each one, e.g. "`contract-call` (batch 0, transaction 3)".
        transactions: Vec<String>,
    },
    /// A contract's source file could not be read.
    #[error("cannot read the source of `{name}` from {}: {reason}", path.display())]
    Source {
        /// The contract.
        name: String,
        /// Where the plan says its source is.
        path: PathBuf,
        /// The I/O error.
        reason: String,
    },
    /// A `clarity-version` other than 1 or 2.
    #[error("`{name}` asks for clarity-version {version}; this toolkit publishes Clarity 1 or 2")]
    ClarityVersion {
        /// The contract.
        name: String,
        /// The version given.
        version: String,
    },
    /// A step that cannot be turned into a deploy transaction (a bad name, a character the
    /// wire format refuses).
    #[error("step `{name}` cannot be published: {error}")]
    Step {
        /// The contract.
        name: String,
        /// Why.
        error: TxError,
    },
    /// Two steps publish the same name.
    #[error("the plan publishes `{0}` twice; a contract name can be published only once")]
    Duplicate(String),
    /// The mainnet rewrite of `access-token-nft` did not find its one trait declaration.
    #[error(
        "cannot prepare access-token-nft for mainnet: `{LOCAL_IMPL_TRAIT}` appears {found} \
         times in its source, expected exactly once (it is replaced by `(impl-trait \
         '{MAINNET_NFT_TRAIT})`)"
    )]
    TraitLine {
        /// How many times the declaration was found.
        found: usize,
    },
    /// A mainnet contract still refers to the local trait copy, which mainnet does not get.
    #[error(
        "`{name}` refers to the local `.nft-trait`, which is not published on mainnet; refer to \
         '{MAINNET_NFT_TRAIT} instead"
    )]
    LocalTraitReference {
        /// The contract.
        name: String,
    },
}

/// One contract to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanStep {
    /// The contract name (the deployer's address comes in front of it on chain).
    pub name: String,
    /// The Clarity source, exactly as it will be published and compared.
    pub source: String,
    /// The Clarity version it is analysed with.
    pub clarity_version: ClarityVersion,
    /// The address a Clarinet plan says sends it (`expected-sender`), if any; a
    /// [`super::Deployer`] refuses to run a plan meant for another address.
    pub expected_sender: Option<String>,
}

impl PlanStep {
    /// A Clarity 2 contract with no expected sender.
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> Self {
        PlanStep {
            name: name.into(),
            source: source.into(),
            clarity_version: ClarityVersion::Clarity2,
            expected_sender: None,
        }
    }

    /// The deploy payload of this step.
    pub fn payload(&self) -> Result<Payload, PlanError> {
        Payload::deploy(&self.name, &self.source, self.clarity_version).map_err(|error| {
            PlanError::Step {
                name: self.name.clone(),
                error,
            }
        })
    }
}

/// Contracts to publish from one deployer, in order (each after those it calls or
/// implements). Printing a plan (`Display`) lists its steps, e.g. for a dry run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The contracts, in publishing order.
    pub steps: Vec<PlanStep>,
    /// The network the plan was made for, when it says (a [`super::Deployer`] refuses to run
    /// a mainnet plan elsewhere, or another plan on mainnet).
    pub network: Option<Network>,
    /// Where the plan comes from, for messages: "built-in EHR plan", a file name.
    pub origin: String,
}

impl Plan {
    /// A plan of `steps`, for no network in particular.
    pub fn new(steps: Vec<PlanStep>) -> Self {
        Plan {
            steps,
            network: None,
            origin: "custom plan".to_string(),
        }
    }

    /// The built-in plan: the EHR contracts compiled into this crate
    /// ([`EHR_CONTRACTS`]), in dependency order, as Clarity 2.
    ///
    /// On devnet and testnet that is nine contracts, the local SIP-009 trait `nft-trait`
    /// first. On mainnet the local trait is left out and `access-token-nft` implements the
    /// published one ([`MAINNET_NFT_TRAIT`]) instead: its `(impl-trait .nft-trait.nft-trait)`
    /// line is rewritten, and an error is returned if that line is not found exactly once.
    pub fn ehr(network: Network) -> Result<Plan, PlanError> {
        let mut steps = Vec::with_capacity(EHR_CONTRACTS.len());
        for (name, source) in EHR_CONTRACTS {
            if network.is_mainnet() && name == LOCAL_TRAIT_CONTRACT {
                continue;
            }
            let source = if network.is_mainnet() && name == TRAIT_IMPLEMENTER {
                mainnet_source(source)?
            } else {
                source.to_string()
            };
            steps.push(PlanStep::new(name, source));
        }
        let plan = Plan {
            steps,
            network: Some(network),
            origin: format!("built-in EHR plan for {network}"),
        };
        if network.is_mainnet() {
            plan.check_mainnet()?;
        }
        Ok(plan)
    }

    /// Reads a Clarinet deployment plan (`deployments/*.yaml`): its `contract-publish`
    /// transactions, batch after batch, with `contract-name`, `path`, `clarity-version`
    /// (default 2, as Clarinet) and `expected-sender`.
    ///
    /// Both spellings of a transaction are read: Clarinet's own (`- contract-publish:
    /// {contract-name: ...}`) and the flat one with `transaction-type: contract-publish`.
    /// `path` is relative to the Clarinet project: the directory holding `deployments/`
    /// when the plan is in one, else the plan's own directory. `cost` and
    /// `anchor-block-only` are ignored (the fee comes from the node's estimate). Any other
    /// transaction type (`contract-call`, `requirement-publish`, `stx-transfer`, the
    /// emulated ones...) is an error that names each.
    pub fn from_clarinet_yaml(path: &Path) -> Result<Plan, PlanError> {
        let text = std::fs::read_to_string(path).map_err(|e| PlanError::Read {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let format = |reason: String| PlanError::Format {
            path: path.to_path_buf(),
            reason,
        };
        let doc: Yaml = serde_yaml::from_str(&text).map_err(|e| format(e.to_string()))?;
        let network = match doc.get("network") {
            None | Some(Yaml::Null) => None,
            Some(value) => {
                let name = value
                    .as_str()
                    .ok_or_else(|| format("`network` is not a string".to_string()))?;
                Some(Network::from_str(name).map_err(|e| format(e.to_string()))?)
            }
        };
        let batches = doc
            .get("plan")
            .and_then(|plan| plan.get("batches"))
            .and_then(Yaml::as_sequence)
            .ok_or_else(|| format("no `plan.batches` list".to_string()))?;

        let root = project_root(path);
        let mut publishes = Vec::new();
        let mut unsupported = Vec::new();
        for (b, batch) in batches.iter().enumerate() {
            let batch_id = batch.get("id").and_then(Yaml::as_u64).unwrap_or(b as u64);
            let transactions = batch
                .get("transactions")
                .and_then(Yaml::as_sequence)
                .ok_or_else(|| format(format!("batch {batch_id} has no `transactions` list")))?;
            for (t, tx) in transactions.iter().enumerate() {
                let at = format!("batch {batch_id}, transaction {}", t + 1);
                let (kind, fields) =
                    transaction_kind(tx).map_err(|e| format(format!("{at}: {e}")))?;
                if kind != "contract-publish" {
                    unsupported.push(format!("`{kind}` ({at})"));
                    continue;
                }
                publishes
                    .push(publish_fields(fields, &root).map_err(|e| format(format!("{at}: {e}")))?);
            }
        }
        if !unsupported.is_empty() {
            return Err(PlanError::UnsupportedTransactions {
                path: path.to_path_buf(),
                transactions: unsupported,
            });
        }
        if publishes.is_empty() {
            return Err(format("it publishes no contract".to_string()));
        }

        let mut steps = Vec::with_capacity(publishes.len());
        for publish in publishes {
            let source =
                std::fs::read_to_string(&publish.source_path).map_err(|e| PlanError::Source {
                    name: publish.name.clone(),
                    path: publish.source_path.clone(),
                    reason: e.to_string(),
                })?;
            let clarity_version = match publish.clarity_version.as_deref() {
                None => CLARINET_DEFAULT_CLARITY,
                Some("1") => ClarityVersion::Clarity1,
                Some("2") => ClarityVersion::Clarity2,
                Some(other) => {
                    return Err(PlanError::ClarityVersion {
                        name: publish.name,
                        version: other.to_string(),
                    })
                }
            };
            steps.push(PlanStep {
                name: publish.name,
                source,
                clarity_version,
                expected_sender: publish.expected_sender,
            });
        }
        let plan = Plan {
            steps,
            network,
            origin: path.display().to_string(),
        };
        plan.validate()?;
        Ok(plan)
    }

    /// The contract names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.steps.iter().map(|s| s.name.as_str()).collect()
    }

    /// The distinct `expected-sender` addresses the steps name (empty for a plan without
    /// them, such as the built-in one).
    pub fn expected_senders(&self) -> BTreeSet<&str> {
        self.steps
            .iter()
            .filter_map(|s| s.expected_sender.as_deref())
            .collect()
    }

    /// Checks that every step can be published: valid, distinct contract names and
    /// sources the wire format takes. [`super::Deployer::run`] checks this before sending
    /// anything.
    pub fn validate(&self) -> Result<(), PlanError> {
        let mut seen = HashSet::new();
        for step in &self.steps {
            if !seen.insert(step.name.as_str()) {
                return Err(PlanError::Duplicate(step.name.clone()));
            }
            step.payload()?;
        }
        if self.network.is_some_and(Network::is_mainnet) {
            self.check_mainnet()?;
        }
        Ok(())
    }

    /// No step of a mainnet plan may refer to the local trait copy (`.nft-trait`).
    fn check_mainnet(&self) -> Result<(), PlanError> {
        let publishes_trait = self.steps.iter().any(|s| s.name == LOCAL_TRAIT_CONTRACT);
        match self
            .steps
            .iter()
            .find(|s| !publishes_trait && refers_to_local_trait(&s.source))
        {
            Some(step) => Err(PlanError::LocalTraitReference {
                name: step.name.clone(),
            }),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.steps.len();
        write!(
            f,
            "{}: {count} contract{} to publish",
            self.origin,
            if count == 1 { "" } else { "s" }
        )?;
        if let Some(network) = self.network {
            write!(f, " on {network}")?;
        }
        writeln!(f, ", in this order:")?;
        let width = self.steps.iter().map(|s| s.name.len()).max().unwrap_or(0);
        for (i, step) in self.steps.iter().enumerate() {
            writeln!(
                f,
                "  {:>2}. {:<width$}  {}  {:>6} bytes",
                i + 1,
                step.name,
                step.clarity_version,
                step.source.len(),
            )?;
        }
        let senders = self.expected_senders();
        if !senders.is_empty() {
            let senders: Vec<&str> = senders.into_iter().collect();
            writeln!(f, "  expected sender: {}", senders.join(", "))?;
        }
        Ok(())
    }
}

/// `source` of access-token-nft with the local trait declaration replaced by the
/// published SIP-009 trait.
fn mainnet_source(source: &str) -> Result<String, PlanError> {
    let found = source.matches(LOCAL_IMPL_TRAIT).count();
    if found != 1 {
        return Err(PlanError::TraitLine { found });
    }
    Ok(source.replacen(
        LOCAL_IMPL_TRAIT,
        &format!("(impl-trait '{MAINNET_NFT_TRAIT})"),
        1,
    ))
}

/// Whether `source` names the contract `.nft-trait` of its own deployer (a `.nft-trait`
/// not preceded by an address).
fn refers_to_local_trait(source: &str) -> bool {
    const NEEDLE: &str = ".nft-trait";
    source.match_indices(NEEDLE).any(|(at, _)| {
        let before = source[..at].chars().next_back();
        let after = source[at + NEEDLE.len()..].chars().next();
        let is_name_char = |c: char| c.is_ascii_alphanumeric() || "-_!?".contains(c);
        !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(is_name_char)
    })
}

/// The Clarinet project a plan at `plan` belongs to: the parent of `deployments/`, or the
/// plan's own directory.
fn project_root(plan: &Path) -> PathBuf {
    let dir = plan.parent().unwrap_or(Path::new(""));
    match (dir.file_name(), dir.parent()) {
        (Some(name), Some(parent)) if name == "deployments" => parent.to_path_buf(),
        _ => dir.to_path_buf(),
    }
}

/// A transaction's type and fields, in either spelling: `{transaction-type: kind, ...}` or
/// `{kind: {...}}`.
fn transaction_kind(tx: &Yaml) -> Result<(String, &Mapping), String> {
    let map = tx
        .as_mapping()
        .ok_or("a transaction must be a mapping".to_string())?;
    if let Some(kind) = map.get("transaction-type") {
        let kind = kind
            .as_str()
            .ok_or("`transaction-type` is not a string".to_string())?;
        return Ok((kind.to_string(), map));
    }
    match map.iter().collect::<Vec<_>>().as_slice() {
        [(Yaml::String(kind), Yaml::Mapping(fields))] => Ok((kind.clone(), fields)),
        _ => {
            Err("a transaction is `<type>: {fields}` or has a `transaction-type` field".to_string())
        }
    }
}

/// A `contract-publish` as written in the plan, its source not read yet.
struct Publish {
    name: String,
    source_path: PathBuf,
    clarity_version: Option<String>,
    expected_sender: Option<String>,
}

/// The fields of a `contract-publish`.
fn publish_fields(fields: &Mapping, root: &Path) -> Result<Publish, String> {
    let text = |key: &str| -> Result<Option<String>, String> {
        match fields.get(key) {
            None | Some(Yaml::Null) => Ok(None),
            Some(Yaml::String(s)) => Ok(Some(s.clone())),
            Some(Yaml::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(format!("`{key}` is not a string")),
        }
    };
    let name = text("contract-name")?.ok_or("contract-publish without `contract-name`")?;
    let path = match (text("path")?, text("url")?) {
        (Some(path), _) => path,
        (None, Some(_)) => {
            return Err(format!(
                "`{name}` is published from a `url`; only local `path` sources are supported"
            ))
        }
        (None, None) => return Err(format!("`{name}` has no `path`")),
    };
    Ok(Publish {
        source_path: root.join(path),
        clarity_version: text("clarity-version")?,
        expected_sender: text("expected-sender")?,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trait_line_must_be_there_exactly_once() {
        assert_eq!(
            mainnet_source("(define-read-only (f) true)"),
            Err(PlanError::TraitLine { found: 0 })
        );
        let twice = format!("{LOCAL_IMPL_TRAIT}\n{LOCAL_IMPL_TRAIT}\n");
        assert_eq!(
            mainnet_source(&twice),
            Err(PlanError::TraitLine { found: 2 })
        );
        let once = mainnet_source(&format!(";; x\n{LOCAL_IMPL_TRAIT}\n(ok true)\n")).unwrap();
        assert_eq!(
            once,
            format!(";; x\n(impl-trait '{MAINNET_NFT_TRAIT})\n(ok true)\n")
        );
        assert!(!refers_to_local_trait(&once));
    }

    #[test]
    fn local_trait_references_are_found() {
        assert!(refers_to_local_trait(
            "(use-trait nft .nft-trait.nft-trait)"
        ));
        assert!(refers_to_local_trait("(contract-call? .nft-trait f)"));
        assert!(!refers_to_local_trait(
            "(impl-trait 'SP2PABAF9FTAJYNFZH93XENAJ8FVY99RRM50D2JG9.nft-trait.nft-trait)"
        ));
        assert!(!refers_to_local_trait("(contract-call? .nft-trait-v2 f)"));
    }

    #[test]
    fn the_project_root_is_above_deployments() {
        assert_eq!(
            project_root(Path::new("contracts/deployments/default.devnet-plan.yaml")),
            Path::new("contracts")
        );
        assert_eq!(project_root(Path::new("deployments/p.yaml")), Path::new(""));
        assert_eq!(project_root(Path::new("plans/p.yaml")), Path::new("plans"));
        assert_eq!(project_root(Path::new("p.yaml")), Path::new(""));
    }
}

//! A deployed contract as the node describes it: its source (`GET /v2/contracts/source`) and
//! its interface, the ABI (`GET /v2/contracts/interface`), with Clarity's type grammar as a
//! Rust enum so interfaces can be compared field by field.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A contract's source code and where it was published.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ContractSource {
    /// The Clarity source, as deployed.
    pub source: String,
    /// Stacks block height of the deploy.
    pub publish_height: u32,
}

/// A Clarity type as the contract interface JSON writes it: bare strings for the simple types
/// (`"uint128"`), one-key objects for the compound ones (`{"buffer":{"length":32}}`).
/// `Display` prints Clarity's syntax as `clarity::vm::types::TypeSignature` displays it, e.g.
/// `(response (buff 32) uint)` or `(tuple (id uint) (owner principal))`, so the two can be
/// compared as text. (The interface drops a trait reference's trait; it prints as `<trait>`.)
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AbiType {
    /// `int`.
    #[serde(rename = "int128")]
    Int,
    /// `uint`.
    #[serde(rename = "uint128")]
    UInt,
    /// `bool`.
    #[serde(rename = "bool")]
    Bool,
    /// `principal`.
    #[serde(rename = "principal")]
    Principal,
    /// The type of a value that is never there, e.g. the `err` side of a response that
    /// cannot fail (Clarity prints it `UnknownType`).
    #[serde(rename = "none")]
    NoType,
    /// A trait reference argument (`<trait-name>`).
    #[serde(rename = "trait_reference")]
    TraitReference,
    /// `(buff length)`.
    #[serde(rename = "buffer")]
    Buffer {
        /// Maximum length in bytes.
        length: u32,
    },
    /// `(string-ascii length)`.
    #[serde(rename = "string-ascii")]
    StringAscii {
        /// Maximum length in characters.
        length: u32,
    },
    /// `(string-utf8 length)`.
    #[serde(rename = "string-utf8")]
    StringUtf8 {
        /// Maximum length in characters.
        length: u32,
    },
    /// `(optional T)`.
    #[serde(rename = "optional")]
    Optional(Box<AbiType>),
    /// `(response ok error)`.
    #[serde(rename = "response")]
    Response {
        /// The `ok` type.
        ok: Box<AbiType>,
        /// The `err` type.
        error: Box<AbiType>,
    },
    /// `(list length T)`.
    #[serde(rename = "list")]
    List {
        /// The element type.
        #[serde(rename = "type")]
        element: Box<AbiType>,
        /// Maximum number of elements.
        length: u32,
    },
    /// `(tuple (name T) ...)`, fields sorted by name.
    #[serde(rename = "tuple")]
    Tuple(Vec<AbiField>),
}

/// A named, typed slot: a tuple field or a function argument.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AbiField {
    /// Its name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: AbiType,
}

impl fmt::Display for AbiType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AbiType::Int => f.write_str("int"),
            AbiType::UInt => f.write_str("uint"),
            AbiType::Bool => f.write_str("bool"),
            AbiType::Principal => f.write_str("principal"),
            AbiType::NoType => f.write_str("UnknownType"),
            AbiType::TraitReference => f.write_str("<trait>"),
            AbiType::Buffer { length } => write!(f, "(buff {length})"),
            AbiType::StringAscii { length } => write!(f, "(string-ascii {length})"),
            AbiType::StringUtf8 { length } => write!(f, "(string-utf8 {length})"),
            AbiType::Optional(inner) => write!(f, "(optional {inner})"),
            AbiType::Response { ok, error } => write!(f, "(response {ok} {error})"),
            AbiType::List { element, length } => write!(f, "(list {length} {element})"),
            AbiType::Tuple(fields) => {
                f.write_str("(tuple")?;
                for field in fields {
                    write!(f, " ({} {})", field.name, field.ty)?;
                }
                f.write_str(")")
            }
        }
    }
}

/// Who may call a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionAccess {
    /// `define-public`: called by transactions.
    Public,
    /// `define-read-only`: callable without a transaction.
    ReadOnly,
    /// `define-private`: only from inside the contract.
    Private,
}

/// A function of a contract.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AbiFunction {
    /// Its name.
    pub name: String,
    /// Who may call it.
    pub access: FunctionAccess,
    /// Its parameters, in order.
    pub args: Vec<AbiField>,
    /// Its return type (the node's `outputs.type`).
    #[serde(rename = "outputs", deserialize_with = "de_outputs")]
    pub returns: AbiType,
}

/// Reads the node's `"outputs": {"type": T}` as `T`.
fn de_outputs<'de, D: Deserializer<'de>>(d: D) -> Result<AbiType, D::Error> {
    #[derive(Deserialize)]
    struct Outputs {
        #[serde(rename = "type")]
        ty: AbiType,
    }
    Outputs::deserialize(d).map(|o| o.ty)
}

/// Whether a top-level value can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariableAccess {
    /// `define-constant`.
    Constant,
    /// `define-data-var`.
    Variable,
}

/// A constant or data variable.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AbiVariable {
    /// Its name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: AbiType,
    /// Constant or variable.
    pub access: VariableAccess,
}

/// A data map.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AbiMap {
    /// Its name.
    pub name: String,
    /// The key type.
    pub key: AbiType,
    /// The value type.
    pub value: AbiType,
}

/// A fungible token (`define-fungible-token`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AbiFungibleToken {
    /// Its name.
    pub name: String,
}

/// A non-fungible token class (`define-non-fungible-token`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AbiNonFungibleToken {
    /// Its name.
    pub name: String,
    /// The type of its identifiers.
    #[serde(rename = "type")]
    pub ty: AbiType,
}

/// A contract's interface: everything callable or readable, with types.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ContractInterface {
    /// Public, read-only and private functions.
    pub functions: Vec<AbiFunction>,
    /// Constants and data variables.
    pub variables: Vec<AbiVariable>,
    /// Data maps.
    pub maps: Vec<AbiMap>,
    /// Fungible tokens.
    pub fungible_tokens: Vec<AbiFungibleToken>,
    /// Non-fungible token classes.
    pub non_fungible_tokens: Vec<AbiNonFungibleToken>,
    /// The epoch the contract was analysed in, e.g. `Epoch24` (nodes before 2.1 omit it).
    #[serde(default)]
    pub epoch: Option<String>,
    /// Its Clarity version, e.g. `Clarity2` (nodes before 2.1 omit it).
    #[serde(default)]
    pub clarity_version: Option<String>,
}

impl ContractInterface {
    /// The function called `name`, if the contract has one.
    pub fn function(&self, name: &str) -> Option<&AbiFunction> {
        self.functions.iter().find(|f| f.name == name)
    }
}

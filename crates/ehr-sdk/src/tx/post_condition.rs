//! Post-conditions: what a transaction promises about the assets it moves. With the `Deny`
//! mode, any asset movement not covered by one aborts the transaction.

use std::fmt;
use std::str::FromStr;

use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, Value};
use clarity::vm::ClarityName;
use stacks_codec::codec::{
    AssetInfo, FungibleConditionCode, NonfungibleConditionCode, PostConditionPrincipal,
    TransactionPostCondition,
};

use super::payload::{check_contract_name, clarity_name};
use super::TxError;

/// Whose assets a post-condition is about.
#[derive(Debug, Clone, PartialEq)]
pub struct PcPrincipal(PostConditionPrincipal);

impl PcPrincipal {
    /// The transaction's origin, whoever signs it (written as the one-byte tag 0x01).
    pub fn origin() -> Self {
        PcPrincipal(PostConditionPrincipal::Origin)
    }

    /// A standard or contract principal.
    pub fn principal(principal: &PrincipalData) -> Result<Self, TxError> {
        Ok(PcPrincipal(match principal {
            PrincipalData::Standard(standard) => {
                PostConditionPrincipal::Standard(standard.clone().into())
            }
            PrincipalData::Contract(contract) => {
                check_contract_name(&contract.name)?;
                PostConditionPrincipal::Contract(
                    contract.issuer.clone().into(),
                    contract.name.clone(),
                )
            }
        }))
    }
}

/// A fungible or non-fungible asset: the contract that defines it and its name there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetId {
    contract: QualifiedContractIdentifier,
    name: ClarityName,
}

impl AssetId {
    /// Asset `name` defined by `contract`.
    pub fn new(contract: QualifiedContractIdentifier, name: &str) -> Result<Self, TxError> {
        check_contract_name(&contract.name)?;
        Ok(AssetId {
            name: clarity_name(name)?,
            contract,
        })
    }

    fn to_stacks(&self) -> AssetInfo {
        AssetInfo {
            contract_address: self.contract.issuer.clone().into(),
            contract_name: self.contract.name.clone(),
            asset_name: self.name.clone(),
        }
    }
}

impl FromStr for AssetId {
    type Err = TxError;

    /// Reads `<address>.<contract>::<asset-name>`, the form events and explorers show.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || TxError::AssetId(s.to_string());
        let (contract, name) = s.split_once("::").ok_or_else(bad)?;
        let contract = QualifiedContractIdentifier::parse(contract).map_err(|_| bad())?;
        AssetId::new(contract, name)
    }
}

impl fmt::Display for AssetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::{}", self.contract, self.name)
    }
}

/// One post-condition.
#[derive(Debug, Clone, PartialEq)]
pub struct PostCondition(TransactionPostCondition);

impl PostCondition {
    /// `principal` sends micro-STX compared to `amount` by `code`.
    pub fn stx(principal: PcPrincipal, code: FungibleConditionCode, amount: u64) -> Self {
        PostCondition(TransactionPostCondition::STX(principal.0, code, amount))
    }

    /// `principal` sends units of fungible token `asset` compared to `amount` by `code`.
    pub fn ft(
        principal: PcPrincipal,
        asset: &AssetId,
        code: FungibleConditionCode,
        amount: u64,
    ) -> Self {
        PostCondition(TransactionPostCondition::Fungible(
            principal.0,
            asset.to_stacks(),
            code,
            amount,
        ))
    }

    /// `principal` sends (or does not send) the token `id` of non-fungible `asset`.
    pub fn nft(
        principal: PcPrincipal,
        asset: &AssetId,
        id: Value,
        code: NonfungibleConditionCode,
    ) -> Self {
        PostCondition(TransactionPostCondition::Nonfungible(
            principal.0,
            asset.to_stacks(),
            id,
            code,
        ))
    }

    pub(crate) fn into_stacks(self) -> TransactionPostCondition {
        self.0
    }
}

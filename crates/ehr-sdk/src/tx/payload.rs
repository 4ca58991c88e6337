//! What a transaction does: the three payloads a wallet sends.

use std::str::FromStr;

use clarity::vm::representations::CONTRACT_MAX_NAME_LENGTH;
use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, Value};
use clarity::vm::{ClarityName, ClarityVersion, ContractName};
use stacks_codec::codec::{
    StacksString, TokenTransferMemo, TransactionContractCall, TransactionPayload,
    TransactionSmartContract,
};

use super::TxError;

/// The 34-byte memo of an STX transfer: text (UTF-8) or bytes, right-padded with zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memo([u8; Memo::LEN]);

impl Memo {
    /// A memo's fixed length on the wire, and the most it can hold.
    pub const LEN: usize = 34;

    /// A memo holding `text` as UTF-8 (what `@stacks/transactions` writes).
    pub fn new(text: &str) -> Result<Self, TxError> {
        Self::from_bytes(text.as_bytes())
    }

    /// A memo holding `bytes`, padded with zeros.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TxError> {
        if bytes.len() > Self::LEN {
            return Err(TxError::MemoTooLong(bytes.len()));
        }
        let mut out = [0u8; Self::LEN];
        out[..bytes.len()].copy_from_slice(bytes);
        Ok(Memo(out))
    }

    /// The 34 bytes as written on the wire.
    pub fn as_bytes(&self) -> &[u8; Self::LEN] {
        &self.0
    }
}

impl Default for Memo {
    /// The empty memo: 34 zero bytes.
    fn default() -> Self {
        Memo([0u8; Self::LEN])
    }
}

/// What a transaction does. Only the payloads a wallet sends can be built: an STX transfer,
/// a contract call, or a deploy that names its Clarity version (payload type 0x06).
#[derive(Debug, Clone, PartialEq)]
pub struct Payload(TransactionPayload);

impl Payload {
    /// Sends `amount` micro-STX to `recipient` (a standard or contract principal).
    pub fn stx_transfer(recipient: PrincipalData, amount: u64, memo: Memo) -> Self {
        Payload(TransactionPayload::TokenTransfer(
            recipient,
            amount,
            TokenTransferMemo(memo.0),
        ))
    }

    /// Calls public function `function` of `contract` with `args`.
    pub fn contract_call(
        contract: &QualifiedContractIdentifier,
        function: &str,
        args: Vec<Value>,
    ) -> Result<Self, TxError> {
        check_contract_name(&contract.name)?;
        Ok(Payload(TransactionPayload::ContractCall(
            TransactionContractCall {
                address: contract.issuer.clone().into(),
                contract_name: contract.name.clone(),
                function_name: clarity_name(function)?,
                function_args: args,
            },
        )))
    }

    /// Deploys `code` as contract `name` of the sender, analysed as Clarity `version`.
    pub fn deploy(name: &str, code: &str, version: ClarityVersion) -> Result<Self, TxError> {
        let name = contract_name(name)?;
        if let Some((line, column, found)) = first_unprintable(code) {
            return Err(TxError::CodeBody {
                line,
                column,
                found,
            });
        }
        let code_body = StacksString::from_str(code).map_err(TxError::Encode)?;
        Ok(Payload(TransactionPayload::SmartContract(
            TransactionSmartContract { name, code_body },
            Some(version),
        )))
    }

    /// The payload as stacks-codec's type.
    pub fn as_stacks(&self) -> &TransactionPayload {
        &self.0
    }

    pub(crate) fn into_stacks(self) -> TransactionPayload {
        self.0
    }
}

/// Parses a contract name usable in a new transaction.
pub(crate) fn contract_name(name: &str) -> Result<ContractName, TxError> {
    let parsed = ContractName::try_from(name.to_string()).map_err(|_| TxError::ContractName {
        name: name.to_string(),
        reason: "a letter, then letters, digits, - or _",
    })?;
    check_contract_name(&parsed)?;
    Ok(parsed)
}

/// Names up to 128 bytes parse (old contracts), but the codec writes at most 40 and panics
/// past that when computing a txid: refuse them before they reach it.
pub(crate) fn check_contract_name(name: &ContractName) -> Result<(), TxError> {
    if usize::from(name.len()) > CONTRACT_MAX_NAME_LENGTH {
        return Err(TxError::ContractName {
            name: name.to_string(),
            reason: "longer than 40 characters",
        });
    }
    Ok(())
}

/// Parses a function or asset name.
pub(crate) fn clarity_name(name: &str) -> Result<ClarityName, TxError> {
    ClarityName::try_from(name.to_string()).map_err(|_| TxError::ClarityName(name.to_string()))
}

/// Where the first character a code body may not hold is (1-based line and column): the
/// wire format takes printable ASCII, tab and newline only.
fn first_unprintable(code: &str) -> Option<(usize, usize, char)> {
    let mut line = 1;
    let mut column = 0;
    for c in code.chars() {
        column += 1;
        if c == '\n' {
            line += 1;
            column = 0;
        } else if c != '\t' && !(' '..='~').contains(&c) {
            return Some((line, column, c));
        }
    }
    None
}

//! Running one mempool transaction in the open block, as a miner does: nonces and fee
//! first, then the payload, then its post-conditions.

use clarity::vm::analysis::contract_interface_builder::ContractInterface;
use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, Value};
use clarity::vm::ClarityVersion;
use stacks_codec::codec::TransactionPayload;

use super::admission::Checked;
use super::post_conditions;
use crate::simnet::{Cost, Event, Receipt, Simnet, SimnetError};

/// How a mined transaction ended (Hiro's `tx_status`, the observer's `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// It ran and returned `(ok …)` (transfers and deployments: `(ok true)`).
    Success,
    /// It returned `(err …)`, or failed at runtime or in analysis (then the result is
    /// `(err none)` and `vm_error` says why): no effect but fee and nonce.
    AbortByResponse,
    /// A post-condition failed: no effect but fee and nonce.
    AbortByPostCondition,
}

impl Status {
    /// The status as the node and the Hiro API spell it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::AbortByResponse => "abort_by_response",
            Status::AbortByPostCondition => "abort_by_post_condition",
        }
    }
}

/// What a mined transaction did.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// How it ended.
    pub status: Status,
    /// The value returned (for post-condition aborts, the value it would have returned).
    pub result: Value,
    /// Events it emitted and kept (none when aborted).
    pub events: Vec<Event>,
    /// What it cost.
    pub cost: Cost,
    /// Why it failed, when it did not succeed for a reason other than an `err` result.
    pub vm_error: Option<String>,
    /// The ABI of the contract it deployed.
    pub contract_interface: Option<ContractInterface>,
}

/// What trying a transaction in the open block came to.
#[derive(Debug)]
pub(crate) enum Attempt {
    /// It is in the block.
    Mined(Box<Outcome>),
    /// Not minable yet (a nonce gap, or its payer cannot pay now): it stays pending.
    Later,
    /// A nonce already used: it can never be mined.
    Stale,
    /// Not minable on this chain (e.g. its contract exists already): dropped.
    Invalid(String),
    /// It does not fit in what is left of the block's budget.
    TooBig,
}

/// Tries `tx` in `sim`'s open block. Whatever is not [`Attempt::Mined`] leaves the
/// chain as it was.
pub(crate) fn attempt(sim: &mut Simnet, tx: &Checked) -> Attempt {
    let stacks = &tx.tx;
    match nonce_order(sim, &tx.origin, stacks.get_origin_nonce()) {
        Ok(()) => {}
        Err(other) => return other,
    }
    if let (Some(sponsor), Some(nonce)) = (&tx.sponsor, stacks.get_sponsor_nonce()) {
        if let Err(other) = nonce_order(sim, sponsor, nonce) {
            return other;
        }
    }
    let fee = u128::from(stacks.get_tx_fee());
    if sim.stx_balance(tx.payer()).map_or(true, |b| b < fee) {
        return Attempt::Later;
    }
    let before = sim.snapshot();
    let signers: Vec<&PrincipalData> = std::iter::once(&tx.origin).chain(&tx.sponsor).collect();
    if let Err(e) = sim.settle_transaction(&signers, tx.payer(), fee) {
        sim.revert(&before);
        return Attempt::Invalid(e.to_string());
    }
    let settled = sim.snapshot();
    let ran = run_payload(sim, tx);
    let (receipt, interface) = match ran {
        Ok(ran) => ran,
        Err(SimnetError::BlockLimitExceeded { .. }) => {
            sim.revert(&before);
            return Attempt::TooBig;
        }
        Err(SimnetError::InsufficientBalance { .. }) => {
            sim.revert(&before);
            return Attempt::Later;
        }
        Err(
            e @ (SimnetError::NoSuchContract(_)
            | SimnetError::NoSuchFunction { .. }
            | SimnetError::BadArguments { .. }
            | SimnetError::ContractExists(_)
            | SimnetError::InvalidContractName(_)),
        ) => {
            sim.revert(&before);
            return Attempt::Invalid(e.to_string());
        }
        Err(
            e @ (SimnetError::Analysis { .. }
            | SimnetError::Runtime(_)
            | SimnetError::Internal(_)
            | SimnetError::Manifest { .. }),
        ) => {
            sim.revert(&settled);
            return Attempt::Mined(Box::new(Outcome {
                status: Status::AbortByResponse,
                result: Value::err_none(),
                events: Vec::new(),
                cost: Cost::default(),
                vm_error: Some(e.to_string()),
                contract_interface: None,
            }));
        }
    };
    // STX transfers carry no post-conditions (admission refuses them).
    let checked = !matches!(stacks.payload, TransactionPayload::TokenTransfer(..));
    let violation = checked
        .then(|| post_conditions::violation(stacks, &tx.origin, &receipt.assets))
        .flatten();
    if let Some(reason) = violation {
        sim.revert(&settled);
        return Attempt::Mined(Box::new(Outcome {
            status: Status::AbortByPostCondition,
            result: receipt.result,
            events: Vec::new(),
            cost: receipt.cost,
            vm_error: Some(reason),
            contract_interface: None,
        }));
    }
    Attempt::Mined(Box::new(Outcome {
        status: if receipt.committed {
            Status::Success
        } else {
            Status::AbortByResponse
        },
        result: receipt.result,
        events: receipt.events,
        cost: receipt.cost,
        vm_error: None,
        contract_interface: interface,
    }))
}

/// `Ok` when `nonce` is the account's next one; otherwise whether it is used or ahead.
fn nonce_order(sim: &mut Simnet, who: &PrincipalData, nonce: u64) -> Result<(), Attempt> {
    match sim.account_nonce(who) {
        Ok(next) if nonce == next => Ok(()),
        Ok(next) if nonce < next => Err(Attempt::Stale),
        Ok(_) => Err(Attempt::Later),
        Err(e) => Err(Attempt::Invalid(e.to_string())),
    }
}

/// Executes the payload; for deployments, also returns the new contract's ABI.
fn run_payload(
    sim: &mut Simnet,
    tx: &Checked,
) -> Result<(Receipt, Option<ContractInterface>), SimnetError> {
    match &tx.tx.payload {
        TransactionPayload::TokenTransfer(recipient, amount, memo) => sim
            .transfer_stx(&tx.origin, recipient, u128::from(*amount), &memo.0)
            .map(|r| (r, None)),
        TransactionPayload::ContractCall(call) => {
            let contract =
                QualifiedContractIdentifier::new(call.address.into(), call.contract_name.clone());
            let function = call.function_name.as_str();
            let receipt = match &tx.sponsor {
                Some(sponsor) => sim.call_public_sponsored(
                    &tx.origin,
                    sponsor,
                    &contract,
                    function,
                    &call.function_args,
                ),
                None => sim.call_public(&tx.origin, &contract, function, &call.function_args),
            }?;
            Ok((receipt, None))
        }
        TransactionPayload::SmartContract(contract, version) => {
            let PrincipalData::Standard(deployer) = &tx.origin else {
                return Err(SimnetError::Internal(
                    "a deployer is always a standard principal".into(),
                ));
            };
            let deployed = sim.deploy_versioned(
                deployer,
                contract.name.as_str(),
                &contract.code_body.to_string(),
                version.unwrap_or(ClarityVersion::Clarity2),
            )?;
            let interface = sim
                .contract_analysis(&deployed.contract)
                .and_then(|a| a.contract_interface);
            Ok((deployed.receipt, interface))
        }
        other => Err(SimnetError::Internal(format!(
            "{} payloads are not minable from the mempool",
            other.name()
        ))),
    }
}

//! Contract deployment: parse, analyse (type checker, trait checks) and only then store,
//! as a node does for a smart-contract transaction; and the dependency order of a set of
//! contracts.

use std::collections::{BTreeMap, BTreeSet};

use clarity::vm::ast::{build_ast_with_rules, ASTRules, ContractAST};
use clarity::vm::diagnostic::Diagnostic;
use clarity::vm::representations::{SymbolicExpression, SymbolicExpressionType, TraitDefinition};
use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, Value};
use clarity::vm::ClarityVersion;
use stacks_common::types::StacksEpochId;

use super::error::SimnetError;

/// Turns the first diagnostic of a parse or check failure into an error naming the
/// contract, line and column.
pub(crate) fn analysis_error(contract: &str, diagnostic: &Diagnostic) -> SimnetError {
    let (line, column) = diagnostic
        .spans
        .first()
        .map(|s| (s.start_line, s.start_column))
        .unwrap_or((0, 0));
    SimnetError::Analysis {
        contract: contract.to_string(),
        line,
        column,
        message: diagnostic.message.clone(),
    }
}

/// Parses `source` without charging costs, to look at its references.
pub(crate) fn parse_free(
    id: &QualifiedContractIdentifier,
    source: &str,
    version: ClarityVersion,
    epoch: StacksEpochId,
) -> Result<ContractAST, SimnetError> {
    build_ast_with_rules(id, source, &mut (), version, epoch, ASTRules::PrecheckSize)
        .map_err(|e| analysis_error(&id.name, &e.diagnostic))
}

/// Every contract `exprs` needs deployed before it: targets of `contract-call?` written
/// as literal principals (`.name`, `'ADDR.name`), and contracts whose traits it uses or
/// implements. A principal merely compared against (`(is-eq contract-caller .other)`)
/// is not a dependency: it may name a contract deployed later.
pub(crate) fn referenced_contracts(
    exprs: &[SymbolicExpression],
) -> BTreeSet<QualifiedContractIdentifier> {
    let mut found = BTreeSet::new();
    let mut stack: Vec<&SymbolicExpression> = exprs.iter().collect();
    while let Some(expr) = stack.pop() {
        match &expr.expr {
            SymbolicExpressionType::List(items) => {
                let is_call = items
                    .first()
                    .and_then(|head| head.match_atom())
                    .is_some_and(|name| name.as_str() == "contract-call?");
                if is_call {
                    if let Some(SymbolicExpressionType::LiteralValue(Value::Principal(
                        PrincipalData::Contract(id),
                    ))) = items.get(1).map(|e| &e.expr)
                    {
                        found.insert(id.clone());
                    }
                }
                stack.extend(items.iter());
            }
            SymbolicExpressionType::Field(trait_id) => {
                found.insert(trait_id.contract_identifier.clone());
            }
            SymbolicExpressionType::TraitReference(_, TraitDefinition::Imported(trait_id)) => {
                found.insert(trait_id.contract_identifier.clone());
            }
            _ => {}
        }
    }
    found
}

/// Orders contracts so that each comes after the contracts it refers to; among
/// independent contracts, the given order is kept. `deps` maps each contract name to the
/// names (within the same set) it refers to. A cycle is an error naming its members.
pub(crate) fn dependency_order(
    names: &[String],
    deps: &BTreeMap<String, BTreeSet<String>>,
) -> Result<Vec<String>, Vec<String>> {
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let mut order = Vec::with_capacity(names.len());
    while order.len() < names.len() {
        let next = names.iter().find(|n| {
            !placed.contains(n.as_str())
                && deps
                    .get(*n)
                    .map(|d| d.iter().all(|x| placed.contains(x.as_str())))
                    .unwrap_or(true)
        });
        match next {
            Some(n) => {
                placed.insert(n);
                order.push(n.clone());
            }
            None => {
                return Err(names
                    .iter()
                    .filter(|n| !placed.contains(n.as_str()))
                    .cloned()
                    .collect())
            }
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deps(pairs: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn dependencies_come_first_and_order_is_otherwise_kept() {
        let names: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let order = dependency_order(&names, &deps(&[("a", &["c"]), ("c", &["d"])])).unwrap();
        assert_eq!(order, ["b", "d", "c", "a"]);
    }

    #[test]
    fn a_cycle_names_its_members() {
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let err = dependency_order(&names, &deps(&[("a", &["b"]), ("b", &["a"])])).unwrap_err();
        assert_eq!(err, ["a", "b"]);
    }
}

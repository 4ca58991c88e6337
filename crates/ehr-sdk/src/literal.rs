//! Clarity values written and read as Clarity literals: `u1`, `-5`, `0xbeef`, `"text"`,
//! `u"h\u{e9}llo"`, `'ST1...`, `'ST1....contract`, `(some u1)`, `(ok true)`, `(list u1 u2)`,
//! `{ a: u1, b: none }`.
//!
//! The same text a developer types in Clarinet's console or in a `.clar` file, so tests,
//! snapshots and the CLI can show and take values without hex.

use std::fmt::Write as _;

use clarity::vm::ast;
use clarity::vm::representations::{SymbolicExpression, SymbolicExpressionType};
use clarity::vm::types::{
    CharType, OptionalData, PrincipalData, QualifiedContractIdentifier, ResponseData, SequenceData,
    StandardPrincipalData, TupleData, Value,
};
use clarity::vm::{ClarityName, ClarityVersion};
use stacks_common::types::StacksEpochId;

/// Why a literal could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LiteralError {
    /// The text is not valid Clarity syntax.
    #[error("not a Clarity literal: {0}")]
    Syntax(String),
    /// The text holds no expression, or more than one.
    #[error("expected exactly one Clarity value, found {0} expressions")]
    Count(usize),
    /// The text is valid Clarity but not a constant value (a variable, a function call).
    #[error("`{0}` is not a constant value: use literals such as u1, \"text\", 'ST..., (some u1), (list ...), {{a: u1}}")]
    NotAValue(String),
    /// The value cannot be built (list items of different types, a tuple with a repeated key).
    #[error("invalid value: {0}")]
    Invalid(String),
}

/// Writes `value` as a Clarity literal that [`parse_literal`] reads back to the same value.
pub fn to_literal(value: &Value) -> String {
    let mut out = String::new();
    write_literal(&mut out, value);
    out
}

fn write_literal(out: &mut String, value: &Value) {
    match value {
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::UInt(u) => {
            let _ = write!(out, "u{u}");
        }
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Sequence(SequenceData::Buffer(buf)) => {
            out.push_str("0x");
            out.push_str(&hex::encode(&buf.data));
        }
        Value::Sequence(SequenceData::String(CharType::ASCII(s))) => {
            out.push('"');
            for &b in &s.data {
                push_escaped(out, b as char);
            }
            out.push('"');
        }
        Value::Sequence(SequenceData::String(CharType::UTF8(s))) => {
            out.push_str("u\"");
            for ch in &s.data {
                match std::str::from_utf8(ch).ok().and_then(|c| c.chars().next()) {
                    Some(c) if c.is_ascii() => push_escaped(out, c),
                    Some(c) => {
                        let _ = write!(out, "\\u{{{:x}}}", c as u32);
                    }
                    None => out.push('\u{fffd}'),
                }
            }
            out.push('"');
        }
        Value::Sequence(SequenceData::List(list)) => {
            out.push_str("(list");
            for item in &list.data {
                out.push(' ');
                write_literal(out, item);
            }
            out.push(')');
        }
        Value::Principal(p) => write_principal(out, p),
        Value::CallableContract(c) => {
            write_principal(out, &PrincipalData::Contract(c.contract_identifier.clone()))
        }
        Value::Tuple(t) => {
            out.push('{');
            for (i, (name, v)) in t.data_map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{}: ", name.as_str());
                write_literal(out, v);
            }
            out.push('}');
        }
        Value::Optional(OptionalData { data: None }) => out.push_str("none"),
        Value::Optional(OptionalData { data: Some(v) }) => {
            out.push_str("(some ");
            write_literal(out, v);
            out.push(')');
        }
        Value::Response(ResponseData { committed, data }) => {
            out.push_str(if *committed { "(ok " } else { "(err " });
            write_literal(out, data);
            out.push(')');
        }
    }
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c => out.push(c),
    }
}

fn write_principal(out: &mut String, p: &PrincipalData) {
    out.push('\'');
    match p {
        PrincipalData::Standard(s) => {
            let _ = write!(out, "{s}");
        }
        PrincipalData::Contract(c) => {
            let _ = write!(out, "{}.{}", c.issuer, c.name);
        }
    }
}

/// Reads one Clarity literal. A contract shorthand `.name` is resolved against `deployer`
/// when given (as Clarity does inside a contract), and refused otherwise.
pub fn parse_literal(
    text: &str,
    deployer: Option<&StandardPrincipalData>,
) -> Result<Value, LiteralError> {
    let context = QualifiedContractIdentifier::new(
        deployer
            .cloned()
            .unwrap_or_else(|| QualifiedContractIdentifier::transient().issuer),
        QualifiedContractIdentifier::transient().name,
    );
    let exprs = ast::build_ast_with_rules(
        &context,
        text,
        &mut (),
        ClarityVersion::Clarity2,
        StacksEpochId::Epoch24,
        ast::ASTRules::PrecheckSize,
    )
    .map_err(|e| LiteralError::Syntax(e.diagnostic.message))?
    .expressions;
    match exprs.as_slice() {
        [one] => {
            let value = expr_to_value(one)?;
            if deployer.is_none() && mentions_transient(&value) {
                return Err(LiteralError::NotAValue(format!(
                    "{text} (a `.contract` shorthand needs a deployer: write 'ADDRESS.contract)"
                )));
            }
            Ok(value)
        }
        many => Err(LiteralError::Count(many.len())),
    }
}

fn mentions_transient(value: &Value) -> bool {
    let transient = QualifiedContractIdentifier::transient().issuer;
    match value {
        Value::Principal(PrincipalData::Contract(c)) => c.issuer == transient,
        Value::Optional(OptionalData { data: Some(v) }) => mentions_transient(v),
        Value::Response(r) => mentions_transient(&r.data),
        Value::Sequence(SequenceData::List(l)) => l.data.iter().any(mentions_transient),
        Value::Tuple(t) => t.data_map.values().any(mentions_transient),
        _ => false,
    }
}

fn expr_to_value(expr: &SymbolicExpression) -> Result<Value, LiteralError> {
    match &expr.expr {
        SymbolicExpressionType::LiteralValue(v) | SymbolicExpressionType::AtomValue(v) => {
            Ok(v.clone())
        }
        SymbolicExpressionType::Atom(name) => match name.as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            "none" => Ok(Value::none()),
            other => Err(LiteralError::NotAValue(other.to_string())),
        },
        SymbolicExpressionType::List(items) => list_to_value(items),
        SymbolicExpressionType::Field(_) | SymbolicExpressionType::TraitReference(..) => {
            Err(LiteralError::NotAValue(expr.to_string()))
        }
    }
}

fn list_to_value(items: &[SymbolicExpression]) -> Result<Value, LiteralError> {
    let Some((head, rest)) = items.split_first() else {
        return Err(LiteralError::NotAValue("()".into()));
    };
    let op = head.match_atom().map(|n| n.as_str()).unwrap_or_default();
    let one = |rest: &[SymbolicExpression]| -> Result<Value, LiteralError> {
        match rest {
            [inner] => expr_to_value(inner),
            _ => Err(LiteralError::Invalid(format!(
                "`{op}` takes exactly one value"
            ))),
        }
    };
    match op {
        "some" => Value::some(one(rest)?).map_err(|e| LiteralError::Invalid(e.to_string())),
        "ok" => Value::okay(one(rest)?).map_err(|e| LiteralError::Invalid(e.to_string())),
        "err" => Value::error(one(rest)?).map_err(|e| LiteralError::Invalid(e.to_string())),
        "list" => {
            let values = rest
                .iter()
                .map(expr_to_value)
                .collect::<Result<Vec<_>, _>>()?;
            Value::cons_list_unsanitized(values).map_err(|e| LiteralError::Invalid(e.to_string()))
        }
        "tuple" => {
            let mut fields = Vec::with_capacity(rest.len());
            for pair in rest {
                let kv = pair.match_list().ok_or_else(|| {
                    LiteralError::Invalid("tuple entries are (name value) pairs".into())
                })?;
                let [name, value] = kv else {
                    return Err(LiteralError::Invalid(
                        "tuple entries are (name value) pairs".into(),
                    ));
                };
                let name: ClarityName = name
                    .match_atom()
                    .cloned()
                    .ok_or_else(|| LiteralError::Invalid("tuple keys are names".into()))?;
                fields.push((name, expr_to_value(value)?));
            }
            TupleData::from_data(fields)
                .map(Value::Tuple)
                .map_err(|e| LiteralError::Invalid(e.to_string()))
        }
        _ => Err(LiteralError::NotAValue(format!("({op} ...)"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        let v = parse_literal(text, None).unwrap_or_else(|e| panic!("{text}: {e}"));
        let written = to_literal(&v);
        assert_eq!(parse_literal(&written, None).as_ref(), Ok(&v), "{written}");
        written
    }

    #[test]
    fn every_value_type_round_trips() {
        assert_eq!(round_trip("u1"), "u1");
        assert_eq!(
            round_trip("-170141183460469231731687303715884105728"),
            "-170141183460469231731687303715884105728"
        );
        assert_eq!(
            round_trip("u340282366920938463463374607431768211455"),
            "u340282366920938463463374607431768211455"
        );
        assert_eq!(round_trip("true"), "true");
        assert_eq!(round_trip("0xdeadBEEF"), "0xdeadbeef");
        assert_eq!(
            round_trip("\"a \\\"q\\\" \\\\ b\""),
            "\"a \\\"q\\\" \\\\ b\""
        );
        assert_eq!(
            round_trip("u\"h\\u{e9}llo \\u{1F691}\""),
            "u\"h\\u{e9}llo \\u{1f691}\""
        );
        assert_eq!(
            round_trip("'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM"),
            "'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM"
        );
        assert_eq!(
            round_trip("'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.audit-log"),
            "'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.audit-log"
        );
        assert_eq!(round_trip("none"), "none");
        assert_eq!(round_trip("(some (ok u1))"), "(some (ok u1))");
        assert_eq!(round_trip("(err \"no\")"), "(err \"no\")");
        assert_eq!(round_trip("(list u1 u2 u3)"), "(list u1 u2 u3)");
        assert_eq!(
            round_trip("{ b: (list {x: 1}), a: none }"),
            "{a: none, b: (list {x: 1})}"
        );
        assert_eq!(round_trip("(tuple (k 0x00))"), "{k: 0x00}");
    }

    #[test]
    fn contract_shorthand_needs_a_deployer() {
        assert!(matches!(
            parse_literal(".audit-log", None),
            Err(LiteralError::NotAValue(_))
        ));
        let deployer =
            PrincipalData::parse_standard_principal("ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM")
                .unwrap();
        let v = parse_literal(".audit-log", Some(&deployer)).unwrap();
        assert_eq!(
            to_literal(&v),
            "'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.audit-log"
        );
    }

    #[test]
    fn non_values_are_refused_with_a_reason() {
        assert!(matches!(
            parse_literal("foo", None),
            Err(LiteralError::NotAValue(_))
        ));
        assert!(matches!(
            parse_literal("(+ u1 u2)", None),
            Err(LiteralError::NotAValue(_))
        ));
        assert!(matches!(
            parse_literal("u1 u2", None),
            Err(LiteralError::Count(2))
        ));
        assert!(matches!(
            parse_literal("(list u1 1)", None),
            Err(LiteralError::Invalid(_))
        ));
        assert!(matches!(
            parse_literal("(some", None),
            Err(LiteralError::Syntax(_))
        ));
        assert!(parse_literal("{a: u1, a: u2}", None).is_err());
    }
}

//! Reading the Clarity values the contracts return into Rust: tuple fields by name, each
//! with a typed accessor that says which field had the wrong shape.

use clarity::vm::types::{
    CharType, OptionalData, PrincipalData, ResponseData, SequenceData, TupleData, Value,
};

/// A value did not have the shape the contract interface promises: a contract or node
/// that is not the EHR contracts, or a client older than the deployed contracts.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("unexpected value from {what}: {reason}")]
pub struct DecodeError {
    /// What was being read, e.g. `get-record`.
    pub what: String,
    /// What was wrong.
    pub reason: String,
}

impl DecodeError {
    pub(crate) fn new(what: &str, reason: impl Into<String>) -> Self {
        DecodeError {
            what: what.to_string(),
            reason: reason.into(),
        }
    }
}

/// The fields of a tuple, read by name; `what` names the source in errors.
pub(crate) struct Fields<'a> {
    what: &'a str,
    tuple: &'a TupleData,
}

impl<'a> Fields<'a> {
    /// Expects `value` to be a tuple.
    pub(crate) fn of(what: &'a str, value: &'a Value) -> Result<Self, DecodeError> {
        match value {
            Value::Tuple(tuple) => Ok(Fields { what, tuple }),
            other => Err(DecodeError::new(
                what,
                format!("expected a tuple, got {other}"),
            )),
        }
    }

    fn get(&self, name: &str) -> Result<&'a Value, DecodeError> {
        self.tuple
            .get(name)
            .map_err(|_| DecodeError::new(self.what, format!("no field `{name}`")))
    }

    fn wrong(&self, name: &str, expected: &str, got: &Value) -> DecodeError {
        DecodeError::new(
            self.what,
            format!("field `{name}` should be {expected}, got {got}"),
        )
    }

    pub(crate) fn uint(&self, name: &str) -> Result<u128, DecodeError> {
        let v = self.get(name)?;
        uint(v).ok_or_else(|| self.wrong(name, "a uint", v))
    }

    pub(crate) fn u64(&self, name: &str) -> Result<u64, DecodeError> {
        let n = self.uint(name)?;
        u64::try_from(n)
            .map_err(|_| DecodeError::new(self.what, format!("`{name}` = u{n} is past u64")))
    }

    pub(crate) fn bool(&self, name: &str) -> Result<bool, DecodeError> {
        match self.get(name)? {
            Value::Bool(b) => Ok(*b),
            v => Err(self.wrong(name, "a bool", v)),
        }
    }

    pub(crate) fn principal(&self, name: &str) -> Result<PrincipalData, DecodeError> {
        let v = self.get(name)?;
        principal(v).ok_or_else(|| self.wrong(name, "a principal", v))
    }

    pub(crate) fn buff<const N: usize>(&self, name: &str) -> Result<[u8; N], DecodeError> {
        let v = self.get(name)?;
        buff(v).ok_or_else(|| self.wrong(name, &format!("a {N}-byte buffer"), v))
    }

    pub(crate) fn ascii(&self, name: &str) -> Result<String, DecodeError> {
        let v = self.get(name)?;
        ascii(v).ok_or_else(|| self.wrong(name, "an ASCII string", v))
    }

    pub(crate) fn utf8(&self, name: &str) -> Result<String, DecodeError> {
        let v = self.get(name)?;
        utf8(v).ok_or_else(|| self.wrong(name, "a UTF-8 string", v))
    }

    /// An optional field, its inner value read with `read`.
    pub(crate) fn optional<T>(
        &self,
        name: &str,
        read: impl Fn(&Value) -> Option<T>,
    ) -> Result<Option<T>, DecodeError> {
        match self.get(name)? {
            Value::Optional(OptionalData { data: None }) => Ok(None),
            Value::Optional(OptionalData { data: Some(inner) }) => read(inner)
                .map(Some)
                .ok_or_else(|| self.wrong(name, "an optional of the documented type", inner)),
            v => Err(self.wrong(name, "an optional", v)),
        }
    }
}

/// A uint's value.
pub(crate) fn uint(v: &Value) -> Option<u128> {
    match v {
        Value::UInt(n) => Some(*n),
        _ => None,
    }
}

/// A principal.
pub(crate) fn principal(v: &Value) -> Option<PrincipalData> {
    match v {
        Value::Principal(p) => Some(p.clone()),
        _ => None,
    }
}

/// A buffer of exactly `N` bytes.
pub(crate) fn buff<const N: usize>(v: &Value) -> Option<[u8; N]> {
    match v {
        Value::Sequence(SequenceData::Buffer(b)) => b.data.as_slice().try_into().ok(),
        _ => None,
    }
}

/// A buffer of any length up to the type's bound.
pub(crate) fn bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::Sequence(SequenceData::Buffer(b)) => Some(b.data.clone()),
        _ => None,
    }
}

/// An ASCII string.
pub(crate) fn ascii(v: &Value) -> Option<String> {
    match v {
        Value::Sequence(SequenceData::String(CharType::ASCII(s))) => {
            Some(String::from_utf8_lossy(&s.data).into_owned())
        }
        _ => None,
    }
}

/// A UTF-8 string (Clarity keeps it as one byte vector per character).
pub(crate) fn utf8(v: &Value) -> Option<String> {
    match v {
        Value::Sequence(SequenceData::String(CharType::UTF8(s))) => {
            String::from_utf8(s.data.concat()).ok()
        }
        _ => None,
    }
}

/// `bool`.
pub(crate) fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

/// `(optional T)` with `T` read by `read`: `Ok(None)` for `none`.
pub(crate) fn optional<T>(
    what: &str,
    v: &Value,
    read: impl FnOnce(&Value) -> Result<T, DecodeError>,
) -> Result<Option<T>, DecodeError> {
    match v {
        Value::Optional(OptionalData { data: None }) => Ok(None),
        Value::Optional(OptionalData { data: Some(inner) }) => read(inner).map(Some),
        other => Err(DecodeError::new(
            what,
            format!("expected an optional, got {other}"),
        )),
    }
}

/// `(response T E)` whose `ok` side is read by `read`; an `err` is reported as such.
pub(crate) fn ok_response<T>(
    what: &str,
    v: &Value,
    read: impl FnOnce(&Value) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    match v {
        Value::Response(ResponseData {
            committed: true,
            data,
        }) => read(data),
        other => Err(DecodeError::new(
            what,
            format!("expected (ok ...), got {other}"),
        )),
    }
}

/// A plain value read by one of the accessors above.
pub(crate) fn plain<T>(
    what: &str,
    expected: &str,
    v: &Value,
    read: impl FnOnce(&Value) -> Option<T>,
) -> Result<T, DecodeError> {
    read(v).ok_or_else(|| DecodeError::new(what, format!("expected {expected}, got {v}")))
}

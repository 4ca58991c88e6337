//! Short constructors for the Clarity values EHR calls take, for tests, tours and demos.
//! Each panics only on input no caller passes (a buffer or string over Clarity's size
//! limits), which is a bug in the calling code, not user input.

use clarity::vm::types::Value;

/// A buffer of `len` copies of `byte`.
pub fn buff(byte: u8, len: usize) -> Value {
    bytes(&vec![byte; len])
}

/// A buffer holding `b`.
pub fn bytes(b: &[u8]) -> Value {
    Value::buff_from(b.to_vec()).unwrap_or_else(|e| panic!("buffer of {} bytes: {e}", b.len()))
}

/// A `string-ascii`.
pub fn ascii(s: &str) -> Value {
    Value::string_ascii_from_bytes(s.as_bytes().to_vec())
        .unwrap_or_else(|e| panic!("string-ascii {s:?}: {e}"))
}

/// A `string-utf8`.
pub fn utf8(s: &str) -> Value {
    Value::string_utf8_from_bytes(s.as_bytes().to_vec())
        .unwrap_or_else(|e| panic!("string-utf8 {s:?}: {e}"))
}

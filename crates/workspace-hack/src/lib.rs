//! No code: this crate only depends on a few crates with the features that
//! `cargo test --workspace` switches on anyway (through the browser test's WebDriver
//! client), so that `cargo build -p ehr-cli`, the README's first command, builds every
//! shared dependency exactly as the test build does and the tests reuse it. See
//! `Cargo.toml` for which dependency asks for which feature, and
//! `crates/ehr-cli/tests/build_reuse.rs` for the check that keeps the two in step.

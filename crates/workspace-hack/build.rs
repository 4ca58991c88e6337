//! Empty on purpose: Cargo resolves `[build-dependencies]` only for a package with a build
//! script, and this crate's build-dependencies are what it is for (see Cargo.toml).
fn main() {}

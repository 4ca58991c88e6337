//! Page render times (being built).
fn main() {}

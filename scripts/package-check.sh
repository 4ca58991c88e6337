#!/usr/bin/env bash
# Packages the library crates as a registry would take them and builds each from its
# package alone (no file of the repository around it): ehr-sdk, ehr-http, ehr-harness.
# They are packaged together because ehr-harness depends on the other two, which are on no
# registry; cargo resolves them from the packages it just made. About 6 minutes on two cores
# (the packages build their dependencies without the workspace's profile settings).
# `cargo test` runs the quick part on every CI run (crates/ehr-cli/tests/embedded_files.rs:
# `cargo package --list` ships every file the crates compile in).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo package -p ehr-sdk -p ehr-http -p ehr-harness --allow-dirty "$@"

#!/usr/bin/env bash
# Installs what building and testing this project needs on a fresh Debian machine:
# libclang (bindgen, for the secp256k1 crate the Clarity VM uses), node/npm (the
# stacks.js compatibility test, Clarinet's contract check, Rendezvous), Python's
# `cryptography` (the record-format cross-check), moto's S3 server (the blob-store test),
# PostgreSQL (the index tests' second engine) and fhir.resources (the third-party FHIR
# validator). Safe to run again.
set -euo pipefail

need=()
# bindgen loads libclang.so or libclang-N.so (libclang-cpp, which some images carry, is
# not it).
if ! ls /usr/lib/llvm-*/lib/libclang.so* /usr/lib/llvm-*/lib/libclang-[0-9]*.so* >/dev/null 2>&1 \
   && ! ldconfig -p 2>/dev/null | grep -qE 'libclang(-[0-9.]+)?\.so'; then
  need+=(libclang-dev clang)
fi

# PostgreSQL: the index tests' second engine (scripts/postgres.sh starts a throw-away
# cluster from these binaries).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)

# node and npm: the stacks.js compatibility test and Clarinet's offline contract check.
command -v node >/dev/null && command -v npm >/dev/null || need+=(nodejs npm)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

# python3 with `cryptography`: the second implementation that opens the record-format
# vectors (crates/ehr-sdk/tests/record_format.rs).
if ! python3 -c 'import cryptography' >/dev/null 2>&1; then
  command -v python3 >/dev/null || {
    sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq python3 python3-pip >/dev/null
  }
  echo "setup: installing the Python package cryptography" >&2
  python3 -m pip install --quiet cryptography 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages cryptography
fi

# moto's server mode: the real S3-compatible server process the blob-store end-to-end test
# starts (tests/e2e.rs; under CI a missing moto_server fails that test).
if ! command -v moto_server >/dev/null 2>&1; then
  echo "setup: installing the Python package moto[server]" >&2
  python3 -m pip install --quiet 'moto[server]' 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages 'moto[server]'
fi

# fhir.resources: the third-party FHIR validator every answer of the FHIR API is checked
# with (crates/ehr-web/tests/fhir_api.rs, scripts/validate_fhir.py; under CI a missing
# validator fails the test).
if ! python3 -c 'import fhir.resources.R4B' >/dev/null 2>&1; then
  echo "setup: installing the Python package fhir.resources" >&2
  python3 -m pip install --quiet 'fhir.resources>=7,<8' 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages 'fhir.resources>=7,<8'
fi

# fhirclient: the real SMART on FHIR client the SMART App Launch test drives against
# `ehr serve` (crates/ehr-web/tests/smart.rs; under CI a missing fhirclient fails it).
if ! python3 -c 'import fhirclient' >/dev/null 2>&1; then
  echo "setup: installing the Python package fhirclient" >&2
  python3 -m pip install --quiet 'fhirclient>=4.2,<5' 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages 'fhirclient>=4.2,<5'
fi

command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust (rustup) first" >&2; exit 1; }

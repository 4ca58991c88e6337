#!/usr/bin/env bash
# Invariant fuzzing of the contracts with Rendezvous (`rv`, npm @stacks/rendezvous), the
# Stacks ecosystem's Clarity fuzzer: for each contract below, rv calls its public
# functions in random order with random arguments as random devnet accounts, and checks
# the invariants of contracts/<name>.tests.clar after the calls. Fixed seed, so a run is
# reproducible; RV_SEED and RV_RUNS override. Exits non-zero on the first broken invariant.
# permission-manager runs against registry test doubles (Clarinet-permission-manager.toml,
# fuzz/doubles/): every account a patient, three verified doctors, one guardian.
# Needs `npm ci` in this folder first. Works on a copy, so nothing here is rewritten.
set -euo pipefail
cd "$(dirname "$0")"
seed="${RV_SEED:-20261205}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r Clarinet.toml Clarinet-permission-manager.toml contracts settings deployments fuzz "$work/"
ln -s "$PWD/node_modules" "$work/node_modules"
run() { # contract runs
  echo "== rv $1 invariant --seed=$seed --runs=$2"
  (cd "$work" && node --require ./fuzz/plan-format-shim.cjs \
    node_modules/@stacks/rendezvous/dist/app.js . "$1" invariant \
    --seed="$seed" --runs="${RV_RUNS:-$2}" --bail) > "$work/$1.log" 2>&1 || {
    sed 's/\x1b\[[0-9;]*m//g' "$work/$1.log" | tail -60; echo "fuzz: $1: an invariant broke" >&2; exit 1; }
  sed 's/\x1b\[[0-9;]*m//g' "$work/$1.log" | grep -A12 '^│ INVARIANT CHECKS' | grep -E 'invariant-' | head -12
}
run patient-registry 1000
run permission-manager 1000
run notification-system 300
run audit-log 300
echo "fuzz: every invariant held"

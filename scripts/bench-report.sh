#!/usr/bin/env bash
# Every benchmark of the project in one run, each printing its figures next to its peer
# measured in the same run: the simnet against a bare Clarity VM loop and against
# Clarinet's own simnet (with and without trackCosts) on the EHR flow; signing against
# @stacks/transactions; devnet ingestion; dashboard pages and FHIR searches at 1,000
# entries; the EHR index at size (and on PostgreSQL when EHR_TEST_POSTGRES is set);
# large records against sha256sum; zero-knowledge claims. Node halves skip with a message
# when node or their npm packages are missing.
#
# Usage: bash scripts/bench-report.sh [--quick]
#   --quick   smaller sizes (minutes instead of tens of minutes), for a smoke run
# The report is also written to target/bench-report.txt; docs/benchmarks.md keeps the
# last full figures and the machine they ran on.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=""
[ "${1:-}" = "--quick" ] && quick=1
size() { if [ -n "$quick" ]; then echo "$1"; else echo "$2"; fi; }

report=target/bench-report.txt
mkdir -p target
section() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }
{
  echo "ehr benchmark report, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr), $(rustc --version)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  section "the simnet against a bare Clarity VM loop" \
    env CALLS="$(size 2000 20000)" cargo bench -q -p ehr-harness --bench simnet_vs_vm
  section "the EHR flow: this simnet against Clarinet's simnet" \
    env ROUNDS="$(size 1 3)" cargo bench -q -p ehr-harness --bench ehr_flow
  section "signing against @stacks/transactions" \
    env TXS="$(size 500 2000)" cargo bench -q -p ehr-sdk --bench sign
  section "devnet ingestion with --state" \
    env TXS="$(size 50 300)" cargo bench -q -p ehr-harness --bench devnet
  section "dashboard pages at 1,000 entries" \
    cargo bench -q -p ehr-web --bench pages
  section "FHIR searches" \
    cargo bench -q -p ehr-web --bench fhir
  section "the EHR index" \
    env EHR_BENCH_AUDIT="$(size 100000 1000000)" cargo bench -q -p ehr-index --bench index
  section "large records against sha256sum" \
    env MB="$(size 128 1024)" cargo bench -q -p ehr-sdk --bench large_record
  section "zero-knowledge claims" \
    env RUNS="$(size 3 20)" cargo bench -q -p ehr-sdk --bench claims
} 2>&1 | tee "$report"
echo
echo "report written to $report"

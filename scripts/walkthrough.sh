#!/usr/bin/env bash
# The main job, end to end, with the `ehr` commands a user types: start a devnet node,
# deploy the EHR contracts, then patient -> doctor -> issuer verifies -> record added
# (encrypted here) -> grant -> doctor reads and decrypts -> revoke -> doctor refused ->
# audit export with the hash chain verified.
#
# Usage: bash scripts/walkthrough.sh [--bare-node]      (EHR_PORT=20480 by default)
#   --bare-node   the devnet serves exactly a bare stacks-node's routes (no Hiro API), and
#                 `ehr index`, fed by its event observer stream, tells the clients each
#                 transaction's result, as on a clinic's own node.
# To run it against another node, set EHR_NODE (and EHR_API) and EHR_EXTERNAL_NODE=1.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${EHR_PORT:-20480}"
bare=""
[ "${1:-}" = "--bare-node" ] && bare=1
# The dev profile optimises dependencies (see Cargo.toml) and shares its build with the tests.
# A first build takes minutes (docs/build-timings.md): cargo's progress bar shows it.
echo "== building ehr (the first build compiles the Clarity VM: several minutes on two cores)" >&2
cargo build -p ehr-cli
ehr="$PWD/target/debug/ehr"

work="$(mktemp -d)"
export EHR_HOME="$work"              # keystore and record store of this walkthrough
export EHR_NETWORK=devnet

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

pids=()
trap 'for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
if [ -n "${EHR_EXTERNAL_NODE:-}" ]; then
  : "${EHR_NODE:?set EHR_NODE to the RPC URL of the node}"
  echo "walkthrough against $EHR_NODE${EHR_API:+ (results through $EHR_API)}"
else
  export EHR_NODE="http://127.0.0.1:$port"
  devnet_flags=(--no-contracts --port "$port" --config devnet/Devnet.toml)
  if [ -n "$bare" ]; then
    # The index first: the devnet posts its event stream to it from the first block.
    "$ehr" index --observer "127.0.0.1:$((port + 1))" --listen "127.0.0.1:$((port + 2))" > "$work/index.log" 2>&1 &
    pids+=($!)
    export EHR_API="http://127.0.0.1:$((port + 2))"
    devnet_flags+=(--bare-node --observer "127.0.0.1:$((port + 1))")
  fi
  # An empty devnet (no contracts at genesis): `ehr deploy` publishes them.
  "$ehr" devnet start "${devnet_flags[@]}" > "$work/devnet.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    "$ehr" account balance deployer >/dev/null 2>&1 && break
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { cat "$work"/*.log; exit 1; }; done
    sleep 0.1
  done
  head -1 "$work/devnet.log"
  [ -n "$bare" ] && head -1 "$work/index.log"
fi

cat > "$work/observation.json" <<'JSON'
{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"718-7","display":"Hemoglobin [Mass/volume] in Blood"}]},"valueQuantity":{"value":13.5,"unit":"g/dL"}}
JSON

step "deploy the contracts"             "$ehr" deploy --account deployer
step "a patient registers"              "$ehr" patient register --account wallet_1 --id "+256700000001"
step "a doctor registers"               "$ehr" doctor register --account wallet_2 --license UG-MD-4411 --specialty cardiology
step "the admin enables an issuer"      "$ehr" doctor issuer --account deployer wallet_3
step "the issuer verifies the doctor"   "$ehr" doctor verify --account wallet_3 wallet_2 --expires-in 5000
step "the patient adds a FHIR record"   "$ehr" record add --account wallet_1 --file "$work/observation.json"
step "the patient grants the doctor"    "$ehr" access grant --account wallet_1 --to wallet_2 --scope read --expires-in 1000
step "and gives it the record's key"    "$ehr" record share --account wallet_1 1 --to wallet_2
step "the doctor reads and decrypts"    "$ehr" record get --account wallet_2 1
step "the patient revokes"              "$ehr" access revoke --account wallet_1 1
printf '\n\033[1m== the doctor is refused\033[0m\n$ ehr record get --account wallet_2 1\n'
if "$ehr" record get --account wallet_2 1; then
  echo "walkthrough: the revoked doctor could still read" >&2; exit 3
fi
step "the patient's grants"             "$ehr" access list --account wallet_1
step "the audit trail"                  "$ehr" audit list wallet_1
step "exported as FHIR AuditEvents"     "$ehr" audit export wallet_1 --format fhir --out "$work/audit.fhir.json"
step "exported as JSON"                 "$ehr" audit export wallet_1 --format json --out "$work/audit.json"
step "the export checked against chain" "$ehr" audit verify "$work/audit.json"
printf '\nwalkthrough complete.\n'

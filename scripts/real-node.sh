#!/usr/bin/env bash
# The walkthrough against a real stacks-node, then the node's answers compared with the
# devnet's --bare-node mode.
#
# Usage: STACKS_NODE=/path/to/stacks-node bash scripts/real-node.sh
#
# stacks-node is not built here: build it from stacks-core (tag 4.0.2) with
# `cargo build --release -p stacks-node` (see README, "Against a real stacks-node"). The
# node runs mocknet (epoch 2.1, where Clarity 2 contracts deploy) with the Devnet.toml
# accounts funded and `ehr index` as its event observer, so the clients learn each
# transaction's result from the node's own event stream, with no Hiro API anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${STACKS_NODE:?set STACKS_NODE to a stacks-node binary built from stacks-core}"

rpc="${EHR_REAL_PORT:-20643}"
p2p=$((rpc + 1)); observer=$((rpc + 2)); api=$((rpc + 3)); bare=$((rpc + 10))
cargo build -q -p ehr-cli
ehr="$PWD/target/debug/ehr"
work="$(mktemp -d)"
pids=()
node=""
# The node's chain is thrown away: it is killed; the ehr processes stop on Ctrl-C.
trap '[ -n "$node" ] && kill -KILL "$node" 2>/dev/null
      for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
      wait 2>/dev/null; rm -rf "$work"' EXIT

# The node's configuration: mocknet, ~1 s blocks, the test genesis, the devnet accounts;
# a template (the e2e suite starts a fresh node from it for each test), then this run's.
{
  cat <<TOML
[node]
working_dir = "@WORKDIR@"
rpc_bind = "127.0.0.1:@RPC@"
p2p_bind = "127.0.0.1:@P2P@"
miner = true
seed = "0000000000000000000000000000000000000000000000000000000000000001"
use_test_genesis_chainstate = true
wait_time_for_microblocks = 0
txindex = false

[burnchain]
mode = "mocknet"
wallet_name = "ehr-miner"
commit_anchor_block_within = 1000

[[events_observer]]
endpoint = "@OBSERVER@"
events_keys = ["*"]

TOML
  # Epoch 2.1 from height 2; the later epochs far away (the node needs the whole list),
  # 10 blocks apart and 2 blocks into a reward cycle (mocknet's cycles are 5 blocks, the
  # last 3 and the first the prepare phase; epoch 3.0 must start in a reward phase, not at
  # its first two blocks).
  height=100002
  for epoch in 1.0:0 2.0:0 2.05:1 2.1:2 2.2 2.3 2.4 2.5 3.0 3.1 3.2 3.3 3.4 4.0; do
    name="${epoch%%:*}"
    start="${epoch#*:}"
    [ "$start" = "$epoch" ] && { start=$height; height=$((height + 10)); }
    printf '[[burnchain.epochs]]\nepoch_name = "%s"\nstart_height = %s\n\n' "$name" "$start"
  done
  grep -E '^# stx_address:' devnet/Devnet.toml | awk '{print $3}' | while read -r address; do
    printf '[[ustx_balance]]\naddress = "%s"\namount = 100000000000000\n\n' "$address"
  done
} > "$work/node.template.toml"
sed -e "s|@WORKDIR@|$work/chain|" -e "s|@RPC@|$rpc|" -e "s|@P2P@|$p2p|" \
  -e "s|@OBSERVER@|127.0.0.1:$observer|" "$work/node.template.toml" > "$work/node.toml"

"$ehr" --node "http://127.0.0.1:$rpc" index --observer "127.0.0.1:$observer" \
  --listen "127.0.0.1:$api" --db "$work/index.sqlite" > "$work/index.log" 2>&1 &
pids+=($!)
"$STACKS_NODE" start --config "$work/node.toml" > "$work/node.log" 2>&1 &
node=$!
echo "stacks-node $("$STACKS_NODE" version 2>/dev/null | head -1) starting (log: $work/node.log)"
for _ in $(seq 300); do
  height=$(curl -sf "http://127.0.0.1:$rpc/v2/info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stacks_tip_height"])' 2>/dev/null || echo 0)
  [ "$height" -ge 2 ] && break
  kill -0 "$node" 2>/dev/null || { grep -v '^ ' "$work/node.log" | tail -20; exit 1; }
  sleep 1
done
[ "$height" -ge 2 ] || { echo "the node mined no blocks in 300 s"; tail -40 "$work/node.log"; exit 1; }
echo "node at height $height"

EHR_EXTERNAL_NODE=1 EHR_NODE="http://127.0.0.1:$rpc" EHR_API="http://127.0.0.1:$api" \
  bash scripts/walkthrough.sh

# The index the node fed during the walkthrough, checked against the node's chain.
printf '\n== ehr index verify against the node\n'
for _ in $(seq 30); do
  lag=$(curl -sf "http://127.0.0.1:$api/ehr/v1/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["lag_blocks"])' 2>/dev/null || echo 1)
  [ "$lag" = 0 ] && break
  sleep 1
done
"$ehr" --node "http://127.0.0.1:$rpc" index verify --db "$work/index.sqlite"

# The e2e suite, each test against a fresh stacks-node of its own. Its insta snapshots
# hold the devnet's block heights, which a node mining on time does not reproduce: they
# are not compared in this run (every other assertion is).
printf '\n== the e2e suite against fresh stacks-nodes\n'
EHR_E2E_STACKS_NODE="$STACKS_NODE" EHR_E2E_NODE_TEMPLATE="$work/node.template.toml" \
  INSTA_FORCE_PASS=1 INSTA_UPDATE=no \
  cargo test -q -p ehr-cli --test e2e -- --test-threads 1 walkthrough refusals accounts_sponsored \
  large_records guardian_acceptance

# The same questions to the devnet in --bare-node mode, answers compared in shape.
"$ehr" devnet start --bare-node --no-contracts --port "$bare" > "$work/devnet.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$bare/v2/info" >/dev/null && break; sleep 0.1; done
printf '\n== stacks-node vs devnet --bare-node\n'
# Signed transfers from the faucet account (untouched by the walkthrough, so at nonce 0 on both):
# the node's nonce, fee and balance rules at genesis.
mktx() { "$ehr" --json tx mktx --account faucet "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tx"])'; }
to=ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM
python3 scripts/compare_nodes.py "http://127.0.0.1:$rpc" "http://127.0.0.1:$bare" \
  ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM \
  "nonce 26 ahead=$(mktx --nonce 26 --fee 300 transfer --to $to --amount 1)" \
  "fee below 1/byte=$(mktx --nonce 0 --fee 1 transfer --to $to --amount 1)" \
  "more than the balance=$(mktx --nonce 0 --fee 300 transfer --to $to --amount 999999999999999999)" \
  "to itself=$(mktx --nonce 0 --fee 300 transfer --to STNHKEPYEPJ8ET55ZZ0M5A34J0R3N5FM2CMMMAZ6 --amount 1)" \
  "nonce 1 ahead, accepted=$(mktx --nonce 1 --fee 300 transfer --to $to --amount 1)"

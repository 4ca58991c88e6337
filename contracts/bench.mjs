// The Clarinet half of `cargo bench -p ehr-harness --bench ehr_flow`: the EHR flow of
// crates/ehr-harness/tests/clarinet/ehr-scenario.json (every public function of the EHR
// contracts called by every role, its success and each refusal) run ROUNDS times in
// Clarinet's own simnet, each round on a fresh simnet, with and without cost tracking.
// Only the calls are timed (arguments parsed before, the simnet set up before).
//
//   node bench.mjs ROUNDS      prints one JSON line: calls per round, seconds per mode
import { initSimnet } from "@stacks/clarinet-sdk";
import { Cl } from "@stacks/transactions";
import { readFileSync } from "node:fs";

const rounds = Number(process.argv[2] ?? 3);
const scenario = JSON.parse(
  readFileSync("../crates/ehr-harness/tests/clarinet/ehr-scenario.json", "utf8"),
);
const calls = scenario.calls.map((c) => ({ ...c, parsed: c.args.map((a) => Cl.parse(a)) }));

async function timed(trackCosts) {
  let seconds = 0;
  for (let r = 0; r < rounds; r++) {
    // A fresh chain each round: the scenario registers accounts once.
    const simnet = await initSimnet("./Clarinet.toml", true, { trackCosts });
    const accounts = simnet.getAccounts();
    const senders = calls.map((c) => accounts.get(c.sender));
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls.length; i++) {
      const c = calls[i];
      simnet.callPublicFn(c.contract, c.function, c.parsed, senders[i]);
    }
    seconds += Number(process.hrtime.bigint() - start) / 1e9;
  }
  return seconds;
}

const untracked = await timed(false);
const tracked = await timed(true);
console.log(
  JSON.stringify({
    calls: calls.length,
    rounds,
    untracked_seconds: untracked,
    tracked_seconds: tracked,
  }),
);

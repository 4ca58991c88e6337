// Runs the cost scenario (crates/ehr-harness/tests/clarinet/ehr-scenario.json: every
// public function of the EHR contracts called by every role, generated from the
// authorization matrix) in Clarinet's own simnet with cost tracking, and records each
// call's result and costs in clarinet-ehr-costs.json beside it. The Rust simnet must
// report the same (crates/ehr-harness/tests/clarinet_ehr_costs.rs).
//
//   node costs.mjs           record
//   node costs.mjs --check   fail if Clarinet now reports anything else
import { initSimnet } from "@stacks/clarinet-sdk";
import { Cl } from "@stacks/transactions";
import { readFileSync, writeFileSync } from "node:fs";
import { costOf } from "./cost-of.mjs";

const dir = "../crates/ehr-harness/tests/clarinet";
const scenario = JSON.parse(readFileSync(`${dir}/ehr-scenario.json`, "utf8"));
const simnet = await initSimnet("./Clarinet.toml", true, { trackCosts: true });
const accounts = simnet.getAccounts();

const out = { clarinet_sdk: "3.21.0", epoch: simnet.currentEpoch ?? null, calls: [] };
for (const call of scenario.calls) {
  const sender = accounts.get(call.sender);
  if (!sender) throw new Error(`no account ${call.sender} in settings/Devnet.toml`);
  const args = call.args.map((a) => Cl.parse(a));
  const r = simnet.callPublicFn(call.contract, call.function, args, sender);
  out.calls.push({
    sender: call.sender,
    contract: call.contract,
    function: call.function,
    result: Cl.prettyPrint(r.result),
    cost: costOf(r, `${call.contract}.${call.function}`),
  });
}
const text = JSON.stringify(out, null, 1) + "\n";
const file = `${dir}/clarinet-ehr-costs.json`;
if (process.argv.includes("--check")) {
  const committed = readFileSync(file, "utf8");
  if (committed !== text) {
    console.error(`${file} is not what Clarinet reports now: run node costs.mjs and review the diff`);
    process.exit(1);
  }
  console.log(`Clarinet's costs for ${out.calls.length} calls match ${file}`);
} else {
  writeFileSync(file, text);
  console.log(`recorded ${out.calls.length} calls in ${file}`);
}

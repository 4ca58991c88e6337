// Records what Clarinet's simnet reports as the execution cost of a set of calls on the
// fixture counter contract. Output: clarinet-costs.json beside this script.
// Regenerate: npm install && node costs.mjs
import { initSimnet } from "@stacks/clarinet-sdk";
import { Cl } from "@stacks/transactions";
import { writeFileSync } from "node:fs";
import { costOf } from "../../../../contracts/cost-of.mjs";

const simnet = await initSimnet("./project/Clarinet.toml", true, { trackCosts: true });
const deployer = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const wallet1 = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";

const calls = [
  ["public", "bump", [Cl.uint(5)], wallet1],
  ["public", "bump", [Cl.uint(7)], wallet1],
  ["public", "bump-then-fail", [Cl.uint(1)], wallet1],
  ["public", "grant", [Cl.principal(wallet1), Cl.uint(10)], deployer],
  ["read_only", "get-total", [], wallet1],
  ["read_only", "get-bumps", [Cl.principal(wallet1)], wallet1],
  ["read_only", "has-grant", [Cl.principal(wallet1)], wallet1],
];

const out = { clarinet_sdk: "3.21.0", epoch: simnet.currentEpoch ?? null, calls: [] };
for (const [kind, fn, args, sender] of calls) {
  const r = kind === "public"
    ? simnet.callPublicFn("counter", fn, args, sender)
    : simnet.callReadOnlyFn("counter", fn, args, sender);
  out.calls.push({
    kind, function: fn, sender,
    args: args.map((a) => Cl.prettyPrint(a)),
    result: Cl.prettyPrint(r.result),
    cost: costOf(r, fn),
  });
}
writeFileSync("clarinet-costs.json", JSON.stringify(out, null, 2) + "\n");
console.log(JSON.stringify(out, null, 2));

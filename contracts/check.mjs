// Loads this Clarinet project in Clarinet's own simnet and checks that the files written
// for people still say what the contracts do. Needs no network: the project has no
// [[project.requirements]], so nothing is fetched. Run: npm ci && node check.mjs
//
// Fails (exit 1) when:
//   - any contract fails Clarinet's analysis (initSimnet throws), or is not deployed;
//   - ERRORS.md does not list exactly the contracts' ERR- constants, or a code is
//     reused or outside its contract's range;
//   - deployments/default.devnet-plan.yaml does not publish every contract once, from the
//     devnet deployer, after the contracts it calls or implements, at Clarinet's cost
//     (deployment fee rate 10 x source bytes).
import { readFileSync } from "node:fs";
import { initSimnet } from "@stacks/clarinet-sdk";

const FEE_RATE = 10;
const RANGES = {
  "patient-registry": 100, "doctor-registry": 200, "ehr-storage": 300, "access-token-nft": 400,
  "permission-manager": 500, "audit-log": 600, "notification-system": 700, "verification-helper": 800,
};
const problems = [];

const manifest = readFileSync("Clarinet.toml", "utf8");
const paths = new Map(
  [...manifest.matchAll(/^\[contracts\.([a-z0-9-]+)\]\s*\npath = "([^"]+)"/gm)].map((m) => [m[1], m[2]]),
);
const sources = new Map([...paths].map(([name, path]) => [name, readFileSync(path, "utf8")]));

const simnet = await initSimnet("./Clarinet.toml", true);
const deployer = simnet.deployer;
for (const name of paths.keys()) {
  if (!simnet.getContractSource(`${deployer}.${name}`)) problems.push(`${name}: not deployed`);
}

// ERRORS.md against the contracts' constants.
const inContracts = new Set();
for (const [name, source] of sources) {
  for (const [, constant, code] of source.matchAll(/^\(define-constant (ERR-[A-Z0-9-]+) \(err u(\d+)\)\)/gm)) {
    inContracts.add(`u${code} ${name} ${constant}`);
    const base = RANGES[name];
    if (base === undefined || +code < base || +code > base + 99) problems.push(`${name}.${constant}: u${code} outside the contract's range`);
  }
}
const rows = readFileSync("ERRORS.md", "utf8").split("\n").map((l) => l.split("|").slice(1, 4).map((c) => c.trim()));
const inDoc = new Set(rows.filter(([code]) => /^u\d+$/.test(code ?? "")).map((cells) => cells.join(" ")));
for (const e of inContracts) if (!inDoc.has(e)) problems.push(`ERRORS.md lacks ${e}`);
for (const e of inDoc) if (!inContracts.has(e)) problems.push(`ERRORS.md lists ${e}, which no contract defines`);
const codes = [...inContracts].map((e) => e.split(" ")[0]);
if (new Set(codes).size !== codes.length) problems.push("an error code is used twice");

// The devnet plan against the manifest, the sources and their dependencies.
const plan = readFileSync("deployments/default.devnet-plan.yaml", "utf8");
const published = [...plan.matchAll(
  /contract-name: (\S+)\s+expected-sender: (\S+)\s+cost: (\d+)\s+path: (\S+)/g,
)].map(([, name, sender, cost, path]) => ({ name, sender, cost: +cost, path }));
const seen = new Set();
for (const tx of published) {
  const source = sources.get(tx.name);
  if (source === undefined) { problems.push(`devnet plan publishes ${tx.name}, not in Clarinet.toml`); continue; }
  const deps = [...source.matchAll(/(?:contract-call\?|impl-trait|use-trait \S+) \.([a-z0-9-]+)/g)].map((m) => m[1]);
  for (const dep of deps) if (!seen.has(dep)) problems.push(`devnet plan publishes ${tx.name} before ${dep}`);
  if (tx.sender !== deployer) problems.push(`devnet plan: ${tx.name} sent by ${tx.sender}, not ${deployer}`);
  if (tx.path !== paths.get(tx.name)) problems.push(`devnet plan: ${tx.name} path ${tx.path}`);
  const cost = FEE_RATE * Buffer.byteLength(source);
  if (tx.cost !== cost) problems.push(`devnet plan: ${tx.name} cost ${tx.cost}, Clarinet would put ${cost}`);
  if (seen.has(tx.name)) problems.push(`devnet plan publishes ${tx.name} twice`);
  seen.add(tx.name);
}
for (const name of paths.keys()) if (!seen.has(name)) problems.push(`devnet plan does not publish ${name}`);

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`Clarinet loaded all ${paths.size} contracts offline; ERRORS.md (${inContracts.size} codes) and the devnet plan match them`);

// Loads contracts/Clarinet.toml in Clarinet's simnet with no network access needed, and
// checks that every contract is deployed. Run: npm install && node check.mjs
import { initSimnet } from "@stacks/clarinet-sdk";

const expected = [
  "nft-trait", "verification-helper", "audit-log", "notification-system", "patient-registry",
  "doctor-registry", "access-token-nft", "permission-manager", "ehr-storage",
];
const simnet = await initSimnet("./Clarinet.toml", true);
const deployer = simnet.deployer;
const missing = expected.filter((name) => !simnet.getContractSource(`${deployer}.${name}`));
if (missing.length > 0) {
  console.error(`not deployed: ${missing.join(", ")}`);
  process.exit(1);
}
console.log(`Clarinet loaded all ${expected.length} contracts (epoch ${simnet.currentEpoch ?? "?"}) offline`);

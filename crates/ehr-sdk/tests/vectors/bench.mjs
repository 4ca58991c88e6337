// The JS half of crates/ehr-sdk/benches/sign.rs: signs and serialises N contract calls with
// @stacks/transactions and prints one JSON line {"txs", "seconds", "tx_per_s", "last_txid"}.
// The work matches the Rust half exactly (same key, contract, args, nonces and fee), so the
// last txid printed by both must be equal.
//
// Run: node bench.mjs [N]   (default 2000)

import { Cl, makeContractCall } from '@stacks/transactions';

const SENDER_KEY = '7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801'; // wallet_1
const DEPLOYER = 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM';
const GRANTEE = 'ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG'; // wallet_2

const n = Number(process.argv[2] ?? 2000);
if (!Number.isInteger(n) || n < 1) throw new Error(`N must be a positive integer, got ${process.argv[2]}`);

/** grant-access (grantee principal) (scope uint) (record-type (optional (string-ascii 32))) (expires-at uint) */
async function signOne(i) {
  const tx = await makeContractCall({
    network: 'testnet',
    senderKey: SENDER_KEY,
    contractAddress: DEPLOYER,
    contractName: 'permission-manager',
    functionName: 'grant-access',
    functionArgs: [Cl.standardPrincipal(GRANTEE), Cl.uint(1), Cl.some(Cl.stringAscii('lab')), Cl.uint(1000 + i)],
    nonce: BigInt(i),
    fee: 2000n,
  });
  return { hex: tx.serialize(), txid: tx.txid() };
}

await signOne(0); // warm-up: module initialisation and JIT
const start = process.hrtime.bigint();
let last;
for (let i = 0; i < n; i++) last = await signOne(i);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ txs: n, seconds, tx_per_s: n / seconds, last_txid: last.txid }));

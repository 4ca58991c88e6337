// Drives a running devnet (DEVNET_URL) with @stacks/transactions 7.6.0 exactly as a dapp
// would drive a stacks-node: fetch a nonce, sign and broadcast an STX transfer and a
// contract call (fees estimated by the library), wait until both are mined, then read a
// read-only function and a map entry. Keys are the devnet test accounts
// (shared/reference/devnet-accounts.md). Exits non-zero on any mismatch.
import {
  broadcastTransaction,
  bufferCV,
  cvToString,
  fetchCallReadOnlyFunction,
  fetchContractMapEntry,
  fetchNonce,
  makeContractCall,
  makeSTXTokenTransfer,
  PostConditionMode,
  standardPrincipalCV,
} from '@stacks/transactions';

const url = process.env.DEVNET_URL;
if (!url) throw new Error('set DEVNET_URL to the devnet RPC URL');
const client = { baseUrl: url };
const network = 'devnet';
const DEPLOYER = 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM';
const WALLET_1 = 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5';
const WALLET_1_KEY = '7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801';
const WALLET_2 = 'ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG';

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function waitMined(txid) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(`${url}/extended/v1/tx/0x${txid}`);
    if (response.ok) {
      const tx = await response.json();
      if (tx.tx_status !== 'pending') return tx;
    }
    check(Date.now() < deadline, `${txid} not mined in 30 s`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

const nonce = await fetchNonce({ address: WALLET_1, network, client });

const transfer = await makeSTXTokenTransfer({
  recipient: WALLET_2,
  amount: 1000n,
  memo: 'devnet compat',
  senderKey: WALLET_1_KEY,
  nonce,
  network,
  client,
});
const call = await makeContractCall({
  contractAddress: DEPLOYER,
  contractName: 'patient-registry',
  functionName: 'register-patient',
  functionArgs: [bufferCV(new Uint8Array(32).fill(7)), bufferCV(new Uint8Array([2, ...new Uint8Array(32).fill(9)]))],
  postConditionMode: PostConditionMode.Deny,
  senderKey: WALLET_1_KEY,
  nonce: nonce + 1n,
  network,
  client,
});

const sent = [];
for (const transaction of [transfer, call]) {
  const result = await broadcastTransaction({ transaction, network, client });
  check(!('error' in result), `broadcast refused: ${JSON.stringify(result)}`);
  check(result.txid === transaction.txid(), `txid ${result.txid} != ${transaction.txid()}`);
  sent.push(result.txid);
}
const mined = await Promise.all(sent.map(waitMined));
for (const tx of mined) check(tx.tx_status === 'success', `${tx.tx_id}: ${tx.tx_status} ${JSON.stringify(tx.tx_result)}`);

const registered = await fetchCallReadOnlyFunction({
  contractAddress: DEPLOYER,
  contractName: 'patient-registry',
  functionName: 'is-registered',
  functionArgs: [standardPrincipalCV(WALLET_1)],
  senderAddress: WALLET_1,
  network,
  client,
});
check(cvToString(registered) === 'true', `is-registered: ${cvToString(registered)}`);
const entry = await fetchContractMapEntry({
  contractAddress: DEPLOYER,
  contractName: 'patient-registry',
  mapName: 'patients',
  mapKey: standardPrincipalCV(WALLET_1),
  network,
  client,
});
check(entry.type === 'some', `patients map entry: ${cvToString(entry)}`);

const next = await fetchNonce({ address: WALLET_1, network, client });
check(next === nonce + 2n, `nonce ${next} != ${nonce + 2n}`);
console.log(JSON.stringify({ ok: true, txids: sent, heights: mined.map(tx => tx.block_height), entry: cvToString(entry) }));

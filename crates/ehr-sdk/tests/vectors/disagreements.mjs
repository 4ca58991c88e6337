// Writes disagreements.json: transactions and keys made by @stacks/transactions (the version
// pinned in package.json) for the places where ehr once disagreed with stacks.js and
// stacks-core (issue 13, point 4). The Rust tests read the committed JSON, so `cargo test`
// needs no Node:
//   crates/ehr-sdk/tests/stacksjs_disagreements.rs       keys, signing, decoding, txids
//   crates/ehr-harness/tests/devnet_stacksjs.rs          the devnet's admission answers
//
// Run: npm ci && node disagreements.mjs           (in this folder; writes ./disagreements.json)
//      node disagreements.mjs --check             (CI: regenerate and fail if the file differs)
//
// Keys: the devnet accounts (shared/reference/devnet-accounts.md) as wallets write them, with
// the `01` suffix (compressed public key), and the same 32 bytes without it, which stacks.js
// and stacks-core read as an UNCOMPRESSED public key: another address.

import { readFileSync, writeFileSync } from 'node:fs';
import {
  Cl,
  ClarityVersion,
  deserializeTransaction,
  makeContractCall,
  makeContractDeploy,
  makeSTXTokenTransfer,
  privateKeyToAddress,
  privateKeyToPublic,
  sponsorTransaction,
} from '@stacks/transactions';

const ACCOUNTS = {
  deployer: '753b7cc01a1a2e86221266a154af739463fce51219d97e4f856cd7200c3bd2a601',
  wallet_1: '7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801',
  wallet_2: '530d9f61984c888536871c6573073bdfc0058896dc1adfe9a6a10dfacadc209101',
  wallet_4: 'f9d7206a47f14d2870c163ebab4bf3e70d18f5d14ce1031f3902fbbc894fe4c701',
  wallet_5: '3eccc5dac8056590432db6a35d52b9896876a3d5cbdea53b72400bc9c2099fe801',
};
/** The 32 bytes without the compressed flag: an uncompressed key to stacks.js. */
const uncompressed = (account) => ACCOUNTS[account].slice(0, 64);

const DEPLOYER_T = privateKeyToAddress(ACCOUNTS.deployer, 'testnet');
const DEPLOYER_M = privateKeyToAddress(ACCOUNTS.deployer, 'mainnet');
const WALLET_2_T = privateKeyToAddress(ACCOUNTS.wallet_2, 'testnet');
const WALLET_2_M = privateKeyToAddress(ACCOUNTS.wallet_2, 'mainnet');

/** Key -> address (testnet and mainnet) and public key, both forms of each key. */
const keys = ['deployer', 'wallet_1', 'wallet_4', 'wallet_5'].flatMap((account) =>
  [ACCOUNTS[account], uncompressed(account)].map((secret_key) => ({
    account,
    secret_key,
    compressed: secret_key.length === 66,
    public_key: privateKeyToPublic(secret_key),
    testnet: privateKeyToAddress(secret_key, 'testnet'),
    mainnet: privateKeyToAddress(secret_key, 'mainnet'),
  })),
);

const arg = (cv) => Cl.serialize(cv);
const signed = (tx, inputs) => ({ ...inputs, tx_hex: tx.serialize(), txid: tx.txid() });

/** Transactions signed with uncompressed keys (fixed nonce and fee; RFC 6979 signatures). */
const uncompressedSigned = [
  await (async () => {
    const inputs = { name: 'transfer-testnet-uncompressed', secret_key: uncompressed('wallet_4'), network: 'testnet', nonce: '0', fee: '300', payload: { type: 'stx_transfer', recipient: WALLET_2_T, amount: '1000000', memo: 'uncompressed' } };
    return signed(await makeSTXTokenTransfer({ network: 'testnet', senderKey: inputs.secret_key, nonce: 0n, fee: 300n, recipient: WALLET_2_T, amount: 1000000n, memo: 'uncompressed' }), inputs);
  })(),
  await (async () => {
    const inputs = { name: 'transfer-mainnet-uncompressed', secret_key: uncompressed('wallet_5'), network: 'mainnet', nonce: '17', fee: '5000', payload: { type: 'stx_transfer', recipient: WALLET_2_M, amount: '42', memo: '' } };
    return signed(await makeSTXTokenTransfer({ network: 'mainnet', senderKey: inputs.secret_key, nonce: 17n, fee: 5000n, recipient: WALLET_2_M, amount: 42n }), inputs);
  })(),
  await (async () => {
    const args = [Cl.uint(7), Cl.stringAscii('uncompressed key')];
    const inputs = { name: 'call-testnet-uncompressed', secret_key: uncompressed('wallet_4'), network: 'testnet', nonce: '1', fee: '2000', payload: { type: 'contract_call', contract: `${DEPLOYER_T}.probe`, function: 'note', args: args.map(arg) } };
    return signed(await makeContractCall({ network: 'testnet', senderKey: inputs.secret_key, nonce: 1n, fee: 2000n, contractAddress: DEPLOYER_T, contractName: 'probe', functionName: 'note', functionArgs: args }), inputs);
  })(),
];

/** A sponsored call whose sponsor signs with an uncompressed key. */
const uncompressedSponsor = await (async () => {
  const request = await makeContractCall({ network: 'testnet', senderKey: ACCOUNTS.wallet_1, nonce: 4n, fee: 0n, sponsored: true, contractAddress: DEPLOYER_T, contractName: 'probe', functionName: 'bump', functionArgs: [] });
  const tx = await sponsorTransaction({ transaction: request, sponsorPrivateKey: uncompressed('wallet_5'), fee: 1000n, sponsorNonce: 3n });
  return { origin_key: ACCOUNTS.wallet_1, origin_nonce: '4', sponsor_key: uncompressed('wallet_5'), sponsor_nonce: '3', sponsor_fee: '1000', contract: `${DEPLOYER_T}.probe`, function: 'bump', tx_hex: tx.serialize(), txid: tx.txid() };
})();

/** A sponsor request as stacks.js makes it: origin-signed, sponsor condition a placeholder. */
const sponsorRequest = await (async () => {
  const tx = await makeContractCall({ network: 'testnet', senderKey: ACCOUNTS.wallet_1, nonce: 0n, fee: 0n, sponsored: true, contractAddress: DEPLOYER_T, contractName: 'probe', functionName: 'bump', functionArgs: [] });
  return {
    tx_hex: tx.serialize(),
    origin: privateKeyToAddress(ACCOUNTS.wallet_1, 'testnet'),
    placeholder_signer: tx.auth.sponsorSpendingCondition.signer,
  };
})();

/** A stacks.js transfer whose version byte then gets low bits set (0x80 -> 0x86). */
const malleatedVersion = await (async () => {
  const tx = await makeSTXTokenTransfer({ network: 'testnet', senderKey: ACCOUNTS.wallet_1, nonce: 0n, fee: 300n, recipient: WALLET_2_T, amount: 555n, memo: 'version' });
  const canonical = tx.serialize();
  if (!canonical.startsWith('80')) throw new Error('a testnet transaction starts with 0x80');
  return { canonical_hex: canonical, tx_hex: `86${canonical.slice(2)}`, canonical_txid: tx.txid() };
})();

/** Deploys stacks.js 7.6 makes: Clarity 4 by default, Clarity 3 when asked, Clarity 2 when asked. */
const CODE = '(define-read-only (hello) u1)\n';
const deploy = async (name, clarityVersion) => {
  const options = { network: 'testnet', senderKey: ACCOUNTS.deployer, nonce: 0n, fee: 10000n, contractName: name, codeBody: CODE };
  const tx = await makeContractDeploy(clarityVersion === undefined ? options : { ...options, clarityVersion });
  return { name, clarity_version: deserializeTransaction(tx.serialize()).payload.clarityVersion, tx_hex: tx.serialize(), txid: tx.txid() };
};
const deploys = [await deploy('hello-default', undefined), await deploy('hello-c3', ClarityVersion.Clarity3), await deploy('hello-c2', ClarityVersion.Clarity2)];

/** A call, on a testnet chain, to a contract at a mainnet address. */
const mainnetContractCall = await (async () => {
  const tx = await makeContractCall({ network: 'testnet', senderKey: ACCOUNTS.wallet_1, nonce: 0n, fee: 2000n, contractAddress: DEPLOYER_M, contractName: 'probe', functionName: 'bump', functionArgs: [] });
  return { contract: `${DEPLOYER_M}.probe`, tx_hex: tx.serialize(), txid: tx.txid() };
})();

/** Testnet transfers to a mainnet account and to a contract at a mainnet address. */
const mainnetRecipients = [];
for (const [nonce, recipient] of [WALLET_2_M, `${DEPLOYER_M}.probe`].entries()) {
  const tx = await makeSTXTokenTransfer({ network: 'testnet', senderKey: ACCOUNTS.wallet_1, nonce: BigInt(nonce), fee: 300n, recipient, amount: 10n });
  mainnetRecipients.push({ recipient, tx_hex: tx.serialize(), txid: tx.txid() });
}

const version = JSON.parse(readFileSync(new URL('./node_modules/@stacks/transactions/package.json', import.meta.url))).version;
const out = {
  generator: `@stacks/transactions ${version}`,
  keys,
  uncompressed_signed: uncompressedSigned,
  uncompressed_sponsor: uncompressedSponsor,
  sponsor_request: sponsorRequest,
  malleated_version: malleatedVersion,
  deploys,
  mainnet_contract_call: mainnetContractCall,
  mainnet_recipients: mainnetRecipients,
};
const text = JSON.stringify(out, null, 2) + '\n';
const file = new URL('./disagreements.json', import.meta.url);
if (process.argv.includes('--check')) {
  if (readFileSync(file, 'utf8') !== text) {
    console.error('disagreements.json differs from what @stacks/transactions makes now: run `node disagreements.mjs` and review the diff');
    process.exit(1);
  }
  console.log(`disagreements.json matches @stacks/transactions ${version}`);
} else {
  writeFileSync(file, text);
  console.log(`wrote disagreements.json with @stacks/transactions ${version}`);
}

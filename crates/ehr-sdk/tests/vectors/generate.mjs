// Writes vectors.json: transactions signed by @stacks/transactions (the version pinned in
// package.json), each with the inputs that rebuild it and the bytes and txid it must give.
// crates/ehr-sdk/tests/vectors.rs rebuilds every one with the Rust builder and compares bytes.
//
// Run: npm install && node generate.mjs   (in this folder; writes ./vectors.json)
//
// Keys are the Clarinet devnet accounts (shared/reference/devnet-accounts.md); the Rust test
// checks that each key named here is the one derived from that account's mnemonic.

import { readFileSync, writeFileSync } from 'node:fs';
import {
  Cl,
  ClarityVersion,
  Pc,
  PostConditionMode,
  cvToString,
  makeContractCall,
  makeContractDeploy,
  createLPList,
  makeUnsignedSTXTokenTransfer,
  postConditionToWire,
  privateKeyToAddress,
  privateKeyToPublic,
  serializeCV,
  sponsorTransaction,
  TransactionSigner,
} from '@stacks/transactions';

const ACCOUNTS = {
  deployer: '753b7cc01a1a2e86221266a154af739463fce51219d97e4f856cd7200c3bd2a601',
  wallet_1: '7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801',
  wallet_2: '530d9f61984c888536871c6573073bdfc0058896dc1adfe9a6a10dfacadc209101',
  wallet_3: 'd655b2523bcd65e34889725c73064feb17ceb796831c0e111ba1a552b0f31b3901',
  faucet: 'de433bdfa14ec43aa1098d5be594c8ffb20a31485ff9de2923b2689471c401b801',
};

const address = (account, network) => privateKeyToAddress(ACCOUNTS[account], network);

const DEPLOYER_T = address('deployer', 'testnet');
const DEPLOYER_M = address('deployer', 'mainnet');
const WALLET_2_T = address('wallet_2', 'testnet');
const WALLET_3_T = address('wallet_3', 'testnet');
const WALLET_2_M = address('wallet_2', 'mainnet');
const REGISTRY = `${DEPLOYER_T}.patient-registry`;
const TOKEN = `${DEPLOYER_T}.access-token-nft`;
const FT = `${DEPLOYER_T}.ehr-credit`;

const PC_METHODS = {
  eq: 'willSendEq',
  gt: 'willSendGt',
  gte: 'willSendGte',
  lt: 'willSendLt',
  lte: 'willSendLte',
  sent: 'willSendAsset',
  'not-sent': 'willNotSendAsset',
};

/** A Clarity value as the vector stores it: consensus hex plus stacks.js's readable form. */
const arg = (cv) => ({ hex: serializeCV(cv), repr: cvToString(cv) });

/** Post-conditions are written in the vector's JSON form and turned into stacks.js calls. */
function toStacksPc(pc) {
  const start = pc.principal === 'origin' ? Pc.origin() : Pc.principal(pc.principal);
  const partial = pc.kind === 'nft' ? start[PC_METHODS[pc.code]]() : start[PC_METHODS[pc.code]](BigInt(pc.amount));
  switch (pc.kind) {
    case 'stx':
      return partial.ustx();
    case 'ft': {
      const [contract, name] = pc.asset.split('::');
      return partial.ft(contract, name);
    }
    case 'nft':
      return partial.nft(pc.asset, Cl.deserialize(pc.asset_id.hex));
    default:
      throw new Error(`unknown post-condition kind ${pc.kind}`);
  }
}

const stxPc = (principal, code, amount) => ({ kind: 'stx', principal, code, amount: String(amount) });
const ftPc = (principal, code, amount) => ({ kind: 'ft', principal, asset: `${FT}::credit`, code, amount: String(amount) });
const nftPc = (principal, code, id) => ({ kind: 'nft', principal, asset: `${TOKEN}::access-token`, asset_id: arg(id), code });

const CONTRACT_CODE = [
  ';; a small Clarity 2 contract: tabs and newlines are allowed in a code body',
  '(define-data-var counter uint u0)',
  '(define-map notes principal (string-utf8 64))',
  '(define-public (bump (by uint))',
  '\t(begin (var-set counter (+ (var-get counter) by)) (ok (var-get counter))))',
  '(define-read-only (get-counter) (var-get counter))',
  '',
].join('\n');

/** The vectors' inputs. Defaults: testnet, origin wallet_1, nonce 0, fee 200, deny, no post-conditions. */
const CASES = [
  // STX transfers.
  { name: 'stx-transfer-testnet-memo', payload: { type: 'stx_transfer', recipient: WALLET_2_T, amount: '12345', memo: 'test memo' }, fee: 180 },
  { name: 'stx-transfer-testnet-no-memo', payload: { type: 'stx_transfer', recipient: WALLET_2_T, amount: '1' }, nonce: 7 },
  { name: 'stx-transfer-mainnet-memo', network: 'mainnet', origin: 'deployer', payload: { type: 'stx_transfer', recipient: WALLET_2_M, amount: '100000000', memo: 'rent' }, nonce: 42, fee: 3000 },
  { name: 'stx-transfer-mainnet-no-memo', network: 'mainnet', payload: { type: 'stx_transfer', recipient: WALLET_2_M, amount: '18446744073709551615' }, nonce: 18446744073709551615n, fee: 18446744073709551615n },
  { name: 'stx-transfer-devnet-to-contract', network: 'devnet', payload: { type: 'stx_transfer', recipient: REGISTRY, amount: '500' } },
  { name: 'stx-transfer-memo-34-bytes', payload: { type: 'stx_transfer', recipient: WALLET_3_T, amount: '34', memo: 'x'.repeat(34) } },
  { name: 'stx-transfer-memo-utf8', payload: { type: 'stx_transfer', recipient: WALLET_3_T, amount: '9', memo: 'héllo 世界 🚑' } },

  // Contract calls: every Clarity value type as an argument.
  { name: 'call-no-args', payload: { type: 'contract_call', contract: REGISTRY, function: 'deactivate', args: [] } },
  { name: 'call-int', payload: { type: 'contract_call', contract: REGISTRY, function: 'ints', args: [Cl.int(0), Cl.int(42), Cl.int(-1), Cl.int(-42), Cl.int(-(2n ** 127n)), Cl.int(2n ** 127n - 1n)] } },
  { name: 'call-uint', payload: { type: 'contract_call', contract: REGISTRY, function: 'uints', args: [Cl.uint(0), Cl.uint(1), Cl.uint(2n ** 128n - 1n)] } },
  { name: 'call-bool', payload: { type: 'contract_call', contract: REGISTRY, function: 'set-emergency-allowed', args: [Cl.bool(true), Cl.bool(false)] } },
  { name: 'call-buffer', payload: { type: 'contract_call', contract: REGISTRY, function: 'buffers', args: [Cl.bufferFromHex(''), Cl.bufferFromHex('666f6f'), Cl.bufferFromHex('00'.repeat(32)), Cl.bufferFromHex('ff'.repeat(300))] } },
  { name: 'call-string-ascii', payload: { type: 'contract_call', contract: REGISTRY, function: 'ascii', args: [Cl.stringAscii(''), Cl.stringAscii('hello world'), Cl.stringAscii('quote " backslash \\ tab\t newline\n ~!@#$%^&*()')] } },
  { name: 'call-string-utf8', payload: { type: 'contract_call', contract: REGISTRY, function: 'utf8', args: [Cl.stringUtf8(''), Cl.stringUtf8('héllo 世界 🚑'), Cl.stringUtf8('plain ascii')] } },
  { name: 'call-principals', payload: { type: 'contract_call', contract: REGISTRY, function: 'principals', args: [Cl.standardPrincipal(WALLET_2_T), Cl.standardPrincipal(WALLET_2_M), Cl.contractPrincipal(DEPLOYER_T, 'audit-log')] } },
  { name: 'call-optional', payload: { type: 'contract_call', contract: REGISTRY, function: 'optionals', args: [Cl.none(), Cl.some(Cl.uint(1)), Cl.some(Cl.some(Cl.stringAscii('x'))), Cl.some(Cl.none())] } },
  { name: 'call-response', payload: { type: 'contract_call', contract: REGISTRY, function: 'responses', args: [Cl.ok(Cl.bool(true)), Cl.error(Cl.uint(404)), Cl.ok(Cl.error(Cl.int(-7))), Cl.error(Cl.stringUtf8('nope'))] } },
  { name: 'call-list', payload: { type: 'contract_call', contract: REGISTRY, function: 'lists', args: [Cl.list([]), Cl.list([Cl.uint(1), Cl.uint(2), Cl.uint(3)]), Cl.list([Cl.list([Cl.int(1)]), Cl.list([])]), Cl.list([Cl.bufferFromHex('aa'), Cl.bufferFromHex('bbcc')])] } },
  { name: 'call-nested-tuple', payload: { type: 'contract_call', contract: REGISTRY, function: 'tuples', args: [Cl.tuple({ id: Cl.uint(7), meta: Cl.tuple({ kind: Cl.stringAscii('lab'), tags: Cl.list([Cl.stringUtf8('a'), Cl.stringUtf8('é')]), when: Cl.some(Cl.uint(99)) }), owner: Cl.standardPrincipal(WALLET_3_T) }), Cl.list([Cl.tuple({ a: Cl.int(1), b: Cl.bool(false) }), Cl.tuple({ a: Cl.int(-1), b: Cl.bool(true) })])] } },
  { name: 'call-register-patient', payload: { type: 'contract_call', contract: REGISTRY, function: 'register-patient', args: [Cl.bufferFromHex('ab'.repeat(32)), Cl.bufferFromHex('02' + 'cd'.repeat(32))] }, nonce: 3, fee: 1000 },
  { name: 'call-mainnet', network: 'mainnet', payload: { type: 'contract_call', contract: `${DEPLOYER_M}.permission-manager`, function: 'grant-access', args: [Cl.standardPrincipal(WALLET_2_M), Cl.uint(1), Cl.some(Cl.stringAscii('lab')), Cl.uint(1000)] }, nonce: 1, fee: 5000 },

  // Versioned contract deploys, Clarity 2.
  { name: 'deploy-clarity2-testnet', origin: 'deployer', payload: { type: 'deploy', name: 'counter', code: CONTRACT_CODE, clarity_version: 2 }, fee: 10000 },
  { name: 'deploy-clarity2-mainnet', network: 'mainnet', origin: 'deployer', payload: { type: 'deploy', name: 'kv-store', code: '(define-map store (buff 32) (buff 32))\n', clarity_version: 2 }, nonce: 9, fee: 20000 },
  { name: 'deploy-clarity2-allow', origin: 'deployer', mode: 'allow', payload: { type: 'deploy', name: 'a-contract_name-of-40-characters-max-xyz', code: '(define-constant ERR u100)', clarity_version: 2 } },

  // Post-conditions: every fungible code for STX and FT, both NFT codes, every principal kind.
  ...['eq', 'gt', 'gte', 'lt', 'lte'].map((code, i) => ({
    name: `post-condition-stx-${code}`,
    payload: { type: 'contract_call', contract: REGISTRY, function: 'pay', args: [Cl.uint(i)] },
    post_conditions: [stxPc(['origin', WALLET_2_T, REGISTRY][i % 3], code, 1000 + i)],
  })),
  ...['eq', 'gt', 'gte', 'lt', 'lte'].map((code, i) => ({
    name: `post-condition-ft-${code}`,
    payload: { type: 'contract_call', contract: FT, function: 'transfer', args: [Cl.uint(i)] },
    post_conditions: [ftPc([REGISTRY, 'origin', WALLET_3_T][i % 3], code, 18446744073709551615n - BigInt(i))],
  })),
  { name: 'post-condition-nft-sent', payload: { type: 'contract_call', contract: TOKEN, function: 'transfer', args: [Cl.uint(1), Cl.standardPrincipal(DEPLOYER_T), Cl.standardPrincipal(WALLET_2_T)] }, post_conditions: [nftPc('origin', 'sent', Cl.uint(1))] },
  { name: 'post-condition-nft-not-sent', payload: { type: 'contract_call', contract: TOKEN, function: 'burn', args: [Cl.uint(2)] }, post_conditions: [nftPc(TOKEN, 'not-sent', Cl.uint(2)), nftPc(WALLET_2_T, 'not-sent', Cl.tuple({ id: Cl.uint(2), patient: Cl.standardPrincipal(WALLET_3_T) }))] },
  {
    name: 'post-conditions-all-kinds-deny',
    payload: { type: 'contract_call', contract: REGISTRY, function: 'everything', args: [] },
    post_conditions: [stxPc('origin', 'lte', 10), stxPc(WALLET_2_T, 'gt', 0), ftPc(REGISTRY, 'eq', 5), ftPc('origin', 'gte', 1), nftPc(WALLET_3_T, 'sent', Cl.uint(3)), nftPc(REGISTRY, 'not-sent', Cl.stringAscii('id-4'))],
  },
  { name: 'post-conditions-allow-mode', mode: 'allow', payload: { type: 'contract_call', contract: REGISTRY, function: 'pay', args: [Cl.uint(1)] }, post_conditions: [stxPc('origin', 'eq', 1)] },
  { name: 'stx-transfer-post-condition-deny', payload: { type: 'stx_transfer', recipient: WALLET_2_T, amount: '77' }, post_conditions: [stxPc('origin', 'eq', 77)] },
  { name: 'allow-mode-no-post-conditions', mode: 'allow', payload: { type: 'stx_transfer', recipient: WALLET_2_T, amount: '77' } },
  { name: 'post-conditions-mainnet', network: 'mainnet', payload: { type: 'contract_call', contract: `${DEPLOYER_M}.ehr-credit`, function: 'transfer', args: [Cl.uint(5)] }, post_conditions: [stxPc('origin', 'eq', 5), stxPc(WALLET_2_M, 'lt', 6), ftPc(`${DEPLOYER_M}.ehr-credit`, 'lte', 7)].map((pc) => (pc.asset ? { ...pc, asset: `${DEPLOYER_M}.ehr-credit::credit` } : pc)) },

  // Sponsored: the origin signs with the sponsor placeholder, then the sponsor signs.
  { name: 'sponsored-contract-call', payload: { type: 'contract_call', contract: REGISTRY, function: 'register-patient', args: [Cl.bufferFromHex('11'.repeat(32)), Cl.bufferFromHex('03' + '22'.repeat(32))] }, fee: 0, sponsor: { account: 'faucet', nonce: 5, fee: 1000 } },
  { name: 'sponsored-stx-transfer', payload: { type: 'stx_transfer', recipient: WALLET_3_T, amount: '250', memo: 'sponsored' }, nonce: 2, fee: 0, sponsor: { account: 'wallet_2', nonce: 0, fee: 300 } },
  { name: 'sponsored-deploy-mainnet', network: 'mainnet', origin: 'deployer', payload: { type: 'deploy', name: 'sponsored-counter', code: CONTRACT_CODE, clarity_version: 2 }, fee: 0, sponsor: { account: 'faucet', nonce: 123, fee: 50000 } },
  { name: 'sponsored-origin-fee-nonzero', payload: { type: 'contract_call', contract: REGISTRY, function: 'deactivate', args: [] }, nonce: 11, fee: 50, sponsor: { account: 'faucet', nonce: 55, fee: 123 } },
  { name: 'sponsored-post-conditions-allow', mode: 'allow', payload: { type: 'contract_call', contract: TOKEN, function: 'transfer', args: [Cl.uint(9), Cl.standardPrincipal(address('wallet_1', 'testnet')), Cl.standardPrincipal(WALLET_2_T)] }, post_conditions: [nftPc('origin', 'sent', Cl.uint(9)), stxPc(WALLET_2_T, 'eq', 0)], fee: 0, sponsor: { account: 'deployer', nonce: 1, fee: 777 } },
];

/** Fills the defaults and turns stacks.js Clarity values into the stored {hex, repr} form. */
function normalize(c) {
  const payload = c.payload.type === 'contract_call' ? { ...c.payload, args: c.payload.args.map(arg) } : c.payload;
  return {
    name: c.name,
    network: c.network ?? 'testnet',
    origin: { account: c.origin ?? 'wallet_1', nonce: String(c.nonce ?? 0), fee: String(c.fee ?? 200) },
    sponsor: c.sponsor ? { account: c.sponsor.account, nonce: String(c.sponsor.nonce), fee: String(c.sponsor.fee) } : null,
    post_condition_mode: c.mode ?? 'deny',
    post_conditions: c.post_conditions ?? [],
    payload,
  };
}

async function build(v) {
  const common = {
    network: v.network,
    senderKey: ACCOUNTS[v.origin.account],
    nonce: BigInt(v.origin.nonce),
    fee: BigInt(v.origin.fee),
    sponsored: v.sponsor !== null,
  };
  const withPcs = {
    postConditionMode: v.post_condition_mode === 'allow' ? PostConditionMode.Allow : PostConditionMode.Deny,
    postConditions: v.post_conditions.map(toStacksPc),
  };
  const p = v.payload;
  let tx;
  switch (p.type) {
    case 'stx_transfer': {
      // stacks.js's transfer builder has no post-condition options: set them on the unsigned
      // wire transaction, then sign it, as an app that needs them does.
      const { senderKey, ...unsigned } = common;
      tx = await makeUnsignedSTXTokenTransfer({ ...unsigned, publicKey: privateKeyToPublic(senderKey), recipient: p.recipient, amount: BigInt(p.amount), memo: p.memo });
      tx.postConditionMode = withPcs.postConditionMode;
      tx.postConditions = createLPList(withPcs.postConditions.map(postConditionToWire));
      new TransactionSigner(tx).signOrigin(senderKey);
      break;
    }
    case 'contract_call':
      tx = await makeContractCall({
        ...common,
        ...withPcs,
        contractAddress: p.contract.split('.')[0],
        contractName: p.contract.split('.')[1],
        functionName: p.function,
        functionArgs: p.args.map((a) => Cl.deserialize(a.hex)),
      });
      break;
    case 'deploy':
      if (p.clarity_version !== 2) throw new Error(`${v.name}: only Clarity 2 deploys are generated`);
      tx = await makeContractDeploy({ ...common, ...withPcs, contractName: p.name, codeBody: p.code, clarityVersion: ClarityVersion.Clarity2 });
      break;
    default:
      throw new Error(`unknown payload ${p.type}`);
  }
  if (v.sponsor) {
    tx = await sponsorTransaction({
      transaction: tx,
      sponsorPrivateKey: ACCOUNTS[v.sponsor.account],
      fee: BigInt(v.sponsor.fee),
      sponsorNonce: BigInt(v.sponsor.nonce),
    });
  }
  return {
    ...v,
    expected: {
      tx_hex: tx.serialize(),
      txid: tx.txid(),
      origin_address: address(v.origin.account, v.network),
      sponsor_address: v.sponsor ? address(v.sponsor.account, v.network) : null,
    },
  };
}

const version = JSON.parse(readFileSync(new URL('./node_modules/@stacks/transactions/package.json', import.meta.url))).version;
const vectors = [];
for (const c of CASES) vectors.push(await build(normalize(c)));
const out = { generator: `@stacks/transactions ${version}`, vectors };
writeFileSync(new URL('./vectors.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${vectors.length} vectors with @stacks/transactions ${version}`);

// debug_traceTransaction, differential: the same fixed-fee transactions (same signer keys, nonces, gas
// limits and fees, so the same hashes and addresses) are mined on a reference anvil and on the target,
// then traced with the default struct logger and with callTracer (plain, onlyTopCall, withLog).
// Each trace must also show what geth's tracers produce (types, gasUsed, revertReason, CREATE2 frames);
// then the target's trace must equal the reference's field by field (call tree: type/from/to/value/
// input/output/gas/gasUsed/error/revertReason/logs; struct logs: pc/op/gas/gasCost/depth/stack of every
// step). A mismatch names the exact path (e.g. `calls[0].gasUsed` or `structLogs[57].stack`).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createWalletClient, encodeDeployData, encodeFunctionData, getContractAddress, http, keccak256, parseEther, toHex } from 'viem';
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { artifact } from './lib/compile.js';
import { FEE } from './lib/scenario.js';
import { MNEMONIC, rpc, rpcRaw, startNode, targetKind } from './lib/node.js';

const T = artifact('LumioToken');
const ST = artifact('Store');
const CA = artifact('Caller');
const F = artifact('Create2Factory');
const CH = artifact('Child');
const R = artifact('Reverter');
const GAS = 1_500_000n;
const key = generatePrivateKey();
const A = privateKeyToAccount(key);
const B = '0x000000000000000000000000000000000000bEEF';

let subject, reference;
const runs = {}; // kind -> { txs: {name: hash}, addrs }

async function waitReceipt(url, hash) {
  for (let i = 0; i < 600; i++) {
    const r = await rpc(url, 'eth_getTransactionReceipt', [hash]);
    if (r) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`no receipt for ${hash}`);
}

/// Same transactions on any node: fixed key, nonces from 0, fixed gas and fees.
async function play(node) {
  const chainId = Number(BigInt(await rpc(node.url, 'eth_chainId')));
  const chain = { id: chainId, name: 'trace', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [node.url] } } };
  const transport = http(node.url, { retryCount: 0 });
  const funder = createWalletClient({ account: mnemonicToAccount(MNEMONIC, { addressIndex: 0 }), chain, transport });
  const w = createWalletClient({ account: A, chain, transport });
  await waitReceipt(node.url, await funder.sendTransaction({ to: A.address, value: parseEther('10'), gas: 21_000n, maxFeePerGas: FEE, maxPriorityFeePerGas: FEE }));
  const txs = {};
  const send = async (name, req) => {
    const hash = await w.sendTransaction({ gas: GAS, maxFeePerGas: FEE, maxPriorityFeePerGas: FEE, ...req });
    txs[name] = hash;
    return waitReceipt(node.url, hash);
  };
  const deploy = async (name, a, args = []) => (await send(name, { data: encodeDeployData({ abi: a.abi, bytecode: a.bytecode, args }) })).contractAddress;
  const addrs = {};
  await send('plain transfer', { to: B, value: 12345n, gas: 21_000n });
  addrs.token = await deploy('erc20 deploy', T, [10n ** 24n]);
  await send('erc20 transfer', { to: addrs.token, data: encodeFunctionData({ abi: T.abi, functionName: 'transfer', args: [B, 777n] }) });
  addrs.reverter = await deploy('reverter deploy', R);
  await send('reverting call', { to: addrs.reverter, data: encodeFunctionData({ abi: R.abi, functionName: 'bumpOrRevert', args: [true] }) });
  addrs.store = await deploy('store deploy', ST);
  addrs.caller = await deploy('caller deploy', CA);
  await send('nested call', { to: addrs.caller, data: encodeFunctionData({ abi: CA.abi, functionName: 'setThrough', args: [addrs.store, 41n] }) });
  await send('nested caught revert', { to: addrs.caller, data: encodeFunctionData({ abi: CA.abi, functionName: 'catchFailure', args: [addrs.store] }) });
  await send('nested value + delegatecall', { to: addrs.caller, data: encodeFunctionData({ abi: CA.abi, functionName: 'delegateSet', args: [addrs.store, 9n] }) });
  addrs.factory = await deploy('factory deploy', F);
  const salt = keccak256(toHex('trace'));
  await send('create2 deployChild', { to: addrs.factory, data: encodeFunctionData({ abi: F.abi, functionName: 'deployChild', args: [salt, 5n] }) });
  return { txs, addrs, salt };
}

before(async () => {
  // anvil records opcode steps only with --steps-tracing (otherwise structLogs is always []).
  subject = await startNode(targetKind(), { anvilArgs: ['--steps-tracing'] });
  const chainId = BigInt(await rpc(subject.url, 'eth_chainId'));
  reference = await startNode('anvil', { anvilArgs: ['--chain-id', chainId.toString(), '--steps-tracing'], record: false });
  runs.ref = await play(reference);
  runs.sub = await play(subject);
});
after(async () => {
  await subject?.stop();
  await reference?.stop();
});

const CONFIGS = {
  structLogger: {},
  'structLogger enableMemory': { enableMemory: true },
  'structLogger disableStack+disableStorage': { disableStack: true, disableStorage: true },
  callTracer: { tracer: 'callTracer' },
  'callTracer onlyTopCall': { tracer: 'callTracer', tracerConfig: { onlyTopCall: true } },
  'callTracer withLog': { tracer: 'callTracer', tracerConfig: { withLog: true } },
};
const TRACED = ['plain transfer', 'erc20 transfer', 'reverting call', 'nested call', 'nested caught revert', 'nested value + delegatecall', 'create2 deployChild', 'erc20 deploy'];

const cache = new Map();
async function trace(which, name, cfgName) {
  const k = `${which}|${name}|${cfgName}`;
  if (!cache.has(k)) {
    const node = which === 'ref' ? reference : subject;
    cache.set(k, rpcRaw(node.url, 'debug_traceTransaction', [runs[which].txs[name], CONFIGS[cfgName]], 60_000));
  }
  return cache.get(k);
}
async function traceOk(which, name, cfgName) {
  const r = await trace(which, name, cfgName);
  assert.ok(!r.error && r.result, `${which === 'ref' ? 'anvil' : subject.kind} debug_traceTransaction(${name}, ${JSON.stringify(CONFIGS[cfgName])}) failed: ${JSON.stringify(r.error ?? r)}`);
  return r.result;
}

/// The top call frame's `gas`: geth's callTracer reports the transaction gas limit; anvil (a known
/// deviation from geth) reports what is left after the intrinsic gas (21000 + calldata).
function topGas(limit, input) {
  if (subject.kind !== 'anvil') return limit;
  const bytes = Buffer.from(input.slice(2), 'hex');
  return limit - 21000n - bytes.reduce((g, b) => g + (b ? 16n : 4n), 0n);
}

const lc = (s) => (typeof s === 'string' ? s.toLowerCase() : s);
const num = (s) => (s === undefined || s === null ? s : `0x${BigInt(s.startsWith?.('0x') || typeof s !== 'string' ? s : `0x${s}`).toString(16)}`);

/// Normalised call frame: the fields geth's callTracer defines, hex quantities canonical, addresses lowercase.
function frame(f) {
  const out = { type: f.type, from: lc(f.from), to: lc(f.to), value: f.value === undefined ? undefined : num(f.value), gas: num(f.gas), gasUsed: num(f.gasUsed), input: lc(f.input), output: lc(f.output), error: f.error, revertReason: f.revertReason };
  if (f.logs) out.logs = f.logs.map((l) => ({ address: lc(l.address), topics: l.topics.map(lc), data: lc(l.data), position: l.position === undefined ? undefined : num(l.position) }));
  if (f.calls) out.calls = f.calls.map(frame);
  return out;
}

/// Every differing leaf, as `path: target=… reference=…`.
function diff(a, b, path = '', out = []) {
  if (out.length >= 15) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff(a[k], b[k], Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k, out);
    return out;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path || '(root)'}: target=${JSON.stringify(a)} reference=${JSON.stringify(b)}`);
  return out;
}

/// One struct-log step, normalised. stack/memory/storage are compared only when either side has them
/// (their presence per config is asserted separately); memory words are compared without 0x.
function step(s, other) {
  const out = { pc: s.pc, op: s.op, gas: Number(s.gas), gasCost: Number(s.gasCost), depth: s.depth };
  if (s.stack || other.stack) out.stack = (s.stack ?? []).map((v) => num(v));
  if (s.memory || other.memory) out.memory = (s.memory ?? []).map((w) => w.replace(/^0x/, '').toLowerCase());
  if (s.storage || other.storage) out.storage = Object.fromEntries(Object.entries(s.storage ?? {}).map(([k, v]) => [num(k), num(v)]));
  return out;
}

/// Compares struct logs step by step and reports the first steps that differ (with their neighbourhood).
function compareStructLogs(sub, ref) {
  const problems = [];
  for (const f of ['gas', 'failed']) if (JSON.stringify(sub[f]) !== JSON.stringify(ref[f])) problems.push(`${f}: target=${JSON.stringify(sub[f])} reference=${JSON.stringify(ref[f])}`);
  const rv = (v) => (v ?? '').replace(/^0x/, '').toLowerCase();
  if (rv(sub.returnValue) !== rv(ref.returnValue)) problems.push(`returnValue: target=${JSON.stringify(sub.returnValue)} reference=${JSON.stringify(ref.returnValue)}`);
  const a = sub.structLogs ?? [];
  const b = ref.structLogs ?? [];
  if (a.length !== b.length) problems.push(`structLogs.length: target=${a.length} reference=${b.length}`);
  let shown = 0;
  for (let i = 0; i < Math.min(a.length, b.length) && shown < 5; i++) {
    const d = diff(step(a[i], b[i]), step(b[i], a[i]), `structLogs[${i}](${b[i].op})`);
    if (d.length) { problems.push(...d); shown++; }
  }
  return problems;
}

describe('geth semantics of each trace (target)', () => {
  test('plain transfer: struct logger has no steps, callTracer a single CALL using 21000 gas', async () => {
    const s = await traceOk('sub', 'plain transfer', 'structLogger');
    assert.equal(Number(s.gas), 21000, 'struct logger gas = receipt gasUsed');
    assert.equal(s.failed, false);
    assert.deepEqual(s.structLogs, [], 'a transfer to an EOA executes no code');
    const c = await traceOk('sub', 'plain transfer', 'callTracer');
    assert.equal(c.type, 'CALL');
    assert.equal(lc(c.from), A.address.toLowerCase());
    assert.equal(lc(c.to), B.toLowerCase());
    assert.equal(BigInt(c.value), 12345n);
    assert.equal(BigInt(c.gas), topGas(21000n, '0x'), 'top frame gas');
    assert.equal(BigInt(c.gasUsed), 21000n);
    assert.equal(c.input, '0x');
    assert.equal(c.output, undefined, 'geth omits an empty output (`output,omitempty`)');
    assert.equal(c.calls, undefined, 'no subcalls (geth omits the field)');
    assert.equal(c.error, undefined);
  });

  test('ERC-20 transfer: CALL returning true, gasUsed = receipt, Transfer log with withLog', async () => {
    const receipt = await rpc(subject.url, 'eth_getTransactionReceipt', [runs.sub.txs['erc20 transfer']]);
    const c = await traceOk('sub', 'erc20 transfer', 'callTracer');
    assert.equal(c.type, 'CALL');
    assert.equal(lc(c.to), runs.sub.addrs.token.toLowerCase());
    assert.equal(c.input, encodeFunctionData({ abi: T.abi, functionName: 'transfer', args: [B, 777n] }));
    assert.equal(c.output, toHex(1n, { size: 32 }));
    assert.equal(BigInt(c.gasUsed), BigInt(receipt.gasUsed));
    assert.equal(BigInt(c.gas), topGas(GAS, c.input), 'top frame gas');
    const l = await traceOk('sub', 'erc20 transfer', 'callTracer withLog');
    assert.equal(l.logs?.length, 1, `one Transfer log on the top frame: ${JSON.stringify(l.logs)}`);
    assert.deepEqual(l.logs[0].topics, receipt.logs[0].topics);
    assert.equal(l.logs[0].data, receipt.logs[0].data);
    assert.equal(lc(l.logs[0].address), runs.sub.addrs.token.toLowerCase());
    const s = await traceOk('sub', 'erc20 transfer', 'structLogger');
    assert.equal(Number(s.gas), Number(receipt.gasUsed));
    assert.equal(s.failed, false);
    assert.ok(s.structLogs.length > 50, 'steps traced');
    assert.deepEqual(s.structLogs[0].op, 'PUSH1');
    assert.equal(s.structLogs[0].pc, 0);
    assert.equal(s.structLogs.at(-1).op, 'RETURN');
    assert.ok(s.structLogs.some((x) => x.op === 'LOG3'), 'Transfer is a LOG3');
    for (const x of s.structLogs) assert.equal(x.depth, 1);
  });

  test('reverting call: error "execution reverted", revertReason decoded, output is the revert data', async () => {
    const c = await traceOk('sub', 'reverting call', 'callTracer');
    assert.equal(c.error, 'execution reverted');
    assert.equal(c.revertReason, 'Reverter: bump refused');
    assert.match(c.output, /^0x08c379a0/, 'Error(string) selector');
    const s = await traceOk('sub', 'reverting call', 'structLogger');
    assert.equal(s.failed, true);
    assert.equal(s.structLogs.at(-1).op, 'REVERT');
    assert.match(`0x${s.returnValue.replace(/^0x/, '')}`, /^0x08c379a0/, 'struct logger returnValue is the revert data');
  });

  test('nested call: CALL frame Caller -> Store, inner return value, onlyTopCall drops it', async () => {
    const { caller, store } = runs.sub.addrs;
    const c = await traceOk('sub', 'nested call', 'callTracer');
    assert.equal(c.calls?.length, 1, JSON.stringify(c));
    const inner = c.calls[0];
    assert.equal(inner.type, 'CALL');
    assert.equal(lc(inner.from), caller.toLowerCase());
    assert.equal(lc(inner.to), store.toLowerCase());
    assert.equal(inner.input, encodeFunctionData({ abi: ST.abi, functionName: 'set', args: [41n] }));
    assert.equal(inner.output, toHex(42n, { size: 32 }));
    assert.equal(BigInt(inner.value ?? '0x0'), 0n);
    assert.ok(BigInt(inner.gasUsed) < BigInt(c.gasUsed));
    const top = await traceOk('sub', 'nested call', 'callTracer onlyTopCall');
    assert.equal(top.calls, undefined, 'onlyTopCall: no subcalls');
    assert.equal(top.gasUsed, c.gasUsed);
    const wl = await traceOk('sub', 'nested call', 'callTracer withLog');
    assert.equal(wl.calls[0].logs?.length, 1, 'ValueSet is logged on the inner frame');
    assert.equal(wl.logs?.length, 1, 'Forwarded on the outer frame');
    assert.equal(Number(wl.logs[0].position), 1, 'outer log comes after the one subcall (position = number of calls before it)');
    const s = await traceOk('sub', 'nested call', 'structLogger');
    assert.deepEqual([...new Set(s.structLogs.map((x) => x.depth))].sort(), [1, 2]);
  });

  test('caught inner revert: inner frame has error + revertReason, outer succeeds', async () => {
    const c = await traceOk('sub', 'nested caught revert', 'callTracer');
    assert.equal(c.error, undefined);
    assert.equal(c.calls?.length, 1);
    assert.equal(c.calls[0].error, 'execution reverted');
    assert.equal(c.calls[0].revertReason, 'Store: fail');
  });

  test('delegatecall frame', async () => {
    const c = await traceOk('sub', 'nested value + delegatecall', 'callTracer');
    assert.equal(c.calls?.[0]?.type, 'DELEGATECALL', JSON.stringify(c));
    assert.equal(lc(c.calls[0].to), runs.sub.addrs.store.toLowerCase());
    assert.equal(lc(c.calls[0].from), runs.sub.addrs.caller.toLowerCase(), 'geth: from = the contract that executes DELEGATECALL');
    assert.equal(c.calls[0].value, '0x0', 'geth: a DELEGATECALL frame carries the value inherited from its parent');
  });

  test('CREATE2 deployment: CREATE2 frame to the predicted address, output = runtime code', async () => {
    const { factory } = runs.sub.addrs;
    const c = await traceOk('sub', 'create2 deployChild', 'callTracer');
    const cr = c.calls?.[0];
    assert.equal(cr?.type, 'CREATE2', JSON.stringify(c));
    const initCode = encodeDeployData({ abi: CH.abi, bytecode: CH.bytecode, args: [5n] });
    const predicted = getContractAddress({ opcode: 'CREATE2', from: factory, salt: runs.sub.salt, bytecode: initCode });
    assert.equal(lc(cr.to), predicted.toLowerCase());
    assert.equal(lc(cr.from), factory.toLowerCase());
    assert.equal(cr.input, initCode);
    assert.equal(cr.output, await rpc(subject.url, 'eth_getCode', [predicted, 'latest']));
    const d = await traceOk('sub', 'erc20 deploy', 'callTracer');
    assert.equal(d.type, 'CREATE');
    assert.equal(lc(d.to), getContractAddress({ from: A.address, nonce: 1n }).toLowerCase());
  });
});

test('struct logger options: memory only with enableMemory, no stack/storage when disabled (geth defaults)', async () => {
  const def = await traceOk('sub', 'erc20 transfer', 'structLogger');
  assert.ok(def.structLogs.every((x) => x.memory === undefined), 'geth: memory is off by default');
  assert.ok(def.structLogs.every((x) => Array.isArray(x.stack)), 'stack is on by default');
  const sstore = def.structLogs.find((x) => x.op === 'SSTORE');
  assert.ok(sstore?.storage && Object.keys(sstore.storage).length > 0, `storage is on by default (shown at SSTORE): ${JSON.stringify(sstore)}`);
  const mem = await traceOk('sub', 'erc20 transfer', 'structLogger enableMemory');
  assert.ok(mem.structLogs.some((x) => Array.isArray(x.memory) && x.memory.length > 0), 'enableMemory shows memory');
  const off = await traceOk('sub', 'erc20 transfer', 'structLogger disableStack+disableStorage');
  assert.ok(off.structLogs.every((x) => x.stack === undefined && x.storage === undefined), 'disableStack/disableStorage drop them');
  assert.equal(off.structLogs.length, def.structLogs.length);
});

describe('target trace equals the reference anvil trace', () => {
  test('same transaction hashes on both nodes (the comparison is meaningful)', () => {
    assert.deepEqual(runs.sub.txs, runs.ref.txs);
  });
  for (const name of TRACED) {
    for (const cfgName of Object.keys(CONFIGS)) {
      test(`${name} — ${cfgName}`, async () => {
        const ref = await traceOk('ref', name, cfgName);
        const sub = await traceOk('sub', name, cfgName);
        // The top frame's `gas` is excluded: geth's callTracer reports the tx gas limit there (asserted
        // above), anvil reports the gas left after the intrinsic cost.
        const top = (f) => ({ ...frame(f), gas: undefined });
        const problems = cfgName.startsWith('structLogger') ? compareStructLogs(sub, ref) : diff(top(sub), top(ref));
        assert.deepEqual(problems, [], `${subject.kind} vs anvil, debug_traceTransaction("${runs.sub.txs[name]}", ${JSON.stringify(CONFIGS[cfgName])}):\n  ${problems.join('\n  ')}`);
      });
    }
  }
});

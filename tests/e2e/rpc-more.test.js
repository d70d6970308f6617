// More of the read API as geth serves it: eth_subscribe newPendingTransactions / newHeads (raw ws),
// eth_feeHistory values against the blocks, eth_call with state overrides and historical block tags,
// eth_getBlockReceipts and eth_getTransactionByBlockNumberAndIndex.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeDeployData, encodeFunctionData, parseGwei, toHex } from 'viem';
import { WebSocket } from 'ws';
import { viemClients } from './lib/clients.js';
import { artifact } from './lib/compile.js';
import { rpc, rpcRaw, startNode } from './lib/node.js';

const ST = artifact('Store');
const QUANTITY = /^0x(0|[1-9a-f][0-9a-f]*)$/;
const HASH = /^0x[0-9a-f]{64}$/;
let node, c;

before(async () => {
  node = await startNode();
  c = await viemClients(node, 3);
});
after(async () => node?.stop());

const hex = (n) => `0x${BigInt(n).toString(16)}`;
async function sendAndWait(req) {
  const hash = await c.walletClient.sendTransaction(req);
  return c.publicClient.waitForTransactionReceipt({ hash });
}
async function deployStore() {
  const r = await sendAndWait({ data: encodeDeployData({ abi: ST.abi, bytecode: ST.bytecode }) });
  return r.contractAddress;
}

/// A raw ws connection that collects eth_subscription notifications per subscription id.
async function wsConnect() {
  const ws = new WebSocket(node.wsUrl);
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  let id = 0;
  const waiting = new Map();
  const notes = [];
  ws.on('message', (m) => {
    const msg = JSON.parse(m.toString());
    if (msg.method === 'eth_subscription') notes.push(msg);
    else waiting.get(msg.id)?.(msg);
  });
  return {
    notes,
    call: (method, params = []) => new Promise((res) => {
      const myId = ++id;
      waiting.set(myId, res);
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: myId, method, params }));
    }),
    async next(sub, pred = () => true, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const n = notes.find((x) => x.params?.subscription === sub && pred(x.params.result));
        if (n) return n;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no notification for subscription ${sub} within ${timeoutMs} ms; got ${JSON.stringify(notes).slice(0, 500)}`);
    },
    close: () => ws.close(),
  };
}

describe('eth_subscribe (raw ws)', { timeout: 60_000 }, () => {
  test('newPendingTransactions: the hash of a sent transaction, then eth_unsubscribe', async () => {
    const ws = await wsConnect();
    try {
      const sub = await ws.call('eth_subscribe', ['newPendingTransactions']);
      assert.match(sub.result ?? '', /^0x[0-9a-f]+$/, `subscription id: ${JSON.stringify(sub)}`);
      const hash = await c.walletClient.sendTransaction({ to: c.account.address, value: 1n });
      const n = await ws.next(sub.result, (r) => r === hash);
      assert.equal(n.jsonrpc, '2.0');
      assert.equal(n.params.result, hash, 'geth notifies the bare hash (no full tx without the fullTx flag)');
      await c.publicClient.waitForTransactionReceipt({ hash });
      assert.deepEqual((await ws.call('eth_unsubscribe', [sub.result])).result, true);
      const again = await ws.call('eth_unsubscribe', [sub.result]);
      assert.ok(again.error || again.result === false, `second unsubscribe: ${JSON.stringify(again)}`);
    } finally {
      ws.close();
    }
  });

  test('newHeads: every header field equals eth_getBlockByNumber', async () => {
    const ws = await wsConnect();
    try {
      const sub = await ws.call('eth_subscribe', ['newHeads']);
      assert.match(sub.result ?? '', /^0x[0-9a-f]+$/, JSON.stringify(sub));
      const r = await sendAndWait({ to: c.account.address, value: 2n });
      const n = await ws.next(sub.result, (h) => BigInt(h.number) === r.blockNumber);
      const h = n.params.result;
      const block = await rpc(node.url, 'eth_getBlockByNumber', [hex(r.blockNumber), false]);
      for (const f of ['number', 'timestamp', 'gasLimit', 'gasUsed', 'baseFeePerGas', 'difficulty']) assert.match(h[f] ?? '', QUANTITY, f);
      for (const f of ['hash', 'parentHash', 'stateRoot', 'transactionsRoot', 'receiptsRoot', 'sha3Uncles', 'mixHash']) assert.match(h[f] ?? '', HASH, f);
      assert.match(h.logsBloom, /^0x[0-9a-f]{512}$/);
      assert.match(h.miner, /^0x[0-9a-f]{40}$/);
      assert.match(h.nonce, /^0x[0-9a-f]{16}$/);
      assert.equal(typeof h.extraData, 'string');
      for (const [k, v] of Object.entries(h)) {
        if (k in block) assert.deepEqual(v, block[k], `newHeads.${k} equals the block's`);
      }
      assert.equal(h.hash, r.blockHash);
      if (node.kind === 'anvil') {
        // anvil deviates from geth: its newHeads carries the block's transaction hashes.
        assert.deepEqual(h.transactions, block.transactions);
      } else {
        assert.equal(h.transactions, undefined, 'geth: a header carries no transaction list');
      }
    } finally {
      ws.close();
    }
  });
});

describe('eth_feeHistory', { timeout: 60_000 }, () => {
  test('oldestBlock, lengths, base fees and gasUsedRatio match the blocks; rewards are the tips paid', async () => {
    const tips = [parseGwei('1'), parseGwei('3'), parseGwei('2')];
    const receipts = [];
    for (const tip of tips) receipts.push(await sendAndWait({ to: c.account.address, value: 1n, maxPriorityFeePerGas: tip, maxFeePerGas: parseGwei('100') }));
    const newest = receipts.at(-1).blockNumber;
    assert.deepEqual(receipts.map((r) => r.blockNumber), [newest - 2n, newest - 1n, newest], 'one block per transaction (automine)');
    const pct = [10, 50, 90];
    const h = await rpc(node.url, 'eth_feeHistory', ['0x3', hex(newest), pct]);
    assert.equal(h.oldestBlock, hex(newest - 2n), 'oldestBlock = newest - blockCount + 1');
    assert.equal(h.baseFeePerGas.length, 4, 'blockCount + 1 base fees');
    assert.equal(h.gasUsedRatio.length, 3);
    assert.equal(h.reward.length, 3);
    for (let i = 0; i < 3; i++) {
      const b = await rpc(node.url, 'eth_getBlockByNumber', [hex(newest - 2n + BigInt(i)), false]);
      assert.equal(h.baseFeePerGas[i], b.baseFeePerGas, `baseFeePerGas[${i}] is block ${BigInt(b.number)}'s`);
      assert.ok(Math.abs(h.gasUsedRatio[i] - Number(BigInt(b.gasUsed)) / Number(BigInt(b.gasLimit))) < 1e-9, `gasUsedRatio[${i}] = gasUsed/gasLimit`);
      const eff = receipts[i].effectiveGasPrice - BigInt(b.baseFeePerGas);
      assert.equal(eff, tips[i] < parseGwei('100') - BigInt(b.baseFeePerGas) ? tips[i] : parseGwei('100') - BigInt(b.baseFeePerGas));
      assert.deepEqual(h.reward[i], pct.map(() => hex(eff)), `reward[${i}]: the block's only tx paid a tip of ${eff}`);
    }
    // The extra base fee is the next block's: mine one and compare.
    const tagged = await rpc(node.url, 'eth_feeHistory', [3, 'latest', []]);
    const head = BigInt(await rpc(node.url, 'eth_blockNumber'));
    assert.equal(tagged.oldestBlock, hex(head - 2n), '"latest" and a JSON number blockCount');
    // geth omits `reward` when no percentiles are asked for; anvil answers [] (a known deviation).
    if (node.kind === 'anvil') assert.deepEqual(tagged.reward, []);
    else assert.equal(tagged.reward, undefined, 'no reward field without percentiles (geth)');
    await rpc(node.url, 'evm_mine');
    const next = await rpc(node.url, 'eth_getBlockByNumber', [hex(head + 1n), false]);
    assert.equal(tagged.baseFeePerGas[3], next.baseFeePerGas, 'last baseFeePerGas is the next block\'s base fee');
  });

  test('blockCount beyond genesis is truncated; bad percentiles are an error', async () => {
    const h = await rpc(node.url, 'eth_feeHistory', ['0x400', 'latest', [50]]);
    const head = BigInt(await rpc(node.url, 'eth_blockNumber'));
    assert.equal(h.oldestBlock, '0x0', 'starts at genesis');
    assert.equal(h.gasUsedRatio.length, Number(head) + 1);
    assert.equal(h.baseFeePerGas.length, Number(head) + 2);
    const bad = await rpcRaw(node.url, 'eth_feeHistory', ['0x2', 'latest', [90, 10]]);
    if (node.kind === 'anvil') {
      // anvil accepts unsorted and >100 percentiles (geth does not); it still answers one reward per percentile.
      assert.equal(bad.result.reward[0].length, 2);
    } else {
      const over = await rpcRaw(node.url, 'eth_feeHistory', ['0x2', 'latest', [50, 101]]);
      assert.ok(over.error, `a percentile above 100 is rejected: ${JSON.stringify(over)}`);
      assert.ok(bad.error, `decreasing percentiles are rejected (geth: "invalid reward percentile"): ${JSON.stringify(bad)}`);
      assert.match(bad.error.message, /invalid reward percentile/);
    }
  });
});

describe('eth_call with state overrides and block tags', { timeout: 60_000 }, () => {
  let store, before41, at41, at42;
  before(async () => {
    store = await deployStore();
    before41 = await c.publicClient.getBlockNumber();
    at41 = (await sendAndWait({ to: store, data: encodeFunctionData({ abi: ST.abi, functionName: 'set', args: [41n] }) })).blockNumber;
    at42 = (await sendAndWait({ to: store, data: encodeFunctionData({ abi: ST.abi, functionName: 'set', args: [42n] }) })).blockNumber;
  });
  const get = encodeFunctionData({ abi: ST.abi, functionName: 'get' });
  const lastCaller = encodeFunctionData({ abi: ST.abi, functionName: 'lastCaller' });
  const word = (n) => toHex(n, { size: 32 });

  test('block number / tag / EIP-1898 object select the historical state', async () => {
    assert.equal(await rpc(node.url, 'eth_call', [{ to: store, data: get }, hex(before41)]), word(0n));
    assert.equal(await rpc(node.url, 'eth_call', [{ to: store, data: get }, hex(at41)]), word(41n));
    assert.equal(await rpc(node.url, 'eth_call', [{ to: store, data: get }, hex(at42)]), word(42n));
    assert.equal(await rpc(node.url, 'eth_call', [{ to: store, data: get }, 'latest']), word(42n));
    const b41 = await rpc(node.url, 'eth_getBlockByNumber', [hex(at41), false]);
    assert.equal(await rpc(node.url, 'eth_call', [{ to: store, data: get }, { blockHash: b41.hash }]), word(41n));
    assert.equal(await rpc(node.url, 'eth_call', [{ to: store, data: get }, { blockNumber: hex(at41) }]), word(41n));
    assert.equal(await rpc(node.url, 'eth_call', [{ to: store, data: get }, 'earliest']), '0x', 'no code at genesis');
  });

  test('balance + code override: an injected contract reads an overridden balance', async () => {
    // CALLER BALANCE PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN: returns the caller's balance.
    const code = '0x333160005260206000f3';
    const from = '0x00000000000000000000000000000000000a11ce';
    const to = '0x00000000000000000000000000000000000c0de0';
    const out = await rpc(node.url, 'eth_call', [{ from, to }, 'latest', { [to]: { code }, [from]: { balance: '0x3039' } }]);
    assert.equal(out, word(12345n));
    assert.equal(await rpc(node.url, 'eth_getCode', [to, 'latest']), '0x', 'overrides do not persist');
    assert.equal(await rpc(node.url, 'eth_call', [{ from, to }, 'latest']), '0x', 'no code without the override');
  });

  test('state replaces all storage, stateDiff patches single slots', async () => {
    const slot0 = word(0n);
    const viaState = await rpc(node.url, 'eth_call', [{ to: store, data: get }, 'latest', { [store]: { state: { [slot0]: word(99n) } } }]);
    assert.equal(viaState, word(99n));
    const callerViaState = await rpc(node.url, 'eth_call', [{ to: store, data: lastCaller }, 'latest', { [store]: { state: { [slot0]: word(99n) } } }]);
    assert.equal(callerViaState, word(0n), '`state` wipes the slots it does not list');
    const viaDiff = await rpc(node.url, 'eth_call', [{ to: store, data: get }, 'latest', { [store]: { stateDiff: { [slot0]: word(7n) } } }]);
    assert.equal(viaDiff, word(7n));
    const callerViaDiff = await rpc(node.url, 'eth_call', [{ to: store, data: lastCaller }, 'latest', { [store]: { stateDiff: { [slot0]: word(7n) } } }]);
    assert.equal(callerViaDiff, word(BigInt(c.account.address)), '`stateDiff` keeps the other slots');
    assert.equal(await rpc(node.url, 'eth_call', [{ to: store, data: get }, 'latest']), word(42n), 'overrides do not persist');
    const both = await rpcRaw(node.url, 'eth_call', [{ to: store, data: get }, 'latest', { [store]: { state: {}, stateDiff: {} } }]);
    assert.ok(both.error, `state and stateDiff together are rejected (geth: "has both 'state' and 'stateDiff'"): ${JSON.stringify(both)}`);
  });

  test('overrides apply at a historical block', async () => {
    const out = await rpc(node.url, 'eth_call', [{ to: store, data: lastCaller }, hex(at41), { [store]: { stateDiff: { [word(0n)]: word(5n) } } }]);
    assert.equal(out, word(BigInt(c.account.address)));
    assert.equal(await rpc(node.url, 'eth_call', [{ to: store, data: get }, hex(before41), { [store]: { stateDiff: { [word(0n)]: word(5n) } } }]), word(5n));
  });
});

describe('block-scoped lookups', { timeout: 60_000 }, () => {
  test('eth_getBlockReceipts equals the per-transaction receipts (number, tag, hash); unknown block is null', async () => {
    const r = await sendAndWait({ to: c.account.address, value: 3n });
    const single = await rpc(node.url, 'eth_getTransactionReceipt', [r.transactionHash]);
    const byNumber = await rpc(node.url, 'eth_getBlockReceipts', [hex(r.blockNumber)]);
    assert.ok(Array.isArray(byNumber), JSON.stringify(byNumber));
    assert.deepEqual(byNumber.find((x) => x.transactionHash === r.transactionHash), single);
    const block = await rpc(node.url, 'eth_getBlockByNumber', [hex(r.blockNumber), false]);
    assert.equal(byNumber.length, block.transactions.length);
    assert.deepEqual(byNumber.map((x) => x.transactionHash), block.transactions);
    assert.deepEqual(await rpc(node.url, 'eth_getBlockReceipts', [r.blockHash]), byNumber, 'by block hash');
    assert.deepEqual(await rpc(node.url, 'eth_getBlockReceipts', [{ blockHash: r.blockHash }]), byNumber, 'EIP-1898 object');
    if ((await rpc(node.url, 'eth_blockNumber')) === hex(r.blockNumber)) {
      assert.deepEqual(await rpc(node.url, 'eth_getBlockReceipts', ['latest']), byNumber);
    }
    assert.deepEqual(await rpc(node.url, 'eth_getBlockReceipts', ['0x0']), [], 'genesis has no receipts');
    assert.equal(await rpc(node.url, 'eth_getBlockReceipts', ['0xffffff']), null);
  });

  test('eth_getTransactionByBlockNumberAndIndex equals eth_getTransactionByHash; out of range is null', async () => {
    const r = await sendAndWait({ to: c.account.address, value: 4n, type: 'legacy' });
    const byHash = await rpc(node.url, 'eth_getTransactionByHash', [r.transactionHash]);
    const byIndex = await rpc(node.url, 'eth_getTransactionByBlockNumberAndIndex', [hex(r.blockNumber), hex(r.transactionIndex)]);
    assert.deepEqual(byIndex, byHash);
    assert.equal(byIndex.blockHash, r.blockHash);
    assert.deepEqual(await rpc(node.url, 'eth_getTransactionByBlockHashAndIndex', [r.blockHash, hex(r.transactionIndex)]), byHash);
    assert.equal(await rpc(node.url, 'eth_getTransactionByBlockNumberAndIndex', [hex(r.blockNumber), '0x63']), null);
    assert.equal(await rpc(node.url, 'eth_getTransactionByBlockNumberAndIndex', ['0xffffff', '0x0']), null);
    await rpc(node.url, 'evm_mine');
    const lastWithTx = await rpc(node.url, 'eth_getTransactionByBlockNumberAndIndex', [hex(r.blockNumber), '0x0']);
    assert.equal(lastWithTx.hash, r.transactionHash);
  });
});

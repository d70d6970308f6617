// Dev-node methods (anvil / Hardhat names) as tools use them: mining, time travel seen by a contract,
// state setters, impersonation, nested snapshots over dev writes.
//
// Documented difference: Lumio applies every state-setter write (setBalance/setCode/setNonce/
// setStorageAt) in a block of its own, so eth_blockNumber grows by one per write; anvil changes the
// pending state in place and mines nothing. `writeBlocks` below asserts each target's rule.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeDeployData, encodeFunctionData, parseEther, toHex } from 'viem';
import { viemClients } from './lib/clients.js';
import { artifact } from './lib/compile.js';
import { rpc, rpcRaw, startNode } from './lib/node.js';

const ST = artifact('Store');
let node, c;
before(async () => {
  node = await startNode();
  c = await viemClients(node, 5);
});
after(async () => node?.stop());

const hex = (n) => `0x${BigInt(n).toString(16)}`;
const head = async () => BigInt(await rpc(node.url, 'eth_blockNumber'));
const block = async (tag = 'latest') => rpc(node.url, 'eth_getBlockByNumber', [typeof tag === 'string' ? tag : hex(tag), false]);
const randomAddress = () => toHex(crypto.getRandomValues(new Uint8Array(20)));
/// Blocks a state-setter call adds: Lumio mines each dev write in its own block, anvil none.
const writeBlocks = () => (node.kind === 'anvil' ? 0n : 1n);

async function sendAndWait(req) {
  return c.publicClient.waitForTransactionReceipt({ hash: await c.walletClient.sendTransaction(req) });
}

describe('mining', { timeout: 60_000 }, () => {
  test('evm_mine mines one block and answers "0x0"', async () => {
    const n = await head();
    assert.equal(await rpc(node.url, 'evm_mine'), '0x0');
    assert.equal(await head(), n + 1n);
    const b = await block();
    assert.deepEqual(b.transactions, []);
    assert.equal(b.parentHash, (await block(n)).hash);
  });

  test('evm_mine with a timestamp uses it for the block', async () => {
    const t = BigInt((await block()).timestamp) + 1000n;
    await rpc(node.url, 'evm_mine', [hex(t)]);
    assert.equal(BigInt((await block()).timestamp), t);
  });

  test('back-to-back blocks have strictly increasing timestamps', async () => {
    const n = await head();
    for (let i = 0; i < 3; i++) await rpc(node.url, 'evm_mine');
    const ts = [];
    for (let i = 0n; i <= 3n; i++) ts.push(BigInt((await block(n + i)).timestamp));
    for (let i = 1; i < ts.length; i++) {
      if (node.kind === 'anvil') {
        // anvil mines several blocks in the same second with equal timestamps (a known deviation).
        assert.ok(ts[i] >= ts[i - 1], `${ts}`);
      } else {
        // Ethereum requires timestamp > parent's (Yellow Paper H_s > P(H)_s); geth's dev mode and Hardhat
        // (allowBlocksWithSameTimestamp: false) bump to parent + 1.
        assert.ok(ts[i] > ts[i - 1], `block ${n + BigInt(i)} timestamp ${ts[i]} must exceed its parent's ${ts[i - 1]} (all: ${ts})`);
      }
    }
  });

  for (const method of ['anvil_mine', 'hardhat_mine']) {
    test(`${method}(count, interval) mines count blocks spaced by interval seconds`, async () => {
      const n = await head();
      const t0 = BigInt((await block()).timestamp);
      await rpc(node.url, method, ['0x5', '0x3c']);
      assert.equal(await head(), n + 5n);
      const ts = [];
      for (let i = 1n; i <= 5n; i++) ts.push(BigInt((await block(n + i)).timestamp));
      for (let i = 1; i < 5; i++) assert.equal(ts[i] - ts[i - 1], 60n, `block ${i} is 60 s after block ${i - 1}: ${ts}`);
      assert.ok(ts[0] > t0, 'first mined block is later than the head it builds on');
      for (let i = 1n; i <= 5n; i++) assert.equal((await block(n + i)).parentHash, (await block(n + i - 1n)).hash);
      await rpc(node.url, method, []);
      assert.equal(await head(), n + 6n, 'no arguments: one block');
    });
  }
});

describe('time', { timeout: 60_000 }, () => {
  let clock; // TIMESTAMP PUSH1 0 SSTORE STOP: stores block.timestamp in slot 0
  before(async () => {
    clock = randomAddress();
    await rpc(node.url, 'anvil_setCode', [clock, '0x4260005500']);
  });
  const stamp = async () => {
    const r = await sendAndWait({ to: clock, gas: 100_000n });
    const seen = BigInt(await rpc(node.url, 'eth_getStorageAt', [clock, '0x0', hex(r.blockNumber)]));
    return { seen, block: BigInt((await block(r.blockNumber)).timestamp) };
  };

  test('evm_setNextBlockTimestamp: the contract sees exactly that block.timestamp', async () => {
    const t = BigInt((await block()).timestamp) + 86_400n;
    await rpc(node.url, 'evm_setNextBlockTimestamp', [hex(t)]);
    const s = await stamp();
    assert.equal(s.block, t);
    assert.equal(s.seen, t, 'block.timestamp inside the transaction');
  });

  test('evm_increaseTime: the next block is at least that much later, seen by the contract', async () => {
    const before = BigInt((await block()).timestamp);
    const r = await rpcRaw(node.url, 'evm_increaseTime', [3600]);
    assert.ok(!r.error, JSON.stringify(r));
    const s = await stamp();
    assert.equal(s.seen, s.block);
    assert.ok(s.block >= before + 3600n, `timestamp ${s.block} >= ${before} + 3600`);
    assert.ok(s.block < before + 3600n + 120n, `…and not far beyond (${s.block - before} s)`);
  });

  test('a timestamp not after the parent is rejected', async () => {
    const t = BigInt((await block()).timestamp);
    const r = await rpcRaw(node.url, 'evm_setNextBlockTimestamp', [hex(t - 10n)]);
    assert.ok(r.error, `setting a timestamp in the past is an error: ${JSON.stringify(r)}`);
    assert.match(await rpc(node.url, 'eth_blockNumber'), /^0x/, 'node still serving');
  });
});

describe('state setters', { timeout: 60_000 }, () => {
  for (const ns of ['anvil_', 'hardhat_']) {
    test(`${ns}setBalance`, async () => {
      const a = randomAddress();
      const n = await head();
      await rpc(node.url, `${ns}setBalance`, [a, hex(parseEther('123.5'))]);
      assert.equal(BigInt(await rpc(node.url, 'eth_getBalance', [a, 'latest'])), parseEther('123.5'));
      assert.equal(await head(), n + writeBlocks(), `${node.kind}: blocks added by a dev write`);
      await rpc(node.url, `${ns}setBalance`, [a, '0x0']);
      assert.equal(await rpc(node.url, 'eth_getBalance', [a, 'latest']), '0x0');
    });

    test(`${ns}setCode: the code runs`, async () => {
      const a = randomAddress();
      // PUSH1 42 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
      const code = '0x602a60005260206000f3';
      await rpc(node.url, `${ns}setCode`, [a, code]);
      assert.equal(await rpc(node.url, 'eth_getCode', [a, 'latest']), code);
      assert.equal(BigInt(await rpc(node.url, 'eth_call', [{ to: a }, 'latest'])), 42n);
      await rpc(node.url, `${ns}setCode`, [a, '0x']);
      assert.equal(await rpc(node.url, 'eth_getCode', [a, 'latest']), '0x');
    });

    test(`${ns}setStorageAt: a contract reads the written slot`, async () => {
      const r = await sendAndWait({ data: encodeDeployData({ abi: ST.abi, bytecode: ST.bytecode }) });
      const store = r.contractAddress;
      await rpc(node.url, `${ns}setStorageAt`, [store, '0x0', toHex(777n, { size: 32 })]);
      assert.equal(await rpc(node.url, 'eth_getStorageAt', [store, '0x0', 'latest']), toHex(777n, { size: 32 }));
      const got = await rpc(node.url, 'eth_call', [{ to: store, data: encodeFunctionData({ abi: ST.abi, functionName: 'get' }) }, 'latest']);
      assert.equal(BigInt(got), 777n);
    });
  }

  test('hardhat_setNonce / anvil_setNonce: the next transaction uses the new nonce', async () => {
    const from = c.account.address;
    const cur = BigInt(await rpc(node.url, 'eth_getTransactionCount', [from, 'latest']));
    await rpc(node.url, 'hardhat_setNonce', [from, hex(cur + 10n)]);
    assert.equal(BigInt(await rpc(node.url, 'eth_getTransactionCount', [from, 'latest'])), cur + 10n);
    const r = await sendAndWait({ to: from, value: 0n });
    const tx = await rpc(node.url, 'eth_getTransactionByHash', [r.transactionHash]);
    assert.equal(BigInt(tx.nonce), cur + 10n);
    await rpc(node.url, 'anvil_setNonce', [from, hex(cur + 20n)]);
    assert.equal(BigInt(await rpc(node.url, 'eth_getTransactionCount', [from, 'latest'])), cur + 20n);
  });
});

describe('impersonation', { timeout: 60_000 }, () => {
  test('send from an impersonated non-dev address with eth_sendTransaction; stopping makes it fail', async () => {
    const who = randomAddress();
    const to = randomAddress();
    await rpc(node.url, 'anvil_setBalance', [who, hex(parseEther('10'))]);
    const denied = await rpcRaw(node.url, 'eth_sendTransaction', [{ from: who, to, value: '0x1' }]);
    assert.ok(denied.error, `not impersonated yet: ${JSON.stringify(denied)}`);

    await rpc(node.url, 'anvil_impersonateAccount', [who]);
    const hash = await rpc(node.url, 'eth_sendTransaction', [{ from: who, to, value: hex(12345n) }]);
    const r = await c.publicClient.waitForTransactionReceipt({ hash });
    assert.equal(r.status, 'success');
    assert.equal(r.from.toLowerCase(), who.toLowerCase());
    assert.equal(BigInt(await rpc(node.url, 'eth_getBalance', [to, 'latest'])), 12345n);
    const tx = await rpc(node.url, 'eth_getTransactionByHash', [hash]);
    assert.equal(tx.from.toLowerCase(), who.toLowerCase());
    assert.equal(BigInt(await rpc(node.url, 'eth_getTransactionCount', [who, 'latest'])), 1n);

    await rpc(node.url, 'anvil_stopImpersonatingAccount', [who]);
    const after = await rpcRaw(node.url, 'eth_sendTransaction', [{ from: who, to, value: '0x1' }]);
    assert.ok(after.error, `after stopImpersonatingAccount: ${JSON.stringify(after)}`);
    assert.equal(BigInt(await rpc(node.url, 'eth_getBalance', [to, 'latest'])), 12345n, 'nothing was sent');

    // Hardhat's names do the same.
    await rpc(node.url, 'hardhat_impersonateAccount', [who]);
    const h2 = await rpc(node.url, 'eth_sendTransaction', [{ from: who, to, value: '0x1' }]);
    assert.equal((await c.publicClient.waitForTransactionReceipt({ hash: h2 })).status, 'success');
    await rpc(node.url, 'hardhat_stopImpersonatingAccount', [who]);
    assert.ok((await rpcRaw(node.url, 'eth_sendTransaction', [{ from: who, to, value: '0x1' }])).error);
  });
});

describe('evm_snapshot / evm_revert over dev writes', { timeout: 60_000 }, () => {
  test('nested snapshots undo setBalance/setCode/setStorageAt/setNonce and transactions, innermost first', async () => {
    const a = randomAddress();
    const n0 = await head();
    const s1 = await rpc(node.url, 'evm_snapshot');
    await rpc(node.url, 'anvil_setBalance', [a, '0x64']);
    await rpc(node.url, 'anvil_setCode', [a, '0x00']);
    await rpc(node.url, 'anvil_setStorageAt', [a, '0x1', toHex(5n, { size: 32 })]);
    const n1 = await head();
    assert.equal(n1, n0 + 3n * writeBlocks());
    const s2 = await rpc(node.url, 'evm_snapshot');
    assert.notEqual(s2, s1);
    await rpc(node.url, 'anvil_setBalance', [a, '0xc8']);
    await rpc(node.url, 'anvil_setNonce', [a, '0x7']);
    const r = await sendAndWait({ to: a, value: 1n });
    assert.equal(BigInt(await rpc(node.url, 'eth_getBalance', [a, 'latest'])), 201n);

    assert.equal(await rpc(node.url, 'evm_revert', [s2]), true);
    assert.equal(await head(), n1);
    assert.equal(BigInt(await rpc(node.url, 'eth_getBalance', [a, 'latest'])), 100n);
    assert.equal(await rpc(node.url, 'eth_getTransactionCount', [a, 'latest']), '0x0');
    assert.equal(await rpc(node.url, 'eth_getCode', [a, 'latest']), '0x00');
    assert.equal(await rpc(node.url, 'eth_getTransactionReceipt', [r.transactionHash]), null);

    assert.equal(await rpc(node.url, 'evm_revert', [s1]), true);
    assert.equal(await head(), n0);
    assert.equal(await rpc(node.url, 'eth_getBalance', [a, 'latest']), '0x0');
    assert.equal(await rpc(node.url, 'eth_getCode', [a, 'latest']), '0x');
    assert.equal(BigInt(await rpc(node.url, 'eth_getStorageAt', [a, '0x1', 'latest'])), 0n);
    assert.equal(await rpc(node.url, 'evm_revert', [s2]), false, 'a snapshot taken after the one reverted to is gone');
    assert.equal(await rpc(node.url, 'evm_revert', [s1]), false, 'a snapshot is consumed by its revert');
  });

  test('an unknown snapshot id is false, and state is untouched', async () => {
    const n = await head();
    assert.equal(await rpc(node.url, 'evm_revert', ['0xdead']), false);
    assert.equal(await head(), n);
  });
});

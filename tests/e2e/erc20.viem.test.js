// ERC-20 lifecycle through viem: deploy, transfer, balances, and Transfer events seen three ways
// (eth_getLogs, eth_newFilter + eth_getFilterChanges, eth_subscribe over ws://).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getAddress, parseEther, zeroAddress } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { viemClients, waitFor } from './lib/clients.js';
import { artifact } from './lib/compile.js';
import { MNEMONIC, startNode } from './lib/node.js';

const SUPPLY = parseEther('1000000');
const token = artifact('LumioToken');
const alice = mnemonicToAccount(MNEMONIC, { addressIndex: 1 }).address;
const bob = mnemonicToAccount(MNEMONIC, { addressIndex: 2 }).address;

let node, c, address, deployBlock;

before(async () => {
  node = await startNode();
  c = await viemClients(node, 0);
});
after(async () => node?.stop());

async function transfer(to, amount) {
  const hash = await c.walletClient.writeContract({ address, abi: token.abi, functionName: 'transfer', args: [to, amount] });
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success');
  return receipt;
}

const balanceOf = (who) => c.publicClient.readContract({ address, abi: token.abi, functionName: 'balanceOf', args: [who] });

test('deploy ERC-20 and read its metadata', async () => {
  const hash = await c.walletClient.deployContract({ abi: token.abi, bytecode: token.bytecode, args: [SUPPLY] });
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success');
  assert.ok(receipt.contractAddress, 'receipt.contractAddress is set');
  address = receipt.contractAddress;
  deployBlock = receipt.blockNumber;
  const code = await c.publicClient.getCode({ address });
  assert.equal(code, token.deployedBytecode, 'eth_getCode returns the runtime bytecode');
  const read = (functionName, args = []) => c.publicClient.readContract({ address, abi: token.abi, functionName, args });
  assert.equal(await read('name'), 'Lumio Test Token');
  assert.equal(await read('symbol'), 'LTT');
  assert.equal(await read('decimals'), 18);
  assert.equal(await read('totalSupply'), SUPPLY);
  assert.equal(await balanceOf(c.account.address), SUPPLY);
});

test('transfer moves balances', async () => {
  const receipt = await transfer(alice, 1234n);
  assert.equal(receipt.logs.length, 1);
  assert.equal(await balanceOf(alice), 1234n);
  assert.equal(await balanceOf(c.account.address), SUPPLY - 1234n);
  const tx = await c.publicClient.getTransaction({ hash: receipt.transactionHash });
  assert.equal(getAddress(tx.from), c.account.address);
  assert.equal(getAddress(tx.to), getAddress(address));
  assert.equal(tx.blockNumber, receipt.blockNumber);
});

test('Transfer events via eth_getLogs', async () => {
  const all = await c.publicClient.getContractEvents({ address, abi: token.abi, eventName: 'Transfer', fromBlock: deployBlock });
  assert.equal(all.length, 2, 'mint + one transfer');
  assert.equal(all[0].args.from, zeroAddress);
  assert.equal(all[0].args.to, c.account.address);
  assert.equal(all[0].args.value, SUPPLY);
  assert.equal(all[1].args.to, alice);
  assert.equal(all[1].args.value, 1234n);
  // Topic filter on the indexed `to`.
  const toAlice = await c.publicClient.getContractEvents({
    address, abi: token.abi, eventName: 'Transfer', args: { to: alice }, fromBlock: deployBlock,
  });
  assert.equal(toAlice.length, 1);
  // By block hash, and the log's position fields agree with the receipt.
  const byHash = await c.publicClient.getLogs({ address, blockHash: all[1].blockHash });
  assert.equal(byHash.length, 1);
  assert.equal(byHash[0].transactionHash, all[1].transactionHash);
  assert.equal(byHash[0].logIndex, all[1].logIndex);
  const receipt = await c.publicClient.getTransactionReceipt({ hash: all[1].transactionHash });
  assert.deepEqual(receipt.logs.map((l) => l.data), [all[1].data]);
  // A range with no matching logs is empty, not an error.
  const none = await c.publicClient.getContractEvents({
    address, abi: token.abi, eventName: 'Transfer', args: { to: bob }, fromBlock: deployBlock,
  });
  assert.deepEqual(none, []);
});

test('Transfer events via eth_newFilter / eth_getFilterChanges', async () => {
  const filter = await c.publicClient.createContractEventFilter({ address, abi: token.abi, eventName: 'Transfer' });
  // A second filter with an explicit fromBlock (the head, which holds the earlier transfer to alice) for
  // eth_getFilterLogs: with the default ("latest") it would only see the newest block.
  const fromBlock = await c.publicClient.getBlockNumber();
  const historic = await c.publicClient.createContractEventFilter({ address, abi: token.abi, eventName: 'Transfer', fromBlock });
  assert.notEqual(filter.id, historic.id, 'filter ids are unique');
  assert.deepEqual(await c.publicClient.getFilterChanges({ filter }), [], 'nothing yet');
  await transfer(bob, 77n);
  await transfer(alice, 5n);
  const changes = await c.publicClient.getFilterChanges({ filter });
  assert.deepEqual(changes.map((l) => [l.args.to, l.args.value]), [[bob, 77n], [alice, 5n]]);
  assert.deepEqual(await c.publicClient.getFilterChanges({ filter }), [], 'changes are consumed');
  const logs = await c.publicClient.getFilterLogs({ filter: historic });
  assert.deepEqual(logs.map((l) => [l.args.to, l.args.value]), [[alice, 1234n], [bob, 77n], [alice, 5n]],
    'eth_getFilterLogs returns everything matching since fromBlock');
  assert.equal(await c.publicClient.uninstallFilter({ filter: historic }), true);
  assert.equal(await c.publicClient.uninstallFilter({ filter }), true);
  await assert.rejects(c.publicClient.getFilterChanges({ filter }), /filter/i, 'uninstalled filter is gone');
  // Block filter: new block hashes.
  const blocks = await c.publicClient.createBlockFilter();
  const r = await transfer(bob, 1n);
  const hashes = await c.publicClient.getFilterChanges({ filter: blocks });
  assert.ok(hashes.includes(r.blockHash), 'block filter reports the block of the new tx');
  await c.publicClient.uninstallFilter({ filter: blocks });
});

test('Transfer events via WebSocket subscription (eth_subscribe logs + newHeads)', async () => {
  const ws = c.wsClient();
  try {
    const seen = [];
    const heads = [];
    const unwatch = ws.watchContractEvent({
      address, abi: token.abi, eventName: 'Transfer', args: { to: bob },
      onLogs: (logs) => seen.push(...logs),
      onError: (e) => seen.push(e),
    });
    const unwatchBlocks = ws.watchBlockNumber({ onBlockNumber: (n) => heads.push(n), emitOnBegin: false });
    // Let the subscriptions register before sending.
    await new Promise((r) => setTimeout(r, 300));
    const r1 = await transfer(bob, 42n);
    await transfer(alice, 9n); // filtered out by args
    const r3 = await transfer(bob, 43n);
    await waitFor(() => seen.length >= 2, 'two Transfer logs over ws');
    assert.ok(!seen.some((x) => x instanceof Error), `subscription error: ${seen.find((x) => x instanceof Error)}`);
    assert.deepEqual(seen.map((l) => l.args.value), [42n, 43n]);
    assert.deepEqual(seen.map((l) => l.transactionHash), [r1.transactionHash, r3.transactionHash]);
    await waitFor(() => heads.includes(r3.blockNumber), 'newHeads for the last block');
    unwatch();
    unwatchBlocks();
  } finally {
    await ws.close();
  }
});

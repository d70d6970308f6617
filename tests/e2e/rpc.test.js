// JSON-RPC envelope and basic shapes the client libraries rely on: batches (ethers batches by default),
// id echoing, standard error codes, null for unknown objects, block/receipt field shapes and linkage.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { viemClients } from './lib/clients.js';
import { rpc, rpcRaw, startNode } from './lib/node.js';

let node;
before(async () => { node = await startNode(); });
after(async () => node?.stop());

async function post(body) {
  const res = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

const QUANTITY = /^0x(0|[1-9a-f][0-9a-f]*)$/;
const HASH = /^0x[0-9a-f]{64}$/;

test('batch request: one answer per call, ids echoed (number and string), per-call errors', async () => {
  const out = await post(JSON.stringify([
    { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
    { jsonrpc: '2.0', id: 'two', method: 'net_version', params: [] },
    { jsonrpc: '2.0', id: 3, method: 'no_such_method', params: [] },
    { jsonrpc: '2.0', id: 4, method: 'eth_blockNumber', params: [] },
  ]));
  assert.ok(Array.isArray(out), 'batch answer is an array');
  assert.equal(out.length, 4);
  const byId = new Map(out.map((r) => [r.id, r]));
  const chainId = byId.get(1).result;
  assert.match(chainId, QUANTITY);
  assert.equal(byId.get('two').result, BigInt(chainId).toString(10), 'net_version is the decimal chain id');
  assert.equal(byId.get(3).error.code, -32601);
  assert.match(byId.get(4).result, QUANTITY);
  for (const r of out) assert.equal(r.jsonrpc, '2.0');
});

test('standard errors: unknown method -32601, bad params -32602, malformed JSON -32700/-32600', async () => {
  const unknown = await rpcRaw(node.url, 'lumio_doesNotExist', []);
  assert.equal(unknown.error.code, -32601);
  const bad = await rpcRaw(node.url, 'eth_getBalance', ['0x1234', 'latest']);
  assert.equal(bad.error.code, -32602, JSON.stringify(bad));
  const badTx = await rpcRaw(node.url, 'eth_sendRawTransaction', ['0xzz']);
  assert.ok(badTx.error, 'garbage raw tx is an error');
  const malformed = await post('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"');
  assert.ok([-32700, -32600].includes(malformed.error.code), JSON.stringify(malformed));
  assert.equal(malformed.id, null);
});

test('unknown block / transaction / receipt are null, not errors', async () => {
  const zero = '0x' + '00'.repeat(31) + '01';
  assert.equal(await rpc(node.url, 'eth_getBlockByNumber', ['0xffffff', false]), null);
  assert.equal(await rpc(node.url, 'eth_getBlockByHash', [zero, false]), null);
  assert.equal(await rpc(node.url, 'eth_getTransactionByHash', [zero]), null);
  assert.equal(await rpc(node.url, 'eth_getTransactionReceipt', [zero]), null);
});

test('blocks: shapes, parent linkage, tx inclusion, receipts agree with the block', async () => {
  const c = await viemClients(node, 0);
  const hash = await c.walletClient.sendTransaction({ to: c.account.address, value: 1n });
  await c.publicClient.waitForTransactionReceipt({ hash });
  const receipt = await rpc(node.url, 'eth_getTransactionReceipt', [hash]);
  const block = await rpc(node.url, 'eth_getBlockByNumber', [receipt.blockNumber, true]);
  for (const f of ['number', 'timestamp', 'gasLimit', 'gasUsed', 'baseFeePerGas']) assert.match(block[f], QUANTITY, f);
  for (const f of ['hash', 'parentHash', 'stateRoot', 'transactionsRoot', 'receiptsRoot']) assert.match(block[f], HASH, f);
  assert.match(block.logsBloom, /^0x[0-9a-f]{512}$/);
  assert.equal(block.hash, receipt.blockHash);
  assert.equal(block.number, receipt.blockNumber);
  const tx = block.transactions.find((t) => t.hash === hash);
  assert.ok(tx, 'full transaction object in the block');
  assert.equal(tx.blockHash, block.hash);
  assert.equal(tx.transactionIndex, receipt.transactionIndex);
  const parent = await rpc(node.url, 'eth_getBlockByNumber', [`0x${(BigInt(block.number) - 1n).toString(16)}`, false]);
  assert.equal(block.parentHash, parent.hash, 'parentHash links to the previous block');
  assert.ok(BigInt(block.timestamp) >= BigInt(parent.timestamp));
  const byHash = await rpc(node.url, 'eth_getBlockByHash', [block.hash, false]);
  assert.deepEqual(byHash.transactions, block.transactions.map((t) => t.hash), 'hashes-only form');
  assert.equal(await rpc(node.url, 'eth_getBlockTransactionCountByHash', [block.hash]), `0x${block.transactions.length.toString(16)}`);
  for (const f of ['gasUsed', 'cumulativeGasUsed', 'effectiveGasPrice', 'status', 'type', 'transactionIndex']) {
    assert.match(receipt[f], QUANTITY, `receipt.${f}`);
  }
  assert.match(receipt.logsBloom, /^0x[0-9a-f]{512}$/);
  assert.equal(receipt.status, '0x1');
  const latest = await rpc(node.url, 'eth_blockNumber');
  assert.ok(BigInt(latest) >= BigInt(block.number));
});

test('node info methods the tools call', async () => {
  assert.equal(typeof await rpc(node.url, 'web3_clientVersion'), 'string');
  assert.equal(await rpc(node.url, 'eth_syncing'), false);
  assert.match(await rpc(node.url, 'eth_gasPrice'), QUANTITY);
  assert.match(await rpc(node.url, 'eth_maxPriorityFeePerGas'), QUANTITY);
  const hist = await rpc(node.url, 'eth_feeHistory', ['0x2', 'latest', [25, 75]]);
  assert.match(hist.oldestBlock, QUANTITY);
  assert.equal(hist.baseFeePerGas.length, hist.gasUsedRatio.length + 1, 'baseFeePerGas has one extra (next block)');
  assert.equal(hist.reward.length, hist.gasUsedRatio.length);
  for (const r of hist.reward) assert.equal(r.length, 2);
});

// Hostile and wrong input: every request gets a JSON-RPC error in geth's shape (or HTTP 413 for an
// oversized body), the messages carry geth's key phrases that tools match on, and the node keeps
// serving afterwards (each test ends with a follow-up eth_blockNumber).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { concatHex, keccak256, parseEther, parseGwei, parseSignature, parseTransaction, serializeTransaction, toHex, toRlp } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import http from 'node:http';
import { WebSocket } from 'ws';
import { viemClients } from './lib/clients.js';
import { rpc, rpcRaw, startNode } from './lib/node.js';

let node, c, chainId;
before(async () => {
  node = await startNode();
  c = await viemClients(node, 8);
  chainId = c.chain.id;
});
after(async () => node?.stop());

const hex = (n) => `0x${BigInt(n).toString(16)}`;
const FEE = parseGwei('50');
const isAnvil = () => node.kind === 'anvil';
/// geth's parse error is -32700; anvil answers -32600 for unparsable JSON (documented deviation).
const parseErrorCode = () => (isAnvil() ? -32600 : -32700);

// Envelope-level requests go to the node itself, not through lib/rpc-recorder.js (E2E_RPC_LOG), which
// re-frames HTTP (status codes, early 413 answers) and would test the proxy instead of the node.
const directUrl = () => node._url ?? node.url;
const directWsUrl = () => node._wsUrl ?? node.wsUrl;

async function post(body, headers = {}) {
  const res = await fetch(directUrl(), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, text, json };
}

/// POSTs a large body the way curl does: `Expect: 100-continue`, so a server that refuses the body by its
/// Content-Length can answer (413) before the client writes it; without that, the client's write fails
/// with EPIPE when the server closes early and the answer is lost. Falls back to sending after 1 s.
function bigPost(url, body) {
  return new Promise((resolve) => {
    let response = null;
    let err = null;
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' } }, (res) => {
      const chunks = [];
      const done = () => {
        const text = Buffer.concat(chunks).toString();
        let json;
        try { json = JSON.parse(text); } catch {}
        response = { status: res.statusCode, text, json };
        resolve({ response, err });
      };
      res.on('data', (d) => chunks.push(d));
      res.on('end', done);
      res.on('error', done);
    });
    req.on('error', (e) => { err = e.code ?? e.message; setTimeout(() => resolve({ response, err }), 300); });
    req.on('socket', (sock) => sock.on('error', (e) => { err ??= e.code; }));
    let sent = false;
    const send = () => { if (!sent && !response) { sent = true; req.end(body); } };
    req.on('continue', send);
    setTimeout(send, 1000);
    setTimeout(() => resolve({ response, err: err ?? 'no answer within 20 s' }), 20_000);
  });
}

/// The node still answers after whatever came before.
async function stillServing() {
  const r = await rpcRaw(node.url, 'eth_blockNumber');
  assert.match(r.result ?? '', /^0x[0-9a-f]+$/, `node still serves eth_blockNumber: ${JSON.stringify(r)}`);
}

/// A JSON-RPC 2.0 error object: {jsonrpc:"2.0", id, error:{code:int, message:string}}.
function assertErrorShape(r, id, what) {
  assert.equal(r?.jsonrpc, '2.0', `${what}: jsonrpc field: ${JSON.stringify(r)}`);
  assert.deepEqual(r.id, id, `${what}: id echoed`);
  assert.equal(r.result, undefined, `${what}: no result next to an error`);
  assert.ok(Number.isInteger(r.error?.code), `${what}: integer error code: ${JSON.stringify(r)}`);
  assert.equal(typeof r.error.message, 'string');
  assert.ok(r.error.message.length > 0);
}

/// A fresh funded key (so nonces are known and nothing else interferes).
async function freshSigner(eth = '1') {
  const key = generatePrivateKey();
  const acct = privateKeyToAccount(key);
  if (eth !== '0') {
    const hash = await c.walletClient.sendTransaction({ to: acct.address, value: parseEther(eth) });
    await c.publicClient.waitForTransactionReceipt({ hash });
  }
  return acct;
}
const baseTx = (over = {}) => ({ type: 'eip1559', chainId, nonce: 0, to: '0x000000000000000000000000000000000000dEaD', value: 1n, gas: 21_000n, maxFeePerGas: FEE, maxPriorityFeePerGas: parseGwei('1'), ...over });
const sendRaw = (raw) => rpcRaw(node.url, 'eth_sendRawTransaction', [raw]);

/// Sends a raw transaction that must be rejected; checks shape and phrase, then that the node serves.
async function rejects(raw, phrase, what) {
  const r = await sendRaw(raw);
  assert.ok(r.error, `${what}: must be rejected, got ${JSON.stringify(r)}`);
  assertErrorShape(r, 1, what);
  assert.match(r.error.message, phrase, `${what}: message ${JSON.stringify(r.error.message)} must match ${phrase}`);
  await stillServing();
  return r;
}

// A hung answer must fail the test, not stall the whole suite.
describe('JSON-RPC envelope', { timeout: 60_000 }, () => {
  test('malformed JSON: -32700 parse error, id null', async () => {
    const r = await post('{"jsonrpc":"2.0","id":1,"method":"eth_chainId",');
    assertErrorShape(r.json, null, 'malformed JSON');
    assert.equal(r.json.error.code, parseErrorCode(), 'geth answers -32700 "parse error"');
    await stillServing();
  });

  test('not JSON at all and a JSON scalar', async () => {
    const r = await post('\u0000\u0001garbage');
    assertErrorShape(r.json, null, 'garbage bytes');
    assert.equal(r.json.error.code, parseErrorCode());
    const s = await post('42');
    assertErrorShape(s.json, null, 'JSON scalar');
    assert.ok([-32600, -32700].includes(s.json.error.code), JSON.stringify(s.json));
    await stillServing();
  });

  test('empty batch: one error object, -32600 (geth: "empty batch")', async () => {
    const r = await post('[]');
    assert.ok(!Array.isArray(r.json), `empty batch answers a single object, not an array: ${r.text}`);
    assertErrorShape(r.json, null, 'empty batch');
    assert.equal(r.json.error.code, -32600);
    await stillServing();
  });

  test('batch of garbage: one -32600 error per element, id null', async () => {
    const r = await post('[1, "x", null, {}, {"jsonrpc":"2.0","id":7,"method":"eth_chainId","params":[]}]');
    if (isAnvil()) {
      // anvil rejects the whole batch with one -32600 (geth and the JSON-RPC 2.0 spec answer per element).
      assertErrorShape(r.json, null, 'garbage batch (anvil)');
      assert.equal(r.json.error.code, -32600);
      return stillServing();
    }
    assert.ok(Array.isArray(r.json), r.text);
    assert.equal(r.json.length, 5, r.text);
    for (const e of r.json.slice(0, 4)) {
      assertErrorShape(e, null, 'garbage batch element');
      assert.equal(e.error.code, -32600, JSON.stringify(e));
    }
    const ok = r.json[4];
    assert.equal(ok.id, 7);
    assert.match(ok.result, /^0x/, 'the valid element is still answered');
    await stillServing();
  });

  test('unknown method: -32601, message names the method', async () => {
    const r = await rpcRaw(node.url, 'eth_noSuchMethod', []);
    assertErrorShape(r, 1, 'unknown method');
    assert.equal(r.error.code, -32601);
    assert.match(r.error.message, /eth_noSuchMethod|not found|does not exist/i);
    await stillServing();
  });

  test('missing method / wrong jsonrpc version: -32600', async () => {
    const r = await post('{"jsonrpc":"2.0","id":3,"params":[]}');
    assertErrorShape(r.json, 3, 'missing method');
    assert.ok([-32600, -32601].includes(r.json.error.code), r.text);
    await stillServing();
  });

  test('wrong params: types and counts are -32602', async () => {
    const cases = [
      ['eth_getBalance', [123, 'latest'], 'number as address'],
      ['eth_getBalance', ['0xzz', 'latest'], 'non-hex address'],
      ['eth_getBalance', [c.account.address, 'notatag'], 'bad block tag'],
      ['eth_getBlockByNumber', [true, false], 'bool as block number'],
      ['eth_getBlockByNumber', ['0x1', 'yes'], 'string as bool'],
      ['eth_getTransactionByHash', ['0x1234'], 'short hash'],
      ['eth_getBalance', [], 'missing argument (geth: "missing value for required argument 0")'],
      ['eth_getBalance', [c.account.address, 'latest', 'extra', 'more'], 'too many arguments (geth: "too many arguments, want at most 2")'],
      ['eth_call', ['not an object', 'latest'], 'string as call object'],
      ['eth_sendRawTransaction', [42], 'number as raw tx'],
    ];
    for (const [method, params, what] of cases) {
      const r = await rpcRaw(node.url, method, params);
      assertErrorShape(r, 1, `${method} ${what}`);
      assert.equal(r.error.code, -32602, `${method} with ${what}: ${JSON.stringify(r)}`);
    }
    const obj = await rpcRaw(node.url, 'eth_blockNumber', { a: 1 });
    assert.ok(obj.error, `params must be an array (by-name params are not supported by geth): ${JSON.stringify(obj)}`);
    await stillServing();
  });

  test('oversized body (> 5 MiB): HTTP 413 or a JSON-RPC error, and the node keeps serving', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_call', params: [{ to: c.account.address, data: `0x${'ab'.repeat(3 * 1024 * 1024)}` }, 'latest'] });
    assert.ok(big.length > 5 * 1024 * 1024);
    const { response, err } = await bigPost(directUrl(), big);
    if (isAnvil()) {
      // anvil closes the connection while the body is still being sent (EPIPE/ECONNRESET), a known deviation.
      assert.ok(response || /EPIPE|ECONNRESET/.test(err), `anvil: ${err}`);
    } else {
      assert.ok(response, `the request must be answered (HTTP 413 like geth's "content length too large"), got ${err}`);
      assert.ok(response.status === 413 || (response.json?.error && response.json.result === undefined),
        `geth answers HTTP 413 "content length too large": status ${response.status} ${response.text.slice(0, 200)}`);
    }
    await stillServing();
  });

  test('ws: malformed frame gets a parse error and the socket stays usable', async () => {
    const ws = new WebSocket(directWsUrl());
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    const next = () => new Promise((res) => ws.once('message', (m) => res(JSON.parse(m.toString()))));
    try {
      let p = next();
      ws.send('{"jsonrpc":"2.0","id":1,"method":');
      const e = await p;
      assertErrorShape(e, null, 'ws malformed');
      assert.equal(e.error.code, parseErrorCode());
      p = next();
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'eth_blockNumber', params: [] }));
      const ok = await p;
      assert.equal(ok.id, 2);
      assert.match(ok.result, /^0x/);
    } finally {
      ws.close();
    }
    await stillServing();
  });
});

describe('eth_sendRawTransaction rejections (geth phrases)', { timeout: 120_000 }, () => {
  test('invalid RLP / truncated / empty / unknown type byte', async () => {
    const good = await privateKeyToAccount(generatePrivateKey()).signTransaction(baseTx());
    for (const [raw, what] of [
      ['0x', 'empty'],
      ['0xc0', 'empty list'],
      ['0xf8ffdeadbeef', 'list header longer than the data'],
      [good.slice(0, good.length - 20), 'truncated signed tx'],
      [`${good}00`, 'trailing byte'],
      ['0x7f01', 'unknown typed-tx byte'],
      ['0x02c0', 'type 2 with an empty list'],
    ]) {
      const r = await sendRaw(raw);
      assertErrorShape(r, 1, `raw tx ${what}`);
      assert.ok([-32000, -32602].includes(r.error.code) || node.kind === 'anvil', `${what}: code ${r.error.code} (geth -32000 "rlp: …"/"typed transaction too short", or -32602)`);
    }
    await stillServing();
  });

  test('bad signature: r/s bytes flipped, r = 0, high s → invalid sender (or a different, unfunded sender)', async () => {
    const a = await freshSigner();
    const raw = await a.signTransaction(baseTx());
    const tx = parseTransaction(raw);
    const { r, s, yParity, v, ...unsigned } = tx;
    const flip = (h) => `0x${h.slice(2, 10)}${[...h.slice(10, 18)].map((ch) => (15 - parseInt(ch, 16)).toString(16)).join('')}${h.slice(18)}`;
    const flipped = serializeTransaction(unsigned, { r: flip(r), s, yParity });
    // A flipped r either fails recovery ("invalid sender"; anvil: "Failed to recover the signer") or
    // recovers some other, unfunded address ("insufficient funds").
    const fr = await rejects(flipped, isAnvil() ? /recover the signer|insufficient funds/i : /invalid sender|insufficient funds|invalid signature/i, 'flipped r');
    const zeroR = serializeTransaction(unsigned, { r: toHex(0n, { size: 32 }), s, yParity });
    // anvil: "Failed to recover the signer".
    await rejects(zeroR, isAnvil() ? /recover the signer/i : /invalid sender|invalid signature|v, r, s/i, 'r = 0');
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    assert.ok(fr.error.code === -32000 || node.kind === 'anvil', `geth pool errors are -32000: ${JSON.stringify(fr)}`);
    // The real one still goes through: nothing above consumed the nonce.
    const ok = await sendRaw(raw);
    assert.match(ok.result ?? '', /^0x[0-9a-f]{64}$/, JSON.stringify(ok));
    await c.publicClient.waitForTransactionReceipt({ hash: ok.result });
    // The malleable twin (s' = n - s, parity flipped) recovers the same sender: geth rejects it (EIP-2,
    // "invalid sender"); anvil accepts and mines it (a known deviation).
    const next = parseTransaction(await a.signTransaction(baseTx({ nonce: 1 })));
    const { r: r1, s: s1, yParity: p1, v: v1, ...unsigned1 } = next;
    const highS = serializeTransaction(unsigned1, { r: r1, s: toHex(N - BigInt(s1), { size: 32 }), yParity: 1 - p1 });
    if (isAnvil()) {
      const acc = await sendRaw(highS);
      assert.match(acc.result ?? '', /^0x/, JSON.stringify(acc));
      await c.publicClient.waitForTransactionReceipt({ hash: acc.result });
    } else {
      await rejects(highS, /invalid sender|invalid signature|v, r, s|high s|malleable/i, 's > n/2 (EIP-2)');
    }
  });

  test('wrong chain id → "invalid chain id" / "invalid sender"', async () => {
    const a = await freshSigner();
    await rejects(await a.signTransaction(baseTx({ chainId: chainId + 1 })), /invalid chain id|invalid sender|chain id/i, 'wrong chain id');
  });

  test('nonce too low, and a replay of an already-mined raw transaction', async () => {
    const a = await freshSigner();
    const raw0 = await a.signTransaction(baseTx({ nonce: 0 }));
    const h = (await sendRaw(raw0)).result;
    assert.match(h ?? '', /^0x[0-9a-f]{64}$/);
    await c.publicClient.waitForTransactionReceipt({ hash: h });
    await rejects(raw0, /already known|nonce too low/i, 'replay of a mined raw tx');
    await rejects(await a.signTransaction(baseTx({ nonce: 0, value: 2n })), /nonce too low/i, 'nonce too low');
  });

  test('nonce far in the future (gapped): geth queues it (hash, not mined); it must not be mined nor break the account', async () => {
    const a = await freshSigner();
    const r = await sendRaw(await a.signTransaction(baseTx({ nonce: 1000 })));
    const latest = async () => BigInt(await rpc(node.url, 'eth_getTransactionCount', [a.address, 'latest']));
    if (r.error) {
      // Rejecting outright is what some nodes do ("nonce too high"); the error must say so.
      assertErrorShape(r, 1, 'gapped nonce');
      assert.match(r.error.message, /nonce too high|nonce/i);
    } else {
      assert.match(r.result, /^0x[0-9a-f]{64}$/, 'geth: accepted into the queue, answered with the hash');
      await rpc(node.url, 'evm_mine');
      assert.equal(await rpc(node.url, 'eth_getTransactionReceipt', [r.result]), null, 'a gapped tx is not mined');
    }
    assert.equal(await latest(), 0n);
    // The account still works from its real nonce.
    const ok = await sendRaw(await a.signTransaction(baseTx({ nonce: 0 })));
    assert.match(ok.result ?? '', /^0x/, JSON.stringify(ok));
    await c.publicClient.waitForTransactionReceipt({ hash: ok.result });
    assert.equal(await latest(), 1n);
  });

  test('insufficient funds → "insufficient funds for gas * price + value"', async () => {
    const poor = await freshSigner('0');
    const r = await rejects(await poor.signTransaction(baseTx()), /insufficient funds/i, 'unfunded sender');
    assert.match(r.error.message, /insufficient funds for gas \* price \+ value/i, 'geth\'s full phrase (anvil capitalises it)');
    const a = await freshSigner('0.001');
    await rejects(await a.signTransaction(baseTx({ value: parseEther('1') })), /insufficient funds/i, 'value above balance');
  });

  test('intrinsic gas too low', async () => {
    const a = await freshSigner();
    await rejects(await a.signTransaction(baseTx({ gas: 20_999n })), /intrinsic gas too low/i, 'gas 20999 for a transfer');
    const withData = await a.signTransaction(baseTx({ gas: 21_000n, data: '0x01020304' }));
    if (isAnvil()) {
      // anvil's pool only checks the 21000 base, not the calldata cost (geth checks the full intrinsic gas).
      assert.match((await sendRaw(withData)).result ?? '', /^0x/);
    } else {
      await rejects(withData, /intrinsic gas too low/i, 'calldata not covered (21000 + 4 non-zero bytes * 16 needed)');
    }
  });

  test('gas above the block gas limit → "exceeds block gas limit"', async () => {
    const a = await freshSigner();
    const limit = BigInt((await rpc(node.url, 'eth_getBlockByNumber', ['latest', false])).gasLimit);
    // anvil: "intrinsic gas too high -- tx.gas_limit > env.block.gas_limit".
    await rejects(await a.signTransaction(baseTx({ gas: limit + 1n })), isAnvil() ? /gas_limit > env.block.gas_limit/ : /exceeds block gas limit/i, `gas ${limit + 1n}`);
  });

  test('tip above the fee cap', async () => {
    // viem and ethers refuse to serialize this, so it is RLP-encoded and signed by hand (EIP-1559 layout).
    const a = await freshSigner();
    const fields = [toHex(chainId), '0x', toHex(parseGwei('3')), toHex(parseGwei('200')), toHex(21_000n), '0x000000000000000000000000000000000000dead', '0x01', '0x', []];
    fields[3] = toHex(parseGwei('2'));
    const sig = parseSignature(await a.sign({ hash: keccak256(concatHex(['0x02', toRlp(fields)])) }));
    const raw = concatHex(['0x02', toRlp([...fields, sig.yParity ? '0x01' : '0x', sig.r.replace(/^0x0+/, '0x'), sig.s.replace(/^0x0+/, '0x')])]);
    await rejects(raw, /max priority fee per gas higher than max fee per gas|tip.*(higher|greater)|priority fee/i, 'tip > fee cap (geth: "max priority fee per gas higher than max fee per gas")');
  });

  test('type-3 (blob) transaction', async () => {
    const a = await freshSigner();
    const raw = await a.signTransaction({
      type: 'eip4844', chainId, nonce: 0, to: '0x000000000000000000000000000000000000dEaD', value: 0n, gas: 21_000n,
      maxFeePerGas: FEE, maxPriorityFeePerGas: parseGwei('1'), maxFeePerBlobGas: parseGwei('1'),
      blobVersionedHashes: [`0x01${'11'.repeat(31)}`],
    });
    assert.equal(raw.slice(0, 4), '0x03');
    const r = await sendRaw(raw);
    assert.ok(r.error, `a blob tx without its sidecar must be rejected: ${JSON.stringify(r)}`);
    assertErrorShape(r, 1, 'blob tx');
    if (node.kind !== 'anvil') {
      // An L2 without blob support answers geth's ErrTxTypeNotSupported.
      assert.match(r.error.message, /transaction type not supported|not supported|sidecar|blob/i, r.error.message);
    }
    await stillServing();
  });
});

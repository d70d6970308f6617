// @solana/web3.js v1 against Lumio's Solana RPC, unchanged: the calls a wallet or dApp makes.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as web3 from '@solana/web3.js';
import { SolanaNode, rpcRaw } from './lib/node.js';

const { Connection, Keypair, LAMPORTS_PER_SOL, SystemProgram, Transaction, TransactionMessage,
  VersionedTransaction, AddressLookupTableProgram, PublicKey, sendAndConfirmTransaction } = web3;
const MEMO = new PublicKey('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr');

const node = await new SolanaNode().start();
const conn = new Connection(node.url, { commitment: 'confirmed', wsEndpoint: node.wsUrl });
// Close the PubSub socket first: web3.js would otherwise keep reconnecting to a stopped node.
test.after(async () => { conn._rpcWebSocket.setAutoReconnect(false); conn._rpcWebSocket.close(); await node.stop(); });

async function funded(sol = 10) {
  const kp = Keypair.generate();
  const sig = await conn.requestAirdrop(kp.publicKey, sol * LAMPORTS_PER_SOL);
  await conn.confirmTransaction({ signature: sig, ...(await conn.getLatestBlockhash()) });
  return kp;
}

test('node identity: version, health, genesis hash, identity, epoch', async () => {
  const v = await conn.getVersion();
  assert.match(v['solana-core'], /^\d+\.\d+\.\d+/);
  assert.equal(typeof v['feature-set'], 'number');
  assert.match(await conn.getGenesisHash(), /^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
  assert.equal((await rpcRaw(node.url, 'getHealth')).result, 'ok');
  const epoch = await conn.getEpochInfo();
  for (const k of ['epoch', 'slotIndex', 'slotsInEpoch', 'absoluteSlot', 'blockHeight']) assert.equal(typeof epoch[k], 'number', k);
  const sched = await conn.getEpochSchedule();
  assert.equal(sched.slotsPerEpoch, 432000);
});

test('slots advance on a clock with no traffic', async () => {
  const a = await conn.getSlot();
  await new Promise((r) => setTimeout(r, 1300));
  const b = await conn.getSlot();
  assert.ok(b >= a + 2, `slot ${a} -> ${b} in 1.3 s`);
  assert.ok((await conn.getBlockHeight()) > 0);
  const t = await conn.getBlockTime(b);
  assert.ok(Math.abs(t - Date.now() / 1000) < 5, `block time ${t}`);
});

test('airdrop, SOL transfer confirmed over WebSocket, balances, fee', async () => {
  const from = await funded(5);
  assert.equal(await conn.getBalance(from.publicKey), 5 * LAMPORTS_PER_SOL);
  const to = Keypair.generate().publicKey;
  const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports: LAMPORTS_PER_SOL }));
  // sendAndConfirmTransaction confirms through signatureSubscribe on the WebSocket.
  const sig = await sendAndConfirmTransaction(conn, tx, [from]);
  assert.equal(await conn.getBalance(to), LAMPORTS_PER_SOL);
  assert.equal(await conn.getBalance(from.publicKey), 4 * LAMPORTS_PER_SOL - 5000);
  const got = await conn.getTransaction(sig, { maxSupportedTransactionVersion: 0 });
  assert.equal(got.meta.err, null);
  assert.equal(got.meta.fee, 5000);
  assert.deepEqual(got.meta.postBalances.slice(0, 2), [4 * LAMPORTS_PER_SOL - 5000, LAMPORTS_PER_SOL]);
  assert.equal(got.transaction.signatures[0], sig);
  const [status] = (await conn.getSignatureStatuses([sig])).value;
  assert.equal(status.err, null);
  assert.ok(['confirmed', 'finalized'].includes(status.confirmationStatus));
  const block = await conn.getBlock(got.slot, { maxSupportedTransactionVersion: 0 });
  assert.ok(block.transactions.some((t) => t.transaction.signatures[0] === sig));
  assert.ok((await conn.getSignaturesForAddress(from.publicKey)).some((s) => s.signature === sig));
  const fee = await conn.getFeeForMessage(tx.compileMessage());
  assert.equal(fee.value, 5000);
});

test('simulateTransaction returns logs and units; preflight failure carries them too', async () => {
  const payer = await funded(1);
  const tx = new Transaction().add(new web3.TransactionInstruction({ programId: MEMO, keys: [], data: Buffer.from('sim') }));
  tx.feePayer = payer.publicKey;
  tx.recentBlockhash = (await conn.getLatestBlockhash()).blockhash;
  tx.sign(payer);
  const sim = await conn.simulateTransaction(tx);
  assert.equal(sim.value.err, null);
  assert.ok(sim.value.logs.some((l) => l.includes('sim')), sim.value.logs.join('\n'));
  assert.ok(sim.value.unitsConsumed > 0);
  const bad = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey,
    lamports: 50 * LAMPORTS_PER_SOL }));
  await assert.rejects(sendAndConfirmTransaction(conn, bad, [payer]), (e) => {
    assert.ok(e instanceof web3.SendTransactionError, e.message);
    assert.match(e.message, /custom program error: 0x1/);
    assert.ok(e.logs.some((l) => l.includes('insufficient lamports')), e.logs.join('\n'));
    return true;
  });
});

test('memo program, getBlock and getSignaturesForAddress', async () => {
  const payer = await funded(1);
  const sig = await sendAndConfirmTransaction(conn, new Transaction().add(new web3.TransactionInstruction({
    programId: MEMO, keys: [{ pubkey: payer.publicKey, isSigner: true, isWritable: false }], data: Buffer.from('lumio memo') })), [payer]);
  const tx = await conn.getParsedTransaction(sig, { maxSupportedTransactionVersion: 0 });
  assert.ok(tx.meta.logMessages.some((l) => l.includes('lumio memo')), tx.meta.logMessages.join('\n'));
});

test('v0 transaction through an address lookup table', async () => {
  const payer = await funded(2);
  const slot = await conn.getSlot('finalized');
  const [create, table] = AddressLookupTableProgram.createLookupTable({ authority: payer.publicKey, payer: payer.publicKey, recentSlot: slot });
  const targets = [Keypair.generate().publicKey, Keypair.generate().publicKey];
  const extend = AddressLookupTableProgram.extendLookupTable({ lookupTable: table, authority: payer.publicKey, payer: payer.publicKey,
    addresses: targets });
  await sendAndConfirmTransaction(conn, new Transaction().add(create, extend), [payer]);
  // Addresses become usable in the slot after they were added.
  const s0 = await conn.getSlot();
  while ((await conn.getSlot()) <= s0) await new Promise((r) => setTimeout(r, 50));
  const lut = (await conn.getAddressLookupTable(table)).value;
  assert.deepEqual(lut.state.addresses.map(String), targets.map(String));
  const { blockhash, lastValidBlockHeight } = await conn.getLatestBlockhash();
  const msg = new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: blockhash, instructions: targets.map((t) =>
    SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: t, lamports: 1_000_000 })) }).compileToV0Message([lut]);
  assert.equal(msg.addressTableLookups.length, 1);
  const vtx = new VersionedTransaction(msg);
  vtx.sign([payer]);
  const sig = await conn.sendTransaction(vtx);
  await conn.confirmTransaction({ signature: sig, blockhash, lastValidBlockHeight });
  for (const t of targets) assert.equal(await conn.getBalance(t), 1_000_000);
  const got = await conn.getTransaction(sig, { maxSupportedTransactionVersion: 0 });
  assert.equal(got.version, 0);
  assert.deepEqual(got.meta.loadedAddresses.writable.map(String), targets.map(String));
  await assert.rejects(conn.getTransaction(sig), /Transaction version \(0\) is not supported/);
});

test('subscriptions: account, logs, slot, program', async () => {
  const payer = await funded(1);
  const to = Keypair.generate().publicKey;
  const seen = {};
  const done = (k) => new Promise((res) => { seen[k] = res; });
  const acc = done('account'), logs = done('logs'), slot = done('slot'), prog = done('program');
  const ids = [
    conn.onAccountChange(to, (info) => seen.account(info), 'confirmed'),
    conn.onLogs(payer.publicKey, (l) => seen.logs(l), 'confirmed'),
    conn.onSlotChange((s) => seen.slot(s)),
    conn.onProgramAccountChange(SystemProgram.programId, (p) => { if (p.accountId.equals(to)) seen.program(p); }, 'confirmed'),
  ];
  await new Promise((r) => setTimeout(r, 300));
  await sendAndConfirmTransaction(conn, new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 2_000_000 })), [payer]);
  const timeout = (p, what) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`no ${what} notification`)), 5000))]);
  assert.equal((await timeout(acc, 'account')).lamports, 2_000_000);
  assert.equal((await timeout(logs, 'logs')).err, null);
  assert.ok((await timeout(slot, 'slot')).slot > 0);
  assert.equal((await timeout(prog, 'program')).accountInfo.lamports, 2_000_000);
  await conn.removeAccountChangeListener(ids[0]);
  await conn.removeOnLogsListener(ids[1]);
  await conn.removeSlotChangeListener(ids[2]);
  await conn.removeProgramAccountChangeListener(ids[3]);
});

test('bad input gets Solana\'s errors and the node keeps serving', async () => {
  const payer = await funded(1);
  const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1_000_000 }));
  tx.feePayer = payer.publicKey;
  tx.recentBlockhash = (await conn.getLatestBlockhash()).blockhash;
  tx.sign(payer);
  const wire = tx.serialize();
  const forged = Buffer.from(wire); forged[1] ^= 1;  // corrupt the signature
  let r = await rpcRaw(node.url, 'sendTransaction', [forged.toString('base64'), { encoding: 'base64' }]);
  assert.equal(r.error.code, -32003, JSON.stringify(r));
  r = await rpcRaw(node.url, 'sendTransaction', ['not base64 !!', { encoding: 'base64' }]);
  assert.equal(r.error.code, -32602, JSON.stringify(r));
  r = await rpcRaw(node.url, 'sendTransaction', [Buffer.alloc(2000, 1).toString('base64'), { encoding: 'base64' }]);
  assert.equal(r.error.code, -32602, JSON.stringify(r));
  r = await rpcRaw(node.url, 'getAccountInfo', ['notapubkey']);
  assert.equal(r.error.code, -32602);
  r = await rpcRaw(node.url, 'noSuchMethod', []);
  assert.equal(r.error.code, -32601);
  // A duplicate of an already processed transaction is rejected, not executed twice.
  const sig = await conn.sendRawTransaction(wire);
  await conn.confirmTransaction({ signature: sig, ...(await conn.getLatestBlockhash()) });
  r = await rpcRaw(node.url, 'sendTransaction', [wire.toString('base64'), { encoding: 'base64' }]);
  assert.ok(r.error, 'replay accepted');
  assert.match(JSON.stringify(r.error), /AlreadyProcessed|already been processed/);
  // An expired / unknown blockhash.
  const old = new Transaction({ feePayer: payer.publicKey, recentBlockhash: Keypair.generate().publicKey.toBase58() })
    .add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: payer.publicKey, lamports: 1 }));
  old.sign(payer);
  r = await rpcRaw(node.url, 'sendTransaction', [old.serialize().toString('base64'), { encoding: 'base64' }]);
  assert.equal(r.error.code, -32002);
  assert.match(JSON.stringify(r.error.data), /BlockhashNotFound/);
  assert.equal((await rpcRaw(node.url, 'getHealth')).result, 'ok');
});

test('kill -9 and restart keep balances and signatures', { skip: !process.env.LUMIO_BIN && 'external node: cannot restart it' }, async () => {
  const payer = await funded(3);
  const to = Keypair.generate().publicKey;
  const sig = await sendAndConfirmTransaction(conn, new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 12345678 })), [payer]);
  await node.killAndRestart();
  const c2 = new Connection(node.url, 'confirmed');
  assert.equal(await c2.getBalance(to), 12345678);
  const [st] = (await c2.getSignatureStatuses([sig], { searchTransactionHistory: true })).value;
  assert.equal(st.err, null);
  assert.ok(await c2.getTransaction(sig, { maxSupportedTransactionVersion: 0 }));
});

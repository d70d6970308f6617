// Hostile input end to end, Lumio against litesvm (Agave's runtime in-process): hand-made sBPF
// programs (tools/sbpf-progs: infinite loop, out-of-bounds load, self-CPI until CallDepth, BPF call
// recursion, custom error, division by zero, heap overrun, invalid ELFs) are deployed through the
// upgradeable loader and invoked with the same signed bytes on both; error, logs and compute units
// must be identical. Then malformed, oversized, badly or doubly signed and replayed transactions
// must get Agave's RPC errors, and the node must keep serving.
//
// The ELFs: $LUMIO_SBPF_PROGS (a directory, tests/run-solana.sh writes it), else the output of
// lumio-sbpf-progs found next to $LUMIO_BIN's build, in $LUMIO_BUILD_DIR or scripts/env.sh's build.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, sign as edSign } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import bs58 from 'bs58';
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, Transaction, TransactionInstruction } from '@solana/web3.js';
import { SolanaNode, rpc, rpcRaw } from './lib/node.js';
import { LiteTarget } from './lib/lite.js';
import { LumioTarget } from './lib/lumio.js';
import { loader, LOADER_UPGRADEABLE, BUFFER_HEADER, PROGRAM_SIZE, programDataAddress, masks } from './lib/scenario.js';
import { rentFor, runStep } from './lib/compare.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function programsDir() {
  if (process.env.LUMIO_SBPF_PROGS) return process.env.LUMIO_SBPF_PROGS;
  const builds = [];
  if (process.env.LUMIO_BIN) builds.push(resolve(dirname(process.env.LUMIO_BIN), '..'));
  if (process.env.LUMIO_BUILD_DIR) builds.push(process.env.LUMIO_BUILD_DIR);
  builds.push(join(homedir(), '.cache', 'lumio', `build-${createHash('md5').update(ROOT).digest('hex').slice(0, 8)}`));
  const tool = builds.map((b) => join(b, 'tools', 'sbpf-progs', 'lumio-sbpf-progs')).find((p) => existsSync(p));
  if (!tool) throw new Error(`lumio-sbpf-progs not built (looked in ${builds.join(', ')}); set LUMIO_SBPF_PROGS`);
  const dir = mkdtempSync(join(tmpdir(), 'lumio-sbpf-progs-'));
  execFileSync(tool, [dir]);
  return dir;
}
const PROGS = programsDir();
const elf = (name) => readFileSync(join(PROGS, `${name}.so`));

const RUNS = ['infinite_loop', 'oob_load', 'cpi_recursion', 'call_depth', 'custom_error', 'div_by_zero', 'heap_oob'];
// What each run must end with (litesvm gives the same; asserted so a silent success cannot pass).
const RUN_ERRORS = { infinite_loop: 'ProgramFailedToComplete', oob_load: 'ProgramFailedToComplete', cpi_recursion: 'CallDepth',
  call_depth: 'ProgramFailedToComplete', custom_error: { Custom: 6000 }, div_by_zero: 'ProgramFailedToComplete',
  heap_oob: 'ProgramFailedToComplete' };
const INVALID = { bad_truncated: 'Offset or value is out of bounds', bad_machine: 'Incompatible ELF: wrong machine',
  bad_entrypoint: 'Entrypoint out of bounds',
  bad_syscall: 'Unresolved symbol (sol_no_such_syscall_) at instruction #8 (ELF file offset 0x40)' };

const node = await new SolanaNode().start();
test.after(() => node.stop());
const lumio = new LumioTarget(node.url, node.wsUrl);
const payer = Keypair.generate();

// Polls (no PubSub: a websocket left reconnecting after the node stops would keep the test alive).
async function confirm(sig) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [st] = (await lumio.conn.getSignatureStatuses([sig])).value;
    if (st && (st.confirmationStatus === 'confirmed' || st.confirmationStatus === 'finalized')) return st;
    if (Date.now() > deadline) throw new Error(`${sig} not confirmed within 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function fund(kp, sol) { await confirm(await lumio.conn.requestAirdrop(kp.publicKey, sol * LAMPORTS_PER_SOL)); }
const legacyTx = (blockhash, ixs, signers = []) => {
  const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(...ixs);
  tx.sign(payer, ...signers);
  return tx;
};
async function nextSlot() {
  const s = await lumio.conn.getSlot('confirmed');
  while ((await lumio.conn.getSlot('confirmed')) <= s) await new Promise((r) => setTimeout(r, 50));
}
async function stillServing() {
  assert.equal(await rpc(node.url, 'getHealth'), 'ok');
  const to = Keypair.generate().publicKey;
  const { blockhash } = await lumio.conn.getLatestBlockhash('confirmed');
  const sig = await lumio.conn.sendRawTransaction(legacyTx(blockhash,
    [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 1_000_000 })]).serialize());
  assert.equal((await confirm(sig)).err, null);
  assert.equal(await lumio.conn.getBalance(to, 'confirmed'), 1_000_000);
}

test('hostile programs: deployed and run on Lumio and litesvm alike', async (t) => {
  const lite = new LiteTarget();
  await fund(payer, 100);
  const funded = await lumio.account(payer.publicKey.toBase58());
  lite.setAccount(payer.publicKey.toBase58(), { ...funded, data: [] });

  const step = (name, accounts, ixs, signers, opts = {}) =>
    ({ name, accounts, build: (ctx) => legacyTx(ctx.blockhash, ixs, signers).serialize(), ...opts });
  let failed = 0;
  const run = async (s) => {
    const { clock, slotHashes } = await lumio.clock();
    lite.setClock(clock, slotHashes);
    const ctx = { blockhash: (await lumio.conn.getLatestBlockhash('confirmed')).blockhash };
    const { results, diffs } = await runStep(s, ctx, [lumio, lite]);
    t.diagnostic(`${diffs.length ? 'DIFF' : 'same'} ${s.name}: ${results[0].map((r) => `${r.computeUnits} CU ${JSON.stringify(r.err)}`).join(', ')}`);
    for (const d of diffs) t.diagnostic(`  ${d}`);
    if (diffs.length) failed++;
    if (s.nextSlot) await nextSlot();
    return results;
  };

  const deployed = {};
  for (const name of [...RUNS, ...Object.keys(INVALID)]) {
    const image = elf(name), buffer = Keypair.generate(), program = Keypair.generate();
    const len = BUFFER_HEADER + image.length;
    await run(step(`${name}: buffer`, [payer.publicKey, buffer.publicKey], [
      SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: buffer.publicKey, space: len,
        lamports: rentFor(len), programId: LOADER_UPGRADEABLE }),
      loader.initializeBuffer(buffer.publicKey, payer.publicKey)], [buffer], { fails: false }));
    for (let off = 0; off < image.length; off += 900)
      await run(step(`${name}: write @${off}`, [buffer.publicKey],
        [loader.write(buffer.publicKey, payer.publicKey, off, image.subarray(off, off + 900))], [], { fails: false }));
    const pd = programDataAddress(program.publicKey);
    const [[r]] = await run(step(`${name}: deploy`, [payer.publicKey, program.publicKey, buffer.publicKey], [
      SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: program.publicKey, space: PROGRAM_SIZE,
        lamports: rentFor(PROGRAM_SIZE), programId: LOADER_UPGRADEABLE }),
      loader.deploy(payer.publicKey, pd, program.publicKey, buffer.publicKey, payer.publicKey, image.length)], [program],
    { fails: name in INVALID, nextSlot: !(name in INVALID), accountsAfter: () => [{ key: pd, mask: masks.programData }] }));
    if (name in INVALID) {
      assert.deepEqual(r.err, { InstructionError: [1, 'InvalidAccountData'] }, name);
      assert.ok(r.logs.includes(INVALID[name]), `${name}: ${r.logs.join('\n')}`);
    } else deployed[name] = program.publicKey;
  }
  for (const name of RUNS) {
    const id = deployed[name];
    const [[r]] = await run(step(`${name}: invoke`, [payer.publicKey],
      [new TransactionInstruction({ programId: id, keys: [{ pubkey: id, isSigner: false, isWritable: false }], data: Buffer.alloc(0) })],
      [], { fails: true }));
    assert.deepEqual(r.err, { InstructionError: [0, RUN_ERRORS[name]] }, name);
  }
  t.diagnostic(`${failed} steps differ`);
  assert.equal(failed, 0, 'steps that differ between Lumio and litesvm (see diagnostics)');
  await stillServing();
});

// --- malformed and badly signed transactions over RPC -------------------------------------------
const b64 = (bytes) => Buffer.from(bytes).toString('base64');
async function sendRaw(bytes, opts = {}) {
  return rpcRaw(node.url, 'sendTransaction', [b64(bytes), { encoding: 'base64', ...opts }]);
}
// An ed25519 signature with a web3.js Keypair (its secret key starts with the 32-byte seed).
function ed25519(kp, msg) {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(kp.secretKey.subarray(0, 32))]);
  return edSign(null, msg, createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
}
const DESERIALIZE = 'failed to deserialize solana_transaction::versioned::VersionedTransaction: ';

// Fresh recipients: amounts stay above the rent-exempt minimum (890,880 lamports).
const transfer = (lamports) => SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports });
const blockhash = async () => (await lumio.conn.getLatestBlockhash('confirmed')).blockhash;

test('truncated transactions: -32602 with bincode\'s end-of-input text', async () => {
  await fund(payer, 10);
  const good = legacyTx(await blockhash(), [transfer(1_000_000)]).serialize();
  // Agave's bincode deserialize_from(&[u8]) runs out of input in std's read_exact.
  const eof = { code: -32602, message: `${DESERIALIZE}io error: failed to fill whole buffer` };
  assert.deepEqual((await sendRaw(good.subarray(0, good.length - 7))).error, eof);
  assert.deepEqual((await sendRaw(Buffer.from([1, 2, 3]))).error, eof);
});

test('oversized transactions: rejected before decoding', async () => {
  const good = legacyTx(await blockhash(), [transfer(1_000_000)]).serialize();
  const big = Buffer.concat([good, Buffer.alloc(1300 - good.length)]);
  let r = await sendRaw(big);
  assert.deepEqual(r.error, { code: -32602,
    message: `base64 encoded solana_transaction::versioned::VersionedTransaction too large: ${b64(big).length} bytes (max: encoded/raw 1644/1232)` });
  r = await rpcRaw(node.url, 'sendTransaction', ['1'.repeat(1700)]);
  assert.deepEqual(r.error, { code: -32602,
    message: 'base58 encoded solana_transaction::versioned::VersionedTransaction too large: 1700 bytes (max: encoded/raw 1683/1232)' });
  r = await sendRaw(big.subarray(0, 1233));  // 1644 base64 characters: within the text limit, one byte over the packet
  assert.deepEqual(r.error, { code: -32602,
    message: 'decoded solana_transaction::versioned::VersionedTransaction too large: 1233 bytes (max: 1232 bytes)' });
});

test('trailing bytes: accepted as Agave\'s RPC does (bincode allow_trailing_bytes)', async () => {
  const tx = legacyTx(await blockhash(), [transfer(2_000_000)]).serialize();
  const r = await sendRaw(Buffer.concat([tx, Buffer.from([0xde, 0xad])]));
  assert.equal(r.error, undefined, JSON.stringify(r));
  assert.equal(r.result, bs58.encode(tx.subarray(1, 65)));
  assert.equal((await confirm(r.result)).err, null);
});

test('bad signature: -32003 from preflight', async () => {
  const bad = Buffer.from(legacyTx(await blockhash(), [transfer(3_000_000)]).serialize());
  bad[10] ^= 0xff;
  assert.deepEqual((await sendRaw(bad)).error, { code: -32003, message: 'Transaction signature verification failure' });
});

test('duplicate signatures: a repeated signature fails verification, a repeated signer loads an account twice', async () => {
  const bh = await blockhash();
  const other = Keypair.generate();
  const wire = Buffer.from(legacyTx(bh, [SystemProgram.transfer({ fromPubkey: other.publicKey, toPubkey: payer.publicKey,
    lamports: 1000 })], [other]).serialize());
  assert.equal(wire[0], 2);
  wire.copy(wire, 65, 1, 65);  // the second signature slot repeats the first
  assert.deepEqual((await sendRaw(wire)).error, { code: -32003, message: 'Transaction signature verification failure' });

  // header [2 signers, 0, 1 read-only], keys [payer, payer, system], one transfer 0 -> 1.
  const p = payer.publicKey.toBuffer();
  const ixData = Buffer.alloc(12);
  ixData.writeUInt32LE(2, 0);
  ixData.writeBigUInt64LE(1000n, 4);
  const msg = Buffer.concat([Buffer.from([2, 0, 1, 3]), p, p, SystemProgram.programId.toBuffer(),
    new PublicKey(bh).toBuffer(), Buffer.from([1, 2, 2, 0, 1, 12]), ixData]);
  const sig = ed25519(payer, msg);
  assert.deepEqual((await sendRaw(Buffer.concat([Buffer.from([2]), sig, sig, msg]))).error,
    { code: -32602, message: 'invalid transaction: Account loaded twice' });
});

test('an already processed transaction: -32002 AlreadyProcessed from preflight', async () => {
  const once = legacyTx(await blockhash(), [transfer(4_000_000)]).serialize();
  await confirm(await lumio.conn.sendRawTransaction(once));
  const r = await sendRaw(once, { preflightCommitment: 'confirmed' });
  assert.equal(r.error?.code, -32002, JSON.stringify(r));
  assert.equal(r.error.message, 'Transaction simulation failed: This transaction has already been processed');
  assert.equal(r.error.data?.err, 'AlreadyProcessed');
});

test('the node keeps serving after all of it', stillServing);

// The same Solana scenario on Lumio and on litesvm (Agave's runtime in-process): every step's
// transaction is signed once and sent as the same bytes to both; compute units, logs, the error
// and the state of the accounts it touched must be identical.
import test from 'node:test';
import assert from 'node:assert/strict';
import { PublicKey, LAMPORTS_PER_SOL } from '@solana/web3.js';
import { SolanaNode, rpc } from './lib/node.js';
import { LiteTarget } from './lib/lite.js';
import { LumioTarget } from './lib/lumio.js';
import { buildScenario, PROGRAMS } from './lib/scenario.js';
import { rentFor, runStep, splImage } from './lib/compare.js';

const node = await new SolanaNode().start();
test.after(() => node.stop());

test('rent exemption is Solana\'s', async () => {
  for (const len of [0, 82, 165, 1000]) assert.equal(await rpc(node.url, 'getMinimumBalanceForRentExemption', [len]), rentFor(len));
});

test('scenario: Lumio and litesvm agree step by step', async (t) => {
  const lumio = new LumioTarget(node.url, node.wsUrl), lite = new LiteTarget();
  for (const id of PROGRAMS) {
    const { elf, loader } = await lumio.programImage(id.toBase58());
    lite.setProgram(id.toBase58(), elf, loader);
  }
  const { steps, payer } = buildScenario({ rentFor,
    images: { deploy: splImage('spl_memo-3.0.0.so'), upgrade: splImage('spl_memo-4.0.0.so') } });
  const sig = await lumio.conn.requestAirdrop(payer.publicKey, 100 * LAMPORTS_PER_SOL);
  await lumio.conn.confirmTransaction({ signature: sig, ...(await lumio.conn.getLatestBlockhash()) }, 'confirmed');
  const funded = await lumio.account(payer.publicKey.toBase58());
  assert.equal(funded.lamports, BigInt(100 * LAMPORTS_PER_SOL));
  lite.setAccount(payer.publicKey.toBase58(), { ...funded, data: [] });

  let failed = 0;
  for (const step of steps) {
    const { slotHashes } = await lumio.clock();
    const ctx = { blockhash: (await lumio.conn.getLatestBlockhash('confirmed')).blockhash, recentSlot: Number(slotHashes[0]?.slot ?? 0),
      // litesvm runs each transaction in the slot Lumio ran it in, with the SlotHashes of that slot
      // (programs binary-search it, so even its length shows in compute units).
      syncPeer: async ({ slot }) => {
        const now = await lumio.clock();
        lite.setClock({ ...now.clock, slot }, now.slotHashes.filter((h) => h.slot < BigInt(slot)));
      } };
    const { results, diffs } = await runStep(step, ctx, [lumio, lite]);
    if (!step.quiet || diffs.length)
      t.diagnostic(`${diffs.length ? 'DIFF' : 'same'} ${step.name}: ${results[0].map((r) => `${r.computeUnits} CU`).join(', ')}`);
    for (const d of diffs) t.diagnostic(`  ${d}`);
    if (diffs.length) failed++;
    if (step.nextSlot) {
      const s = await lumio.conn.getSlot('confirmed');
      while ((await lumio.conn.getSlot('confirmed')) <= s) await new Promise((r) => setTimeout(r, 50));
    }
  }
  t.diagnostic(`${steps.length - failed} passed, ${failed} failed`);
  assert.equal(failed, 0, 'steps that differ between Lumio and litesvm (see diagnostics)');
});

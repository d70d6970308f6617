// Runs the comparison scenario on litesvm alone: checks the scenario itself (each step fails
// or succeeds as declared) and prints Agave's compute units per step.
//   node lib/selfcheck.js
import { Keypair } from '@solana/web3.js';
import { LiteTarget } from './lite.js';
import { buildScenario } from './scenario.js';
import { rentFor, runStep, splImage } from './compare.js';

const lite = new LiteTarget();
lite.setProgram('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr', splImage('spl_memo-3.0.0.so'), 'BPFLoader2111111111111111111111111111111111');
const { steps, payer } = buildScenario({ rentFor, images: { deploy: splImage('spl_memo-3.0.0.so'), upgrade: splImage('spl_memo-4.0.0.so') } });
lite.setAccount(payer.publicKey.toBase58(), { lamports: 100_000_000_000n, owner: '11111111111111111111111111111111', data: [] });
let slot = 100n, bad = 0;
for (const step of steps) {
  lite.setClock({ slot, epoch: 0, epochStartTimestamp: 0, leaderScheduleEpoch: 1, unixTimestamp: 1_700_000_000 },
    [{ slot: slot - 1n, hash: Keypair.generate().publicKey.toBase58() }]);
  const ctx = { blockhash: Keypair.generate().publicKey.toBase58(), recentSlot: Number(slot - 1n) };
  const { results, diffs } = await runStep(step, ctx, [lite]);
  if (!step.quiet) console.log(`${diffs.length ? 'FAIL' : 'ok  '} ${step.name}: ${results[0].map((r) => `${r.computeUnits} CU${r.err ? ' err ' + JSON.stringify(r.err) : ''}`).join(', ')}`);
  for (const d of diffs) { console.log('   ', d); bad++; }
  if (step.nextSlot) slot += 1n;
}
console.log(`${steps.length - bad} passed, ${bad} failed`);
process.exit(bad ? 1 : 0);

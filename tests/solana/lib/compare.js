// Runs a scenario (lib/scenario.js) step by step on a primary target and, optionally, a peer,
// and returns the per-step differences in what must match exactly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { PublicKey } from '@solana/web3.js';
import { isDeepStrictEqual } from 'node:util';

// Rent exemption as Solana computes it: (128 + len) bytes × 3480 lamports/byte-year × 2 years.
export const rentFor = (len) => (128 + len) * 3480 * 2;

export function splImage(name) {
  const dir = process.env.LUMIO_SPL_DIR || join(homedir(), '.cache', 'lumio', 'spl');
  return readFileSync(join(dir, name));
}

const show = (a) => a && { lamports: a.lamports.toString(), owner: a.owner, executable: a.executable,
  data: a.data.length > 64 ? `${a.data.length} bytes, sha ${a.data.toString('base64').slice(0, 24)}…` : a.data.toString('hex') };

export async function runStep(step, ctx, targets) {
  const wire = step.build(ctx);
  const results = [];
  if (step.primaryOnly) targets = targets.slice(0, 1);
  // Transaction by transaction: the primary first, then (after ctx.syncPeer brings the peer's
  // clock to the slot the primary executed in) the peer.
  const list = Array.isArray(wire) ? wire : [wire];
  for (const t of targets) results.push([]);
  for (const w of list) {
    const r = await targets[0].send(w);
    results[0].push(r);
    if (targets[1]) {
      if (ctx.syncPeer) await ctx.syncPeer(r);
      results[1].push(await targets[1].send(w));
    }
  }
  const diffs = [];
  const [a, b] = results;
  for (let i = 0; i < a.length; i++) {
    if (step.fails !== undefined && !step.multi) {
      if (Boolean(a[i].err) !== Boolean(step.fails)) diffs.push(`${targets[0].name}: expected ${step.fails ? 'failure' : 'success'}, got err=${JSON.stringify(a[i].err)}\n  ${a[i].logs?.join('\n  ')}`);
    } else if (a[i].err) diffs.push(`${targets[0].name}: unexpected failure ${JSON.stringify(a[i].err)}\n  ${a[i].logs?.join('\n  ')}`);
    if (!b) continue;
    for (const k of ['err', 'computeUnits', 'logs'])
      if (!isDeepStrictEqual(a[i][k], b[i][k]))
        diffs.push(`${k}: ${targets[0].name}=${JSON.stringify(a[i][k])} ${targets[1].name}=${JSON.stringify(b[i][k])}`);
  }
  if (b) {
    const keys = [...step.accounts.map((key) => ({ key })), ...(step.accountsAfter ? step.accountsAfter() : [])];
    for (const { key, mask } of keys) {
      const k = key instanceof PublicKey ? key.toBase58() : key;
      let [x, y] = [await targets[0].account(k), await targets[1].account(k)];
      if (mask) { if (x) x = { ...x, data: mask(x.data) }; if (y) y = { ...y, data: mask(y.data) }; }
      if (!isDeepStrictEqual(x, y)) diffs.push(`account ${k}: ${targets[0].name}=${JSON.stringify(show(x))} ${targets[1].name}=${JSON.stringify(show(y))}`);
    }
  }
  return { results, diffs };
}

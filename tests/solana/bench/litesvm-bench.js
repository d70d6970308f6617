// litesvm (Agave's runtime in-process, one core) on the same workloads lumio-solgen sends to
// Lumio: SOL transfers and SPL Token transfers, signatures verified, pre-signed before timing.
//   node bench/litesvm-bench.js [TXS] [TOKEN_ELF]
// TOKEN_ELF: the image at Tokenkeg… (default: litesvm's own), so both sides run the same program.
import { readFileSync } from 'node:fs';
import { LiteSVM } from 'litesvm';
import { getTransactionDecoder, address, lamports } from '@solana/kit';
import * as web3 from '@solana/web3.js';
import * as spl from '@solana/spl-token';

const N = Number(process.argv[2] || 20000);
const svm = new LiteSVM().withBlockhashCheck(false).withTransactionHistory(0n);
if (process.argv[3]) svm.addProgramWithLoader(address(spl.TOKEN_PROGRAM_ID.toBase58()), readFileSync(process.argv[3]),
  address('BPFLoader2111111111111111111111111111111111'));
const decoder = getTransactionDecoder();
const send = (tx) => { const r = svm.sendTransaction(decoder.decode(tx.serialize())); if (r.err) throw new Error(r.toString()); return r; };
const bh = web3.Keypair.generate().publicKey.toBase58();
const senders = Array.from({ length: 200 }, () => web3.Keypair.generate());
for (const s of senders) svm.airdrop(address(s.publicKey.toBase58()), lamports(100_000_000_000n));

// Token setup: a mint, an ATA per sender with a balance.
const mint = web3.Keypair.generate(), auth = senders[0];
const setup = new web3.Transaction({ feePayer: auth.publicKey, recentBlockhash: bh }).add(
  web3.SystemProgram.createAccount({ fromPubkey: auth.publicKey, newAccountPubkey: mint.publicKey, space: 82,
    lamports: Number(svm.minimumBalanceForRentExemption(82n)), programId: spl.TOKEN_PROGRAM_ID }),
  spl.createInitializeMint2Instruction(mint.publicKey, 0, auth.publicKey, null));
setup.sign(auth, mint); send(setup);
const atas = senders.map((s) => spl.getAssociatedTokenAddressSync(mint.publicKey, s.publicKey));
senders.forEach((s, i) => {
  const t = new web3.Transaction({ feePayer: s.publicKey, recentBlockhash: bh }).add(
    spl.createAssociatedTokenAccountInstruction(s.publicKey, atas[i], s.publicKey, mint.publicKey),
    spl.createMintToInstruction(mint.publicKey, atas[i], auth.publicKey, 1_000_000_000));
  t.sign(s, auth); send(t);
});

function workload(kind) {
  const out = [];
  for (let k = 0; out.length < N; k++)
    for (let s = 0; s < senders.length && out.length < N; s++) {
      const to = (s + 1) % senders.length;
      const ix = kind === 'spl' ? spl.createTransferInstruction(atas[s], atas[to], senders[s].publicKey, 1 + k)
        : web3.SystemProgram.transfer({ fromPubkey: senders[s].publicKey, toPubkey: senders[to].publicKey, lamports: 1 + k });
      const tx = new web3.Transaction({ feePayer: senders[s].publicKey, recentBlockhash: bh }).add(ix);
      tx.sign(senders[s]);
      out.push(decoder.decode(tx.serialize()));
    }
  return out;
}

for (const kind of ['sol', 'spl']) {
  const txs = workload(kind);
  const lat = [];
  let cu = 0n;
  const t0 = process.hrtime.bigint();
  for (const tx of txs) {
    const a = process.hrtime.bigint();
    const r = svm.sendTransaction(tx);
    lat.push(Number(process.hrtime.bigint() - a) / 1e6);
    if (r.err) throw new Error(`${kind}: ${r.toString()}`);
    cu += r.computeUnitsConsumed();
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  lat.sort((x, y) => x - y);
  const pct = (p) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))].toFixed(3);
  console.log(`litesvm  ${kind.padEnd(4)} txs=${N}  TPS=${Math.round(N / secs)} (1 core, in-process)  p50=${pct(0.5)}ms  p99=${pct(0.99)}ms  CU/tx=${Number(cu) / N}`);
}

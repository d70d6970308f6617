// Lumio's Solana RPC as a comparison target (see lite.js): sends the same signed wire bytes and
// reads results back the way a client does (getTransaction, getAccountInfo).
import { Connection, PublicKey } from '@solana/web3.js';

const BPF_LOADER_UPGRADEABLE = 'BPFLoaderUpgradeab1e11111111111111111111111';

export class LumioTarget {
  constructor(url, wsUrl) {
    this.conn = new Connection(url, { commitment: 'confirmed', wsEndpoint: wsUrl });
    this.name = 'lumio';
  }

  async send(wire) {
    const sig = await this.conn.sendRawTransaction(wire, { skipPreflight: true });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const tx = await this.conn.getTransaction(sig, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
      if (tx) return { err: tx.meta.err, computeUnits: tx.meta.computeUnitsConsumed, logs: tx.meta.logMessages, signature: sig, slot: tx.slot };
      if (Date.now() > deadline) throw new Error(`transaction ${sig} not confirmed within 20 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async account(pubkey) {
    const a = await this.conn.getAccountInfo(new PublicKey(pubkey), 'confirmed');
    if (!a) return null;
    return { lamports: BigInt(a.lamports), owner: a.owner.toBase58(), data: Buffer.from(a.data), executable: a.executable };
  }

  /// The ELF a program id runs, and its loader: what litesvm needs to run the same program.
  async programImage(id) {
    const a = await this.account(id);
    if (!a) throw new Error(`program ${id} not found on Lumio`);
    if (a.owner !== BPF_LOADER_UPGRADEABLE) return { elf: a.data, loader: a.owner };
    const programData = new PublicKey(a.data.subarray(4, 36)).toBase58();
    const pd = await this.account(programData);
    return { elf: pd.data.subarray(45), loader: a.owner };
  }

  /// Clock and SlotHashes sysvars as litesvm's setters take them.
  async clock() {
    const c = (await this.account('SysvarC1ock11111111111111111111111111111111')).data;
    const clock = { slot: c.readBigUInt64LE(0), epochStartTimestamp: c.readBigInt64LE(8), epoch: c.readBigUInt64LE(16),
      leaderScheduleEpoch: c.readBigUInt64LE(24), unixTimestamp: c.readBigInt64LE(32) };
    const h = (await this.account('SysvarS1otHashes111111111111111111111111111')).data;
    const n = Number(h.readBigUInt64LE(0));
    const slotHashes = [];
    for (let i = 0; i < n; i++) {
      const off = 8 + i * 40;
      slotHashes.push({ slot: h.readBigUInt64LE(off), hash: new PublicKey(h.subarray(off + 8, off + 40)).toBase58() });
    }
    return { clock, slotHashes };
  }
}

// Gives each test file a Solana JSON-RPC + PubSub endpoint on a Lumio node.
//
//   LUMIO_SOL_URL=http://…   use a running node (LUMIO_SOL_WS_URL overrides the derived ws URL:
//                            Solana's convention, RPC port + 1)
//   LUMIO_BIN=…/lumio        start `lumio dev` on free ports with a fresh data dir
// A started node is killed when the test process exits.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}

/// Raw JSON-RPC: the whole response object.
export async function rpcRaw(url, method, params = [], timeoutMs = 10_000) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal: AbortSignal.timeout(timeoutMs) });
  return res.json();
}
export async function rpc(url, method, params = []) {
  const r = await rpcRaw(url, method, params);
  if (r.error) throw Object.assign(new Error(`${method}: ${r.error.message}`), { rpcError: r.error });
  return r.result;
}

const live = new Set();
process.on('exit', () => { for (const p of live) { try { p.kill('SIGKILL'); } catch {} } });

export class SolanaNode {
  constructor() { this.proc = null; this.log = []; this.dataDir = null; }
  logTail() { return this.log.join('').slice(-4000); }

  async start({ fresh = true } = {}) {
    if (process.env.LUMIO_SOL_URL) {
      this.url = process.env.LUMIO_SOL_URL;
      this.wsUrl = process.env.LUMIO_SOL_WS_URL ||
        this.url.replace(/^http/, 'ws').replace(/:(\d+)/, (_, p) => `:${Number(p) + 1}`);
    } else {
      if (!process.env.LUMIO_BIN) throw new Error('set LUMIO_BIN=/path/to/lumio or LUMIO_SOL_URL=http://host:port');
      if (!this.dataDir) this.dataDir = mkdtempSync(join(tmpdir(), 'lumio-sol-'));
      if (!this.ports) this.ports = { eth: await freePort(), sol: await freePort(), ws: await freePort() };
      const args = ['dev', '--eth-port', String(this.ports.eth), '--solana-rpc-port', String(this.ports.sol),
        '--solana-ws-port', String(this.ports.ws), '--data-dir', this.dataDir];
      if (fresh) args.push('--fresh');
      if (process.env.LUMIO_SPL_DIR) args.push('--spl-dir', process.env.LUMIO_SPL_DIR);
      this.proc = spawn(process.env.LUMIO_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      live.add(this.proc);
      for (const s of [this.proc.stdout, this.proc.stderr]) s.on('data', (d) => { this.log.push(d.toString()); });
      this.url = `http://127.0.0.1:${this.ports.sol}`;
      this.wsUrl = `ws://127.0.0.1:${this.ports.ws}`;
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (this.proc && this.proc.exitCode !== null) throw new Error(`lumio exited (${this.proc.exitCode}):\n${this.logTail()}`);
      try { if ((await rpcRaw(this.url, 'getHealth', [], 2000)).result === 'ok') return this; } catch {}
      if (Date.now() > deadline) throw new Error(`Solana RPC at ${this.url} not ready:\n${this.logTail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /// SIGKILL (no shutdown path runs), then start again on the same data dir.
  async killAndRestart() {
    if (!this.proc) throw new Error('not restartable: external node');
    this.proc.kill('SIGKILL');
    await new Promise((r) => this.proc.once('exit', r));
    live.delete(this.proc);
    return this.start({ fresh: false });
  }

  async stop() {
    if (this.proc) {
      this.proc.kill('SIGTERM');
      await new Promise((r) => (this.proc.exitCode !== null ? r() : this.proc.once('exit', r)));
      live.delete(this.proc);
      this.proc = null;
    }
    if (this.dataDir) { rmSync(this.dataDir, { recursive: true, force: true }); this.dataDir = null; }
  }
}

// Gives each test file an Ethereum JSON-RPC endpoint to talk to.
//
//   LUMIO_RPC_URL=http://…   use an already-running node (LUMIO_WS_URL overrides the derived ws:// URL)
//   E2E_TARGET=anvil         start anvil from the npm package on a free port (the default)
//   E2E_TARGET=lumio         start `$LUMIO_BIN dev --eth-port P --data-dir <tmp> --fresh`
//   E2E_RPC_LOG=file         route clients through lib/rpc-recorder.js and log every RPC method used
//   E2E_HIDE_METHODS=a,b     …and answer those methods with -32601 (check client fallbacks)
//
// A started node is stopped when the test process exits.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRecorder } from './rpc-recorder.js';

const require = createRequire(import.meta.url);

export const MNEMONIC = 'test test test test test test test test test test test junk';

export function anvilBin() {
  return process.env.ANVIL_BIN || join(require.resolve('@foundry-rs/anvil-linux-amd64/package.json'), '..', 'bin', 'anvil');
}

/// The target this run is about: 'external' (LUMIO_RPC_URL), 'anvil' or 'lumio'.
export function targetKind() {
  if (process.env.LUMIO_RPC_URL) return 'external';
  const t = (process.env.E2E_TARGET || 'anvil').toLowerCase();
  if (t !== 'anvil' && t !== 'lumio') throw new Error(`E2E_TARGET must be anvil or lumio, got "${t}"`);
  return t;
}

export async function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/// Raw JSON-RPC call; returns the whole response object ({result} or {error}).
export async function rpcRaw(url, method, params = [], timeoutMs = 10_000) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return res.json();
}

export async function rpc(url, method, params = []) {
  const r = await rpcRaw(url, method, params);
  if (r.error) throw Object.assign(new Error(`${method}: ${r.error.message}`), { rpcError: r.error });
  return r.result;
}

async function waitReady(url, proc, logTail, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < deadline) {
    if (proc && proc.exitCode !== null) {
      throw new Error(`node exited with code ${proc.exitCode} before serving RPC:\n${logTail()}`);
    }
    try {
      const r = await rpcRaw(url, 'eth_chainId', [], 2000);
      if (r.result) return;
      lastErr = new Error(JSON.stringify(r));
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`node at ${url} not ready after ${timeoutMs} ms: ${lastErr?.message}\n${logTail()}`);
}

const live = new Set();
process.on('exit', () => {
  for (const p of live) {
    try { p.kill('SIGKILL'); } catch {}
  }
});

class NodeHandle {
  constructor(kind, { anvilArgs = [], record = true } = {}) {
    this.kind = kind; // 'external' | 'anvil' | 'lumio'
    this.anvilArgs = anvilArgs;
    this.recordTo = record ? process.env.E2E_RPC_LOG : undefined;
    this.hidden = new Set(record && process.env.E2E_HIDE_METHODS ? process.env.E2E_HIDE_METHODS.split(',') : []);
    this.recorder = null;
    this.proc = null;
    this.dataDir = null;
    this.port = null;
    this.log = [];
  }

  // With E2E_RPC_LOG set, clients talk through the recording proxy (stable across restarts).
  get url() { return this.recorder?.url ?? this._url; }
  get wsUrl() { return this.recorder?.wsUrl ?? this._wsUrl; }

  async #record() {
    if ((this.recordTo || this.hidden.size) && !this.recorder) {
      this.recorder = await startRecorder(() => this._url, () => this._wsUrl, this.recordTo, this.hidden);
    }
  }
  /// Whether this handle owns a process it can SIGKILL and restart on the same data dir.
  get restartable() { return this.kind === 'lumio'; }

  logTail() { return this.log.join('').slice(-4000); }

  async start({ fresh = true } = {}) {
    if (this.kind === 'external') {
      this._url = process.env.LUMIO_RPC_URL;
      this._wsUrl = process.env.LUMIO_WS_URL || this._url.replace(/^http/, 'ws');
      await waitReady(this._url, null, () => '', 15_000);
      await this.#record();
      return this;
    }
    this.port ??= await freePort();
    let bin, args;
    if (this.kind === 'anvil') {
      bin = anvilBin();
      args = ['--port', String(this.port), '--silent', ...this.anvilArgs];
    } else {
      bin = process.env.LUMIO_BIN;
      if (!bin) {
        throw new Error('E2E_TARGET=lumio needs LUMIO_BIN=/path/to/lumio (the node binary); it is not set');
      }
      this.dataDir ??= mkdtempSync(join(tmpdir(), 'lumio-e2e-'));
      args = ['dev', '--eth-port', String(this.port), '--data-dir', this.dataDir];
      if (fresh) args.push('--fresh');
    }
    this.log = [];
    const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.on('error', (e) => this.log.push(`spawn error: ${e.message}\n`));
    const keep = (d) => {
      this.log.push(d.toString());
      if (this.log.length > 200) this.log.splice(0, 100);
    };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    live.add(proc);
    proc.on('exit', () => live.delete(proc));
    this.proc = proc;
    this._url = `http://127.0.0.1:${this.port}`;
    this._wsUrl = `ws://127.0.0.1:${this.port}`;
    await waitReady(this._url, proc, () => this.logTail());
    await this.#record();
    return this;
  }

  /// SIGKILL the process (no chance to flush) and wait until it is gone.
  async kill9() {
    if (!this.proc) throw new Error('no process to kill');
    const p = this.proc;
    if (p.exitCode === null && p.signalCode === null) {
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await gone;
    }
    this.proc = null;
  }

  /// Restart on the same port and data dir, keeping state (no --fresh).
  async restart() {
    await this.kill9();
    return this.start({ fresh: false });
  }

  async stop() {
    if (this.proc) await this.kill9().catch(() => {});
    await this.recorder?.close();
    this.recorder = null;
    if (this.dataDir && !process.env.E2E_KEEP_DATA) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/// Starts (or connects to) the node under test. kind defaults to targetKind();
/// opts.anvilArgs are extra anvil flags (e.g. ['--chain-id', '1337']) for kind 'anvil'.
export async function startNode(kind = targetKind(), opts = {}) {
  const h = new NodeHandle(kind, opts);
  await h.start();
  return h;
}

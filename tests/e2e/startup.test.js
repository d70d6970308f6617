// Node start-up failure: the RPC port is already taken. The node must exit with a non-zero status
// and a clear "address already in use" message — no crash (signal), no hang. (An earlier Lumio build
// segfaulted after logging the listen error.) Runs against the binary of the target (lumio or anvil).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { anvilBin, targetKind } from './lib/node.js';

const kind = targetKind();

test('occupied RPC port: clean non-zero exit with "address already in use"', { skip: kind === 'external' && 'needs a node binary to start (LUMIO_RPC_URL points at a running node)', timeout: 60_000 }, async () => {
  const blocker = net.createServer();
  await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
  const { port } = blocker.address();
  const dataDir = mkdtempSync(join(tmpdir(), 'lumio-e2e-port-'));
  try {
    for (let i = 0; i < 3; i++) {
      const [bin, args] = kind === 'lumio'
        ? [process.env.LUMIO_BIN, ['dev', '--eth-port', String(port), '--data-dir', dataDir, '--fresh']]
        : [anvilBin(), ['--port', String(port)]];
      assert.ok(bin, 'LUMIO_BIN is set');
      const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { out += d; });
      const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
      const [code, signal] = await new Promise((r) => p.on('exit', (c, s) => r([c, s])));
      clearTimeout(timer);
      assert.equal(signal, null, `run ${i}: must exit, not die from a signal (${signal}); output:\n${out.slice(-1500)}`);
      assert.notEqual(code, 0, `run ${i}: non-zero exit status`);
      assert.match(out, /address already in use/i, `run ${i}: says why:\n${out.slice(-1500)}`);
    }
  } finally {
    blocker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

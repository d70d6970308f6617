// A transparent JSON-RPC proxy (HTTP + WebSocket on one port) that appends every method the clients
// call to a log file: `<http|ws> <method> [hint]`, where the hint is the block tag or subscription
// kind. Used (E2E_RPC_LOG=file) to list exactly what a node must serve for viem/ethers/Hardhat.
// Methods listed in `hidden` are answered with -32601 "Method not found" instead of being forwarded
// (E2E_HIDE_METHODS=a,b), to check that the clients fall back when a node lacks an optional method.
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';

const TAG_PARAM = {
  eth_getBalance: 1, eth_getTransactionCount: 1, eth_getCode: 1, eth_getStorageAt: 2, eth_call: 1,
  eth_getBlockByNumber: 0, eth_estimateGas: 1, eth_feeHistory: 1,
};

function hint(m) {
  const p = Array.isArray(m.params) ? m.params : [];
  if (m.method === 'eth_subscribe') return p[0];
  if (m.method === 'eth_sendRawTransaction' && typeof p[0] === 'string') {
    const b = parseInt(p[0].slice(2, 4), 16);
    return b >= 0xc0 ? 'type0' : `type${b}`;
  }
  const i = TAG_PARAM[m.method];
  if (i === undefined) return '';
  const v = p[i];
  if (v === undefined) return '(no tag)';
  if (typeof v === 'string') return /^0x/.test(v) && !['latest', 'pending'].includes(v) ? (v.length > 20 ? 'hash' : 'number') : v;
  return typeof v === 'object' ? 'object' : String(v);
}

export async function startRecorder(upstreamHttp, upstreamWs, logFile, hidden = new Set()) {
  const record = (transport, body) => {
    let msgs;
    try { msgs = JSON.parse(body); } catch { return; }
    const batch = Array.isArray(msgs);
    // Hostile input (tests/e2e/badinput.test.js) sends batches of non-objects: log those as `(invalid)`.
    const line = (m) => (m && typeof m === 'object' && typeof m.method === 'string' ? `${m.method} ${hint(m)}` : '(invalid)');
    const lines = (batch ? msgs : [msgs]).map((m) => `${transport}${batch ? '-batch' : ''} ${line(m)}`.trim());
    if (logFile) appendFileSync(logFile, lines.join('\n') + '\n');
  };
  const notFound = (m) => ({ jsonrpc: '2.0', id: m.id ?? null, error: { code: -32601, message: 'Method not found' } });
  // Answers hidden methods locally and forwards the rest (batches are split and merged in order).
  async function forward(body) {
    let msg;
    try { msg = JSON.parse(body); } catch { msg = null; }
    const send = async (b) => {
      const up = await fetch(upstreamHttp(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: b });
      return up.text();
    };
    if (!hidden.size || msg === null) return send(body);
    if (!Array.isArray(msg)) return hidden.has(msg?.method) ? JSON.stringify(notFound(msg)) : send(body);
    if (!msg.length || msg.some((m) => !m || typeof m !== 'object')) return send(body);
    const fwd = msg.filter((m) => !hidden.has(m.method));
    const answers = fwd.length ? JSON.parse(await send(JSON.stringify(fwd))) : [];
    const byId = new Map(answers.map((a) => [a.id, a]));
    return JSON.stringify(msg.map((m) => (hidden.has(m.method) ? notFound(m) : byId.get(m.id))));
  }
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString();
    try {
      record('http', body);
      const answer = await forward(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    } catch (e) {
      res.writeHead(502).end(String(e));
    }
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (client) => {
    const up = new WebSocket(upstreamWs());
    const pending = [];
    up.on('open', () => { for (const m of pending.splice(0)) up.send(m); });
    up.on('message', (m) => client.readyState === WebSocket.OPEN && client.send(m.toString()));
    up.on('close', () => client.close());
    up.on('error', () => client.close());
    client.on('message', (m) => {
      try { record('ws', m.toString()); } catch {}
      let msg = null;
      try { msg = JSON.parse(m.toString()); } catch {}
      if (msg && !Array.isArray(msg) && hidden.has(msg.method)) return client.send(JSON.stringify(notFound(msg)));
      if (up.readyState === WebSocket.OPEN) up.send(m.toString()); else pending.push(m.toString());
    });
    client.on('close', () => up.close());
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    close: () => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(); server.close(r); server.closeAllConnections?.(); }),
  };
}

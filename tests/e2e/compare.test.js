// Differential test: the same scenario against a reference anvil and against the target
// (E2E_TARGET=lumio / LUMIO_RPC_URL; with neither, a second anvil so the harness itself is checked).
// Everything recorded by lib/scenario.js must be identical, except where noted there.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generatePrivateKey } from 'viem/accounts';
import { FEE, runScenario } from './lib/scenario.js';
import { rpc, startNode, targetKind } from './lib/node.js';

const keys = { keyA: generatePrivateKey(), keyB: generatePrivateKey() };
let subject, reference, ref, sub;

before(async () => {
  subject = await startNode(targetKind());
  // Same chain id on the reference, so identical signed transactions (and hashes) are accepted by both.
  const chainId = BigInt(await rpc(subject.url, 'eth_chainId'));
  reference = await startNode('anvil', { anvilArgs: ['--chain-id', chainId.toString()], record: false });
  console.log(`# compare: reference anvil ${reference.url} vs ${subject.kind} ${subject.url} (chain id ${chainId})`);
  ref = await runScenario(reference, keys);
  sub = await runScenario(subject, keys);
});
after(async () => {
  await subject?.stop();
  await reference?.stop();
});

describe('reference run is sane (guards against a vacuous comparison)', () => {
  test('no step threw on the reference', () => {
    assert.deepEqual(Object.keys(ref.trace).filter((k) => k.endsWith(': threw')).map((k) => `${k}: ${ref.trace[k]}`), []);
  });
  test('expected outcomes', () => {
    const t = ref.trace;
    assert.deepEqual(t['fund A: status+gasUsed'], ['0x1', '0x5208']);
    assert.equal(t['erc20 deploy: receipt'].status, '0x1');
    assert.equal(t['erc20 deploy: receipt'].logs.length, 1);
    assert.equal(t['erc20 transfer A->B: receipt'].effectiveGasPrice, `0x${FEE.toString(16)}`);
    assert.equal(BigInt(t['erc20 call balanceOf(B)'].result), 5000n - 1n - 60n);
    assert.equal(t['erc20 eth_getLogs'].length, 6, 'mint, A->B, B->A, Approval, transferFrom (OZ 5 emits no Approval for it), self-transfer');
    assert.equal(t['events burst(4): receipt'].logs.length, 6);
    assert.equal(t['calls catchFailure: receipt'].status, '0x1');
    assert.equal(t['create2 collision (mined revert): receipt'].status, '0x0');
    assert.equal(t['reverts mined require: receipt'].status, '0x0');
    assert.equal(t['reverts out of gas: receipt'].status, '0x0');
    assert.equal(t['reverts out of gas: receipt'].gasUsed, '0x5dc0', 'out-of-gas consumes the whole limit (24000)');
    assert.equal(t['reverts eth_call requirePositive(0)'].error.code, 3);
    assert.equal(t['reverts eth_call requirePositive(21)'].result, `0x${(42).toString(16).padStart(64, '0')}`);
    assert.equal(t['types eip2930: receipt'].type, '0x1');
    assert.equal(t['types legacy: receipt'].type, '0x0');
    assert.equal(t['nonce too low: rejected with "nonce too low"'], true);
    assert.equal(t['create2 child hello'].error, undefined);
  });
});

describe(`target matches the reference`, () => {
  // One test per recorded item, so a mismatch names exactly what differs.
  const REVERT_MSG_EXACT = /^reverts eth_(call|estimateGas) requirePositive|^reverts eth_(call|estimateGas) bumpOrRevert|bubble/;
  test('same set of recorded items', () => {
    assert.deepEqual(Object.keys(sub.trace).sort(), Object.keys(ref.trace).sort());
  });
  test('every item is identical', async (t) => {
    for (const key of Object.keys(ref.trace)) {
      await t.test(key, () => {
        const a = sub.trace[key];
        const b = ref.trace[key];
        if (b && typeof b === 'object' && (b.error || b.code) && !REVERT_MSG_EXACT.test(key)) {
          // Custom errors and panics: code and revert data must match exactly; the human text after
          // "execution reverted" is client-specific (anvil decodes it, geth does not).
          const ea = a?.error ?? a;
          const eb = b.error ?? b;
          assert.equal(ea?.code, eb.code, 'error code');
          assert.equal(ea?.data, eb.data, 'revert data');
          assert.match(String(ea?.message), /^execution reverted/, 'error message');
          return;
        }
        assert.deepEqual(a, b);
      });
    }
  });
});

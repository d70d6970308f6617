// Reverts as the clients see them: Error(string) reasons, custom errors and panics decoded by viem and
// ethers from eth_call / eth_estimateGas errors (JSON-RPC code 3 + revert data), and mined reverts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BaseError, ContractFunctionRevertedError, encodeFunctionData } from 'viem';
import { Contract, ContractFactory, isError } from 'ethers';
import { ethersClients, viemClients } from './lib/clients.js';
import { artifact } from './lib/compile.js';
import { rpcRaw, startNode } from './lib/node.js';

const R = artifact('Reverter');
const STORE = artifact('Store');
const CALLER = artifact('Caller');
let node;

before(async () => { node = await startNode(); });
after(async () => node?.stop());

/// The ContractFunctionRevertedError inside a viem error chain.
function reverted(err) {
  assert.ok(err instanceof BaseError, `expected a viem error, got ${err}`);
  const r = err.walk((e) => e instanceof ContractFunctionRevertedError);
  assert.ok(r, `no ContractFunctionRevertedError in: ${err.message}`);
  return r;
}

async function viemRejects(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected the call to revert');
}

describe('raw JSON-RPC revert shape', () => {
  test('eth_call revert: code 3, "execution reverted: <reason>", ABI-encoded Error(string) data', async () => {
    const c = await viemClients(node, 6);
    const hash = await c.walletClient.deployContract({ abi: R.abi, bytecode: R.bytecode });
    const { contractAddress: to } = await c.publicClient.waitForTransactionReceipt({ hash });
    const data = encodeFunctionData({ abi: R.abi, functionName: 'requirePositive', args: [0n] });
    for (const method of ['eth_call', 'eth_estimateGas']) {
      const params = method === 'eth_call' ? [{ to, data }, 'latest'] : [{ from: c.account.address, to, data }];
      const r = await rpcRaw(node.url, method, params);
      assert.ok(r.error, `${method} must fail`);
      assert.equal(r.error.code, 3, method);
      assert.equal(r.error.message, 'execution reverted: Reverter: x must be positive', method);
      assert.equal(
        r.error.data,
        '0x08c379a0' + '20'.padStart(64, '0') + '1c'.padStart(64, '0') +
          Buffer.from('Reverter: x must be positive').toString('hex').padEnd(64, '0'),
        method,
      );
    }
    const custom = await rpcRaw(node.url, 'eth_call', [
      { to, data: encodeFunctionData({ abi: R.abi, functionName: 'onlyNobody' }) }, 'latest']);
    assert.equal(custom.error.code, 3);
    assert.match(custom.error.message, /^execution reverted/);
    assert.equal(custom.error.data, '0x82b42900', 'selector of Unauthorized()');
  });
});

describe('viem', () => {
  let c, address, caller, store;
  before(async () => {
    c = await viemClients(node, 7);
    const deploy = async (a, args = []) => (await c.publicClient.waitForTransactionReceipt({
      hash: await c.walletClient.deployContract({ abi: a.abi, bytecode: a.bytecode, args }),
    })).contractAddress;
    address = await deploy(R);
    store = await deploy(STORE);
    caller = await deploy(CALLER);
  });
  const read = (functionName, args = []) =>
    c.publicClient.readContract({ account: c.account.address, address, abi: R.abi, functionName, args });

  test('require(reason) is decoded', async () => {
    assert.equal(await read('requirePositive', [3n]), 6n);
    const r = reverted(await viemRejects(read('requirePositive', [0n])));
    assert.equal(r.reason, 'Reverter: x must be positive');
    assert.equal(r.data?.errorName, 'Error');
  });

  test('custom error with arguments is decoded', async () => {
    const r = reverted(await viemRejects(read('withdraw', [11n])));
    assert.equal(r.data?.errorName, 'InsufficientBalance');
    assert.deepEqual(r.data?.args, [c.account.address, 10n, 11n]);
    const r2 = reverted(await viemRejects(read('onlyNobody')));
    assert.equal(r2.data?.errorName, 'Unauthorized');
  });

  test('panic code is decoded', async () => {
    const r = reverted(await viemRejects(read('divide', [1n, 0n])));
    assert.equal(r.data?.errorName, 'Panic');
    assert.deepEqual(r.data?.args, [0x12n]);
  });

  test('simulate and estimateGas surface the revert before sending', async () => {
    const sim = reverted(await viemRejects(c.publicClient.simulateContract({
      account: c.account, address, abi: R.abi, functionName: 'bumpOrRevert', args: [true] })));
    assert.equal(sim.reason, 'Reverter: bump refused');
    const est = reverted(await viemRejects(c.publicClient.estimateContractGas({
      account: c.account, address, abi: R.abi, functionName: 'bumpOrCustom', args: [true] })));
    assert.equal(est.data?.errorName, 'InsufficientBalance');
    assert.deepEqual(est.data?.args, [c.account.address, 1n, 2n]);
  });

  test('a mined revert has status "reverted" and leaves no state change', async () => {
    const before = await read('counter');
    const hash = await c.walletClient.writeContract({ address, abi: R.abi, functionName: 'bumpOrRevert', args: [true], gas: 100_000n });
    const receipt = await c.publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'reverted');
    assert.equal(receipt.logs.length, 0);
    assert.ok(receipt.gasUsed > 21_000n && receipt.gasUsed < 100_000n, `gasUsed ${receipt.gasUsed}`);
    assert.equal(await read('counter'), before);
    const ok = await c.walletClient.writeContract({ address, abi: R.abi, functionName: 'bumpOrRevert', args: [false] });
    assert.equal((await c.publicClient.waitForTransactionReceipt({ hash: ok })).status, 'success');
    assert.equal(await read('counter'), before + 1n);
  });

  test('revert bubbling through a contract-to-contract call keeps the reason', async () => {
    const r = reverted(await viemRejects(c.publicClient.readContract({
      address: caller, abi: [...CALLER.abi, ...STORE.abi.filter((x) => x.type === 'error')], functionName: 'bubble', args: [store] })));
    assert.equal(r.reason, 'Store: fail');
  });
});

describe('ethers v6', () => {
  let c, reverter;
  before(async () => {
    c = await ethersClients(node, 8);
    const d = await new ContractFactory(R.abi, R.bytecode, c.wallet).deploy();
    await d.waitForDeployment();
    reverter = new Contract(await d.getAddress(), R.abi, c.wallet);
  });

  async function callException(promise) {
    try {
      await promise;
    } catch (e) {
      assert.ok(isError(e, 'CALL_EXCEPTION'), `expected CALL_EXCEPTION, got ${e.code}: ${e.message}`);
      return e;
    }
    assert.fail('expected CALL_EXCEPTION');
  }

  test('require(reason) is decoded', async () => {
    assert.equal(await reverter.requirePositive(5n), 10n);
    const e = await callException(reverter.requirePositive(0n));
    assert.equal(e.reason, 'Reverter: x must be positive');
    assert.equal(e.revert?.name, 'Error');
    assert.deepEqual([...e.revert.args], ['Reverter: x must be positive']);
  });

  test('custom error is decoded from the revert data', async () => {
    const e = await callException(reverter.withdraw(12n));
    assert.equal(e.revert?.name, 'InsufficientBalance');
    assert.deepEqual([...e.revert.args], [c.wallet.address, 10n, 12n]);
    const parsed = reverter.interface.parseError(e.data);
    assert.equal(parsed.name, 'InsufficientBalance');
    const e2 = await callException(reverter.onlyNobody());
    assert.equal(e2.revert?.name, 'Unauthorized');
    assert.equal(e2.data, '0x82b42900');
  });

  test('panic is decoded', async () => {
    const e = await callException(reverter.divide(1n, 0n));
    assert.equal(e.revert?.name, 'Panic');
    assert.equal(Number(e.revert.args[0]), 0x12);
    assert.match(e.reason, /DIVIDE_BY_ZERO/);
  });

  test('sending a reverting tx fails at estimateGas with the reason', async () => {
    const e = await callException(reverter.bumpOrRevert(true));
    assert.equal(e.action, 'estimateGas');
    assert.equal(e.reason, 'Reverter: bump refused');
    // On the send path ethers' provider decodes only Error/Panic; custom errors come back as raw data.
    const e2 = await callException(reverter.bumpOrCustom(true));
    const parsed = reverter.interface.parseError(e2.data);
    assert.equal(parsed?.name, 'InsufficientBalance');
    assert.deepEqual([...parsed.args], [c.wallet.address, 1n, 2n]);
  });

  test('a mined revert (explicit gasLimit) fails tx.wait() with receipt.status 0', async () => {
    const tx = await reverter.bumpOrCustom(true, { gasLimit: 120_000n });
    const e = await callException(tx.wait());
    assert.equal(e.receipt?.status, 0);
    assert.equal(e.receipt?.hash, tx.hash);
    const r = await c.provider.getTransactionReceipt(tx.hash);
    assert.equal(r.status, 0);
    assert.equal(r.logs.length, 0);
  });
});

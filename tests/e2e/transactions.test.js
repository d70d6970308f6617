// Transaction types, gas estimation, fee accounting, nonce errors and evm_snapshot/evm_revert,
// each through viem and ethers v6.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeFunctionData, parseEther, parseGwei } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { Contract, ContractFactory, isError, parseUnits } from 'ethers';
import { ethersClients, ethersWallet, viemClients } from './lib/clients.js';
import { artifact } from './lib/compile.js';
import { MNEMONIC, rpc, rpcRaw, startNode } from './lib/node.js';

const token = artifact('LumioToken');
const events = artifact('Events');
let node;

before(async () => { node = await startNode(); });
after(async () => node?.stop());

describe('viem', () => {
  let c;
  const carol = mnemonicToAccount(MNEMONIC, { addressIndex: 9 }).address;
  before(async () => { c = await viemClients(node, 0); });

  /// Asserts the exact fee accounting of a mined value transfer using historical balances.
  async function checkFeeAccounting(receipt, value) {
    const at = (address, blockNumber) => c.publicClient.getBalance({ address, blockNumber });
    const prev = receipt.blockNumber - 1n;
    const fee = receipt.gasUsed * receipt.effectiveGasPrice;
    assert.equal(await at(c.account.address, prev) - await at(c.account.address, receipt.blockNumber), value + fee);
    assert.equal(await at(carol, receipt.blockNumber) - await at(carol, prev), value);
  }

  test('estimateGas then send (plain transfer is exactly 21000)', async () => {
    const est = await c.publicClient.estimateGas({ account: c.account, to: carol, value: 1n });
    assert.equal(est, 21_000n);
    const hash = await c.walletClient.sendTransaction({ to: carol, value: 1n, gas: est });
    const r = await c.publicClient.waitForTransactionReceipt({ hash });
    assert.equal(r.status, 'success');
    assert.equal(r.gasUsed, 21_000n);
    assert.equal(r.cumulativeGasUsed >= r.gasUsed, true);
  });

  test('estimateGas then send for a contract deployment and call', async () => {
    const deployData = { abi: events.abi, bytecode: events.bytecode };
    const estDeploy = await c.publicClient.estimateGas({ account: c.account, data: events.bytecode });
    const h = await c.walletClient.deployContract({ ...deployData, gas: estDeploy });
    const d = await c.publicClient.waitForTransactionReceipt({ hash: h });
    assert.equal(d.status, 'success');
    assert.ok(d.gasUsed <= estDeploy, `gasUsed ${d.gasUsed} <= estimate ${estDeploy}`);
    const call = { account: c.account, address: d.contractAddress, abi: events.abi, functionName: 'burst', args: [3n] };
    const est = await c.publicClient.estimateContractGas(call);
    const r = await c.publicClient.waitForTransactionReceipt({ hash: await c.walletClient.writeContract({ ...call, gas: est }) });
    assert.equal(r.status, 'success');
    assert.ok(r.gasUsed <= est && r.gasUsed > est - est / 4n, `gasUsed ${r.gasUsed} close to estimate ${est}`);
    assert.equal(r.logs.length, 5, '3 Pair + Data + anonymous Quiet');
    assert.equal(r.logs[4].topics.length, 1, 'anonymous event has only its indexed arg as topic');
  });

  test('EIP-1559 (type 2) transaction', async () => {
    const block = await c.publicClient.getBlock();
    assert.equal(typeof block.baseFeePerGas, 'bigint', 'latest block has baseFeePerGas');
    const maxPriorityFeePerGas = parseGwei('1');
    const maxFeePerGas = block.baseFeePerGas * 2n + maxPriorityFeePerGas;
    const hash = await c.walletClient.sendTransaction({ to: carol, value: parseEther('0.5'), type: 'eip1559', maxFeePerGas, maxPriorityFeePerGas });
    const r = await c.publicClient.waitForTransactionReceipt({ hash });
    assert.equal(r.type, 'eip1559');
    const tx = await c.publicClient.getTransaction({ hash });
    assert.equal(tx.type, 'eip1559');
    assert.equal(tx.maxFeePerGas, maxFeePerGas);
    assert.equal(tx.maxPriorityFeePerGas, maxPriorityFeePerGas);
    assert.equal(tx.chainId, c.chain.id);
    const mined = await c.publicClient.getBlock({ blockNumber: r.blockNumber });
    const expectedPrice = mined.baseFeePerGas + maxPriorityFeePerGas < maxFeePerGas ? mined.baseFeePerGas + maxPriorityFeePerGas : maxFeePerGas;
    assert.equal(r.effectiveGasPrice, expectedPrice, 'effectiveGasPrice = min(maxFee, baseFee + tip)');
    await checkFeeAccounting(r, parseEther('0.5'));
  });

  test('legacy (type 0) transaction with EIP-155 signature', async () => {
    const gasPrice = (await c.publicClient.getGasPrice()) * 2n;
    const hash = await c.walletClient.sendTransaction({ to: carol, value: 12345n, type: 'legacy', gasPrice });
    const r = await c.publicClient.waitForTransactionReceipt({ hash });
    assert.equal(r.type, 'legacy');
    assert.equal(r.effectiveGasPrice, gasPrice);
    const tx = await c.publicClient.getTransaction({ hash });
    assert.equal(tx.type, 'legacy');
    assert.equal(tx.gasPrice, gasPrice);
    assert.equal(tx.v, BigInt(c.chain.id) * 2n + 35n + BigInt(tx.v % 2n === 0n ? 1 : 0), 'EIP-155 v = chainId*2+35/36');
    await checkFeeAccounting(r, 12345n);
  });

  test('EIP-2930 (type 1) transaction with an access list', async () => {
    const accessList = [{ address: carol, storageKeys: ['0x' + '00'.repeat(31) + '01'] }];
    const gasPrice = (await c.publicClient.getGasPrice()) * 2n;
    const hash = await c.walletClient.sendTransaction({ to: carol, value: 7n, type: 'eip2930', gasPrice, accessList });
    const r = await c.publicClient.waitForTransactionReceipt({ hash });
    assert.equal(r.type, 'eip2930');
    // 21000 + 2400 per address + 1900 per storage key.
    assert.equal(r.gasUsed, 21_000n + 2_400n + 1_900n);
    const tx = await c.publicClient.getTransaction({ hash });
    assert.deepEqual(tx.accessList.map((e) => [e.address.toLowerCase(), e.storageKeys]),
      accessList.map((e) => [e.address.toLowerCase(), e.storageKeys]));
  });

  test('nonce too low is rejected with "nonce too low"', async () => {
    const nonce = await c.publicClient.getTransactionCount({ address: c.account.address });
    assert.ok(nonce > 0);
    await assert.rejects(
      c.walletClient.sendTransaction({ to: carol, value: 1n, nonce: nonce - 1 }),
      (e) => { assert.match(e.message, /nonce too low/i); return true; },
    );
    // Raw: a signed transaction whose nonce is already used.
    const raw = await c.walletClient.signTransaction(await c.walletClient.prepareTransactionRequest({ to: carol, value: 1n, nonce: 0 }));
    const r = await rpcRaw(node.url, 'eth_sendRawTransaction', [raw]);
    assert.ok(r.error, 'raw tx with a used nonce must fail');
    assert.match(r.error.message, /nonce too low/i);
    assert.equal(await c.publicClient.getTransactionCount({ address: c.account.address }), nonce, 'nonce unchanged');
  });
});

describe('ethers v6', () => {
  let c, carol;
  before(async () => {
    c = await ethersClients(node, 1);
    carol = ethersWallet(c.provider, 8).address;
  });
  after(() => c?.provider.destroy());

  test('estimateGas then send an ERC-20 transfer', async () => {
    const d = await new ContractFactory(token.abi, token.bytecode, c.wallet).deploy(1000n);
    await d.waitForDeployment();
    const erc20 = new Contract(await d.getAddress(), token.abi, c.wallet);
    const est = await erc20.transfer.estimateGas(carol, 10n);
    assert.ok(est > 21_000n);
    const r = await (await erc20.transfer(carol, 10n, { gasLimit: est })).wait();
    assert.equal(r.status, 1);
    assert.ok(r.gasUsed <= est);
    assert.equal(await erc20.balanceOf(carol), 10n);
  });

  test('EIP-1559 (type 2) transaction and fee data', async () => {
    const fee = await c.provider.getFeeData();
    assert.ok(fee.maxFeePerGas > 0n && fee.maxPriorityFeePerGas >= 0n && fee.gasPrice > 0n, JSON.stringify(fee, (k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    const before = await c.provider.getBalance(carol);
    const tx = await c.wallet.sendTransaction({ to: carol, value: 1000n, type: 2 });
    assert.equal(tx.type, 2);
    const r = await tx.wait();
    assert.equal(r.type, 2);
    assert.equal(await c.provider.getBalance(carol), before + 1000n);
    const got = await c.provider.getTransaction(tx.hash);
    assert.equal(got.type, 2);
    assert.equal(got.maxFeePerGas, tx.maxFeePerGas);
    assert.equal(got.signature.yParity === 0 || got.signature.yParity === 1, true);
  });

  test('legacy (type 0) transaction', async () => {
    const gasPrice = parseUnits('3', 'gwei') + (await c.provider.getFeeData()).gasPrice;
    const tx = await c.wallet.sendTransaction({ to: carol, value: 5n, type: 0, gasPrice });
    const r = await tx.wait();
    assert.equal(r.type, 0);
    assert.equal(r.gasPrice, gasPrice, 'receipt effectiveGasPrice');
    const got = await c.provider.getTransaction(tx.hash);
    assert.equal(got.type, 0);
    assert.equal(got.gasPrice, gasPrice);
    assert.equal(got.chainId, BigInt(c.chainId));
  });

  test('nonce too low surfaces as NONCE_EXPIRED with "nonce too low"', async () => {
    const nonce = await c.provider.getTransactionCount(c.wallet.address);
    try {
      await c.wallet.sendTransaction({ to: carol, value: 1n, nonce: nonce - 1 });
      assert.fail('must be rejected');
    } catch (e) {
      assert.ok(isError(e, 'NONCE_EXPIRED'), `got ${e.code}`);
      assert.match(JSON.stringify(e.info ?? {}) + e.message, /nonce too low/i);
    }
  });
});

describe('evm_snapshot / evm_revert', () => {
  test('revert restores block number, balances, nonces, code and forgets transactions', async () => {
    const c = await viemClients(node, 2);
    const target = mnemonicToAccount(MNEMONIC, { addressIndex: 7 }).address;
    const snap = await rpc(node.url, 'evm_snapshot');
    assert.match(snap, /^0x[0-9a-f]+$/i);
    const block0 = await c.publicClient.getBlockNumber();
    const bal0 = await c.publicClient.getBalance({ address: target });
    const nonce0 = await c.publicClient.getTransactionCount({ address: c.account.address });

    const hash = await c.walletClient.sendTransaction({ to: target, value: parseEther('1') });
    await c.publicClient.waitForTransactionReceipt({ hash });
    const dh = await c.walletClient.deployContract({ abi: events.abi, bytecode: events.bytecode });
    const { contractAddress } = await c.publicClient.waitForTransactionReceipt({ hash: dh });
    assert.notEqual(await c.publicClient.getCode({ address: contractAddress }), undefined);
    assert.equal(await c.publicClient.getBalance({ address: target }), bal0 + parseEther('1'));

    assert.equal(await rpc(node.url, 'evm_revert', [snap]), true);
    assert.equal(await c.publicClient.getBlockNumber(), block0);
    assert.equal(await c.publicClient.getBalance({ address: target }), bal0);
    assert.equal(await c.publicClient.getTransactionCount({ address: c.account.address }), nonce0);
    assert.equal(await c.publicClient.getCode({ address: contractAddress }), undefined, 'deployed code is gone');
    assert.equal(await rpc(node.url, 'eth_getTransactionReceipt', [hash]), null, 'receipt is gone');

    // The chain continues from the snapshot: the same nonce is usable again.
    const again = await c.walletClient.sendTransaction({ to: target, value: 3n });
    const r = await c.publicClient.waitForTransactionReceipt({ hash: again });
    assert.equal(r.blockNumber, block0 + 1n);
    assert.equal(await c.publicClient.getBalance({ address: target }), bal0 + 3n);

    // A snapshot id is consumed by a revert.
    assert.equal(await rpc(node.url, 'evm_revert', [snap]), false);
  });

  test('nested snapshots revert independently', async () => {
    const c = await viemClients(node, 2);
    const s1 = await rpc(node.url, 'evm_snapshot');
    const h1 = await c.walletClient.sendTransaction({ to: c.account.address, value: 0n });
    await c.publicClient.waitForTransactionReceipt({ hash: h1 });
    const afterOne = await c.publicClient.getBlockNumber();
    const s2 = await rpc(node.url, 'evm_snapshot');
    assert.notEqual(s1, s2);
    const h2 = await c.walletClient.sendTransaction({ to: c.account.address, value: 0n });
    await c.publicClient.waitForTransactionReceipt({ hash: h2 });
    assert.equal(await rpc(node.url, 'evm_revert', [s2]), true);
    assert.equal(await c.publicClient.getBlockNumber(), afterOne);
    assert.equal(await rpc(node.url, 'evm_revert', [s1]), true);
    assert.equal(await c.publicClient.getBlockNumber(), afterOne - 1n);
  });
});

// Crash durability: after receipts were served, SIGKILL the node, restart it on the same data dir
// (without --fresh) and check that blocks, receipts, balances and nonces survived.
// Needs a node process this test owns (E2E_TARGET=lumio); anvil keeps its chain in memory only.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseEther } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { viemClients } from './lib/clients.js';
import { artifact } from './lib/compile.js';
import { MNEMONIC, rpc, startNode, targetKind } from './lib/node.js';

const kind = targetKind();
const skip = kind === 'lumio' ? false
  : kind === 'anvil'
    ? 'kill -9 + restart runs only with E2E_TARGET=lumio: anvil keeps its chain in memory, so there is nothing to recover'
    : 'kill -9 + restart needs a node process this run owns (E2E_TARGET=lumio), not an external LUMIO_RPC_URL';
if (skip) console.log(`# restart.test.js skipped: ${skip}`);

const token = artifact('LumioToken');
let node;
before(async () => { if (!skip) node = await startNode(); });
after(async () => node?.stop());

test('SIGKILL after receipts were served, restart on the same data dir: chain state is intact', { skip }, async () => {
  let c = await viemClients(node, 0);
  const dave = mnemonicToAccount(MNEMONIC, { addressIndex: 6 }).address;
  const chainId = await rpc(node.url, 'eth_chainId');

  const deployHash = await c.walletClient.deployContract({ abi: token.abi, bytecode: token.bytecode, args: [1_000_000n] });
  const deployed = await c.publicClient.waitForTransactionReceipt({ hash: deployHash });
  const erc20 = deployed.contractAddress;
  const hashes = [deployHash];
  for (const v of [1n, 2n, 3n]) {
    hashes.push(await c.walletClient.writeContract({ address: erc20, abi: token.abi, functionName: 'transfer', args: [dave, v] }));
    await c.publicClient.waitForTransactionReceipt({ hash: hashes.at(-1) });
  }
  const ethHash = await c.walletClient.sendTransaction({ to: dave, value: parseEther('2') });
  hashes.push(ethHash);
  await c.publicClient.waitForTransactionReceipt({ hash: ethHash });

  // Everything the clients were told before the crash.
  const receipts = [];
  for (const h of hashes) receipts.push(await rpc(node.url, 'eth_getTransactionReceipt', [h]));
  const head = await rpc(node.url, 'eth_blockNumber');
  const headBlock = await rpc(node.url, 'eth_getBlockByNumber', [head, false]);
  const balances = {
    deployer: await rpc(node.url, 'eth_getBalance', [c.account.address, head]),
    dave: await rpc(node.url, 'eth_getBalance', [dave, head]),
  };
  const tokenBal = await c.publicClient.readContract({ address: erc20, abi: token.abi, functionName: 'balanceOf', args: [dave] });
  const nonce = await c.publicClient.getTransactionCount({ address: c.account.address });

  await node.restart(); // SIGKILL, then start without --fresh on the same --data-dir and port
  c = await viemClients(node, 0);

  assert.equal(await rpc(node.url, 'eth_chainId'), chainId);
  assert.ok(BigInt(await rpc(node.url, 'eth_blockNumber')) >= BigInt(head), 'block number did not go back');
  assert.deepEqual(await rpc(node.url, 'eth_getBlockByNumber', [head, false]), headBlock, 'head block unchanged');
  for (let i = 0; i < hashes.length; i++) {
    assert.deepEqual(await rpc(node.url, 'eth_getTransactionReceipt', [hashes[i]]), receipts[i], `receipt ${i} unchanged`);
  }
  assert.equal(await rpc(node.url, 'eth_getBalance', [c.account.address, head]), balances.deployer);
  assert.equal(await rpc(node.url, 'eth_getBalance', [dave, head]), balances.dave);
  assert.equal(await c.publicClient.readContract({ address: erc20, abi: token.abi, functionName: 'balanceOf', args: [dave] }), tokenBal);
  assert.equal(tokenBal, 6n);
  assert.equal(await c.publicClient.getTransactionCount({ address: c.account.address }), nonce, 'nonce survived');

  // And the chain keeps going from there.
  const next = await c.walletClient.sendTransaction({ to: dave, value: 1n });
  const r = await c.publicClient.waitForTransactionReceipt({ hash: next });
  assert.equal(r.status, 'success');
  assert.ok(r.blockNumber > BigInt(head));
  assert.equal(await c.publicClient.getBalance({ address: dave }), BigInt(balances.dave) + 1n);
});

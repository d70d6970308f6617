// ERC-20 lifecycle through ethers v6: deploy, transfer, balances, and Transfer events seen three ways
// (eth_getLogs via queryFilter, eth_newFilter + eth_getFilterChanges, eth_subscribe over ws://).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Contract, ContractFactory, ZeroAddress, id as topicOf, parseEther } from 'ethers';
import { ethersClients, ethersWallet, waitFor } from './lib/clients.js';
import { artifact } from './lib/compile.js';
import { startNode } from './lib/node.js';

const SUPPLY = parseEther('500000');
const token = artifact('LumioToken');
const TRANSFER_TOPIC = topicOf('Transfer(address,address,uint256)');

let node, c, erc20, address, deployBlock, alice, bob;

before(async () => {
  node = await startNode();
  c = await ethersClients(node, 3);
  alice = ethersWallet(c.provider, 4).address;
  bob = ethersWallet(c.provider, 5).address;
});
after(async () => {
  c?.provider.destroy();
  await node?.stop();
});

async function transfer(to, amount) {
  const tx = await erc20.transfer(to, amount);
  const receipt = await tx.wait();
  assert.equal(receipt.status, 1);
  return receipt;
}

test('deploy ERC-20 and read its metadata', async () => {
  const factory = new ContractFactory(token.abi, token.bytecode, c.wallet);
  const deployed = await factory.deploy(SUPPLY);
  const receipt = await deployed.deploymentTransaction().wait();
  assert.equal(receipt.status, 1);
  address = await deployed.getAddress();
  assert.equal(receipt.contractAddress, address);
  deployBlock = receipt.blockNumber;
  erc20 = new Contract(address, token.abi, c.wallet);
  assert.equal(await c.provider.getCode(address), token.deployedBytecode);
  assert.equal(await erc20.name(), 'Lumio Test Token');
  assert.equal(await erc20.symbol(), 'LTT');
  assert.equal(await erc20.decimals(), 18n);
  assert.equal(await erc20.totalSupply(), SUPPLY);
  assert.equal(await erc20.balanceOf(c.wallet.address), SUPPLY);
});

test('transfer moves balances and the receipt carries the log', async () => {
  const receipt = await transfer(alice, 1000n);
  assert.equal(await erc20.balanceOf(alice), 1000n);
  assert.equal(await erc20.balanceOf(c.wallet.address), SUPPLY - 1000n);
  assert.equal(receipt.logs.length, 1);
  const parsed = erc20.interface.parseLog(receipt.logs[0]);
  assert.equal(parsed.name, 'Transfer');
  assert.deepEqual([...parsed.args], [c.wallet.address, alice, 1000n]);
  const block = await c.provider.getBlock(receipt.blockNumber);
  assert.equal(block.hash, receipt.blockHash);
  assert.ok(block.transactions.includes(receipt.hash), 'block lists the tx hash');
});

test('Transfer events via eth_getLogs (queryFilter)', async () => {
  const all = await erc20.queryFilter(erc20.filters.Transfer(), deployBlock);
  assert.deepEqual(all.map((e) => [e.args.from, e.args.to, e.args.value]), [
    [ZeroAddress, c.wallet.address, SUPPLY],
    [c.wallet.address, alice, 1000n],
  ]);
  const toAlice = await erc20.queryFilter(erc20.filters.Transfer(null, alice), deployBlock, 'latest');
  assert.equal(toAlice.length, 1);
  const toBob = await erc20.queryFilter(erc20.filters.Transfer(null, bob), deployBlock);
  assert.equal(toBob.length, 0);
  // OR-ed topic (from either zero address or the deployer).
  const raw = await c.provider.getLogs({
    address, fromBlock: deployBlock, toBlock: 'latest',
    topics: [TRANSFER_TOPIC, [ZeroAddress, c.wallet.address].map((a) => '0x' + a.slice(2).toLowerCase().padStart(64, '0'))],
  });
  assert.equal(raw.length, 2);
});

test('Transfer events via eth_newFilter / eth_getFilterChanges', async () => {
  // Raw RPC first: exact wire behaviour.
  const id = await c.provider.send('eth_newFilter', [{ address, topics: [TRANSFER_TOPIC] }]);
  assert.match(id, /^0x[0-9a-f]+$/i);
  assert.deepEqual(await c.provider.send('eth_getFilterChanges', [id]), []);
  await transfer(bob, 11n);
  const changes = await c.provider.send('eth_getFilterChanges', [id]);
  assert.equal(changes.length, 1);
  assert.equal(changes[0].topics[0], TRANSFER_TOPIC);
  assert.equal(erc20.interface.parseLog(changes[0]).args.value, 11n);
  assert.equal(await c.provider.send('eth_uninstallFilter', [id]), true);
  assert.equal(await c.provider.send('eth_uninstallFilter', [id]), false, 'second uninstall reports false');

  // ethers' own JsonRpcProvider subscriptions poll a filter id the same way.
  const got = [];
  // With a topic filter (not an event name) ethers hands the listener one ContractEventPayload.
  const listener = (ev) => got.push([ev.args.to, ev.args.value]);
  await erc20.on(erc20.filters.Transfer(null, bob), listener);
  await new Promise((r) => setTimeout(r, 300));
  await transfer(bob, 12n);
  await transfer(alice, 1n);
  await transfer(bob, 13n);
  // ethers re-polls a filter only when it sees a new block, and several blocks seen in one poll
  // cost it one eth_getFilterChanges: keep producing (empty-value) blocks until both events are in.
  await waitFor(async () => {
    if (got.length >= 2) return true;
    await (await c.wallet.sendTransaction({ to: c.wallet.address, value: 0n })).wait();
    await new Promise((r) => setTimeout(r, 200));
    return got.length >= 2;
  }, 'two Transfer events via polled filter');
  await erc20.off(erc20.filters.Transfer(null, bob), listener);
  assert.deepEqual(got, [[bob, 12n], [bob, 13n]]);
});

test('Transfer events via WebSocketProvider (eth_subscribe)', async () => {
  const ws = c.wsProvider();
  try {
    const wsToken = new Contract(address, token.abi, ws);
    const got = [];
    const blocks = [];
    await wsToken.on(wsToken.filters.Transfer(null, alice), (ev) => got.push([ev.args.value, ev.log.transactionHash]));
    await ws.on('block', (n) => blocks.push(n));
    await new Promise((r) => setTimeout(r, 300));
    const r1 = await transfer(alice, 21n);
    await transfer(bob, 2n);
    const r2 = await transfer(alice, 22n);
    await waitFor(() => got.length >= 2, 'two Transfer events over ws');
    assert.deepEqual(got, [[21n, r1.hash], [22n, r2.hash]]);
    await waitFor(() => blocks.includes(r2.blockNumber), 'block event for the last block');
    assert.equal(await wsToken.balanceOf(alice), 1000n + 21n + 22n + 0n + 1n, 'eth_call over ws');
  } finally {
    await ws.destroy();
  }
});

// Contract-to-contract calls (typed call, staticcall, delegatecall, try/catch, value forwarding) and a
// CREATE2 factory deploying at the address the clients predict.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeAbiParameters, encodeDeployData, getContractAddress, keccak256, parseEventLogs, toHex } from 'viem';
import { Contract, ContractFactory, getCreate2Address, keccak256 as ethersKeccak, zeroPadValue } from 'ethers';
import { ethersClients, viemClients } from './lib/clients.js';
import { artifact } from './lib/compile.js';
import { startNode } from './lib/node.js';

const STORE = artifact('Store');
const CALLER = artifact('Caller');
const FACTORY = artifact('Create2Factory');
const CHILD = artifact('Child');
let node;

before(async () => { node = await startNode(); });
after(async () => node?.stop());

describe('viem', () => {
  let c, store, caller, factory;
  const deploy = async (a, args = []) => {
    const r = await c.publicClient.waitForTransactionReceipt({
      hash: await c.walletClient.deployContract({ abi: a.abi, bytecode: a.bytecode, args }),
    });
    assert.equal(r.status, 'success');
    return r.contractAddress;
  };
  const send = async (address, abi, functionName, args = [], value) => {
    const { result, request } = await c.publicClient.simulateContract({ account: c.account, address, abi, functionName, args, value });
    const r = await c.publicClient.waitForTransactionReceipt({ hash: await c.walletClient.writeContract(request) });
    assert.equal(r.status, 'success');
    return { result, receipt: r };
  };

  before(async () => {
    c = await viemClients(node, 0);
    store = await deploy(STORE);
    caller = await deploy(CALLER);
    factory = await deploy(FACTORY);
  });

  test('deployment addresses follow CREATE (sender, nonce)', async () => {
    const nonce = await c.publicClient.getTransactionCount({ address: c.account.address });
    const predicted = getContractAddress({ from: c.account.address, nonce: BigInt(nonce) });
    assert.equal((await deploy(STORE)).toLowerCase(), predicted.toLowerCase());
  });

  test('typed call through another contract: return value, msg.sender and events from both', async () => {
    const { result, receipt } = await send(caller, CALLER.abi, 'setThrough', [store, 41n]);
    assert.equal(result, 42n, 'eth_call of the outer call returns the inner return value + 1');
    const logs = parseEventLogs({ abi: [...STORE.abi, ...CALLER.abi], logs: receipt.logs });
    assert.deepEqual(logs.map((l) => [l.eventName, l.address.toLowerCase()]), [
      ['ValueSet', store.toLowerCase()],
      ['Forwarded', caller.toLowerCase()],
    ]);
    assert.equal(logs[0].args.caller.toLowerCase(), caller.toLowerCase(), 'inner msg.sender is the caller contract');
    const read = (address, abi, functionName, args = []) => c.publicClient.readContract({ address, abi, functionName, args });
    assert.equal(await read(store, STORE.abi, 'value'), 41n);
    assert.equal((await read(store, STORE.abi, 'lastCaller')).toLowerCase(), caller.toLowerCase());
    assert.equal(await read(caller, CALLER.abi, 'readThrough', [store]), 41n);
    assert.equal(await read(caller, CALLER.abi, 'staticRead', [store]), 41n);
  });

  test('delegatecall runs callee code on the caller storage', async () => {
    const { result } = await send(caller, CALLER.abi, 'delegateSet', [store, 7n]);
    assert.equal(result, 8n);
    const read = (address, abi, fn) => c.publicClient.readContract({ address, abi, functionName: fn });
    assert.equal(await read(caller, CALLER.abi, 'value'), 7n, 'caller storage changed');
    assert.equal(await read(store, STORE.abi, 'value'), 41n, 'store storage untouched');
    assert.equal(await c.publicClient.getStorageAt({ address: caller, slot: '0x0' }), toHex(7n, { size: 32 }));
    // delegatecall keeps msg.sender = the EOA.
    assert.equal((await read(caller, CALLER.abi, 'lastCaller')).toLowerCase(), c.account.address.toLowerCase());
  });

  test('try/catch of a reverting callee', async () => {
    const { result, receipt } = await send(caller, CALLER.abi, 'catchFailure', [store]);
    assert.equal(result, true);
    const [log] = parseEventLogs({ abi: CALLER.abi, logs: receipt.logs, eventName: 'CaughtRevert' });
    assert.equal(log.args.reason, 'Store: fail');
  });

  test('value forwarded through a contract lands in the callee', async () => {
    const before = await c.publicClient.getBalance({ address: store });
    await send(caller, CALLER.abi, 'forwardValue', [store], 1_000_000n);
    assert.equal(await c.publicClient.getBalance({ address: store }), before + 1_000_000n);
    assert.equal(await c.publicClient.getBalance({ address: caller }), 0n);
  });

  test('CREATE2 factory deploys at the predicted address', async () => {
    const salt = keccak256(toHex('lumio-salt-1'));
    const initCode = encodeDeployData({ abi: CHILD.abi, bytecode: CHILD.bytecode, args: [99n] });
    const predicted = getContractAddress({ opcode: 'CREATE2', from: factory, salt, bytecode: initCode });
    assert.equal(await c.publicClient.getCode({ address: predicted }), undefined, 'nothing there yet');
    const onChain = await c.publicClient.readContract({ address: factory, abi: FACTORY.abi, functionName: 'predict', args: [salt, keccak256(initCode)] });
    assert.equal(onChain.toLowerCase(), predicted.toLowerCase());

    const { result, receipt } = await send(factory, FACTORY.abi, 'deploy', [salt, initCode]);
    assert.equal(result.toLowerCase(), predicted.toLowerCase());
    const [ev] = parseEventLogs({ abi: FACTORY.abi, logs: receipt.logs, eventName: 'Deployed' });
    assert.equal(ev.args.addr.toLowerCase(), predicted.toLowerCase());
    assert.equal(ev.args.salt, salt);
    assert.ok((await c.publicClient.getCode({ address: predicted }))?.length > 2);
    const read = (fn) => c.publicClient.readContract({ address: predicted, abi: CHILD.abi, functionName: fn });
    assert.equal(await read('tag'), 99n);
    assert.equal((await read('factory')).toLowerCase(), factory.toLowerCase());
    assert.equal(await read('hello'), 'hello from child');

    // Same salt + init code again collides: the factory's require fires.
    await assert.rejects(
      c.publicClient.simulateContract({ account: c.account, address: factory, abi: FACTORY.abi, functionName: 'deploy', args: [salt, initCode] }),
      /Create2Factory: deploy failed/,
    );
  });

  test('CREATE2 through `new C{salt}` matches the same formula', async () => {
    const salt = toHex(12345n, { size: 32 });
    const initCode = encodeDeployData({ abi: CHILD.abi, bytecode: CHILD.bytecode, args: [5n] });
    const predicted = getContractAddress({ opcode: 'CREATE2', from: factory, salt, bytecode: initCode });
    const { result } = await send(factory, FACTORY.abi, 'deployChild', [salt, 5n]);
    assert.equal(result.toLowerCase(), predicted.toLowerCase());
    assert.equal(await c.publicClient.readContract({ address: predicted, abi: CHILD.abi, functionName: 'tag' }), 5n);
  });
});

describe('ethers v6', () => {
  let c, store, caller, factory;
  before(async () => {
    c = await ethersClients(node, 1);
    const deploy = async (a) => {
      const d = await new ContractFactory(a.abi, a.bytecode, c.wallet).deploy();
      await d.waitForDeployment();
      return new Contract(await d.getAddress(), a.abi, c.wallet);
    };
    store = await deploy(STORE);
    caller = await deploy(CALLER);
    factory = await deploy(FACTORY);
  });
  after(() => c?.provider.destroy());

  test('contract-to-contract calls', async () => {
    const storeAddr = await store.getAddress();
    assert.equal(await caller.setThrough.staticCall(storeAddr, 10n), 11n);
    const r = await (await caller.setThrough(storeAddr, 10n)).wait();
    assert.equal(r.logs.length, 2);
    assert.equal(store.interface.parseLog(r.logs[0]).args.value, 10n);
    assert.equal(caller.interface.parseLog(r.logs[1]).args.result, 11n);
    assert.equal(await caller.readThrough(storeAddr), 10n);
    assert.equal(await caller.staticRead(storeAddr), 10n);
    assert.equal(await caller.catchFailure.staticCall(storeAddr), true);
  });

  test('CREATE2 factory deploys at getCreate2Address()', async () => {
    const factoryAddr = await factory.getAddress();
    const salt = zeroPadValue('0x4c756d696f', 32);
    const childFactory = new ContractFactory(CHILD.abi, CHILD.bytecode);
    const initCode = (await childFactory.getDeployTransaction(1234n)).data;
    const predicted = getCreate2Address(factoryAddr, salt, ethersKeccak(initCode));
    assert.equal(await factory.deploy.staticCall(salt, initCode), predicted);
    const r = await (await factory.deploy(salt, initCode)).wait();
    const ev = factory.interface.parseLog(r.logs[0]);
    assert.equal(ev.args.addr, predicted);
    const child = new Contract(predicted, CHILD.abi, c.provider);
    assert.equal(await child.tag(), 1234n);
    assert.equal(await child.factory(), factoryAddr);
    // Constructor args change the init code hash, hence the address.
    const other = (await childFactory.getDeployTransaction(1235n)).data;
    assert.notEqual(getCreate2Address(factoryAddr, salt, ethersKeccak(other)), predicted);
    assert.equal(encodeAbiParameters([{ type: 'uint256' }], [1234n]).slice(2), initCode.slice(-64));
  });
});

// One deterministic scenario, run against any node, recording everything that must come out identical
// on two correct Ethereum nodes: receipts (status, gasUsed, logs, addresses), transactions as served,
// eth_call return values, revert errors, balances, nonces, code and storage.
//
// Determinism: all scenario transactions come from two fresh keys (same on both nodes, nonce 0), with
// fixed gas limits and fixed fees (maxFee = tip, so effectiveGasPrice = FEE whatever the base fee), so
// contract addresses, tx hashes (same chain id) and balances can be compared byte for byte. Only the
// funding transactions come from the shared dev account whose nonce may differ between nodes.
import { createWalletClient, encodeDeployData, encodeFunctionData, http, keccak256, parseEther, parseGwei, toHex } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { artifact } from './compile.js';
import { MNEMONIC, rpc, rpcRaw } from './node.js';

export const FEE = parseGwei('20');
const GAS = 2_000_000n;

// Receipt fields that depend only on the transaction and the state it ran on.
function pickReceipt(r) {
  return {
    status: r.status, type: r.type, gasUsed: r.gasUsed, effectiveGasPrice: r.effectiveGasPrice,
    from: r.from, to: r.to, contractAddress: r.contractAddress, transactionHash: r.transactionHash,
    logs: r.logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data, removed: l.removed })),
  };
}

function pickTx(t) {
  const { blockHash, blockNumber, transactionIndex, blockTimestamp, ...rest } = t;
  return rest;
}

export async function runScenario(node, { keyA, keyB }) {
  const trace = {};
  const ctx = {};
  const chainId = Number(BigInt(await rpc(node.url, 'eth_chainId')));
  const chain = { id: chainId, name: 'scenario', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [node.url] } } };
  const transport = http(node.url, { retryCount: 0 });
  const wallet = (account) => createWalletClient({ account, chain, transport, cacheTime: 0, pollingInterval: 100 });
  const A = privateKeyToAccount(keyA);
  const B = privateKeyToAccount(keyB);
  const funder = wallet(mnemonicToAccount(MNEMONIC, { addressIndex: 0 }));
  const wa = wallet(A);
  const wb = wallet(B);
  ctx.A = A.address.toLowerCase();
  ctx.B = B.address.toLowerCase();

  async function waitReceipt(hash) {
    for (let i = 0; i < 600; i++) {
      const r = await rpc(node.url, 'eth_getTransactionReceipt', [hash]);
      if (r) return r;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`no receipt for ${hash}`);
  }

  // Sends a fixed-fee transaction and records its receipt and the transaction as served.
  async function tx(name, w, req, { record = true } = {}) {
    const fees = req.type === 'legacy' || req.type === 'eip2930'
      ? { gasPrice: FEE }
      : { maxFeePerGas: FEE, maxPriorityFeePerGas: FEE };
    const hash = await w.sendTransaction({ gas: GAS, ...fees, ...req });
    const r = await waitReceipt(hash);
    if (record) {
      trace[`${name}: receipt`] = pickReceipt(r);
      trace[`${name}: transaction`] = pickTx(await rpc(node.url, 'eth_getTransactionByHash', [hash]));
    }
    return r;
  }
  const call = (to, abi, functionName, args = [], from = A.address) =>
    rpcRaw(node.url, 'eth_call', [{ from, to, data: encodeFunctionData({ abi, functionName, args }) }, 'latest']);
  const deploy = async (name, w, a, args = []) =>
    (await tx(name, w, { data: encodeDeployData({ abi: a.abi, bytecode: a.bytecode, args }) })).contractAddress;

  // Each step records into the trace; a throwing step is recorded as such and the scenario goes on.
  async function step(name, fn) {
    try {
      await fn();
    } catch (e) {
      trace[`${name}: threw`] = String(e?.shortMessage ?? e?.message ?? e);
    }
  }

  const T = artifact('LumioToken');
  const EV = artifact('Events');
  const ST = artifact('Store');
  const CA = artifact('Caller');
  const F = artifact('Create2Factory');
  const CH = artifact('Child');
  const R = artifact('Reverter');

  await step('fund', async () => {
    for (const [who, v] of [[A.address, parseEther('50')], [B.address, parseEther('5')]]) {
      const r = await waitReceipt(await funder.sendTransaction({ to: who, value: v, gas: 21_000n, maxFeePerGas: FEE, maxPriorityFeePerGas: FEE }));
      trace[`fund ${who === A.address ? 'A' : 'B'}: status+gasUsed`] = [r.status, r.gasUsed];
    }
  });

  await step('erc20', async () => {
    ctx.token = await deploy('erc20 deploy', wa, T, [10n ** 24n]);
    ctx.tokenDeployBlock = (await rpc(node.url, 'eth_getTransactionReceipt', [(await rpc(node.url, 'eth_getBlockByNumber', ['latest', false])).transactions[0]])).blockNumber;
    await tx('erc20 transfer A->B', wa, { to: ctx.token, data: encodeFunctionData({ abi: T.abi, functionName: 'transfer', args: [B.address, 5000n] }) });
    await tx('erc20 transfer B->A', wb, { to: ctx.token, data: encodeFunctionData({ abi: T.abi, functionName: 'transfer', args: [A.address, 1n] }) });
    await tx('erc20 approve', wb, { to: ctx.token, data: encodeFunctionData({ abi: T.abi, functionName: 'approve', args: [A.address, 100n] }) });
    await tx('erc20 transferFrom', wa, { to: ctx.token, data: encodeFunctionData({ abi: T.abi, functionName: 'transferFrom', args: [B.address, A.address, 60n] }) });
    await tx('erc20 transfer 0 to self', wa, { to: ctx.token, data: encodeFunctionData({ abi: T.abi, functionName: 'transfer', args: [A.address, 0n] }) });
    for (const [label, fn, args] of [['name', 'name', []], ['symbol', 'symbol', []], ['decimals', 'decimals', []],
      ['totalSupply', 'totalSupply', []], ['balanceOf(A)', 'balanceOf', [A.address]], ['balanceOf(B)', 'balanceOf', [B.address]],
      ['allowance(B,A)', 'allowance', [B.address, A.address]]]) {
      trace[`erc20 call ${label}`] = await call(ctx.token, T.abi, fn, args);
    }
    // A transfer beyond the balance: OpenZeppelin 5 reverts with ERC20InsufficientBalance (custom error).
    trace['erc20 call overdraft'] = await call(ctx.token, T.abi, 'transfer', [A.address, 10n ** 30n], B.address);
    const logs = await rpc(node.url, 'eth_getLogs', [{ address: ctx.token, fromBlock: ctx.tokenDeployBlock, toBlock: 'latest' }]);
    trace['erc20 eth_getLogs'] = logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data, transactionHash: l.transactionHash }));
  });

  await step('events', async () => {
    ctx.events = await deploy('events deploy', wa, EV);
    await tx('events ping', wa, { to: ctx.events, data: encodeFunctionData({ abi: EV.abi, functionName: 'ping', args: ['hello lumio'] }) });
    await tx('events burst(4)', wa, { to: ctx.events, data: encodeFunctionData({ abi: EV.abi, functionName: 'burst', args: [4n] }) });
    await tx('events burst(0)', wb, { to: ctx.events, data: encodeFunctionData({ abi: EV.abi, functionName: 'burst', args: [0n] }) });
  });

  await step('calls', async () => {
    ctx.store = await deploy('calls deploy Store', wa, ST);
    ctx.caller = await deploy('calls deploy Caller', wa, CA);
    const c = (name, fn, args, extra = {}) => tx(name, wa, { to: ctx.caller, data: encodeFunctionData({ abi: CA.abi, functionName: fn, args }), ...extra });
    trace['calls eth_call setThrough'] = await call(ctx.caller, CA.abi, 'setThrough', [ctx.store, 41n]);
    await c('calls setThrough', 'setThrough', [ctx.store, 41n]);
    await c('calls setThrough again (warm slots)', 'setThrough', [ctx.store, 42n]);
    await c('calls delegateSet', 'delegateSet', [ctx.store, 7n]);
    await c('calls catchFailure', 'catchFailure', [ctx.store]);
    await c('calls forwardValue', 'forwardValue', [ctx.store], { value: 12345n });
    trace['calls eth_call readThrough'] = await call(ctx.caller, CA.abi, 'readThrough', [ctx.store]);
    trace['calls eth_call staticRead'] = await call(ctx.caller, CA.abi, 'staticRead', [ctx.store]);
    trace['calls eth_call bubble (revert)'] = await call(ctx.caller, CA.abi, 'bubble', [ctx.store]);
    trace['calls storage'] = await Promise.all([0, 1].flatMap((slot) => [ctx.store, ctx.caller].map((a) =>
      rpc(node.url, 'eth_getStorageAt', [a, toHex(slot), 'latest']))));
  });

  await step('create2', async () => {
    ctx.factory = await deploy('create2 deploy factory', wa, F);
    const salt = keccak256(toHex('compare'));
    const initCode = encodeDeployData({ abi: CH.abi, bytecode: CH.bytecode, args: [77n] });
    trace['create2 eth_call predict'] = await call(ctx.factory, F.abi, 'predict', [salt, keccak256(initCode)]);
    await tx('create2 deploy', wa, { to: ctx.factory, data: encodeFunctionData({ abi: F.abi, functionName: 'deploy', args: [salt, initCode] }) });
    await tx('create2 deployChild', wa, { to: ctx.factory, data: encodeFunctionData({ abi: F.abi, functionName: 'deployChild', args: [toHex(1n, { size: 32 }), 3n] }) });
    // Same salt again: CREATE2 collision → factory reverts; mined with a fixed gas limit.
    await tx('create2 collision (mined revert)', wa, { to: ctx.factory, data: encodeFunctionData({ abi: F.abi, functionName: 'deploy', args: [salt, initCode] }) });
    const child = JSON.parse(`"${'0x' + trace['create2 eth_call predict'].result.slice(-40)}"`);
    ctx.child = child;
    trace['create2 child code'] = await rpc(node.url, 'eth_getCode', [child, 'latest']);
    trace['create2 child hello'] = await call(child, CH.abi, 'hello');
  });

  await step('reverts', async () => {
    ctx.reverter = await deploy('reverts deploy', wa, R);
    const data = (fn, args = []) => encodeFunctionData({ abi: R.abi, functionName: fn, args });
    for (const [fn, args] of [['requirePositive', [0n]], ['requirePositive', [21n]], ['withdraw', [11n]], ['onlyNobody', []], ['divide', [1n, 0n]], ['bumpOrRevert', [true]], ['bumpOrCustom', [true]]]) {
      const label = `${fn}(${args.join(',')})`;
      trace[`reverts eth_call ${label}`] = await rpcRaw(node.url, 'eth_call', [{ from: A.address, to: ctx.reverter, data: data(fn, args) }, 'latest']);
      const est = await rpcRaw(node.url, 'eth_estimateGas', [{ from: A.address, to: ctx.reverter, data: data(fn, args) }]);
      // A successful estimate is node-specific (search strategy); its error is not.
      trace[`reverts eth_estimateGas ${label}`] = est.error ?? 'ok';
    }
    await tx('reverts mined require', wa, { to: ctx.reverter, data: data('bumpOrRevert', [true]) });
    await tx('reverts mined custom', wa, { to: ctx.reverter, data: data('bumpOrCustom', [true]) });
    await tx('reverts mined ok', wa, { to: ctx.reverter, data: data('bumpOrRevert', [false]) });
    await tx('reverts out of gas', wa, { to: ctx.reverter, data: data('bumpOrRevert', [false]), gas: 24_000n });
  });

  await step('tx types', async () => {
    await tx('types legacy', wa, { to: B.address, value: 111n, type: 'legacy', gas: 21_000n });
    await tx('types eip2930', wa, { to: ctx.store, value: 0n, type: 'eip2930', gas: 60_000n, data: '0x6d4ce63c',
      accessList: [{ address: ctx.store, storageKeys: [toHex(0n, { size: 32 })] }] });
    await tx('types eip1559 to contract receive()', wb, { to: ctx.store, value: 999n, gas: 50_000n });
    await tx('types eip1559 self-send', wb, { to: B.address, value: 1n, gas: 21_000n });
  });

  await step('nonce too low', async () => {
    const r = await rpcRaw(node.url, 'eth_sendRawTransaction', [await wa.signTransaction({
      to: B.address, value: 1n, nonce: 0, gas: 21_000n, maxFeePerGas: FEE, maxPriorityFeePerGas: FEE, chainId })]);
    // Messages differ in detail between clients (geth appends the nonces); the phrase is what tools match on.
    trace['nonce too low: rejected with "nonce too low"'] = Boolean(r.error && /nonce too low/i.test(r.error.message));
  });

  await step('final state', async () => {
    for (const [who, addr] of [['A', A.address], ['B', B.address], ['store', ctx.store], ['caller', ctx.caller]]) {
      trace[`final balance ${who}`] = await rpc(node.url, 'eth_getBalance', [addr, 'latest']);
      trace[`final nonce ${who}`] = await rpc(node.url, 'eth_getTransactionCount', [addr, 'latest']);
    }
    for (const [name, addr] of Object.entries({ token: ctx.token, events: ctx.events, store: ctx.store, caller: ctx.caller, factory: ctx.factory, reverter: ctx.reverter })) {
      trace[`final code ${name}`] = await rpc(node.url, 'eth_getCode', [addr, 'latest']);
    }
  });
  return { trace, ctx, chainId };
}

// viem and ethers v6 clients for a node handle, using the dev mnemonic's accounts (signed locally,
// sent with eth_sendRawTransaction — what wallets and scripts do against a real chain).
import { HDNodeWallet, JsonRpcProvider, WebSocketProvider } from 'ethers';
import { createPublicClient, createWalletClient, defineChain, http, webSocket } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { MNEMONIC, rpc } from './node.js';

export async function chainIdOf(node) {
  return Number(BigInt(await rpc(node.url, 'eth_chainId')));
}

export async function viemClients(node, accountIndex = 0) {
  const id = await chainIdOf(node);
  const chain = defineChain({
    id,
    name: `e2e-${node.kind}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [node.url], webSocket: [node.wsUrl] } },
  });
  const account = mnemonicToAccount(MNEMONIC, { addressIndex: accountIndex });
  const transport = http(node.url, { retryCount: 0 });
  // cacheTime 0: viem otherwise caches eth_blockNumber, which hides evm_revert and fast blocks.
  return {
    chain,
    account,
    publicClient: createPublicClient({ chain, transport, pollingInterval: 100, cacheTime: 0 }),
    walletClient: createWalletClient({ account, chain, transport, pollingInterval: 100, cacheTime: 0 }),
    /// A public client over ws:// (eth_subscribe); close() drops the socket so the test process can exit.
    wsClient: () => {
      const client = createPublicClient({
        chain,
        transport: webSocket(node.wsUrl, { retryCount: 0, keepAlive: false, reconnect: false }),
        pollingInterval: 100,
        cacheTime: 0,
      });
      client.close = async () => (await client.transport.getRpcClient()).close();
      return client;
    },
  };
}

export function ethersWallet(provider, accountIndex = 0) {
  return HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${accountIndex}`).connect(provider);
}

export async function ethersClients(node, accountIndex = 0) {
  const chainId = await chainIdOf(node);
  // cacheTimeout -1: ethers otherwise reuses identical calls (e.g. the pending nonce) for 250 ms,
  // which breaks back-to-back transactions against an instant-mining node.
  const provider = new JsonRpcProvider(node.url, chainId, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 });
  return {
    chainId,
    provider,
    wallet: ethersWallet(provider, accountIndex),
    wsProvider: () => new WebSocketProvider(node.wsUrl, chainId, { staticNetwork: true, cacheTimeout: -1 }),
  };
}

/// Resolves when pred() is truthy, polling every 50 ms; rejects after timeoutMs with `what`.
export async function waitFor(pred, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

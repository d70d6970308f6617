// @solana/kit (the new Solana JS SDK) with the Codama program clients, unchanged, against Lumio.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createSolanaRpc, createSolanaRpcSubscriptions, airdropFactory, generateKeyPairSigner, pipe,
  createTransactionMessage, setTransactionMessageFeePayerSigner, setTransactionMessageLifetimeUsingBlockhash,
  appendTransactionMessageInstructions, signTransactionMessageWithSigners, sendAndConfirmTransactionFactory,
  getSignatureFromTransaction, lamports } from '@solana/kit';
import { getTransferSolInstruction, getCreateAccountInstruction } from '@solana-program/system';
import { TOKEN_PROGRAM_ADDRESS, getMintSize, getInitializeMint2Instruction, findAssociatedTokenPda,
  getCreateAssociatedTokenInstruction, getMintToCheckedInstruction, getTransferCheckedInstruction,
  fetchToken, fetchMint } from '@solana-program/token';
import { SolanaNode } from './lib/node.js';

const node = await new SolanaNode().start();
const rpc = createSolanaRpc(node.url);
const rpcSubscriptions = createSolanaRpcSubscriptions(node.wsUrl);
const airdrop = airdropFactory({ rpc, rpcSubscriptions });
const sendAndConfirm = sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions });
test.after(() => node.stop());

async function send(payer, instructions) {
  const { value: blockhash } = await rpc.getLatestBlockhash().send();
  const msg = pipe(createTransactionMessage({ version: 0 }), (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m), (m) => appendTransactionMessageInstructions(instructions, m));
  const tx = await signTransactionMessageWithSigners(msg);
  await sendAndConfirm(tx, { commitment: 'confirmed' });
  return getSignatureFromTransaction(tx);
}

test('kit: airdrop and SOL transfer, confirmed through subscriptions', async () => {
  const payer = await generateKeyPairSigner(), to = await generateKeyPairSigner();
  await airdrop({ recipientAddress: payer.address, lamports: lamports(2_000_000_000n), commitment: 'confirmed' });
  assert.equal((await rpc.getBalance(payer.address).send()).value, 2_000_000_000n);
  const sig = await send(payer, [getTransferSolInstruction({ source: payer, destination: to.address, amount: 123_456_789n })]);
  assert.equal((await rpc.getBalance(to.address, { commitment: 'confirmed' }).send()).value, 123_456_789n);
  const tx = await rpc.getTransaction(sig, { commitment: 'confirmed', maxSupportedTransactionVersion: 0, encoding: 'json' }).send();
  assert.equal(tx.meta.err, null);
  assert.equal(tx.version, 0);
  const { value: [status] } = await rpc.getSignatureStatuses([sig]).send();
  assert.equal(status.err, null);
});

test('kit: SPL Token mint, ATA, mintTo, transferChecked with the Codama token client', async () => {
  const payer = await generateKeyPairSigner(), mint = await generateKeyPairSigner(), bob = await generateKeyPairSigner();
  await airdrop({ recipientAddress: payer.address, lamports: lamports(5_000_000_000n), commitment: 'confirmed' });
  const space = BigInt(getMintSize());
  const rent = await rpc.getMinimumBalanceForRentExemption(space).send();
  await send(payer, [
    getCreateAccountInstruction({ payer, newAccount: mint, lamports: rent, space, programAddress: TOKEN_PROGRAM_ADDRESS }),
    getInitializeMint2Instruction({ mint: mint.address, decimals: 2, mintAuthority: payer.address })]);
  const [ataPayer] = await findAssociatedTokenPda({ mint: mint.address, owner: payer.address, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  const [ataBob] = await findAssociatedTokenPda({ mint: mint.address, owner: bob.address, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  await send(payer, [
    getCreateAssociatedTokenInstruction({ payer, ata: ataPayer, owner: payer.address, mint: mint.address }),
    getCreateAssociatedTokenInstruction({ payer, ata: ataBob, owner: bob.address, mint: mint.address }),
    getMintToCheckedInstruction({ mint: mint.address, token: ataPayer, mintAuthority: payer, amount: 10_000n, decimals: 2 })]);
  await send(payer, [getTransferCheckedInstruction({ source: ataPayer, mint: mint.address, destination: ataBob,
    authority: payer, amount: 2_500n, decimals: 2 })]);
  assert.equal((await fetchToken(rpc, ataBob, { commitment: 'confirmed' })).data.amount, 2_500n);
  assert.equal((await fetchMint(rpc, mint.address, { commitment: 'confirmed' })).data.supply, 10_000n);
  const info = await rpc.getAccountInfo(ataBob, { encoding: 'jsonParsed', commitment: 'confirmed' }).send();
  assert.equal(info.value.data.parsed.type, 'account');
  assert.equal(info.value.data.parsed.info.tokenAmount.uiAmountString, '25');
  const b64 = await rpc.getAccountInfo(ataBob, { encoding: 'base64', commitment: 'confirmed' }).send();
  assert.equal(b64.value.data[1], 'base64');
  assert.equal(Buffer.from(b64.value.data[0], 'base64').length, 165);
  const accounts = await rpc.getProgramAccounts(TOKEN_PROGRAM_ADDRESS, { encoding: 'base64', commitment: 'confirmed',
    filters: [{ dataSize: 165n }, { memcmp: { offset: 0n, bytes: mint.address, encoding: 'base58' } }] }).send();
  assert.deepEqual(accounts.map((a) => a.pubkey).sort(), [ataBob, ataPayer].sort());
});

// @solana/spl-token against Lumio, unchanged: the genuine SPL Token, Token-2022 and ATA
// programs at their mainnet addresses, driven by the library's own high-level helpers.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as web3 from '@solana/web3.js';
import * as spl from '@solana/spl-token';
import { SolanaNode } from './lib/node.js';

const { Connection, Keypair, LAMPORTS_PER_SOL, SystemProgram, Transaction, sendAndConfirmTransaction } = web3;
const node = await new SolanaNode().start();
const conn = new Connection(node.url, { commitment: 'confirmed', wsEndpoint: node.wsUrl });
// Close the PubSub socket first: web3.js would otherwise keep reconnecting to a stopped node.
test.after(async () => { conn._rpcWebSocket.setAutoReconnect(false); conn._rpcWebSocket.close(); await node.stop(); });

async function funded(sol = 10) {
  const kp = Keypair.generate();
  const sig = await conn.requestAirdrop(kp.publicKey, sol * LAMPORTS_PER_SOL);
  await conn.confirmTransaction({ signature: sig, ...(await conn.getLatestBlockhash()) });
  return kp;
}

test('SPL Token: mint, ATA, mintTo, transferChecked, approve, burn, freeze/thaw, close', async () => {
  const payer = await funded(), alice = Keypair.generate(), bob = Keypair.generate(), dave = Keypair.generate();
  const mint = await spl.createMint(conn, payer, payer.publicKey, payer.publicKey, 6);
  const mintInfo = await spl.getMint(conn, mint);
  assert.equal(mintInfo.decimals, 6);
  assert.equal(mintInfo.supply, 0n);
  const a = await spl.getOrCreateAssociatedTokenAccount(conn, payer, mint, alice.publicKey);
  const b = await spl.getOrCreateAssociatedTokenAccount(conn, payer, mint, bob.publicKey);
  assert.ok(a.address.equals(spl.getAssociatedTokenAddressSync(mint, alice.publicKey)));
  await spl.mintTo(conn, payer, mint, a.address, payer, 1_000_000n);
  await spl.transferChecked(conn, payer, a.address, mint, b.address, alice, 250_000n, 6);
  assert.equal((await spl.getAccount(conn, a.address)).amount, 750_000n);
  assert.equal((await spl.getAccount(conn, b.address)).amount, 250_000n);
  // Delegate.
  await spl.approve(conn, payer, a.address, dave.publicKey, alice, 100_000n);
  assert.ok((await spl.getAccount(conn, a.address)).delegate.equals(dave.publicKey));
  await spl.transfer(conn, payer, a.address, b.address, dave, 40_000n);
  assert.equal((await spl.getAccount(conn, a.address)).delegatedAmount, 60_000n);
  await spl.revoke(conn, payer, a.address, alice);
  // Burn.
  await spl.burnChecked(conn, payer, a.address, mint, alice, 10_000n, 6);
  assert.equal((await spl.getMint(conn, mint)).supply, 990_000n);
  // Freeze / thaw.
  await spl.freezeAccount(conn, payer, b.address, mint, payer);
  assert.equal((await spl.getAccount(conn, b.address)).isFrozen, true);
  await assert.rejects(spl.transfer(conn, payer, b.address, a.address, bob, 1n), (e) => {
    assert.match(String(e.message ?? e), /custom program error: 0x11/);
    assert.ok(e.logs?.some((l) => l.includes('Error: Account is frozen')), e.logs?.join('\n'));
    return true;
  });
  await spl.thawAccount(conn, payer, b.address, mint, payer);
  // RPC token queries.
  assert.equal((await conn.getTokenAccountBalance(a.address)).value.amount, '700000');
  assert.equal((await conn.getTokenAccountBalance(a.address)).value.uiAmountString, '0.7');
  assert.equal((await conn.getTokenSupply(mint)).value.amount, '990000');
  const largest = (await conn.getTokenLargestAccounts(mint)).value;
  assert.ok(largest[0].address.equals(a.address));
  const byOwner = await conn.getParsedTokenAccountsByOwner(alice.publicKey, { mint });
  assert.equal(byOwner.value.length, 1);
  assert.equal(byOwner.value[0].account.data.parsed.info.tokenAmount.amount, '700000');
  assert.equal(byOwner.value[0].account.data.program, 'spl-token');
  const parsed = await conn.getParsedAccountInfo(mint);
  assert.equal(parsed.value.data.parsed.type, 'mint');
  assert.equal(parsed.value.data.parsed.info.supply, '990000');
  // Close: a zero-balance account returns its rent to the destination.
  const c = await spl.createAccount(conn, payer, mint, dave.publicKey, Keypair.generate());
  const before = await conn.getBalance(payer.publicKey);
  await spl.closeAccount(conn, payer, c, payer.publicKey, dave);
  assert.equal(await conn.getAccountInfo(c), null);
  assert.ok((await conn.getBalance(payer.publicKey)) > before);
});

test('a failing instruction surfaces Solana\'s custom error code and logs', async () => {
  const payer = await funded(), alice = Keypair.generate(), bob = Keypair.generate();
  const mint = await spl.createMint(conn, payer, payer.publicKey, null, 0);
  const a = await spl.getOrCreateAssociatedTokenAccount(conn, payer, mint, alice.publicKey);
  const b = await spl.getOrCreateAssociatedTokenAccount(conn, payer, mint, bob.publicKey);
  await spl.mintTo(conn, payer, mint, a.address, payer, 5n);
  const tx = new Transaction().add(spl.createTransferInstruction(a.address, b.address, alice.publicKey, 6n));
  tx.feePayer = payer.publicKey;
  tx.recentBlockhash = (await conn.getLatestBlockhash()).blockhash;
  tx.sign(payer, alice);
  const sig = await conn.sendRawTransaction(tx.serialize(), { skipPreflight: true });
  // A failed transaction is stored like any other; at 'confirmed' it appears once its slot ends.
  let got = null;
  for (let i = 0; i < 50 && !got; i++) {
    got = await conn.getTransaction(sig, { maxSupportedTransactionVersion: 0 });
    if (!got) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(got, 'failed transaction not found');
  assert.deepEqual(got.meta.err, { InstructionError: [0, { Custom: 1 }] });
  assert.equal(got.meta.fee, 10000);
  const program = spl.TOKEN_PROGRAM_ID.toBase58();
  assert.equal(got.meta.logMessages[0], `Program ${program} invoke [1]`);
  assert.ok(got.meta.logMessages.includes('Program log: Error: insufficient funds'), got.meta.logMessages.join('\n'));
  assert.match(got.meta.logMessages.at(-1), new RegExp(`^Program ${program} failed: custom program error: 0x1$`));
});

test('Token-2022: transfer fee and metadata pointer extensions', async () => {
  const payer = await funded(), alice = Keypair.generate(), bob = Keypair.generate();
  const mint = Keypair.generate();
  const T22 = spl.TOKEN_2022_PROGRAM_ID;
  const len = spl.getMintLen([spl.ExtensionType.TransferFeeConfig, spl.ExtensionType.MetadataPointer]);
  await sendAndConfirmTransaction(conn, new Transaction().add(
    SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: mint.publicKey, space: len,
      lamports: await conn.getMinimumBalanceForRentExemption(len), programId: T22 }),
    spl.createInitializeTransferFeeConfigInstruction(mint.publicKey, payer.publicKey, payer.publicKey, 100, 1_000_000n, T22),
    spl.createInitializeMetadataPointerInstruction(mint.publicKey, payer.publicKey, mint.publicKey, T22),
    spl.createInitializeMint2Instruction(mint.publicKey, 9, payer.publicKey, null, T22)), [payer, mint]);
  const info = await spl.getMint(conn, mint.publicKey, 'confirmed', T22);
  const fee = spl.getTransferFeeConfig(info);
  assert.equal(fee.newerTransferFee.transferFeeBasisPoints, 100);
  assert.ok(spl.getMetadataPointerState(info).metadataAddress.equals(mint.publicKey));
  const a = await spl.getOrCreateAssociatedTokenAccount(conn, payer, mint.publicKey, alice.publicKey, false, 'confirmed', {}, T22);
  const b = await spl.getOrCreateAssociatedTokenAccount(conn, payer, mint.publicKey, bob.publicKey, false, 'confirmed', {}, T22);
  await spl.mintTo(conn, payer, mint.publicKey, a.address, payer, 10_000_000_000n, [], {}, T22);
  // 1% of 1e9 is 1e7, capped at the maximum fee of 1e6.
  await spl.transferCheckedWithFee(conn, payer, a.address, mint.publicKey, b.address, alice, 1_000_000_000n, 9, 1_000_000n, [], {}, T22);
  const bAcc = await spl.getAccount(conn, b.address, 'confirmed', T22);
  assert.equal(bAcc.amount, 999_000_000n);
  assert.equal(spl.getTransferFeeAmount(bAcc).withheldAmount, 1_000_000n);
  const parsed = (await conn.getParsedAccountInfo(mint.publicKey)).value.data;
  assert.equal(parsed.program, 'spl-token-2022');
  const exts = Object.fromEntries(parsed.parsed.info.extensions.map((e) => [e.extension, e.state]));
  assert.equal(exts.transferFeeConfig.newerTransferFee.transferFeeBasisPoints, 100);
  assert.equal(exts.metadataPointer.metadataAddress, mint.publicKey.toBase58());
});

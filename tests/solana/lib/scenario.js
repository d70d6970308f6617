// One Solana scenario, run identically against Lumio and litesvm (compare.test.js): the
// transactions are built and signed once and sent as the same wire bytes to both targets.
// Each step names the accounts whose state must then be equal on both, and whether it must fail.
import * as web3 from '@solana/web3.js';
import * as spl from '@solana/spl-token';

const { PublicKey, Keypair, SystemProgram, Transaction, TransactionMessage, VersionedTransaction,
  ComputeBudgetProgram, AddressLookupTableProgram, SYSVAR_RENT_PUBKEY, SYSVAR_CLOCK_PUBKEY } = web3;

export const LOADER_UPGRADEABLE = new PublicKey('BPFLoaderUpgradeab1e11111111111111111111111');
export const MEMO_V3 = new PublicKey('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr');
export const PROGRAMS = [spl.TOKEN_PROGRAM_ID, spl.TOKEN_2022_PROGRAM_ID, spl.ASSOCIATED_TOKEN_PROGRAM_ID, MEMO_V3,
  AddressLookupTableProgram.programId];

// --- BPF upgradeable loader instructions (bincode: u32 LE discriminant, then fields) ---
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
const meta = (pubkey, isSigner, isWritable) => ({ pubkey, isSigner, isWritable });
export const BUFFER_HEADER = 37, PROGRAM_SIZE = 36, PROGRAMDATA_HEADER = 45;
export const loader = {
  initializeBuffer: (buffer, authority) => new web3.TransactionInstruction({ programId: LOADER_UPGRADEABLE,
    keys: [meta(buffer, false, true), meta(authority, false, false)], data: u32(0) }),
  write: (buffer, authority, offset, bytes) => new web3.TransactionInstruction({ programId: LOADER_UPGRADEABLE,
    keys: [meta(buffer, false, true), meta(authority, true, false)],
    data: Buffer.concat([u32(1), u32(offset), u64(bytes.length), bytes]) }),
  deploy: (payer, programData, program, buffer, authority, maxLen) => new web3.TransactionInstruction({
    programId: LOADER_UPGRADEABLE, data: Buffer.concat([u32(2), u64(maxLen)]),
    keys: [meta(payer, true, true), meta(programData, false, true), meta(program, false, true), meta(buffer, false, true),
      meta(SYSVAR_RENT_PUBKEY, false, false), meta(SYSVAR_CLOCK_PUBKEY, false, false),
      meta(SystemProgram.programId, false, false), meta(authority, true, false)] }),
  upgrade: (programData, program, buffer, spill, authority) => new web3.TransactionInstruction({
    programId: LOADER_UPGRADEABLE, data: u32(3),
    keys: [meta(programData, false, true), meta(program, false, true), meta(buffer, false, true), meta(spill, false, true),
      meta(SYSVAR_RENT_PUBKEY, false, false), meta(SYSVAR_CLOCK_PUBKEY, false, false), meta(authority, true, false)] }),
  setAuthority: (account, current, next) => new web3.TransactionInstruction({ programId: LOADER_UPGRADEABLE, data: u32(4),
    keys: [meta(account, false, true), meta(current, true, false), ...(next ? [meta(next, false, false)] : [])] }),
  close: (account, recipient, authority, program) => new web3.TransactionInstruction({ programId: LOADER_UPGRADEABLE,
    data: u32(5), keys: [meta(account, false, true), meta(recipient, false, true), meta(authority, true, false),
      ...(program ? [meta(program, false, true)] : [])] }),
};
export const programDataAddress = (program) =>
  PublicKey.findProgramAddressSync([program.toBuffer()], LOADER_UPGRADEABLE)[0];

export const memoIx = (text, signers = []) => new web3.TransactionInstruction({ programId: MEMO_V3,
  keys: signers.map((s) => meta(s, true, false)), data: Buffer.from(text, 'utf8') });

// Slot-dependent bytes that legitimately differ between the two targets' clocks.
const maskRange = (data, from, to) => { const d = Buffer.from(data); d.fill(0, from, Math.min(to, d.length)); return d; };
export const masks = {
  programData: (d) => maskRange(d, 4, 12),          // ProgramData { slot, … }
  lookupTable: (d) => maskRange(d, 12, 21),         // last_extended_slot, start index
};

/// The steps. `env` gives rentFor(len), and image bytes for deployment (images.deploy / images.upgrade).
export function buildScenario(env) {
  const payer = Keypair.generate(), alice = Keypair.generate(), bob = Keypair.generate();
  const dave = Keypair.generate(), carol = Keypair.generate();
  const mint = Keypair.generate(), mint22 = Keypair.generate(), aux = Keypair.generate();
  const buffer = Keypair.generate(), buffer2 = Keypair.generate(), program = Keypair.generate();
  const newAuthority = Keypair.generate();
  const T = spl.TOKEN_PROGRAM_ID, T22 = spl.TOKEN_2022_PROGRAM_ID;
  const ataA = spl.getAssociatedTokenAddressSync(mint.publicKey, alice.publicKey);
  const ataB = spl.getAssociatedTokenAddressSync(mint.publicKey, bob.publicKey);
  const ata22A = spl.getAssociatedTokenAddressSync(mint22.publicKey, alice.publicKey, false, T22);
  const ata22B = spl.getAssociatedTokenAddressSync(mint22.publicKey, bob.publicKey, false, T22);
  const programData = programDataAddress(program.publicKey);
  let table; // the lookup table's address, fixed once its creation slot is known

  const legacy = (ctx, ixs, signers) => {
    const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: ctx.blockhash }).add(...ixs);
    tx.sign(payer, ...signers);
    return tx.serialize();
  };
  const step = (name, accounts, build, opts = {}) => ({ name, accounts, build, ...opts });
  const tokenStep = (name, accounts, ixs, signers = [], opts) =>
    step(name, accounts, (ctx) => legacy(ctx, typeof ixs === 'function' ? ixs(ctx) : ixs, signers), opts);

  const steps = [
    tokenStep('system transfer', [payer.publicKey, alice.publicKey],
      [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: alice.publicKey, lamports: 1_000_000_000 })]),
    tokenStep('create mint (SPL Token)', [payer.publicKey, mint.publicKey], () => [
      SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: mint.publicKey, space: spl.MINT_SIZE,
        lamports: env.rentFor(spl.MINT_SIZE), programId: T }),
      spl.createInitializeMint2Instruction(mint.publicKey, 6, payer.publicKey, payer.publicKey)], [mint]),
    tokenStep('create ATA (CPI into System and Token)', [payer.publicKey, ataA],
      [spl.createAssociatedTokenAccountInstruction(payer.publicKey, ataA, alice.publicKey, mint.publicKey)]),
    tokenStep('create ATA idempotent', [payer.publicKey, ataB],
      [spl.createAssociatedTokenAccountIdempotentInstruction(payer.publicKey, ataB, bob.publicKey, mint.publicKey)]),
    tokenStep('mintTo', [mint.publicKey, ataA], [spl.createMintToInstruction(mint.publicKey, ataA, payer.publicKey, 1_000_000)]),
    tokenStep('transferChecked', [ataA, ataB],
      [spl.createTransferCheckedInstruction(ataA, mint.publicKey, ataB, alice.publicKey, 250_000, 6)], [alice]),
    tokenStep('approve delegate', [ataA], [spl.createApproveInstruction(ataA, dave.publicKey, alice.publicKey, 100_000)], [alice]),
    tokenStep('transfer by delegate', [ataA, ataB], [spl.createTransferInstruction(ataA, ataB, dave.publicKey, 50_000)], [dave]),
    tokenStep('transfer by delegate over allowance fails', [ataA, ataB],
      [spl.createTransferInstruction(ataA, ataB, dave.publicKey, 60_000)], [dave], { fails: true }),
    tokenStep('revoke', [ataA], [spl.createRevokeInstruction(ataA, alice.publicKey)], [alice]),
    tokenStep('burn', [ataA, mint.publicKey], [spl.createBurnCheckedInstruction(ataA, mint.publicKey, alice.publicKey, 10_000, 6)], [alice]),
    tokenStep('freeze', [ataB], [spl.createFreezeAccountInstruction(ataB, mint.publicKey, payer.publicKey)]),
    tokenStep('transfer from a frozen account fails', [ataA, ataB],
      [spl.createTransferInstruction(ataB, ataA, bob.publicKey, 1)], [bob], { fails: true }),
    tokenStep('thaw', [ataB], [spl.createThawAccountInstruction(ataB, mint.publicKey, payer.publicKey)]),
    tokenStep('transfer more than the balance fails', [ataA, ataB],
      [spl.createTransferInstruction(ataA, ataB, alice.publicKey, 10_000_000)], [alice], { fails: true }),
    tokenStep('missing signature for the owner fails', [ataA, ataB],
      [spl.createTransferInstruction(ataA, ataB, bob.publicKey, 1)], [bob], { fails: true }),
    tokenStep('token account: create, initialize, close', [payer.publicKey, aux.publicKey], () => [
      SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: aux.publicKey, space: spl.ACCOUNT_SIZE,
        lamports: env.rentFor(spl.ACCOUNT_SIZE), programId: T }),
      spl.createInitializeAccount3Instruction(aux.publicKey, mint.publicKey, carol.publicKey),
      spl.createCloseAccountInstruction(aux.publicKey, payer.publicKey, carol.publicKey)], [aux, carol]),
    tokenStep('memo with a signer', [payer.publicKey], [memoIx('hello from lumio', [payer.publicKey])]),
    tokenStep('memo with invalid UTF-8 fails', [payer.publicKey],
      [new web3.TransactionInstruction({ programId: MEMO_V3, keys: [], data: Buffer.from([0xf0, 0x28, 0x8c, 0x28]) })], [],
      { fails: true }),
    tokenStep('compute budget exhausted', [ataA, ataB], [ComputeBudgetProgram.setComputeUnitLimit({ units: 60 }),
      spl.createTransferInstruction(ataA, ataB, alice.publicKey, 1)], [alice], { fails: true }),
    tokenStep('priority fee', [payer.publicKey, ataA, ataB], [ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 10_000 }),
      ComputeBudgetProgram.setComputeUnitLimit({ units: 50_000 }),
      spl.createTransferInstruction(ataA, ataB, alice.publicKey, 1)], [alice]),
    // Token-2022 with extensions.
    tokenStep('Token-2022 mint with transfer fee and metadata pointer', [payer.publicKey, mint22.publicKey], () => {
      const len = spl.getMintLen([spl.ExtensionType.TransferFeeConfig, spl.ExtensionType.MetadataPointer]);
      return [
        SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: mint22.publicKey, space: len,
          lamports: env.rentFor(len), programId: T22 }),
        spl.createInitializeTransferFeeConfigInstruction(mint22.publicKey, payer.publicKey, payer.publicKey, 50, 5_000n, T22),
        spl.createInitializeMetadataPointerInstruction(mint22.publicKey, payer.publicKey, mint22.publicKey, T22),
        spl.createInitializeMint2Instruction(mint22.publicKey, 9, payer.publicKey, null, T22)];
    }, [mint22]),
    tokenStep('Token-2022 ATAs', [ata22A, ata22B], [
      spl.createAssociatedTokenAccountInstruction(payer.publicKey, ata22A, alice.publicKey, mint22.publicKey, T22),
      spl.createAssociatedTokenAccountInstruction(payer.publicKey, ata22B, bob.publicKey, mint22.publicKey, T22)]),
    tokenStep('Token-2022 mintTo', [mint22.publicKey, ata22A],
      [spl.createMintToCheckedInstruction(mint22.publicKey, ata22A, payer.publicKey, 5_000_000_000n, 9, [], T22)]),
    tokenStep('Token-2022 transferCheckedWithFee', [ata22A, ata22B], [spl.createTransferCheckedWithFeeInstruction(
      ata22A, mint22.publicKey, ata22B, alice.publicKey, 1_000_000_000n, 9, 5_000n, [], T22)], [alice]),
    tokenStep('Token-2022 transferCheckedWithFee with a wrong fee fails', [ata22A, ata22B], [spl.createTransferCheckedWithFeeInstruction(
      ata22A, mint22.publicKey, ata22B, alice.publicKey, 1_000_000n, 9, 1n, [], T22)], [alice], { fails: true }),
    // Address lookup table + a v0 transaction that uses it.
    step('create and extend a lookup table', [payer.publicKey], (ctx) => {
      const [ix, addr] = AddressLookupTableProgram.createLookupTable({ authority: payer.publicKey, payer: payer.publicKey,
        recentSlot: ctx.recentSlot });
      table = addr;
      const ext = AddressLookupTableProgram.extendLookupTable({ lookupTable: addr, authority: payer.publicKey,
        payer: payer.publicKey, addresses: [mint.publicKey, ataA, ataB, alice.publicKey, T] });
      return legacy(ctx, [ix, ext], []);
    }, { accountsAfter: () => [{ key: table, mask: masks.lookupTable }], nextSlot: true }),
    step('v0 transaction through the lookup table', [ataA, ataB], (ctx) => {
      const state = new web3.AddressLookupTableAccount({ key: table, state: {
        deactivationSlot: 2n ** 64n - 1n, lastExtendedSlot: 0, lastExtendedSlotStartIndex: 0, authority: payer.publicKey,
        addresses: [mint.publicKey, ataA, ataB, alice.publicKey, T] } });
      const msg = new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: ctx.blockhash, instructions: [
        spl.createTransferCheckedInstruction(ataA, mint.publicKey, ataB, alice.publicKey, 7, 6)] }).compileToV0Message([state]);
      if (msg.addressTableLookups.length !== 1) throw new Error('the v0 message does not use the table');
      const tx = new VersionedTransaction(msg);
      tx.sign([payer, alice]);
      return tx.serialize();
    }),
  ];

  // Deploy through the upgradeable loader the way `solana program deploy` does.
  if (env.images) {
    const image = env.images.deploy, image2 = env.images.upgrade;
    const chunk = 900;
    const writeSteps = (buf, bytes, tag) => {
      const out = [];
      for (let off = 0; off < bytes.length; off += chunk * 4) {
        const ixs = [];
        for (let o = off; o < Math.min(off + chunk * 4, bytes.length); o += chunk)
          ixs.push(loader.write(buf.publicKey, payer.publicKey, o, bytes.subarray(o, o + chunk)));
        out.push(step(`${tag}: write @${off}`, [buf.publicKey], (ctx) => {
          // One instruction per transaction keeps each under the 1232-byte packet limit.
          return ixs.map((ix) => legacy(ctx, [ix], []));
        }, { multi: true, quiet: true }));
      }
      return out;
    };
    const bufferLen = (img) => BUFFER_HEADER + img.length;
    steps.push(
      tokenStep('loader: create + initialize buffer', [payer.publicKey, buffer.publicKey], [
        SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: buffer.publicKey,
          space: bufferLen(image), lamports: env.rentFor(bufferLen(image)), programId: LOADER_UPGRADEABLE }),
        loader.initializeBuffer(buffer.publicKey, payer.publicKey)], [buffer]),
      ...writeSteps(buffer, image, 'loader: buffer'),
      tokenStep('loader: write with the wrong authority fails', [buffer.publicKey],
        [loader.write(buffer.publicKey, dave.publicKey, 0, Buffer.from([1, 2, 3]))], [dave], { fails: true }),
      tokenStep('loader: deploy with max data len', [payer.publicKey, program.publicKey, buffer.publicKey], [
        SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: program.publicKey, space: PROGRAM_SIZE,
          lamports: env.rentFor(PROGRAM_SIZE), programId: LOADER_UPGRADEABLE }),
        loader.deploy(payer.publicKey, programData, program.publicKey, buffer.publicKey, payer.publicKey, image.length * 2)],
        [program], { accountsAfter: () => [{ key: programData, mask: masks.programData }], nextSlot: true }),
      tokenStep('loader: invoke the deployed program', [payer.publicKey],
        [new web3.TransactionInstruction({ programId: program.publicKey, keys: [meta(payer.publicKey, true, false)],
          data: Buffer.from('deployed by lumio', 'utf8') })]),
      tokenStep('loader: create + initialize the upgrade buffer', [buffer2.publicKey], [
        SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: buffer2.publicKey,
          space: bufferLen(image2), lamports: env.rentFor(bufferLen(image2)), programId: LOADER_UPGRADEABLE }),
        loader.initializeBuffer(buffer2.publicKey, payer.publicKey)], [buffer2]),
      ...writeSteps(buffer2, image2, 'loader: upgrade buffer'),
      tokenStep('loader: upgrade with the wrong authority fails', [],
        [loader.upgrade(programData, program.publicKey, buffer2.publicKey, payer.publicKey, dave.publicKey)], [dave],
        { fails: true, accountsAfter: () => [{ key: programData, mask: masks.programData }] }),
      tokenStep('loader: upgrade', [program.publicKey, buffer2.publicKey, payer.publicKey],
        [loader.upgrade(programData, program.publicKey, buffer2.publicKey, payer.publicKey, payer.publicKey)], [],
        { accountsAfter: () => [{ key: programData, mask: masks.programData }], nextSlot: true }),
      tokenStep('loader: invoke the upgraded program', [payer.publicKey],
        [new web3.TransactionInstruction({ programId: program.publicKey, keys: [meta(payer.publicKey, true, false)],
          data: Buffer.from('upgraded', 'utf8') })]),
      tokenStep('loader: set authority', [], [loader.setAuthority(programData, payer.publicKey, newAuthority.publicKey)], [],
        { accountsAfter: () => [{ key: programData, mask: masks.programData }] }),
      tokenStep('loader: close with the old authority fails', [payer.publicKey],
        [loader.close(programData, payer.publicKey, payer.publicKey, program.publicKey)], [], { fails: true }),
      tokenStep('loader: close', [payer.publicKey, programData, program.publicKey],
        [loader.close(programData, payer.publicKey, newAuthority.publicKey, program.publicKey)], [newAuthority],
        { nextSlot: true }),
      // Agave tombstones a closed program in its cache at once; litesvm, whose clock the harness
      // warps, keeps serving the cached program, so this step is checked on the primary only.
      tokenStep('loader: invoking a closed program fails', [payer.publicKey],
        [new web3.TransactionInstruction({ programId: program.publicKey, keys: [], data: Buffer.from('x') })], [],
        { fails: true, primaryOnly: true }),
    );
  }
  return { steps, payer, keys: { alice, bob, dave, carol, mint, mint22, program } };
}

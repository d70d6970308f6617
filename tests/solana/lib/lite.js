// litesvm (Agave's runtime in-process) as a comparison target: the same signed wire
// transactions run here and on Lumio, and what must match (compute units, logs, error,
// account state) is compared step by step.
import { LiteSVM, Clock } from 'litesvm';
import { getTransactionDecoder, address } from '@solana/kit';

const TX_ERRORS = ['AccountInUse', 'AccountLoadedTwice', 'AccountNotFound', 'ProgramAccountNotFound',
  'InsufficientFundsForFee', 'InvalidAccountForFee', 'AlreadyProcessed', 'BlockhashNotFound',
  'CallChainTooDeep', 'MissingSignatureForFee', 'InvalidAccountIndex', 'SignatureFailure',
  'InvalidProgramForExecution', 'SanitizeFailure', 'ClusterMaintenance', 'AccountBorrowOutstanding',
  'WouldExceedMaxBlockCostLimit', 'UnsupportedVersion', 'InvalidWritableAccount',
  'WouldExceedMaxAccountCostLimit', 'WouldExceedAccountDataBlockLimit', 'TooManyAccountLocks',
  'AddressLookupTableNotFound', 'InvalidAddressLookupTableOwner', 'InvalidAddressLookupTableData',
  'InvalidAddressLookupTableIndex', 'InvalidRentPayingAccount', 'WouldExceedMaxVoteCostLimit',
  'WouldExceedAccountDataTotalLimit', 'MaxLoadedAccountsDataSizeExceeded', 'ResanitizationNeeded',
  'InvalidLoadedAccountsDataSizeLimit', 'UnbalancedTransaction', 'ProgramCacheHitMaxLimit',
  'CommitCancelled'];
const IX_ERRORS = ['GenericError', 'InvalidArgument', 'InvalidInstructionData', 'InvalidAccountData',
  'AccountDataTooSmall', 'InsufficientFunds', 'IncorrectProgramId', 'MissingRequiredSignature',
  'AccountAlreadyInitialized', 'UninitializedAccount', 'UnbalancedInstruction', 'ModifiedProgramId',
  'ExternalAccountLamportSpend', 'ExternalAccountDataModified', 'ReadonlyLamportChange',
  'ReadonlyDataModified', 'DuplicateAccountIndex', 'ExecutableModified', 'RentEpochModified',
  'NotEnoughAccountKeys', 'AccountDataSizeChanged', 'AccountNotExecutable', 'AccountBorrowFailed',
  'AccountBorrowOutstanding', 'DuplicateAccountOutOfSync', 'InvalidError', 'ExecutableDataModified',
  'ExecutableLamportChange', 'ExecutableAccountNotRentExempt', 'UnsupportedProgramId', 'CallDepth',
  'MissingAccount', 'ReentrancyNotAllowed', 'MaxSeedLengthExceeded', 'InvalidSeeds', 'InvalidRealloc',
  'ComputationalBudgetExceeded', 'PrivilegeEscalation', 'ProgramEnvironmentSetupFailure',
  'ProgramFailedToComplete', 'ProgramFailedToCompile', 'Immutable', 'IncorrectAuthority',
  'AccountNotRentExempt', 'InvalidAccountOwner', 'ArithmeticOverflow', 'UnsupportedSysvar',
  'IllegalOwner', 'MaxAccountsDataAllocationsExceeded', 'MaxAccountsExceeded',
  'MaxInstructionTraceLengthExceeded', 'BuiltinProgramsMustConsumeComputeUnits'];

function ixErrorJson(e) {
  if (typeof e === 'number') return IX_ERRORS[e] ?? `InstructionError#${e}`;
  if (e && 'code' in e) return { Custom: e.code };
  return { BorshIoError: String(e?.msg ?? e) };
}

/// litesvm's error objects in the JSON shape Solana's RPC prints (meta.err).
export function txErrorJson(e) {
  if (e === null || e === undefined) return null;
  if (typeof e === 'number') return TX_ERRORS[e] ?? `TransactionError#${e}`;
  const name = e.constructor?.name;
  if (name === 'TransactionErrorInstructionError') return { InstructionError: [e.index, ixErrorJson(e.err())] };
  if (name === 'TransactionErrorDuplicateInstruction') return { DuplicateInstruction: e.index };
  if (name === 'TransactionErrorInsufficientFundsForRent') return { InsufficientFundsForRent: { account_index: e.accountIndex } };
  if (name === 'TransactionErrorProgramExecutionTemporarilyRestricted')
    return { ProgramExecutionTemporarilyRestricted: { account_index: e.accountIndex } };
  return String(e);
}

export class LiteTarget {
  constructor() {
    // Blockhashes come from Lumio (the transactions are signed once, for both targets).
    this.svm = new LiteSVM().withBlockhashCheck(false);
    this.name = 'litesvm';
  }

  /// Puts program `id` (an ELF image) in place, owned by `loader`.
  setProgram(id, elf, loader) { this.svm.addProgramWithLoader(address(id), elf, address(loader)); }

  setAccount(pubkey, { lamports, owner, data, executable = false }) {
    this.svm.setAccount({ address: address(pubkey), lamports, programAddress: address(owner),
      data: Uint8Array.from(data), executable, space: BigInt(data.length) });
  }

  /// Mirrors Lumio's clock and slot hashes, so slot-dependent results (program deployment
  /// slots, lookup-table derivation) are the same on both targets.
  setClock({ slot, epoch, epochStartTimestamp, leaderScheduleEpoch, unixTimestamp }, slotHashes) {
    this.svm.warpToSlot(BigInt(slot));
    this.svm.setClock(new Clock(BigInt(slot), BigInt(epochStartTimestamp), BigInt(epoch),
      BigInt(leaderScheduleEpoch), BigInt(unixTimestamp)));
    if (slotHashes) this.svm.setSlotHashes(slotHashes);
  }

  /// Sends signed wire bytes; resolves to {err, computeUnits, logs}.
  async send(wire) {
    const r = this.svm.sendTransaction(getTransactionDecoder().decode(wire));
    const failed = r.constructor.name === 'FailedTransactionMetadata';
    const meta = failed ? r.meta() : r;
    return { err: failed ? txErrorJson(r.err()) : null, computeUnits: Number(meta.computeUnitsConsumed()),
      logs: meta.logs() };
  }

  async account(pubkey) {
    const a = this.svm.getAccount(address(pubkey));
    if (!a.exists) return null;
    return { lamports: BigInt(a.lamports), owner: a.programAddress, data: Buffer.from(a.data),
      executable: a.executable };
  }
}

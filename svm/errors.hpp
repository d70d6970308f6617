// Error values of the loader, verifier and VM. Kinds and messages mirror Solana's ElfError,
// ElfParserError, VerifierError and EbpfError (anza-xyz/sbpf) so that logs and results match.
#pragma once
#include <cstdint>
#include <string>

namespace lumio::svm {

// Why the lenient ELF parser rejected a file (surfaces as ElfError::FailedToParse, except
// OutOfBounds -> ValueOutOfBounds and InvalidProgramHeader -> InvalidProgramHeader).
enum class ElfParserError : uint8_t {
  InvalidFileHeader, InvalidProgramHeader, InvalidSectionHeader, InvalidString, StringTooLong,
  OutOfBounds, InvalidSize, Overlap, SectionNotInOrder, NoSectionNameStringTable,
  InvalidDynamicSectionTable, InvalidRelocationTable, InvalidAlignment, NoStringTable,
  NoDynamicStringTable,
};
const char* name(ElfParserError e);

struct ElfError {
  enum Kind : uint8_t {
    FailedToParse, EntrypointOutOfBounds, InvalidEntrypoint, FailedToGetSection, UnresolvedSymbol,
    SectionNotFound, RelativeJumpOutOfBounds, SymbolHashCollision, WrongEndianess, WrongAbi,
    WrongMachine, WrongClass, NotOneTextSection, WritableSectionNotSupported,
    AddressOutsideLoadableSection, InvalidVirtualAddress, UnknownRelocation,
    FailedToReadRelocationInfo, WrongType, UnknownSymbol, ValueOutOfBounds, UnsupportedSBPFVersion,
    InvalidProgramHeader,
  };
  ElfError(Kind k = ValueOutOfBounds, ElfParserError p = {}, std::string t = {})
      : kind(k), parser(p), text(std::move(t)) {}
  Kind kind;
  ElfParserError parser{};  // meaningful for FailedToParse
  std::string text;         // symbol/section name, or the parser's offending string
  uint64_t a = 0, b = 0;    // numeric payload (index, offset, hash, address, ...)

  static ElfError from(ElfParserError p, std::string text = {});
  const char* kind_name() const;
  std::string message() const;  // Display text, e.g. "Failed to parse ELF file: invalid file header"
};

struct VerifierError {
  enum Kind : uint8_t {
    ProgramLengthNotMultiple, NoProgram, DivisionByZero, UnsupportedLEBEArgument, LDDWCannotBeLast,
    IncompleteLDDW, InfiniteLoop, JumpOutOfCode, JumpToMiddleOfLDDW, InvalidSourceRegister,
    CannotWriteR10, InvalidDestinationRegister, UnknownOpCode, ShiftWithOverflow, InvalidRegister,
    InvalidFunction, InvalidSyscall, UnalignedImmediate,
  };
  Kind kind;
  uint64_t a = 0, b = 0, c = 0;  // per kind: insn index, target, opcode, shift amounts
  const char* kind_name() const;
  std::string message() const;
};

enum class AccessType : uint8_t { Load, Store };

// An error raised by a syscall (Agave boxes these as `dyn Error`): its type name and Display.
struct SyscallError {
  std::string kind;     // e.g. "ComputationalBudgetExceeded", "Abort", "Panic", "CopyOverlapping"
  std::string message;  // e.g. "Computational budget exceeded"
};

struct EbpfError {
  enum Kind : uint8_t {
    ElfError, FunctionAlreadyRegistered, CallDepthExceeded, ExitRootCallFrame, DivideByZero,
    DivideOverflow, ExecutionOverrun, CallOutsideTextSegment, ExceededMaxInstructions,
    JitNotCompiled, InvalidMemoryRegion, AccessViolation, StackAccessViolation, InvalidInstruction,
    UnsupportedInstruction, ExhaustedTextSegment, LibcInvocationFailed, VerifierError, SyscallError,
  };
  EbpfError(Kind k = UnsupportedInstruction) : kind(k) {}
  Kind kind;
  AccessType access = AccessType::Load;
  uint64_t addr = 0, len = 0;
  int64_t frame = 0;                 // StackAccessViolation
  const char* region = "";           // AccessViolation: program/stack/heap/input/unallocated
  svm::SyscallError syscall;         // SyscallError
  const char* kind_name() const;
  std::string message() const;       // Display text, e.g. "divide by zero at BPF instruction"
  static EbpfError access_violation(AccessType t, uint64_t addr, uint64_t len, const char* region);
  static EbpfError from_syscall(std::string kind, std::string message);
};

}  // namespace lumio::svm

#include "svm/errors.hpp"

#include <fmt/format.h>

namespace lumio::svm {

const char* name(ElfParserError e) {
  switch (e) {
    case ElfParserError::InvalidFileHeader: return "InvalidFileHeader";
    case ElfParserError::InvalidProgramHeader: return "InvalidProgramHeader";
    case ElfParserError::InvalidSectionHeader: return "InvalidSectionHeader";
    case ElfParserError::InvalidString: return "InvalidString";
    case ElfParserError::StringTooLong: return "StringTooLong";
    case ElfParserError::OutOfBounds: return "OutOfBounds";
    case ElfParserError::InvalidSize: return "InvalidSize";
    case ElfParserError::Overlap: return "Overlap";
    case ElfParserError::SectionNotInOrder: return "SectionNotInOrder";
    case ElfParserError::NoSectionNameStringTable: return "NoSectionNameStringTable";
    case ElfParserError::InvalidDynamicSectionTable: return "InvalidDynamicSectionTable";
    case ElfParserError::InvalidRelocationTable: return "InvalidRelocationTable";
    case ElfParserError::InvalidAlignment: return "InvalidAlignment";
    case ElfParserError::NoStringTable: return "NoStringTable";
    case ElfParserError::NoDynamicStringTable: return "NoDynamicStringTable";
  }
  return "?";
}

static std::string parser_message(ElfParserError e, const std::string& text, uint64_t max) {
  switch (e) {
    case ElfParserError::InvalidFileHeader: return "invalid file header";
    case ElfParserError::InvalidProgramHeader: return "invalid program header";
    case ElfParserError::InvalidSectionHeader: return "invalid section header";
    case ElfParserError::InvalidString: return "invalid string";
    case ElfParserError::StringTooLong:
      return fmt::format("Section or symbol name `{}` is longer than `{}` bytes", text, max);
    case ElfParserError::OutOfBounds: return "value out of bounds";
    case ElfParserError::InvalidSize: return "invalid size";
    case ElfParserError::Overlap: return "values overlap";
    case ElfParserError::SectionNotInOrder: return "sections not in ascending order";
    case ElfParserError::NoSectionNameStringTable: return "no section name string table found";
    case ElfParserError::InvalidDynamicSectionTable: return "invalid dynamic section table";
    case ElfParserError::InvalidRelocationTable: return "invalid relocation table";
    case ElfParserError::InvalidAlignment: return "invalid alignment";
    case ElfParserError::NoStringTable: return "no string table";
    case ElfParserError::NoDynamicStringTable: return "no dynamic string table";
  }
  return "?";
}

ElfError ElfError::from(ElfParserError p, std::string text) {
  if (p == ElfParserError::OutOfBounds) return {ValueOutOfBounds};
  if (p == ElfParserError::InvalidProgramHeader) return {InvalidProgramHeader};
  ElfError e{FailedToParse, p, std::move(text)};
  return e;
}

const char* ElfError::kind_name() const {
  static const char* const names[] = {
      "FailedToParse", "EntrypointOutOfBounds", "InvalidEntrypoint", "FailedToGetSection",
      "UnresolvedSymbol", "SectionNotFound", "RelativeJumpOutOfBounds", "SymbolHashCollision",
      "WrongEndianess", "WrongAbi", "WrongMachine", "WrongClass", "NotOneTextSection",
      "WritableSectionNotSupported", "AddressOutsideLoadableSection", "InvalidVirtualAddress",
      "UnknownRelocation", "FailedToReadRelocationInfo", "WrongType", "UnknownSymbol",
      "ValueOutOfBounds", "UnsupportedSBPFVersion", "InvalidProgramHeader"};
  return names[kind];
}

std::string ElfError::message() const {
  switch (kind) {
    case FailedToParse:
      return "Failed to parse ELF file: " + parser_message(parser, text, a);
    case EntrypointOutOfBounds: return "Entrypoint out of bounds";
    case InvalidEntrypoint: return "Invalid entrypoint";
    case FailedToGetSection: return "Failed to get section " + text;
    case UnresolvedSymbol:
      return fmt::format("Unresolved symbol ({}) at instruction #{} (ELF file offset {:#x})", text, a, b);
    case SectionNotFound: return "Section not found: " + text;
    case RelativeJumpOutOfBounds: return fmt::format("Relative jump out of bounds at instruction #{}", a);
    case SymbolHashCollision: return fmt::format("Symbol hash collision {:#x}", a);
    case WrongEndianess: return "Incompatible ELF: wrong endianess";
    case WrongAbi: return "Incompatible ELF: wrong ABI";
    case WrongMachine: return "Incompatible ELF: wrong machine";
    case WrongClass: return "Incompatible ELF: wrong class";
    case NotOneTextSection:
      return "Multiple or no text sections, consider removing llc option: -function-sections";
    case WritableSectionNotSupported:
      return fmt::format("Found writable section ({}) in ELF, read-write data not supported", text);
    case AddressOutsideLoadableSection:
      return fmt::format("Relocation failed, no loadable section contains virtual address {:#x}", a);
    case InvalidVirtualAddress:
      return fmt::format("Relocation failed, invalid referenced virtual address {:#x}", a);
    case UnknownRelocation: return fmt::format("Relocation failed, unknown type {}", a);
    case FailedToReadRelocationInfo: return "Failed to read relocation info";
    case WrongType: return "Incompatible ELF: wrong type";
    case UnknownSymbol: return fmt::format("Unknown symbol with index {}", a);
    case ValueOutOfBounds: return "Offset or value is out of bounds";
    case UnsupportedSBPFVersion:
      return "Detected sbpf_version required by the executable which are not enabled";
    case InvalidProgramHeader: return "Invalid ELF program header";
  }
  return "?";
}

const char* VerifierError::kind_name() const {
  static const char* const names[] = {
      "ProgramLengthNotMultiple", "NoProgram", "DivisionByZero", "UnsupportedLEBEArgument",
      "LDDWCannotBeLast", "IncompleteLDDW", "InfiniteLoop", "JumpOutOfCode", "JumpToMiddleOfLDDW",
      "InvalidSourceRegister", "CannotWriteR10", "InvalidDestinationRegister", "UnknownOpCode",
      "ShiftWithOverflow", "InvalidRegister", "InvalidFunction", "InvalidSyscall",
      "UnalignedImmediate"};
  return names[kind];
}

std::string VerifierError::message() const {
  switch (kind) {
    case ProgramLengthNotMultiple: return "program length must be a multiple of 8 octets";
    case NoProgram: return "no program set, call prog_set() to load one";
    case DivisionByZero: return fmt::format("division by 0 (insn #{})", a);
    case UnsupportedLEBEArgument: return fmt::format("unsupported argument for LE/BE (insn #{})", a);
    case LDDWCannotBeLast: return "LD_DW instruction cannot be last in program";
    case IncompleteLDDW: return fmt::format("incomplete LD_DW instruction (insn #{})", a);
    case InfiniteLoop: return fmt::format("infinite loop (insn #{})", a);
    case JumpOutOfCode: return fmt::format("jump out of code to #{} (insn #{})", a, b);
    case JumpToMiddleOfLDDW: return fmt::format("jump to middle of LD_DW at #{} (insn #{})", a, b);
    case InvalidSourceRegister: return fmt::format("invalid source register (insn #{})", a);
    case CannotWriteR10: return fmt::format("cannot write into register r10 (insn #{})", a);
    case InvalidDestinationRegister: return fmt::format("invalid destination register (insn #{})", a);
    case UnknownOpCode: return fmt::format("unknown eBPF opcode {:#2x} (insn #{})", a, b);
    case ShiftWithOverflow:
      return fmt::format("Shift with overflow of {}-bit value by {} (insn #{})", b, a, c);
    case InvalidRegister: return fmt::format("Invalid register specified at instruction {}", a);
    case InvalidFunction: return fmt::format("Invalid function at instruction {}", a);
    case InvalidSyscall: return fmt::format("Invalid syscall code {}", a);
    case UnalignedImmediate: return fmt::format("Unaligned immediate (insn #{})", a);
  }
  return "?";
}

const char* EbpfError::kind_name() const {
  static const char* const names[] = {
      "ElfError", "FunctionAlreadyRegistered", "CallDepthExceeded", "ExitRootCallFrame",
      "DivideByZero", "DivideOverflow", "ExecutionOverrun", "CallOutsideTextSegment",
      "ExceededMaxInstructions", "JitNotCompiled", "InvalidMemoryRegion", "AccessViolation",
      "StackAccessViolation", "InvalidInstruction", "UnsupportedInstruction", "ExhaustedTextSegment",
      "LibcInvocationFailed", "VerifierError", "SyscallError"};
  return names[kind];
}

std::string EbpfError::message() const {
  const char* rw = access == AccessType::Load ? "reading" : "writing";
  switch (kind) {
    case CallDepthExceeded: return "exceeded max BPF to BPF call depth";
    case ExitRootCallFrame: return "attempted to exit root call frame";
    case DivideByZero: return "divide by zero at BPF instruction";
    case DivideOverflow: return "division overflow at BPF instruction";
    case ExecutionOverrun:
      return "attempted to execute past the end of the text segment at BPF instruction";
    case CallOutsideTextSegment: return "callx attempted to call outside of the text segment";
    case ExceededMaxInstructions: return "exceeded CUs meter at BPF instruction";
    case JitNotCompiled: return "program has not been JIT-compiled";
    case InvalidMemoryRegion: return fmt::format("Invalid memory region at index {}", addr);
    case AccessViolation:
      return fmt::format("Access violation {} {} bytes at address {:#x} (in {} region)", rw, len, addr, region);
    case StackAccessViolation:
      return fmt::format("Access violation in stack frame {} at address {:#x} of size {}", frame, addr, len);
    case InvalidInstruction: return "invalid BPF instruction";
    case UnsupportedInstruction: return "unsupported BPF instruction";
    case SyscallError: return "Syscall error: " + syscall.message;
    default: return kind_name();
  }
}

EbpfError EbpfError::access_violation(AccessType t, uint64_t addr, uint64_t len, const char* region) {
  EbpfError e{AccessViolation};
  e.access = t;
  e.addr = addr;
  e.len = len;
  e.region = region;
  return e;
}

EbpfError EbpfError::from_syscall(std::string kind, std::string message) {
  EbpfError e{SyscallError};
  e.syscall = {std::move(kind), std::move(message)};
  return e;
}

}  // namespace lumio::svm

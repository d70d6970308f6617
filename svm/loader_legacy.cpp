// BPFLoader2 and the deprecated BPFLoader as today's mainnet runs them: their own management
// instructions are gone (Agave bpf_loader process_instruction_inner), programs they own still
// execute through the runtime. Also the registration of every builtin this directory provides.
#include "svm/loader_upgradeable.hpp"
#include "svm/runtime.hpp"
#include "svm/system_program.hpp"

namespace lumio::svm {

InstructionResult process_bpf_loader_instruction(InvokeContext& ic) {
  ic.log("BPF loader management instructions are no longer supported");
  return InstructionError::UnsupportedProgramId;
}

InstructionResult process_deprecated_loader_instruction(InvokeContext& ic) {
  ic.log("Deprecated loader is no longer supported");
  return InstructionError::UnsupportedProgramId;
}

void register_builtins(Runtime& rt, const BuiltinFeatures& features) {
  rt.add_builtin(ids::system_program, "system_program", kSystemProgramComputeUnits,
                 [features](InvokeContext& ic) { return process_system_instruction(ic, features); });
  rt.add_builtin(ids::bpf_loader_upgradeable, "solana_bpf_loader_upgradeable_program",
                 kUpgradeableLoaderComputeUnits,
                 [features](InvokeContext& ic) { return process_loader_upgradeable_instruction(ic, features); });
  rt.add_builtin(ids::bpf_loader, "solana_bpf_loader_program", kDefaultLoaderComputeUnits,
                 process_bpf_loader_instruction);
  rt.add_builtin(ids::bpf_loader_deprecated, "solana_bpf_loader_deprecated_program",
                 kDeprecatedLoaderComputeUnits, process_deprecated_loader_instruction);
}

}  // namespace lumio::svm

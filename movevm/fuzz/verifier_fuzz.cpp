// libFuzzer target for the bytecode verifier. Seed it with genuine modules
// (../shared/aptos-genesis/*/modules/*.mv): every input that deserializes is verified with
// Aptos's configurations and linked against itself; then, so that mutations reach the deep
// passes (which byte-level mutations of a checked module rarely survive to), a few
// instruction-level mutations derived from the input's bytes are verified as well. Nothing may
// crash, and the meter and the loop bounds keep every run short (libFuzzer -timeout catches
// hangs).
#include <cstdlib>

#include "movevm/binary_format.hpp"
#include "movevm/verifier.hpp"

using namespace lumio::movevm;

namespace {

struct Self : ModuleResolver {
  const CompiledModule* m;
  const CompiledModule* find(const lumio::FixedBytes<32>& a, std::string_view n) const override {
    const auto& h = m->module_handles[m->self_module_handle_idx];
    return m->address_identifiers[h.address] == a && m->identifiers[h.name] == n ? m : nullptr;
  }
};

void verify_all_ways(const CompiledModule& m) {
  auto r = verify_module(m, VerifierConfig::aptos_prod());
  (void)verify_module(m, VerifierConfig::production());
  if (!r.error && r.complete) {
    Self self;
    self.m = &m;
    (void)verify_module_with_dependencies(m, self, VerifierConfig::aptos_prod());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lumio::BytesView input(data, size);
  if (auto m = deserialize_module(input)) {
    verify_all_ways(*m);
    // Instruction-level mutations: the input's bytes pick (function, offset, change).
    uint64_t seed = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < size; ++i) seed = (seed ^ data[i]) * 0x100000001b3ull;
    for (int round = 0; round < 4 && !m->function_defs.empty(); ++round) {
      CompiledModule mutated = *m;
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      auto& fd = mutated.function_defs[(seed >> 33) % mutated.function_defs.size()];
      if (!fd.code || fd.code->code.empty()) continue;
      auto& ins = fd.code->code[(seed >> 17) % fd.code->code.size()];
      switch (seed % 4) {
        case 0: ins.op = Opcode(1 + (seed >> 40) % kOpcodeMax); break;
        case 1: ins.index = uint16_t(ins.index + ((seed >> 40) % 5) - 2); break;
        case 2: fd.code->code.erase(fd.code->code.begin() + long((seed >> 17) % fd.code->code.size())); break;
        default: fd.code->code.insert(fd.code->code.begin() + long((seed >> 17) % fd.code->code.size()), ins); break;
      }
      verify_all_ways(mutated);
    }
  }
  if (auto s = deserialize_script(input)) {
    (void)verify_script(*s, VerifierConfig::aptos_prod());
    (void)verify_script(*s, VerifierConfig::production());
  }
  return 0;
}

// libFuzzer target: arbitrary bytes through the ELF loader (exec and deploy rules), the verifier,
// and, for programs that pass both, a short metered run. Every path must end in a value or a
// clean error.
#include <cstddef>
#include <cstdint>
#include <span>

#include "svm/elf.hpp"
#include "svm/serialize.hpp"
#include "svm/syscalls.hpp"
#include "svm/vm.hpp"

using namespace lumio::svm;

static size_t data_len_hint(size_t size) { return size % 64; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Loader exec = make_loader_v1(false), deploy = make_loader_v1(true);
  std::span<const uint8_t> bytes(data, size);
  (void)Executable::load(bytes, deploy);
  auto exe = Executable::load(bytes, exec);
  if (!exe.ok()) {
    (void)exe.error().message();
    return 0;
  }
  if (verify(exe->text(), exe->version())) return 0;
  SyscallContext ctx;
  ctx.remaining = 5'000;
  VmMemory mem(exec.config);
  // One account + instruction data; what the program leaves behind is read back like Agave does.
  std::vector<InstructionAccount> accounts(2);
  accounts[0].data.assign(16, 1);
  accounts[0].is_writable = true;
  accounts[1].duplicate_of = 0;
  std::vector<uint8_t> ix_data(data_len_hint(size), 7);
  Pubkey program_id{};
  auto input = serialize_aligned(accounts, ix_data, program_id);
  Vm vm(*exe, exec, ctx, mem, input);
  auto r = vm.run();
  if (!r.result.ok()) (void)r.result.error().message();
  (void)deserialize_aligned(input, accounts);
  return 0;
}

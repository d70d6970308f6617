// libFuzzer target for the Move IR front end: any text parses or fails with a ParseError;
// whatever parses compiles or fails with a CompileError; compiled units serialize or fail
// with a status, and disassemble.
#include <string_view>

#include "movevm/disassembler.hpp"
#include "movevm/ir_compiler.hpp"

using namespace lumio::movevm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view src(reinterpret_cast<const char*>(data), size);
  auto parsed = ir::parse_script_or_module(src);
  if (auto* unit = std::get_if<std::variant<ir::Script, ir::Module>>(&parsed)) {
    if (auto* m = std::get_if<ir::Module>(unit)) {
      auto c = ir::compile_module(*m, {});
      if (auto* cm = std::get_if<CompiledModule>(&c)) {
        (void)serialize_module(*cm);
        (void)disassemble(*cm);
      }
    } else {
      auto c = ir::compile_script(std::get<ir::Script>(*unit), {});
      if (auto* cs = std::get_if<CompiledScript>(&c)) {
        (void)serialize_script(*cs);
        (void)disassemble(*cs);
      }
    }
  }
  return 0;
}

// libFuzzer target for the Move IR parser: any text parses or fails with a ParseError.
#include <string_view>

#include "movevm/ir.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view src(reinterpret_cast<const char*>(data), size);
  (void)lumio::movevm::ir::parse_script_or_module(src);
  (void)lumio::movevm::ir::parse_module(src);
  return 0;
}

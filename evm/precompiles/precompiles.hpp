// EVM precompiled contracts 0x01..0x0a as of Cancun.
#pragma once
#include <cstdint>
#include <string>

#include "common/bytes.hpp"

namespace lumio::evm::precompiles {

// true for 0x01..0x0a (ecrecover .. point evaluation).
bool is_precompile(const Address& addr);

// success=false means out of gas or invalid input: the caller burns all gas it passed in.
struct Result {
  bool success;
  uint64_t gas_used;
  Bytes output;
};

// Runs the precompile at `addr` (must satisfy is_precompile) on `input` with `gas_limit`.
Result run(const Address& addr, BytesView input, uint64_t gas_limit);

// Path of the EIP-4844 KZG trusted setup (c-kzg-4844 text format), read lazily on the first
// point evaluation. Tried in order: this path, $LUMIO_KZG_SETUP, "../shared/kzg/trusted_setup.txt"
// (relative to the working directory). Once loaded, later calls have no effect; if no file
// loads, 0x0a fails (one message on stderr) until this is called again.
void set_trusted_setup_path(std::string path);

}  // namespace lumio::evm::precompiles

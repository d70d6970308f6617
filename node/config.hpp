// Node configuration: embedded devnet defaults, overridden by a TOML file, then by flags.
// Nothing below node/ sees this struct: node/ hands each subsystem only its own settings.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lumio::node {

struct Config {
  std::string data_dir;         // default: $HOME/.lumio/devnet
  bool fresh = false;           // wipe data_dir before starting
  uint64_t chain_id = 1337;     // Lumio devnet EVM chain id
  // Ethereum JSON-RPC (HTTP + WebSocket on one port), like anvil/Hardhat.
  std::string eth_host = "127.0.0.1";
  uint16_t eth_port = 8545;
  unsigned rpc_threads = 2;
  size_t rpc_max_body_bytes = 5u << 20;
  uint64_t logs_block_range_limit = 10'000;
  // Solana JSON-RPC (HTTP) and PubSub (WebSocket), like solana-test-validator. Port 0 picks
  // any free port.
  bool solana = true;
  std::string solana_host = "127.0.0.1";
  uint16_t solana_rpc_port = 8899;
  uint16_t solana_ws_port = 8900;
  // Set when a port was given (flag or TOML): then a busy port is fatal. With the defaults a busy
  // port (another validator, another devnet) only disables the Solana servers, with an error
  // logged, so Ethereum-only runs side by side keep working.
  bool solana_ports_explicit = false;
  // Solana slots advance every slot_ms, with or without traffic (node/README.md).
  unsigned slot_ms = 400;
  // Empty blocks keep slots advancing: "always", or "active" = while Solana is in use (a
  // Solana RPC call or transaction within the last 10 minutes), so an Ethereum-only session
  // sees blocks only when it sends transactions or mines, as before.
  bool slot_ticks_always = false;
  // Genuine program images extracted by scripts/extract-spl.sh (default ~/.cache/lumio/spl).
  std::string spl_dir;
  unsigned solana_dev_accounts = 10;
  uint64_t solana_dev_lamports = 1'000'000'000'000;  // 1000 SOL each
  // Block production.
  unsigned block_time_ms = 20;         // a block is cut this often while txs wait
  uint64_t block_gas_limit = 30'000'000;
  uint64_t initial_base_fee = 1'000'000'000;  // 1 gwei
  uint64_t min_base_fee = 1'000'000'000;
  // Dev accounts.
  std::string mnemonic = "test test test test test test test test test test test junk";
  unsigned dev_accounts = 10;
  std::string dev_balance_wei = "10000000000000000000000";  // 10000 ETH
  // Benchmarks: funds this many extra accounts at genesis (node/dev_accounts.hpp).
  uint64_t bench_accounts = 0;
  // Keeps undo records for this many recent blocks: evm_revert, historical eth_call/traces.
  uint64_t history_blocks = 10'000;
  std::string log_level = "info";
  bool log_json = false;  // one JSON object per log line (for log collectors)
};

// Parses `lumio dev` arguments (and a --config TOML file among them). Throws
// std::invalid_argument with a message for the user on bad input.
Config parse_dev_args(const std::vector<std::string>& args);
std::string dev_usage();
// $LUMIO_SPL_DIR, else ~/.cache/lumio/spl (scripts/dev.sh extracts there), else the build tree's
// spl/ when it holds the images (the CTest fixture extracts there).
std::string default_spl_dir();

}  // namespace lumio::node

#include "node/config.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <toml++/toml.h>

namespace lumio::node {
namespace {

uint64_t parse_u64(const std::string& flag, const std::string& v) {
  try {
    size_t pos = 0;
    uint64_t n = std::stoull(v, &pos, 0);
    if (pos != v.size()) throw std::invalid_argument("");
    return n;
  } catch (const std::exception&) {
    throw std::invalid_argument(flag + ": expected a number, got '" + v + "'");
  }
}

void apply_toml(Config& c, const std::string& path) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw std::invalid_argument("config " + path + ": " + std::string(e.description()));
  }
  auto str = [&](const char* k, std::string& out) {
    if (auto v = t.at_path(k).value<std::string>()) out = *v;
  };
  auto num = [&](const char* k, auto& out) {
    if (auto v = t.at_path(k).value<int64_t>()) out = decltype(out + 0)(*v);
  };
  str("data_dir", c.data_dir);
  num("chain_id", c.chain_id);
  str("eth.host", c.eth_host);
  num("eth.port", c.eth_port);
  num("rpc.threads", c.rpc_threads);
  num("rpc.max_body_bytes", c.rpc_max_body_bytes);
  num("rpc.logs_block_range_limit", c.logs_block_range_limit);
  num("block.time_ms", c.block_time_ms);
  num("block.gas_limit", c.block_gas_limit);
  num("block.initial_base_fee", c.initial_base_fee);
  num("block.min_base_fee", c.min_base_fee);
  str("dev.mnemonic", c.mnemonic);
  num("dev.accounts", c.dev_accounts);
  str("dev.balance_wei", c.dev_balance_wei);
  num("history_blocks", c.history_blocks);
  if (auto v = t.at_path("solana.enabled").value<bool>()) c.solana = *v;
  str("solana.host", c.solana_host);
  num("solana.rpc_port", c.solana_rpc_port);
  num("solana.ws_port", c.solana_ws_port);
  if (t.at_path("solana.rpc_port") || t.at_path("solana.ws_port")) c.solana_ports_explicit = true;
  num("solana.slot_ms", c.slot_ms);
  str("solana.spl_dir", c.spl_dir);
  if (auto v = t.at_path("solana.slot_ticks").value<std::string>()) {
    if (*v != "always" && *v != "active")
      throw std::invalid_argument("config " + path + ": solana.slot_ticks must be \"always\" or \"active\"");
    c.slot_ticks_always = *v == "always";
  }
  num("solana.dev_accounts", c.solana_dev_accounts);
  num("solana.dev_lamports", c.solana_dev_lamports);
  str("log_level", c.log_level);
  if (auto v = t.at_path("log_json").value<bool>()) c.log_json = *v;
}

}  // namespace

std::string default_spl_dir() {
  if (const char* env = std::getenv("LUMIO_SPL_DIR"); env && *env) return env;
  const char* home = std::getenv("HOME");
  std::string cache = std::string(home ? home : ".") + "/.cache/lumio/spl";
#ifdef LUMIO_BUILD_SPL_DIR
  // Where this build's CTest fixture extracts the images: lets a freshly built tree's `lumio dev`
  // (and the end-to-end tests that start it) find them without scripts/dev.sh.
  namespace fs = std::filesystem;
  if (!fs::exists(cache + "/spl_token-3.5.0.so") && fs::exists(std::string(LUMIO_BUILD_SPL_DIR) + "/spl_token-3.5.0.so"))
    return LUMIO_BUILD_SPL_DIR;
#endif
  return cache;
}

std::string dev_usage() {
  return R"(usage: lumio dev [options]
  --data-dir DIR         state directory (default $HOME/.lumio/devnet)
  --fresh                wipe the data directory first
  --config FILE          TOML config file (flags override it)
  --chain-id N           EVM chain id (default 1337)
  --eth-host HOST        Ethereum JSON-RPC host (default 127.0.0.1)
  --eth-port N           Ethereum JSON-RPC HTTP+WS port (default 8545)
  --block-time-ms N      block interval while transactions wait (default 20)
  --block-gas-limit N    (default 30000000)
  --accounts N           dev accounts to fund (default 10)
  --mnemonic "WORDS"     dev account mnemonic
  --rpc-threads N        RPC I/O threads (default 2)
  --bench-accounts N     also fund N benchmark accounts at genesis (see lumio-loadgen)
  --no-solana            serve Ethereum only (no Solana genesis, RPC or slots)
  --solana-host HOST     Solana JSON-RPC/PubSub host (default 127.0.0.1)
  --solana-rpc-port N    Solana JSON-RPC HTTP port (default 8899)
  --solana-ws-port N     Solana PubSub WebSocket port (default 8900)
  --slot-ms N            Solana slot duration in ms (default 400)
  --slot-ticks MODE      empty blocks every slot: always | active (default: while Solana
                         clients are active)
  --spl-dir DIR          genuine program images from scripts/extract-spl.sh
                         (default $LUMIO_SPL_DIR, else ~/.cache/lumio/spl, else the
                         build tree's spl/ where CTest extracts them)
  --log-level LEVEL      trace|debug|info|warn|error (default info)
  --log-json             log one JSON object per line
)";
}

Config parse_dev_args(const std::vector<std::string>& args) {
  Config c;
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--config") apply_toml(c, args[i + 1]);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw std::invalid_argument(a + " needs a value");
      return args[++i];
    };
    if (a == "--fresh") c.fresh = true;
    else if (a == "--config") value();
    else if (a == "--data-dir") c.data_dir = value();
    else if (a == "--chain-id") c.chain_id = parse_u64(a, value());
    else if (a == "--eth-host") c.eth_host = value();
    else if (a == "--eth-port" || a == "--port") c.eth_port = uint16_t(parse_u64(a, value()));
    else if (a == "--block-time-ms") c.block_time_ms = unsigned(parse_u64(a, value()));
    else if (a == "--block-gas-limit") c.block_gas_limit = parse_u64(a, value());
    else if (a == "--accounts") c.dev_accounts = unsigned(parse_u64(a, value()));
    else if (a == "--mnemonic") c.mnemonic = value();
    else if (a == "--bench-accounts") c.bench_accounts = parse_u64(a, value());
    else if (a == "--rpc-threads") c.rpc_threads = unsigned(parse_u64(a, value()));
    else if (a == "--log-level") c.log_level = value();
    else if (a == "--no-solana") c.solana = false;
    else if (a == "--solana-host") c.solana_host = value();
    else if (a == "--solana-rpc-port") c.solana_rpc_port = uint16_t(parse_u64(a, value())), c.solana_ports_explicit = true;
    else if (a == "--solana-ws-port") c.solana_ws_port = uint16_t(parse_u64(a, value())), c.solana_ports_explicit = true;
    else if (a == "--slot-ms") c.slot_ms = unsigned(parse_u64(a, value()));
    else if (a == "--spl-dir") c.spl_dir = value();
    else if (a == "--slot-ticks") {
      std::string v = value();
      if (v != "always" && v != "active")
        throw std::invalid_argument("--slot-ticks: expected always or active, got '" + v + "'");
      c.slot_ticks_always = v == "always";
    }
    else if (a == "--log-json") c.log_json = true;
    else throw std::invalid_argument("unknown option " + a);
  }
  if (c.data_dir.empty()) {
    const char* home = std::getenv("HOME");
    c.data_dir = std::string(home ? home : ".") + "/.lumio/devnet";
  }
  if (c.spl_dir.empty()) c.spl_dir = default_spl_dir();
  if (c.slot_ms == 0) throw std::invalid_argument("--slot-ms must be positive");
  if (c.chain_id == 0) throw std::invalid_argument("--chain-id must be positive");
  if (c.block_time_ms == 0) c.block_time_ms = 1;
  return c;
}

}  // namespace lumio::node

// The `lumio` CLI.
//   lumio dev [options]   single-node devnet on embedded defaults (see --help)
//   lumio version
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <sstream>

#include "node/eth_service.hpp"
#include "node/node.hpp"
#include "node/sol_service.hpp"
#include "node/sol_genesis.hpp"
#include "rpc/sol_api.hpp"
#include "svm/syscalls.hpp"
#include "rpc/server.hpp"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

std::string metrics_text(lumio::node::Node& node) {
  auto& m = node.metrics();
  std::ostringstream o;
  auto metric = [&](const char* name, const char* type, const char* help, double v) {
    o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
      << name << ' ' << v << '\n';
  };
  metric("lumio_blocks_total", "counter", "Blocks produced since start.", double(m.blocks));
  metric("lumio_txs_total", "counter", "Transactions included since start.", double(m.txs));
  metric("lumio_txs_dropped_total", "counter", "Transactions dropped at execution.",
         double(m.txs_dropped));
  metric("lumio_txs_rejected_total", "counter", "Transactions rejected at admission.",
         double(m.txs_rejected));
  metric("lumio_mempool_size", "gauge", "Transactions waiting in the mempool.",
         double(node.pool().size()));
  metric("lumio_head_block", "gauge", "Number of the head block.",
         double(node.chain().head()->header.number));
  metric("lumio_block_exec_seconds_total", "counter", "Time spent executing blocks.",
         double(m.block_exec_us_total) / 1e6);
  metric("lumio_block_commit_seconds_total", "counter",
         "Time spent committing blocks (commitment + store write).",
         double(m.block_commit_us_total) / 1e6);
  metric("lumio_last_block_exec_seconds", "gauge", "Execution time of the last block.",
         double(m.last_block_exec_us) / 1e6);
  metric("lumio_last_block_commit_seconds", "gauge", "Commit time of the last block.",
         double(m.last_block_commit_us) / 1e6);
  o << "# HELP lumio_tx_latency_seconds Admission to receipt (soft confirmation).\n"
       "# TYPE lumio_tx_latency_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= std::size(m.kLatencyBucketsMs); ++i) {
    cumulative += m.latency_buckets[i];
    std::string le = i < std::size(m.kLatencyBucketsMs)
                         ? std::to_string(m.kLatencyBucketsMs[i] / 1000)
                         : std::string("+Inf");
    o << "lumio_tx_latency_seconds_bucket{le=\"" << le << "\"} " << cumulative << '\n';
  }
  o << "lumio_tx_latency_seconds_sum " << double(m.latency_us_total) / 1e6 << '\n'
    << "lumio_tx_latency_seconds_count " << m.latency_count << '\n';
  return o.str();
}

int run_dev(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      std::cout << lumio::node::dev_usage();
      return 0;
    }
  lumio::node::Config cfg;
  try {
    cfg = lumio::node::parse_dev_args(args);
  } catch (const std::exception& e) {
    std::cerr << "lumio dev: " << e.what() << "\n" << lumio::node::dev_usage();
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  // Our messages are plain text (hex, numbers, words) and are not JSON-escaped.
  if (cfg.log_json)
    spdlog::set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","thread":%t,"msg":"%v"})",
                        spdlog::pattern_time_type::utc);
  lumio::node::Node node(cfg);
  try {
    node.start();
  } catch (const std::exception& e) {
    spdlog::error("cannot start: {}", e.what());
    return 1;
  }

  lumio::rpc::ServerOptions so;
  so.host = cfg.eth_host;
  so.port = cfg.eth_port;
  so.io_threads = int(cfg.rpc_threads);
  // Handlers may wait briefly (a receipt one block away), so keep spare workers.
  so.worker_threads = int(std::max(8u, cfg.rpc_threads * 4));
  so.max_body_bytes = cfg.rpc_max_body_bytes;
  lumio::rpc::Server server(so);
  lumio::node::EthService eth(node, server);
  server.set_metrics([&] { return metrics_text(node); });
  try {
    server.start();
  } catch (const std::exception& e) {
    spdlog::error("cannot serve Ethereum JSON-RPC on {}:{}: {}", cfg.eth_host, cfg.eth_port,
                  e.what());
    node.stop();
    return 1;
  }
  spdlog::info("Ethereum JSON-RPC on http://{}:{} and ws://{}:{}", cfg.eth_host, server.port(),
               cfg.eth_host, server.port());

  // Solana: JSON-RPC on one port and PubSub on another (solana-test-validator's 8899/8900);
  // each server speaks both, events go to both.
  std::unique_ptr<lumio::node::SolService> sol;
  std::unique_ptr<lumio::rpc::Server> sol_rpc, sol_ws;
  std::unique_ptr<lumio::rpc::SolApi> sol_rpc_api, sol_ws_api;
  if (cfg.solana) {
    sol = std::make_unique<lumio::node::SolService>(node);
    auto make = [&](uint16_t port) {
      lumio::rpc::ServerOptions o = so;
      o.host = cfg.solana_host;
      o.port = port;
      return std::make_unique<lumio::rpc::Server>(o);
    };
    sol_rpc = make(cfg.solana_rpc_port);
    sol_ws = make(cfg.solana_ws_port);
    sol_rpc_api = std::make_unique<lumio::rpc::SolApi>(*sol_rpc, *sol);
    sol_ws_api = std::make_unique<lumio::rpc::SolApi>(*sol_ws, *sol);
    std::string failed;
    try {
      sol_rpc->start();
    } catch (const std::exception& e) {
      failed = "cannot serve Solana JSON-RPC on " + cfg.solana_host + ":" + std::to_string(cfg.solana_rpc_port) +
               ": " + e.what();
    }
    if (failed.empty()) try {
        sol_ws->start();
      } catch (const std::exception& e) {
        failed = "cannot serve Solana PubSub on " + cfg.solana_host + ":" + std::to_string(cfg.solana_ws_port) +
                 ": " + e.what();
        sol_rpc->stop();
      }
    if (!failed.empty() && cfg.solana_ports_explicit) {
      spdlog::error("{}", failed);
      server.stop();
      node.stop();
      return 1;
    }
    if (!failed.empty()) {
      spdlog::error("{} -- Solana RPC is off for this run (pass --solana-rpc-port/--solana-ws-port)", failed);
      sol_ws_api.reset();
      sol_rpc_api.reset();
      sol_ws.reset();
      sol_rpc.reset();
    } else {
      sol->attach(*sol_rpc_api);
      sol->attach(*sol_ws_api);
      spdlog::info("Solana JSON-RPC on http://{}:{}, PubSub on ws://{}:{} (slot {} ms)", cfg.solana_host,
                   sol_rpc->port(), cfg.solana_host, sol_ws->port(), cfg.slot_ms);
    }
    for (const auto& k : lumio::node::sol_dev_keypairs(cfg.solana_dev_accounts))
      spdlog::info("Solana dev account {} (secret {})", lumio::svm::base58(k.pubkey.data(), 32),
                   lumio::svm::base58(k.secret.data(), 64));
  }
  for (const auto& a : node.dev_accounts())
    spdlog::info("dev account {} (key {})", lumio::to_hex(a.address), lumio::to_hex(a.secret));
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  spdlog::info("shutting down");
  if (sol_ws) sol_ws->stop();
  if (sol_rpc) sol_rpc->stop();
  server.stop();
  node.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "help") {
    std::cout << "usage: lumio dev [options] | lumio version\n";
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "version" || args[0] == "--version") {
    std::cout << "lumio 0.1.0\n";
    return 0;
  }
  if (args[0] == "dev") return run_dev({args.begin() + 1, args.end()});
  std::cerr << "lumio: unknown command '" << args[0] << "'\n";
  return 2;
}

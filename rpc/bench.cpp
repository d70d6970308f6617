// Throughput of small keep-alive HTTP calls (the >=10k req/s on 2 cores target).
// Usage: rpc_bench [clients=8] [seconds=3] [io_threads=2] [workers=2]
// Clients run in this process too, so the figure is a lower bound for the server alone.
#include <atomic>
#include <cstdio>
#include <thread>

#include "rpc/server.hpp"
#include "rpc/test_client.hpp"

using namespace lumio::rpc;

int main(int argc, char** argv) {
  int clients = argc > 1 ? std::atoi(argv[1]) : 8;
  double seconds = argc > 2 ? std::atof(argv[2]) : 3;
  ServerOptions o;
  o.port = 0;
  o.io_threads = argc > 3 ? std::atoi(argv[3]) : 2;
  o.worker_threads = argc > 4 ? std::atoi(argv[4]) : 2;
  Server s(o);
  s.add_method("eth_chainId", [](const json&) { return json("0x539"); });
  s.start();
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> done{0}, bad{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < clients; ++i)
    ts.emplace_back([&] {
      testing::HttpClient c(s.port());
      const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]})";
      while (!stop) {
        auto res = c.post(body);
        if (res.body() != R"({"jsonrpc":"2.0","id":1,"result":"0x539"})") ++bad;
        ++done;
      }
    });
  auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : ts) t.join();
  double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%llu requests in %.2fs: %.0f req/s (%d clients, %d io, %d workers), %llu bad\n",
              (unsigned long long)done.load(), dt, done / dt, clients, o.io_threads,
              o.worker_threads, (unsigned long long)bad.load());
  return bad ? 1 : 0;
}

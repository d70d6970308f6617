// A minimal keep-alive JSON-RPC client and the measurements both load generators share
// (lumio-loadgen for Ethereum, lumio-solgen for Solana).
#pragma once
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace lumio::loadgen {

using json = nlohmann::json;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct Url {
  std::string host, port, path = "/";
};

inline Url parse_url(std::string u) {
  Url r;
  if (u.rfind("http://", 0) == 0) u = u.substr(7);
  auto slash = u.find('/');
  if (slash != std::string::npos) {
    r.path = u.substr(slash);
    u = u.substr(0, slash);
  }
  auto colon = u.find(':');
  r.host = u.substr(0, colon);
  r.port = colon == std::string::npos ? "80" : u.substr(colon + 1);
  return r;
}

// One keep-alive JSON-RPC connection.
class Rpc {
 public:
  explicit Rpc(const Url& url) : url_(url), stream_(ioc_) {
    tcp::resolver resolver(ioc_);
    stream_.connect(resolver.resolve(url.host, url.port));
  }
  json call(const std::string& method, json params) {
    json req = {{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", params}};
    json res = post(req.dump());
    if (res.contains("error"))
      throw std::runtime_error(method + ": " + res["error"].dump());
    return res["result"];
  }
  json post(const std::string& body) {
    http::request<http::string_body> req{http::verb::post, url_.path, 11};
    req.set(http::field::host, url_.host);
    req.set(http::field::content_type, "application/json");
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    http::write(stream_, req);
    http::response<http::string_body> res;
    http::read(stream_, buf_, res);
    return json::parse(res.body());
  }

 private:
  Url url_;
  boost::asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  uint64_t id_ = 0;
};

// Prometheus counters of a lumio node (GET /metrics); empty for other nodes.
inline std::map<std::string, double> fetch_metrics(const Url& url) {
  std::map<std::string, double> out;
  try {
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    tcp::resolver resolver(ioc);
    stream.connect(resolver.resolve(url.host, url.port));
    http::request<http::empty_body> req{http::verb::get, "/metrics", 11};
    req.set(http::field::host, url.host);
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    if (res.result() != http::status::ok) return out;
    std::istringstream in(res.body());
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      auto sp = line.find(' ');
      if (sp != std::string::npos) out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
    }
  } catch (const std::exception&) {
  }
  return out;
}

// Resident set size of a process in MiB (0 when unknown).
inline double rss_mib(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (f >> key) {
    if (key == "VmRSS:") {
      double kb;
      f >> kb;
      return kb / 1024;
    }
    f.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace lumio::loadgen

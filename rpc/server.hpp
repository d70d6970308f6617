// JSON-RPC 2.0 server over HTTP/1.1 and WebSocket on one port (Boost.Beast/Asio).
//
// One listening socket serves both: a request carrying `Upgrade: websocket` becomes a
// WebSocket session, anything else is plain HTTP with keep-alive. Method handlers run on a
// worker pool, never on the I/O threads, so a slow handler or a slow client cannot stall
// other connections. Responses and error objects follow geth (codes, messages, batch
// rules); every ecosystem API (eth, Solana, Aptos) registers its methods on one `Server`.
//
// Lifecycle: construct, add_method()/set_*() (before start), start(), ..., stop() or
// destroy. Everything registered must stay valid until stop() returns.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace lumio::rpc {

using json = nlohmann::json;

// Error codes as geth returns them.
namespace code {
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternal = -32603;
constexpr int kServer = -32000;            // geth's default for backend errors
constexpr int kResponseTooLarge = -32003;  // batch response over the size limit
constexpr int kExecutionReverted = 3;      // eth_call/eth_estimateGas revert, `data` = revert bytes
}  // namespace code

// Thrown by handlers; becomes the response's "error" object.
struct RpcError : std::runtime_error {
  int code;
  std::optional<json> data;
  RpcError(int c, std::string message, std::optional<json> d = std::nullopt)
      : std::runtime_error(std::move(message)), code(c), data(std::move(d)) {}
};

// A WebSocket client as seen by handlers: the push channel for subscriptions.
// Thread-safe; send() never blocks.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual uint64_t id() const = 0;
  // Queues one text frame. False when the connection is closed, or when the client stopped
  // reading and its backlog passed the limit (the server then drops the connection).
  virtual bool send(std::string text) = 0;
  virtual bool is_open() const = 0;
  // `fn` runs once when the connection closes (immediately if it already has).
  virtual void on_close(std::function<void()> fn) = 0;
};

// What a handler knows about the caller.
struct CallContext {
  std::shared_ptr<Connection> connection;  // null for HTTP (no subscriptions there)
  // Run by the server right after the response is queued (e.g. to start a subscription's
  // pushes only once the client has its id). Server::handle() leaves them to its caller.
  std::vector<std::function<void()>> after_reply;
};

using Handler = std::function<json(const json& params)>;
using ContextHandler = std::function<json(const json& params, CallContext& ctx)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8545;  // 0: any free port (see Server::port())
  int io_threads = 2;
  int worker_threads = 2;                       // where handlers run
  size_t max_body_bytes = 5u << 20;             // HTTP body (geth: 5 MiB) -> 413
  size_t max_ws_message_bytes = 32u << 20;      // WebSocket frame (geth: 32 MiB)
  size_t max_batch = 1000;                      // geth's BatchRequestLimit
  size_t max_batch_response_bytes = 25u << 20;  // geth's BatchResponseMaxSize
  size_t max_ws_backlog_bytes = 64u << 20;      // unsent bytes before a client is dropped
  size_t max_ws_inflight = 64;                  // calls per WS connection before reads pause
  size_t max_connections = 10'000;
  size_t max_json_depth = 128;                  // deeper nesting is a parse error
  std::chrono::seconds http_idle_timeout{120};
  std::vector<std::string> cors_origins{"*"};   // "*" allows any Origin; empty: no CORS headers
};

// Counters for the node's /metrics text.
struct ServerStats {
  uint64_t calls = 0;        // JSON-RPC calls dispatched (batch elements count one each)
  uint64_t call_errors = 0;  // of those, answered with an error
  uint64_t connections = 0;  // open HTTP and WebSocket connections
};

class Server {
 public:
  explicit Server(ServerOptions opts = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Register before start(); a later name replaces an earlier one.
  void add_method(std::string name, Handler h);
  void add_method(std::string name, ContextHandler h);
  // GET /metrics answers with this text (Prometheus format); 404 when unset.
  void set_metrics(std::function<std::string()> fn);
  // GET /health: 200 {"status":"ok"} when fn returns true (or is unset), 503 otherwise.
  void set_health(std::function<bool()> fn);

  // Binds and starts the I/O and worker threads; throws std::runtime_error when the address
  // cannot be bound.
  void start();
  void stop();
  uint16_t port() const;  // the bound port, valid after start()
  ServerStats stats() const;

  // The JSON-RPC layer without sockets: one request body (object or batch) in, the
  // response text out ("" when nothing is owed, e.g. only notifications). Never throws.
  std::string handle(std::string_view body, CallContext& ctx) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Builds one push message: {"jsonrpc":"2.0","method":M,"params":{"subscription":id,"result":r}}.
std::string notification_text(std::string_view method, const json& sub_id, const json& result);
// geth's random subscription/filter id: "0x" + 16 random bytes in hex, leading zeros trimmed.
std::string random_hex_id();

// Subscriptions of one kind of API, bound to WebSocket connections. The id style is geth's
// random hex string or Solana's increasing number; the push method is per hub (geth:
// "eth_subscription"; Solana: e.g. "accountNotification"). Subscriptions end with their
// connection. Thread-safe; the hub may be destroyed before its connections close.
template <class Payload>
class SubscriptionHub {
 public:
  enum class IdStyle { kHex, kNumber };
  explicit SubscriptionHub(IdStyle style = IdStyle::kHex) : s_(std::make_shared<State>()) {
    s_->style = style;
  }

  // Registers `payload` for the caller's connection and returns the subscription id to give
  // the client; `method` is the push method name. Pushes start after the reply carrying the
  // id is queued, so a client never sees a notification for an id it does not know yet.
  json add(CallContext& ctx, std::string method, Payload payload) {
    if (!ctx.connection) throw RpcError(-32601, "notifications not supported");
    auto active = std::make_shared<std::atomic<bool>>(false);
    json id = add(ctx.connection, std::move(method), std::move(payload), active);
    ctx.after_reply.push_back([active] { *active = true; });
    return id;
  }
  // Same, active at once (for pushes not tied to a call's reply).
  json add(const std::shared_ptr<Connection>& conn, std::string method, Payload payload,
           std::shared_ptr<std::atomic<bool>> active = std::make_shared<std::atomic<bool>>(true)) {
    std::unique_lock lock(s_->mu);
    json id = s_->style == IdStyle::kHex ? json(random_hex_id()) : json(s_->next_number++);
    std::string key = id.dump();
    s_->subs[key] = Entry{conn, conn->id(), std::move(method),
                          std::make_shared<Payload>(std::move(payload)), id, std::move(active)};
    lock.unlock();
    std::weak_ptr<State> weak = s_;
    conn->on_close([weak, key] {
      if (auto s = weak.lock()) {
        std::lock_guard l(s->mu);
        s->subs.erase(key);
      }
    });
    return id;
  }

  // Cancels a subscription; only the connection that made it may. False when unknown.
  bool remove(const json& id, const Connection& owner) {
    std::lock_guard lock(s_->mu);
    auto it = s_->subs.find(id.dump());
    if (it == s_->subs.end() || it->second.conn_id != owner.id()) return false;
    s_->subs.erase(it);
    return true;
  }

  // For each live subscription, `fn(const Payload&)` returns the results to push (none,
  // one or several). Called outside the hub's lock; dead connections are pruned.
  template <class F>
  void publish(F&& fn) {
    std::vector<Entry> snapshot;
    {
      std::lock_guard lock(s_->mu);
      snapshot.reserve(s_->subs.size());
      for (auto& [k, e] : s_->subs) snapshot.push_back(e);
    }
    for (auto& e : snapshot) {
      if (!e.active->load()) continue;
      auto conn = e.conn.lock();
      if (!conn || !conn->is_open()) continue;
      std::vector<json> results = fn(*e.payload);
      for (auto& r : results)
        if (!conn->send(notification_text(e.method, e.id, r))) break;
    }
  }

  size_t size() const {
    std::lock_guard lock(s_->mu);
    return s_->subs.size();
  }

 private:
  struct Entry {
    std::weak_ptr<Connection> conn;
    uint64_t conn_id;
    std::string method;
    std::shared_ptr<Payload> payload;
    json id;
    std::shared_ptr<std::atomic<bool>> active;
  };
  struct State {
    mutable std::mutex mu;
    IdStyle style;
    uint64_t next_number = 0;
    std::unordered_map<std::string, Entry> subs;
  };
  std::shared_ptr<State> s_;
};

}  // namespace lumio::rpc

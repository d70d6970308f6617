#include "rpc/server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <random>
#include <thread>

namespace lumio::rpc {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// Handler results may carry arbitrary bytes in strings (e.g. revert reasons): never throw.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string error_text(const json& id, int code, std::string_view message,
                       const std::optional<json>& data = std::nullopt) {
  json err = {{"code", code}, {"message", message}};
  if (data) err["data"] = *data;
  return R"({"jsonrpc":"2.0","id":)" + dump(id) + R"(,"error":)" + dump(err) + "}";
}

// Maximum nesting of arrays/objects, found without parsing (nlohmann's copy and compare
// recurse, so deep input must be refused before it reaches handlers). Stops early.
size_t nesting_exceeds(std::string_view s, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      if (depth) --depth;
    }
  }
  return false;
}

}  // namespace

std::string notification_text(std::string_view method, const json& sub_id, const json& result) {
  std::string out = R"({"jsonrpc":"2.0","method":)";
  out += dump(json(method));
  out += R"(,"params":{"subscription":)";
  out += dump(sub_id);
  out += R"(,"result":)";
  out += dump(result);
  out += "}}";
  return out;
}

std::string random_hex_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  char buf[40];
  int n = hi ? std::snprintf(buf, sizeof buf, "0x%llx%016llx", (unsigned long long)hi,
                             (unsigned long long)lo)
             : std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)lo);
  return std::string(buf, n);
}

struct Server::Impl {
  ServerOptions opts;
  std::unordered_map<std::string, ContextHandler> methods;
  std::function<std::string()> metrics;
  std::function<bool()> health;

  // Destroyed first (declared last would be the other way round): see stop().
  std::unique_ptr<asio::io_context> ioc;
  std::unique_ptr<asio::thread_pool> workers;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> io_threads;
  std::atomic<size_t> connections{0};
  mutable std::atomic<uint64_t> calls{0}, call_errors{0};
  std::atomic<uint64_t> next_conn_id{1};
  uint16_t bound_port = 0;
  bool started = false;

  // ---- JSON-RPC ----

  // One request object -> response text, or nullopt for a notification.
  std::optional<std::string> call(const json& msg, CallContext& ctx) const {
    if (!msg.is_object()) return error_text(nullptr, code::kInvalidRequest, "invalid request");
    auto id_it = msg.find("id");
    bool has_id = id_it != msg.end();
    json id = has_id ? *id_it : json(nullptr);
    if (has_id && (id.is_object() || id.is_array())) {  // geth: any scalar id is valid
      return error_text(nullptr, code::kInvalidRequest, "invalid request");
    }
    auto ver = msg.find("jsonrpc");
    auto meth = msg.find("method");
    if (ver == msg.end() || *ver != "2.0" || meth == msg.end() || !meth->is_string() ||
        meth->get_ref<const std::string&>().empty()) {
      return error_text(id, code::kInvalidRequest, "invalid request");
    }
    const std::string& name = meth->get_ref<const std::string&>();
    auto params_it = msg.find("params");
    static const json kNoParams = json::array();
    const json& params =
        (params_it == msg.end() || params_it->is_null()) ? kNoParams : *params_it;

    std::string out;
    ++calls;
    auto m = methods.find(name);
    if (m == methods.end()) {
      ++call_errors;
      out = error_text(id, code::kMethodNotFound,
                       "the method " + name + " does not exist/is not available");
    } else {
      try {
        json result = m->second(params, ctx);
        out = R"({"jsonrpc":"2.0","id":)" + dump(id) + R"(,"result":)" + dump(result) + "}";
      } catch (const RpcError& e) {
        ++call_errors;
        out = error_text(id, e.code, e.what(), e.data);
      } catch (const std::exception& e) {
        ++call_errors;
        out = error_text(id, code::kInternal, e.what());
      } catch (...) {
        ++call_errors;
        out = error_text(id, code::kInternal, "internal error");
      }
    }
    if (!has_id) return std::nullopt;
    return out;
  }

  std::string handle(std::string_view body, CallContext& ctx) const {
    if (nesting_exceeds(body, opts.max_json_depth))
      return error_text(nullptr, code::kParseError, "parse error: nesting too deep");
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return error_text(nullptr, code::kParseError, "parse error");
    if (!doc.is_array()) return call(doc, ctx).value_or(std::string());

    if (doc.empty()) return error_text(nullptr, code::kInvalidRequest, "empty batch");
    if (doc.size() > opts.max_batch) {
      // geth: one error in an array, carrying the id of the first call.
      json id = nullptr;
      for (auto& m : doc)
        if (m.is_object() && m.contains("id") && m.contains("method")) {
          id = m["id"];
          break;
        }
      if (id.is_object() || id.is_array()) id = nullptr;
      return "[" + error_text(id, code::kInvalidRequest, "batch too large") + "]";
    }
    std::string out = "[";
    bool any = false;
    size_t total = 0;
    for (auto& m : doc) {
      std::optional<std::string> r;
      if (total > opts.max_batch_response_bytes) {
        // Past the limit, calls still owe a response but get an error instead of a result.
        if (!m.is_object() || m.contains("id")) {
          json id = m.is_object() ? m["id"] : json(nullptr);
          if (id.is_object() || id.is_array()) id = nullptr;
          r = error_text(id, code::kResponseTooLarge, "response too large");
        }
      } else {
        r = call(m, ctx);
      }
      if (!r) continue;
      if (any) out += ',';
      out += *r;
      total += r->size();
      any = true;
    }
    if (!any) return std::string();
    out += ']';
    return out;
  }

  // ---- HTTP helpers ----

  bool origin_allowed(std::string_view origin) const {
    for (auto& o : opts.cors_origins)
      if (o == "*" || o == origin) return true;
    return false;
  }

  template <class Res>
  void add_cors(Res& res, std::string_view origin) const {
    if (opts.cors_origins.empty()) return;
    bool any = false, match = false;
    for (auto& o : opts.cors_origins) {
      if (o == "*") any = true;
      else if (!origin.empty() && o == origin) match = true;
    }
    if (any) res.set(http::field::access_control_allow_origin, "*");
    else if (match) {
      res.set(http::field::access_control_allow_origin,
              beast::string_view(origin.data(), origin.size()));
      res.set(http::field::vary, "Origin");
    }
  }
};

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// ---------------- WebSocket session ----------------

class WsSession;

// What handlers hold: refers to the session weakly, so a handle kept past the session (or
// past the server) is harmless. Owns the close hooks and the open flag.
class WsHandle : public Connection {
 public:
  explicit WsHandle(uint64_t id) : id_(id) {}
  uint64_t id() const override { return id_; }
  bool is_open() const override { return open_.load(); }
  bool send(std::string text) override;
  void on_close(std::function<void()> fn) override {
    std::unique_lock lock(mu_);
    if (closed_) {
      lock.unlock();
      fn();
      return;
    }
    hooks_.push_back(std::move(fn));
  }
  void closed() {
    open_ = false;
    std::vector<std::function<void()>> hooks;
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      closed_ = true;
      hooks.swap(hooks_);
    }
    for (auto& h : hooks) h();
  }

  std::weak_ptr<WsSession> session;
  std::atomic<bool> open_{false};

 private:
  uint64_t id_;
  std::mutex mu_;
  bool closed_ = false;
  std::vector<std::function<void()>> hooks_;
};

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(beast::tcp_stream&& stream, Server::Impl& srv)
      : ws_(std::move(stream)), srv_(srv), handle_(std::make_shared<WsHandle>(srv.next_conn_id++)) {
    ++srv_.connections;
  }
  ~WsSession() {
    handle_->closed();
    --srv_.connections;
  }

  void run(Request req) {
    handle_->session = weak_from_this();
    beast::get_lowest_layer(ws_).expires_never();
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(srv_.opts.max_ws_message_bytes);
    ws_.async_accept(req, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
  }

  // `after` runs on the strand once `text` is queued: anything sent after that is written
  // after `text`.
  bool send(std::string text, std::vector<std::function<void()>> after = {}) {
    if (!handle_->open_.load()) return false;
    size_t n = text.size();
    if (backlog_.fetch_add(n) + n > srv_.opts.max_ws_backlog_bytes) {
      // The client stopped reading: drop it rather than buffer without bound.
      handle_->open_ = false;
      asio::post(ws_.get_executor(), [self = shared_from_this()] { self->abort(); });
      return false;
    }
    asio::post(ws_.get_executor(), [self = shared_from_this(), t = std::move(text),
                                     after = std::move(after)]() mutable {
      self->queue_.push_back(std::move(t));
      for (auto& f : after) f();  // before the write starts: it may complete inline
      if (!self->writing_) self->write_next();
    });
    return true;
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    handle_->open_ = true;
    do_read();
  }

  void do_read() {
    reading_ = true;
    ws_.async_read(buf_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    reading_ = false;
    if (ec) return handle_->closed();
    std::string text = beast::buffers_to_string(buf_.data());
    buf_.consume(buf_.size());
    ++inflight_;
    asio::post(*srv_.workers, [self = shared_from_this(), text = std::move(text)] {
      CallContext ctx{self->handle_, {}};
      std::string out = self->srv_.handle(text, ctx);
      if (!out.empty()) self->send(std::move(out), std::move(ctx.after_reply));
      else
        for (auto& f : ctx.after_reply) f();
      asio::post(self->ws_.get_executor(), [self] {
        --self->inflight_;
        if (!self->reading_ && self->handle_->is_open() &&
            self->inflight_ < self->srv_.opts.max_ws_inflight)
          self->do_read();
      });
    });
    // Backpressure: with too many calls in flight, stop reading until some finish.
    if (inflight_ < srv_.opts.max_ws_inflight) do_read();
  }

  void write_next() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()),
                    beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    backlog_ -= queue_.front().size();
    queue_.pop_front();
    if (ec) {
      writing_ = false;
      queue_.clear();
      return handle_->closed();
    }
    if (queue_.empty()) writing_ = false;
    else write_next();
  }

  void abort() {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
    handle_->closed();
  }

  websocket::stream<beast::tcp_stream> ws_;
  Server::Impl& srv_;
  std::shared_ptr<WsHandle> handle_;
  beast::flat_buffer buf_;
  std::deque<std::string> queue_;  // strand only
  bool writing_ = false;           // strand only
  bool reading_ = false;           // strand only
  size_t inflight_ = 0;            // strand only
  std::atomic<size_t> backlog_{0};
};

bool WsHandle::send(std::string text) {
  if (!open_.load()) return false;
  auto s = session.lock();
  return s && s->send(std::move(text));
}

// ---------------- HTTP session ----------------

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, Server::Impl& srv) : stream_(std::move(socket)), srv_(srv) {
    ++srv_.connections;
  }
  ~HttpSession() { --srv_.connections; }

  void run() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(srv_.opts.max_body_bytes);
    parser_->header_limit(64 * 1024);
    stream_.expires_after(srv_.opts.http_idle_timeout);
    http::async_read_header(stream_, buf_, *parser_,
                            beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
  }

  // curl sends "Expect: 100-continue" for bodies over 1 KiB and waits a second for the go-ahead.
  // An oversized Content-Length already failed the header read (body_limit), so it gets its
  // 413 without the body being sent.
  void on_header(beast::error_code ec, size_t n) {
    if (ec) return on_read(ec, n);
    if (!parser_->is_done() && beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      static const std::string k100 = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(k100),
                        [self = shared_from_this()](beast::error_code e, size_t) {
                          if (e) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buf_, *parser_,
                     beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec == http::error::end_of_stream) return close();
    if (ec == http::error::body_limit) {
      // geth answers an oversized body with 413 and this text; we wrap it as JSON-RPC.
      // Fields are stored before the parser finishes the header, so this is safe to read.
      auto len = parser_->get()[http::field::content_length];
      std::string msg = "content length too large";
      if (!len.empty())
        msg += " (" + std::string(len) + ">" + std::to_string(srv_.opts.max_body_bytes) + ")";
      return reply_error(http::status::payload_too_large,
                         error_text(nullptr, code::kInvalidRequest, msg));
    }
    if (ec == http::error::header_limit)
      return reply_error(http::status::request_header_fields_too_large, "");
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_target).category())
        return reply_error(http::status::bad_request, "");
      return close();
    }

    Request& req = parser_->get();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    origin_ = std::string(req[http::field::origin]);
    if (websocket::is_upgrade(req)) {
      // Browsers send Origin on WebSocket handshakes; like geth's --ws.origins, refuse
      // origins outside the allow list. Clients without Origin (not browsers) pass.
      if (!origin_.empty() && !srv_.origin_allowed(origin_)) {
        keep_alive_ = false;
        return reply(http::status::forbidden, "text/plain", "origin not allowed\n");
      }
      std::make_shared<WsSession>(std::move(stream_), srv_)->run(parser_->release());
      return;
    }

    if (req.method() == http::verb::options) {
      Response res{http::status::no_content, version_};
      srv_.add_cors(res, origin_);
      res.set(http::field::access_control_allow_methods, "POST, GET, OPTIONS");
      auto hdrs = req[http::field::access_control_request_headers];
      res.set(http::field::access_control_allow_headers,
              hdrs.empty() ? beast::string_view("Content-Type") : hdrs);
      res.set(http::field::access_control_max_age, "600");
      return write(std::move(res));
    }
    if (req.method() == http::verb::get) {
      auto target = req.target();
      auto path = target.substr(0, target.find('?'));
      // The node's callbacks may be slow: run them on the workers, like RPC calls.
      if (path == "/metrics") {
        if (!srv_.metrics) return reply(http::status::not_found, "text/plain", "not found\n");
        return on_worker([self = shared_from_this()] {
          try {
            self->finish(http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                         self->srv_.metrics());
          } catch (const std::exception& e) {
            self->finish(http::status::internal_server_error, "text/plain", e.what());
          }
        });
      }
      if (path == "/health") {
        return on_worker([self = shared_from_this()] {
          bool ok = true;
          try {
            ok = !self->srv_.health || self->srv_.health();
          } catch (...) {
            ok = false;
          }
          self->finish(ok ? http::status::ok : http::status::service_unavailable,
                       "application/json", ok ? R"({"status":"ok"})" : R"({"status":"unhealthy"})");
        });
      }
      // geth answers a bare GET with 200 (load balancer health checks).
      return reply(http::status::ok, "application/json", "");
    }
    if (req.method() != http::verb::post)
      return reply(http::status::method_not_allowed, "text/plain", "method not allowed\n");

    on_worker([self = shared_from_this(), body = std::move(req.body())] {
      CallContext ctx;
      self->finish(http::status::ok, "application/json", self->srv_.handle(body, ctx));
      for (auto& f : ctx.after_reply) f();
    });
  }

  template <class F>
  void on_worker(F&& f) {
    asio::post(*srv_.workers, std::forward<F>(f));
  }
  // From a worker: hand the response back to this connection's strand.
  void finish(http::status st, std::string type, std::string body) {
    asio::post(stream_.get_executor(),
               [self = shared_from_this(), st, type = std::move(type), body = std::move(body)]() mutable {
                 self->reply(st, type, std::move(body));
               });
  }

  void reply(http::status st, beast::string_view type, std::string body) {
    Response res{st, version_};
    res.set(http::field::content_type, type);
    srv_.add_cors(res, origin_);
    res.body() = std::move(body);
    write(std::move(res));
  }

  // After a framing error the rest of the stream cannot be trusted: answer, then close.
  void reply_error(http::status st, std::string body) {
    keep_alive_ = false;
    version_ = 11;
    Response res{st, version_};
    res.set(http::field::content_type, body.empty() ? "text/plain" : "application/json");
    res.body() = std::move(body);
    write(std::move(res));
  }

  void write(Response&& res) {
    res.keep_alive(keep_alive_);
    res.prepare_payload();
    res_ = std::move(res);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&HttpSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    if (ec || !keep_alive_) return close();
    do_read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  Server::Impl& srv_;
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response res_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  std::string origin_;
};

void do_accept(Server::Impl& srv) {
  srv.acceptor->async_accept(asio::make_strand(*srv.ioc), [&srv](beast::error_code ec,
                                                                 tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (srv.connections.load() >= srv.opts.max_connections) {
        socket.close(ec);
      } else {
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<HttpSession>(std::move(socket), srv)->run();
      }
      return do_accept(srv);
    }
    // Out of descriptors (EMFILE) and the like: back off instead of spinning on the error.
    auto timer = std::make_shared<asio::steady_timer>(*srv.ioc, std::chrono::milliseconds(50));
    timer->async_wait([&srv, timer](beast::error_code e) {
      if (!e) do_accept(srv);
    });
  });
}

}  // namespace

Server::Server(ServerOptions opts) : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(opts);
}

Server::~Server() { stop(); }

void Server::add_method(std::string name, Handler h) {
  impl_->methods[std::move(name)] = [h = std::move(h)](const json& p, CallContext&) {
    return h(p);
  };
}
void Server::add_method(std::string name, ContextHandler h) {
  impl_->methods[std::move(name)] = std::move(h);
}
void Server::set_metrics(std::function<std::string()> fn) { impl_->metrics = std::move(fn); }
void Server::set_health(std::function<bool()> fn) { impl_->health = std::move(fn); }

void Server::start() {
  auto& s = *impl_;
  if (s.started) return;
  s.ioc = std::make_unique<asio::io_context>(std::max(1, s.opts.io_threads));
  s.workers = std::make_unique<asio::thread_pool>(std::max(1, s.opts.worker_threads));
  beast::error_code ec;
  auto addr = asio::ip::make_address(s.opts.host, ec);
  if (ec) throw std::runtime_error("rpc: bad listen address " + s.opts.host);
  tcp::endpoint ep{addr, s.opts.port};
  s.acceptor = std::make_unique<tcp::acceptor>(*s.ioc);
  s.acceptor->open(ep.protocol(), ec);
  if (!ec) s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(ep, ec);
  if (!ec) s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    s.acceptor.reset();
    throw std::runtime_error("rpc: cannot listen on " + s.opts.host + ":" +
                             std::to_string(s.opts.port) + ": " + ec.message());
  }
  s.bound_port = s.acceptor->local_endpoint().port();
  do_accept(s);
  for (int i = 0; i < std::max(1, s.opts.io_threads); ++i)
    s.io_threads.emplace_back([&s] { s.ioc->run(); });
  s.started = true;
}

void Server::stop() {
  auto& s = *impl_;
  if (!s.started) return;
  s.started = false;
  asio::post(*s.ioc, [&s] {
    beast::error_code ec;
    s.acceptor->close(ec);
  });
  // Workers first: their jobs post back into the io_context.
  s.workers->stop();
  s.workers->join();
  s.ioc->stop();
  for (auto& t : s.io_threads) t.join();
  s.io_threads.clear();
  // Destroying the io_context destroys pending handlers and with them the sessions, which
  // still refer to *impl_ (alive here).
  s.acceptor.reset();
  s.workers.reset();
  s.ioc.reset();
}

uint16_t Server::port() const { return impl_->bound_port; }

ServerStats Server::stats() const {
  return {impl_->calls.load(), impl_->call_errors.load(), impl_->connections.load()};
}

std::string Server::handle(std::string_view body, CallContext& ctx) const {
  return impl_->handle(body, ctx);
}

}  // namespace lumio::rpc

// Minimal blocking HTTP and WebSocket clients (Beast) for the RPC tests.
#pragma once
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <string>

namespace lumio::rpc::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// One keep-alive HTTP/1.1 connection.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : stream_(ioc_) {
    stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    stream_.socket().set_option(tcp::no_delay(true));
  }
  http::response<http::string_body> request(http::verb verb, std::string target, std::string body,
                                            std::string origin = {}) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    if (!origin.empty()) req.set(http::field::origin, origin);
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();
    return send(req);
  }
  http::response<http::string_body> post(std::string body) {
    return request(http::verb::post, "/", std::move(body));
  }
  template <class Req>
  http::response<http::string_body> send(Req& req) {
    stream_.expires_after(std::chrono::seconds(20));
    http::write(stream_, req);
    http::response_parser<http::string_body> p;
    p.body_limit(1u << 30);
    http::read(stream_, buf_, p);
    return p.release();
  }
  beast::tcp_stream& stream() { return stream_; }

 private:
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
};

class WsClient {
 public:
  struct Options {
    std::string origin;  // sent as the Origin header when set (as browsers do)
  };
  explicit WsClient(uint16_t port, Options o = {}) : ws_(ioc_) {
    beast::get_lowest_layer(ws_).connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    beast::get_lowest_layer(ws_).expires_never();
    if (!o.origin.empty())
      ws_.set_option(websocket::stream_base::decorator(
          [origin = o.origin](websocket::request_type& req) { req.set(http::field::origin, origin); }));
    ws_.handshake("127.0.0.1", "/");
  }
  void send(const std::string& text) {
    ws_.text(true);
    ws_.write(asio::buffer(text));
  }
  // Blocks until a message arrives; throws after `timeout`.
  std::string read(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    beast::flat_buffer buf;
    beast::error_code ec;
    bool done = false;
    ws_.async_read(buf, [&](beast::error_code e, size_t) {
      ec = e;
      done = true;
    });
    ioc_.restart();
    ioc_.run_for(timeout);
    if (!done) {
      beast::get_lowest_layer(ws_).cancel();
      ioc_.restart();
      ioc_.run();
      throw std::runtime_error("ws read timeout");
    }
    if (ec) throw beast::system_error(ec);
    return beast::buffers_to_string(buf.data());
  }
  void close() { ws_.close(websocket::close_code::normal); }
  websocket::stream<beast::tcp_stream>& ws() { return ws_; }

 private:
  asio::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
};

}  // namespace lumio::rpc::testing

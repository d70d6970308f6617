// The server over real loopback sockets: HTTP and WebSocket, JSON-RPC rules, limits, CORS,
// concurrency and hostile input.
#include "rpc/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "rpc/test_client.hpp"

using namespace lumio::rpc;
using namespace lumio::rpc::testing;
using namespace std::chrono_literals;

namespace {

struct Fixture : ::testing::Test {
  ServerOptions opts() {
    ServerOptions o;
    o.port = 0;
    o.max_body_bytes = 64 * 1024;
    o.max_batch = 10;
    o.worker_threads = 4;
    return o;
  }
  void SetUp() override { start(opts()); }
  void start(ServerOptions o) {
    server = std::make_unique<Server>(o);
    server->add_method("echo", [](const json& p) { return p; });
    server->add_method("add", [](const json& p) {
      if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
        throw RpcError(code::kInvalidParams, "invalid argument 0: want two numbers");
      return json(p[0].get<int64_t>() + p[1].get<int64_t>());
    });
    server->add_method("revert", [](const json&) -> json {
      throw RpcError(code::kExecutionReverted, "execution reverted: nope", json("0x08c379a0"));
    });
    server->add_method("boom", [](const json&) -> json { throw std::logic_error("kaput"); });
    server->add_method("bad_utf8", [](const json&) { return json(std::string("\xff\xfe", 2)); });
    server->add_method("sleep", [](const json&) {
      std::this_thread::sleep_for(600ms);
      return json(true);
    });
    server->add_method("sub", [this](const json& p, CallContext& ctx) -> json {
      if (!ctx.connection) throw RpcError(code::kMethodNotFound, "notifications not supported");
      json id = hub.add(ctx, "test_subscription", p.at(0).get<std::string>());
      // An event between registration and the reply must not overtake the reply.
      if (p.size() > 1) publish(p.at(0).get<std::string>(), "early");
      return id;
    });
    server->add_method("unsub", [this](const json& p, CallContext& ctx) -> json {
      return ctx.connection && hub.remove(p.at(0), *ctx.connection);
    });
    server->add_method("conn_id", [this](const json&, CallContext& ctx) -> json {
      last_conn = ctx.connection;
      return ctx.connection ? json(ctx.connection->id()) : json(nullptr);
    });
    server->set_metrics([] { return std::string("lumio_up 1\n"); });
    server->start();
    port = server->port();
    ASSERT_NE(port, 0);
  }
  void TearDown() override { server.reset(); }

  json post(const std::string& body) {
    HttpClient c(port);
    auto res = c.post(body);
    EXPECT_EQ(res.result_int(), 200) << res.body();
    return json::parse(res.body());
  }
  void publish(const std::string& topic, json value) {
    hub.publish([&](const std::string& t) {
      return t == topic ? std::vector<json>{value} : std::vector<json>{};
    });
  }

  std::unique_ptr<Server> server;
  SubscriptionHub<std::string> hub;
  std::shared_ptr<Connection> last_conn;
  uint16_t port = 0;
};

TEST_F(Fixture, SingleCallEchoesIdAndResult) {
  auto r = post(R"({"jsonrpc":"2.0","id":7,"method":"add","params":[2,3]})");
  EXPECT_EQ(r, json::parse(R"({"jsonrpc":"2.0","id":7,"result":5})"));
  r = post(R"({"jsonrpc":"2.0","id":"abc","method":"echo","params":[{"x":[1,null]}]})");
  EXPECT_EQ(r["id"], "abc");
  EXPECT_EQ(r["result"], json::parse(R"([{"x":[1,null]}])"));
  r = post(R"({"jsonrpc":"2.0","id":null,"method":"echo"})");
  EXPECT_TRUE(r["id"].is_null());
  EXPECT_EQ(r["result"], json::array());  // absent params reach handlers as []
}

TEST_F(Fixture, GethErrorCodesAndMessages) {
  auto r = post(R"({"jsonrpc":"2.0","id":1,"method":"nope","params":[]})");
  EXPECT_EQ(r["error"]["code"], -32601);
  EXPECT_EQ(r["error"]["message"], "the method nope does not exist/is not available");
  EXPECT_EQ(r["id"], 1);

  r = post(R"({"jsonrpc":"2.0","id":1,"method":"add","params":["x"]})");
  EXPECT_EQ(r["error"]["code"], -32602);

  r = post(R"({"jsonrpc":"2.0","id":2,"method":"revert"})");
  EXPECT_EQ(r["error"]["code"], 3);
  EXPECT_EQ(r["error"]["message"], "execution reverted: nope");
  EXPECT_EQ(r["error"]["data"], "0x08c379a0");

  r = post(R"({"jsonrpc":"2.0","id":3,"method":"boom"})");
  EXPECT_EQ(r["error"]["code"], -32603);
  EXPECT_EQ(r["error"]["message"], "kaput");

  r = post(R"({"jsonrpc":"2.0","id":4,"method":"bad_utf8"})");
  EXPECT_TRUE(r["result"].is_string());  // invalid UTF-8 replaced, not a crash

  for (const char* bad : {R"({"jsonrpc":"2.0","id":1,"method":)", "{]", "", "nul", "\xff\xfe"}) {
    r = post(bad);
    EXPECT_EQ(r["error"]["code"], -32700) << bad;
    EXPECT_EQ(r["error"]["message"], "parse error");
    EXPECT_TRUE(r["id"].is_null());
  }
  for (const char* bad : {R"({"id":1,"method":"echo"})", R"({"jsonrpc":"1.0","id":1,"method":"echo"})",
                          R"({"jsonrpc":"2.0","id":1})", R"({"jsonrpc":"2.0","id":1,"method":5})",
                          R"(5)", R"("x")", R"({"jsonrpc":"2.0","id":{},"method":"echo"})"}) {
    r = post(bad);
    EXPECT_EQ(r["error"]["code"], -32600) << bad;
    EXPECT_EQ(r["error"]["message"], "invalid request") << bad;
  }
}

TEST_F(Fixture, Batches) {
  auto r = post(R"([{"jsonrpc":"2.0","id":1,"method":"add","params":[1,1]},
                    {"jsonrpc":"2.0","method":"add","params":[1,1]},
                    5,
                    {"jsonrpc":"2.0","id":"b","method":"nope"}])");
  ASSERT_TRUE(r.is_array());
  ASSERT_EQ(r.size(), 3u);  // the notification gets no response
  EXPECT_EQ(r[0]["result"], 2);
  EXPECT_EQ(r[1]["error"]["code"], -32600);
  EXPECT_EQ(r[2]["id"], "b");
  EXPECT_EQ(r[2]["error"]["code"], -32601);

  r = post("[]");
  EXPECT_EQ(r["error"]["code"], -32600);
  EXPECT_EQ(r["error"]["message"], "empty batch");

  std::string big = "[";
  for (int i = 0; i < 11; ++i)
    big += std::string(i ? "," : "") + R"({"jsonrpc":"2.0","id":)" + std::to_string(100 + i) +
           R"(,"method":"echo"})";
  r = post(big + "]");
  ASSERT_TRUE(r.is_array());
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["error"]["message"], "batch too large");
  EXPECT_EQ(r[0]["id"], 100);

  HttpClient c(port);
  auto res = c.post(R"([{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","method":"echo"}])");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "");  // only notifications: nothing owed
  res = c.post(R"({"jsonrpc":"2.0","method":"echo"})");
  EXPECT_EQ(res.body(), "");
}

TEST_F(Fixture, OversizedBodyGets413AndServerKeepsServing) {
  HttpClient c(port);
  std::string body = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[")" +
                     std::string(100'000, 'a') + "\"]}";
  auto res = c.post(body);
  EXPECT_EQ(res.result_int(), 413);
  auto j = json::parse(res.body());
  EXPECT_EQ(j["error"]["code"], -32600);
  EXPECT_NE(j["error"]["message"].get<std::string>().find("content length too large"),
            std::string::npos);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]})")["result"], 3);
}

TEST_F(Fixture, ExpectContinueIsAnswered) {
  asio::io_context ioc;
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  std::string body = R"({"jsonrpc":"2.0","id":1,"method":"add","params":[2,2]})";
  asio::write(s, asio::buffer("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              "Expect: 100-continue\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n"));
  std::string got;
  char buf[512];
  while (got.find("\r\n\r\n") == std::string::npos) got.append(buf, s.read_some(asio::buffer(buf)));
  EXPECT_EQ(got.substr(0, 25), "HTTP/1.1 100 Continue\r\n\r\n");
  asio::write(s, asio::buffer(body));
  beast::flat_buffer fb;
  fb.commit(asio::buffer_copy(fb.prepare(got.size() - 25), asio::buffer(got.substr(25))));
  http::response<http::string_body> res;
  http::read(s, fb, res);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(json::parse(res.body())["result"], 4);

  // Oversized: 413 straight away, without sending the body.
  tcp::socket s2(ioc);
  s2.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  asio::write(s2, asio::buffer(std::string("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                           "Content-Length: 99999999\r\n\r\n")));
  beast::flat_buffer fb2;
  http::response<http::string_body> res2;
  http::read(s2, fb2, res2);
  EXPECT_EQ(res2.result_int(), 413);
}

TEST_F(Fixture, DeepNestingIsAParseErrorNotACrash) {
  std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":)" +
                     std::string(30'000, '[') + std::string(30'000, ']') + "}";
  auto r = post(deep);
  EXPECT_EQ(r["error"]["code"], -32700);
  // Brackets inside strings do not count.
  r = post(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[")" + std::string(500, '[') +
           "\"]}");
  EXPECT_EQ(r["result"][0].get<std::string>().size(), 500u);
}

TEST_F(Fixture, KeepAliveCorsHealthMetrics) {
  HttpClient c(port);
  for (int i = 0; i < 50; ++i) {
    auto res = c.post(R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,)" +
                      std::to_string(i) + "]}");
    ASSERT_EQ(json::parse(res.body())["result"], 1 + i);
    ASSERT_TRUE(res.keep_alive());
  }
  EXPECT_GE(server->stats().connections, 1u);
  EXPECT_GE(server->stats().calls, 50u);
  http::request<http::string_body> pre{http::verb::options, "/", 11};
  pre.set(http::field::host, "x");
  pre.set(http::field::origin, "http://localhost:3000");
  pre.set(http::field::access_control_request_method, "POST");
  pre.set(http::field::access_control_request_headers, "content-type,authorization");
  pre.prepare_payload();
  auto res = c.send(pre);
  EXPECT_EQ(res.result_int(), 204);
  EXPECT_EQ(res[http::field::access_control_allow_origin], "*");
  EXPECT_NE(res[http::field::access_control_allow_methods].find("POST"), std::string::npos);
  EXPECT_EQ(res[http::field::access_control_allow_headers], "content-type,authorization");

  res = c.request(http::verb::post, "/", R"({"jsonrpc":"2.0","id":1,"method":"echo"})",
                  "http://localhost:3000");
  EXPECT_EQ(res[http::field::access_control_allow_origin], "*");
  EXPECT_EQ(res[http::field::content_type], "application/json");

  res = c.request(http::verb::get, "/health", "");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(json::parse(res.body())["status"], "ok");
  res = c.request(http::verb::get, "/metrics", "");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "lumio_up 1\n");
  res = c.request(http::verb::put, "/", "{}");
  EXPECT_EQ(res.result_int(), 405);
}

TEST_F(Fixture, CorsAllowListEchoesOnlyKnownOrigins) {
  server.reset();
  auto o = opts();
  o.cors_origins = {"https://app.example"};
  start(o);
  HttpClient c(port);
  auto res = c.request(http::verb::post, "/", R"({"jsonrpc":"2.0","id":1,"method":"echo"})",
                       "https://app.example");
  EXPECT_EQ(res[http::field::access_control_allow_origin], "https://app.example");
  res = c.request(http::verb::post, "/", R"({"jsonrpc":"2.0","id":1,"method":"echo"})",
                  "https://evil.example");
  EXPECT_EQ(res.count(http::field::access_control_allow_origin), 0u);

  // WebSocket handshakes from browsers are checked against the same list.
  auto handshake = [&](const std::string& origin) {
    WsClient::Options wo;
    wo.origin = origin;
    try {
      WsClient w(port, wo);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  };
  EXPECT_TRUE(handshake("https://app.example"));
  EXPECT_FALSE(handshake("https://evil.example"));
  EXPECT_TRUE(handshake(""));
}

TEST_F(Fixture, HealthReportsUnhealthy) {
  server.reset();
  server = std::make_unique<Server>(opts());
  server->set_health([] { return false; });
  server->start();
  HttpClient c(server->port());
  EXPECT_EQ(c.request(http::verb::get, "/health", "").result_int(), 503);
  EXPECT_EQ(c.request(http::verb::get, "/metrics", "").result_int(), 404);
}

TEST_F(Fixture, GarbageOnTheWireIsRejectedAndOthersUnaffected) {
  {
    asio::io_context ioc;
    tcp::socket s(ioc);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    std::string junk = "\x16\x03\x01 not http at all\r\n\r\n";
    asio::write(s, asio::buffer(junk));
    char buf[256];
    beast::error_code ec;
    size_t n = s.read_some(asio::buffer(buf), ec);
    std::string got(buf, n);
    EXPECT_NE(got.find("400"), std::string::npos) << got;
  }
  {
    // A client that opens a connection and never sends must not hold anyone up.
    asio::io_context ioc;
    tcp::socket idle(ioc);
    idle.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    asio::write(idle, asio::buffer(std::string("POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n{")));
    EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"add","params":[4,4]})")["result"], 8);
  }
}

TEST_F(Fixture, SlowHandlerDoesNotBlockOtherClients) {
  std::thread slow([&] { post(R"({"jsonrpc":"2.0","id":1,"method":"sleep"})"); });
  std::this_thread::sleep_for(50ms);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,1]})")["result"], 2);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 400ms);
  slow.join();
}

TEST_F(Fixture, ConcurrentClients) {
  std::atomic<int> ok{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      HttpClient c(port);
      for (int i = 0; i < 200; ++i) {
        auto res = c.post(R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                          R"(,"method":"add","params":[)" + std::to_string(t) + "," +
                          std::to_string(i) + "]}");
        auto j = json::parse(res.body());
        if (j["id"] == i && j["result"] == t + i) ++ok;
      }
    });
  std::vector<std::thread> ws;
  for (int t = 0; t < 4; ++t)
    ws.emplace_back([&, t] {
      WsClient c(port);
      for (int i = 0; i < 100; ++i) {
        c.send(R"({"jsonrpc":"2.0","id":)" + std::to_string(i) + R"(,"method":"add","params":[)" +
               std::to_string(t) + "," + std::to_string(i) + "]}");
        auto j = json::parse(c.read());
        if (j["id"] == i && j["result"] == t + i) ++ok;
      }
      c.close();
    });
  for (auto& t : ts) t.join();
  for (auto& t : ws) t.join();
  EXPECT_EQ(ok.load(), 8 * 200 + 4 * 100);
}

TEST_F(Fixture, WebSocketCallsBatchesAndErrors) {
  WsClient c(port);
  c.send(R"({"jsonrpc":"2.0","id":1,"method":"add","params":[20,22]})");
  EXPECT_EQ(json::parse(c.read())["result"], 42);
  c.send(R"([{"jsonrpc":"2.0","id":1,"method":"add","params":[1,1]},{"jsonrpc":"2.0","id":2,"method":"nope"}])");
  auto r = json::parse(c.read());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1]["error"]["code"], -32601);
  c.send("{oops");
  EXPECT_EQ(json::parse(c.read())["error"]["code"], -32700);
  c.send(R"({"jsonrpc":"2.0","id":3,"method":"conn_id"})");
  EXPECT_TRUE(json::parse(c.read())["result"].is_number());
  // Over HTTP there is no connection to push to.
  EXPECT_TRUE(post(R"({"jsonrpc":"2.0","id":3,"method":"conn_id"})")["result"].is_null());
}

TEST_F(Fixture, SubscriptionsDeliverToTheirConnectionOnly) {
  WsClient a(port), b(port);
  a.send(R"({"jsonrpc":"2.0","id":1,"method":"sub","params":["blocks"]})");
  auto ida = json::parse(a.read())["result"];
  ASSERT_TRUE(ida.is_string());
  EXPECT_EQ(ida.get<std::string>().substr(0, 2), "0x");
  b.send(R"({"jsonrpc":"2.0","id":1,"method":"sub","params":["logs"]})");
  auto idb = json::parse(b.read())["result"];
  EXPECT_NE(ida, idb);
  EXPECT_EQ(hub.size(), 2u);

  publish("blocks", json{{"number", "0x1"}});
  auto n = json::parse(a.read());
  EXPECT_EQ(n["method"], "test_subscription");
  EXPECT_EQ(n["params"]["subscription"], ida);
  EXPECT_EQ(n["params"]["result"]["number"], "0x1");

  publish("logs", json("L"));
  n = json::parse(b.read());
  EXPECT_EQ(n["params"]["subscription"], idb);
  EXPECT_EQ(n["params"]["result"], "L");

  // b cannot cancel a's subscription; a can.
  b.send(json{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "unsub"}, {"params", {ida}}}.dump());
  EXPECT_EQ(json::parse(b.read())["result"], false);
  a.send(json{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "unsub"}, {"params", {ida}}}.dump());
  EXPECT_EQ(json::parse(a.read())["result"], true);
  publish("blocks", json("after"));
  a.send(R"({"jsonrpc":"2.0","id":9,"method":"echo"})");
  EXPECT_EQ(json::parse(a.read())["id"], 9);  // nothing was pushed before the reply

  // Closing the connection ends its subscriptions.
  b.close();
  for (int i = 0; i < 100 && hub.size() != 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(hub.size(), 0u);
}

TEST_F(Fixture, NoNotificationBeforeTheSubscriptionReply) {
  WsClient a(port);
  a.send(R"({"jsonrpc":"2.0","id":1,"method":"sub","params":["blocks","publish-now"]})");
  auto first = json::parse(a.read());
  ASSERT_EQ(first["id"], 1) << first.dump();
  json id = first["result"];
  publish("blocks", "late");
  auto n = json::parse(a.read());
  EXPECT_EQ(n["params"]["subscription"], id);
  EXPECT_EQ(n["params"]["result"], "late");
}

TEST_F(Fixture, NumericSubscriptionIds) {
  SubscriptionHub<int> sol(SubscriptionHub<int>::IdStyle::kNumber);
  WsClient c(port);
  c.send(R"({"jsonrpc":"2.0","id":1,"method":"conn_id"})");
  c.read();
  ASSERT_TRUE(last_conn);
  auto id0 = sol.add(last_conn, "accountNotification", 5);
  auto id1 = sol.add(last_conn, "slotNotification", 6);
  EXPECT_EQ(id0, 0);
  EXPECT_EQ(id1, 1);
  sol.publish([](int v) { return v == 6 ? std::vector<json>{json(v)} : std::vector<json>{}; });
  auto n = json::parse(c.read());
  EXPECT_EQ(n["method"], "slotNotification");
  EXPECT_EQ(n["params"]["subscription"], 1);
  EXPECT_EQ(n["params"]["result"], 6);
}

TEST_F(Fixture, ClientThatStopsReadingIsDropped) {
  server.reset();
  auto o = opts();
  o.max_ws_backlog_bytes = 256 * 1024;
  start(o);
  WsClient lazy(port);
  lazy.send(R"({"jsonrpc":"2.0","id":1,"method":"conn_id"})");
  lazy.read();
  auto conn = last_conn;
  ASSERT_TRUE(conn);
  std::string chunk(64 * 1024, 'x');
  bool dropped = false;
  for (int i = 0; i < 4000 && !dropped; ++i) dropped = !conn->send(chunk);  // up to 256 MiB
  EXPECT_TRUE(dropped);
  EXPECT_FALSE(conn->is_open());
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]})")["result"], 3);
}

TEST_F(Fixture, OversizedWebSocketMessageClosesOnlyThatConnection) {
  server.reset();
  auto o = opts();
  o.max_ws_message_bytes = 1024;
  start(o);
  WsClient c(port);
  c.send(std::string(4096, ' '));
  EXPECT_THROW(c.read(), std::exception);
  WsClient d(port);
  d.send(R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]})");
  EXPECT_EQ(json::parse(d.read())["result"], 3);
}

TEST(ServerCore, HandleWithoutSockets) {
  Server s;
  s.add_method("one", [](const json&) { return json(1); });
  CallContext ctx;
  EXPECT_EQ(s.handle(R"({"jsonrpc":"2.0","id":1,"method":"one"})", ctx),
            R"({"jsonrpc":"2.0","id":1,"result":1})");
  s.handle(R"([{"jsonrpc":"2.0","id":1,"method":"one"},{"jsonrpc":"2.0","id":2,"method":"two"}])", ctx);
  EXPECT_EQ(s.stats().calls, 3u);
  EXPECT_EQ(s.stats().call_errors, 1u);
  EXPECT_EQ(s.handle(R"({"jsonrpc":"2.0","method":"one"})", ctx), "");
  EXPECT_EQ(json::parse(s.handle("[", ctx))["error"]["code"], -32700);
}

TEST(ServerCore, BindFailureThrows) {
  ServerOptions o;
  o.port = 0;
  Server a(o);
  a.start();
  o.port = a.port();
  Server b(o);
  // reuse_address does not allow two listeners on one port.
  EXPECT_THROW(b.start(), std::runtime_error);
}

TEST(ServerCore, RandomIdsLookLikeGeth) {
  for (int i = 0; i < 100; ++i) {
    auto id = random_hex_id();
    ASSERT_GE(id.size(), 3u);
    EXPECT_EQ(id.substr(0, 2), "0x");
    EXPECT_NE(id[2], '0');
    EXPECT_LE(id.size(), 34u);
  }
}

}  // namespace

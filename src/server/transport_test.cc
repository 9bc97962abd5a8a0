// The transport against real sockets on 127.0.0.1 (port 0): what a client sees on the wire.
#include "server/transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "core/strings.h"

namespace phaseout::server {
namespace {

using namespace std::chrono_literals;

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool ok = false;  // a whole response was read
};

// A blocking HTTP/1.1 client over one socket (optionally TLS), reading exactly what the server
// sends.
class Client {
 public:
  explicit Client(std::uint16_t port, SSL_CTX* tls = nullptr) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (connected_ && tls) {
      ssl_ = SSL_new(tls);
      SSL_set_fd(ssl_, fd_);
      SSL_set_tlsext_host_name(ssl_, "localhost");
      connected_ = SSL_connect(ssl_) == 1;
    }
  }
  ~Client() {
    if (ssl_) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      const long n = ssl_ ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                          : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads until the head is complete and then the body by its framing; `head_only` for HEAD.
  Reply read(bool head_only = false, std::chrono::milliseconds timeout = 5s) {
    Reply r;
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(timeout)) return r;
    }
    const std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    r.status = std::atoi(head.substr(9, 3).c_str());
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos) {
      const std::size_t next = head.find("\r\n", pos + 2);
      const std::string line =
          head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        r.headers[toLower(line.substr(0, colon))] = std::string(trim(line.substr(colon + 1)));
      }
      pos = next;
    }
    if (head_only || r.status == 204 || r.status == 304) {
      r.ok = true;
      return r;
    }
    if (r.headers.count("content-length")) {
      const std::size_t n = std::stoul(r.headers["content-length"]);
      while (buffer_.size() < n) {
        if (!fill(timeout)) return r;
      }
      r.body = buffer_.substr(0, n);
      buffer_.erase(0, n);
      r.ok = true;
      return r;
    }
    if (r.headers["transfer-encoding"] == "chunked") {
      r.ok = true;
      return r;  // the caller reads the chunks
    }
    while (fill(timeout)) {
    }
    r.body = std::move(buffer_);
    buffer_.clear();
    r.ok = true;
    return r;
  }

  // The next chunk of a chunked body: its data, "" for the last chunk, nullopt on timeout/close.
  std::optional<std::string> readChunk(std::chrono::milliseconds timeout = 5s) {
    std::size_t eol;
    while ((eol = buffer_.find("\r\n")) == std::string::npos) {
      if (!fill(timeout)) return std::nullopt;
    }
    const std::size_t size = std::stoul(buffer_.substr(0, eol), nullptr, 16);
    while (buffer_.size() < eol + 2 + size + 2) {
      if (!fill(timeout)) return std::nullopt;
    }
    std::string data = buffer_.substr(eol + 2, size);
    buffer_.erase(0, eol + 2 + size + 2);
    return data;
  }

  // True when the server closes the connection within `timeout` (reading and dropping data).
  bool closedWithin(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 1))) <= 0) continue;
      char tmp[4096];
      const long n = ssl_ ? SSL_read(ssl_, tmp, sizeof tmp) : ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return true;
    }
    return false;
  }

  void closeNow() { ::shutdown(fd_, SHUT_RDWR); }

 private:
  bool fill(std::chrono::milliseconds timeout) {
    if (!ssl_ || SSL_pending(ssl_) == 0) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    }
    char tmp[16384];
    const long n = ssl_ ? SSL_read(ssl_, tmp, sizeof tmp) : ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buffer_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  bool connected_ = false;
  std::string buffer_;
};

// Echoes what the transport made of the request: "METHOD path q=v;... body".
Response echo(const Request& r, RequestLogFields& log) {
  Response out;
  if (r.path == "/missing") {
    out.status = 404;
    out.body = R"({"error":{"code":"NotFound","message":"no such thing"}})";
    return out;
  }
  out.content_type = "text/plain";
  out.body = r.method + " " + r.path;
  for (const auto& [n, v] : r.query) out.body += " " + n + "=" + v;
  if (!r.body.empty()) out.body += " body=" + std::to_string(r.body.size());
  out.headers.add("X-Peer", r.peer);
  out.headers.add("X-Tls", r.tls ? "1" : "0");
  out.headers.add("X-Bad", "a\r\nInjected: 1");
  log.person = "p-" + std::to_string(r.body.size());
  return out;
}

ServerConfig testConfig() {
  ServerConfig c;
  c.listen = "127.0.0.1:0";
  c.threads = 2;
  c.body_limit = 1024;
  c.header_limit = 2048;
  c.read_timeout_ms = 2000;
  c.idle_timeout_ms = 5000;
  return c;
}

std::unique_ptr<HttpServer> startServer(const ServerConfig& config, RequestHandler handler = echo,
                                        std::function<void()> on_stopping = {}) {
  auto server = HttpServer::start(config, std::move(handler), std::move(on_stopping));
  EXPECT_TRUE(server.isOk()) << server.status().toString();
  return server.isOk() ? std::move(*server) : nullptr;
}

void expectSecurityHeaders(const Reply& r) {
  EXPECT_EQ(r.headers.at("content-security-policy"), "default-src 'self'; frame-ancestors 'none'");
  EXPECT_EQ(r.headers.at("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.headers.at("referrer-policy"), "no-referrer");
  EXPECT_EQ(r.headers.at("cache-control"), "no-store");
}

TEST(TransportTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto server = startServer(testConfig());
  ASSERT_TRUE(server);
  EXPECT_GT(server->port(), 0);
  EXPECT_EQ(server->address(), "127.0.0.1:" + std::to_string(server->port()));
  Client c(server->port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send("GET /api/v1/devices?unit=pa%2F**&x=a+b HTTP/1.1\r\nHost: t\r\n\r\n"));
  Reply r = c.read();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /api/v1/devices unit=pa/** x=a b");
  EXPECT_EQ(r.headers["x-peer"], "127.0.0.1");
  EXPECT_EQ(r.headers["x-tls"], "0");
  EXPECT_EQ(r.headers.count("x-bad"), 0u);  // CR/LF in a value never splits the response
  EXPECT_EQ(r.headers.count("injected"), 0u);
  EXPECT_EQ(r.headers["content-type"], "text/plain");
  // Pipelined: two requests in one write, answered in order on the same connection.
  ASSERT_TRUE(
      c.send("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
             "GET /b HTTP/1.1\r\nHost: t\r\n\r\n"));
  r = c.read();
  EXPECT_EQ(r.body, "POST /a body=3");
  r = c.read();
  EXPECT_EQ(r.body, "GET /b");
  ASSERT_TRUE(c.send("HEAD /c HTTP/1.1\r\nHost: t\r\n\r\n"));
  r = c.read(/*head_only=*/true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-length"], "7");  // "HEAD /c"
  ASSERT_TRUE(c.send("GET /d HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  r = c.read();
  EXPECT_EQ(r.body, "GET /d");  // and not the body of the HEAD
  EXPECT_TRUE(c.closedWithin(2s));
}

TEST(TransportTest, HandlerStatusPassesThrough) {
  auto server = startServer(testConfig());
  Client c(server->port());
  ASSERT_TRUE(c.send("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n"));
  Reply r = c.read();
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.body, R"({"error":{"code":"NotFound","message":"no such thing"}})");
  ASSERT_TRUE(c.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(c.read().status, 200);  // still kept alive
}

TEST(TransportTest, OversizeBodyByContentLengthIs413BeforeTheBodyIsRead) {
  std::atomic<int> calls{0};
  auto server = startServer(testConfig(), [&](const Request& r, RequestLogFields& l) {
    ++calls;
    return echo(r, l);
  });
  Client c(server->port());
  ASSERT_TRUE(c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1025\r\n\r\n"));
  Reply r = c.read();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_NE(r.body.find("\"code\":\"resource_exhausted\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("larger than the limit of 1024 bytes"), std::string::npos) << r.body;
  expectSecurityHeaders(r);
  EXPECT_TRUE(c.closedWithin(3s));
  EXPECT_EQ(calls, 0);

  // At the limit exactly is fine.
  Client ok(server->port());
  ASSERT_TRUE(ok.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n" +
                      std::string(1024, 'x')));
  EXPECT_EQ(ok.read().body, "POST /upload body=1024");

  // With 100-continue, the client is told to send only when the body fits.
  Client cont(server->port());
  ASSERT_TRUE(cont.send(
      "POST /u HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  Reply interim = cont.read(true);
  EXPECT_EQ(interim.status, 100);
  ASSERT_TRUE(cont.send("abc"));
  EXPECT_EQ(cont.read().body, "POST /u body=3");
}

TEST(TransportTest, OversizeChunkedBodyIs413) {
  auto server = startServer(testConfig());
  Client c(server->port());
  std::string request = "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) request += "200\r\n" + std::string(512, 'y') + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(c.send(request));
  Reply r = c.read();
  EXPECT_EQ(r.status, 413);
  expectSecurityHeaders(r);
  EXPECT_TRUE(c.closedWithin(3s));

  Client ok(server->port());
  ASSERT_TRUE(
      ok.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
              "4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n"));
  EXPECT_EQ(ok.read().body, "POST /upload body=6");
}

TEST(TransportTest, OversizeHeadersAre431) {
  auto server = startServer(testConfig());
  Client c(server->port());
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(3000, 'h') + "\r\n\r\n"));
  Reply r = c.read();
  EXPECT_EQ(r.status, 431);
  expectSecurityHeaders(r);
  EXPECT_TRUE(c.closedWithin(3s));
  Client line(server->port());
  ASSERT_TRUE(line.send("GET /" + std::string(3000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(line.read().status, 431);
}

TEST(TransportTest, MalformedRequestsAre400AndClosed) {
  std::atomic<int> calls{0};
  auto server = startServer(testConfig(), [&](const Request& r, RequestLogFields& l) {
    ++calls;
    return echo(r, l);
  });
  for (const std::string bad : {
           "GARBAGE\r\n\r\n",
           "GET / HTTP/9.9\r\n\r\n",
           "GET /\r\n\r\n",
           "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
           "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
           "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
           "GET /../../etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n",
           "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n",
           "GET /a%00b HTTP/1.1\r\nHost: t\r\n\r\n",
           "GET http://evil/ HTTP/1.1\r\nHost: t\r\n\r\n",
       }) {
    Client c(server->port());
    ASSERT_TRUE(c.send(bad));
    Reply r = c.read();
    EXPECT_EQ(r.status, 400) << bad;
    if (r.ok) {
      expectSecurityHeaders(r);
      EXPECT_NE(r.body.find("\"code\":\"invalid_argument\""), std::string::npos) << r.body;
    }
    EXPECT_TRUE(c.closedWithin(3s)) << bad;
  }
  EXPECT_EQ(calls, 0);
  Client c(server->port());
  ASSERT_TRUE(c.send("GET /still/up HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(c.read().status, 200);
}

TEST(TransportTest, SlowClientIsDroppedWhileOthersAreServed) {
  ServerConfig config = testConfig();
  config.threads = 1;
  config.read_timeout_ms = 400;
  auto server = startServer(config);
  Client slow(server->port());
  ASSERT_TRUE(slow.send("GET /slow HTTP/1.1\r\nHost:"));
  Client silent(server->port());  // connects and never sends
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    Client other(server->port());
    ASSERT_TRUE(other.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n"));
    EXPECT_EQ(other.read().body, "GET /fast");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 300ms);
  EXPECT_TRUE(slow.closedWithin(3s));
  EXPECT_TRUE(silent.closedWithin(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 350ms);
}

TEST(TransportTest, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  ServerConfig config = testConfig();
  config.idle_timeout_ms = 300;
  auto server = startServer(config);
  Client c(server->port());
  ASSERT_TRUE(c.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(c.read().status, 200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closedWithin(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
}

TEST(TransportTest, FiveHundredIdleConnectionsOnOneThread) {
  ServerConfig config = testConfig();
  config.threads = 1;
  config.idle_timeout_ms = 30000;
  auto server = startServer(config);
  std::vector<std::unique_ptr<Client>> idle;
  for (int i = 0; i < 500; ++i) {
    idle.push_back(std::make_unique<Client>(server->port()));
    ASSERT_TRUE(idle.back()->connected()) << i;
    ASSERT_TRUE(idle.back()->send("GET /i HTTP/1.1\r\nHost: t\r\n\r\n"));
  }
  for (auto& c : idle) ASSERT_EQ(c->read().status, 200);
  const auto start = std::chrono::steady_clock::now();
  Client fresh(server->port());
  ASSERT_TRUE(fresh.send("GET /fresh HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(fresh.read().body, "GET /fresh");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  // Every idle connection is still open and still served.
  for (std::size_t i = 0; i < idle.size(); i += 50) {
    ASSERT_TRUE(idle[i]->send("GET /again HTTP/1.1\r\nHost: t\r\n\r\n"));
    EXPECT_EQ(idle[i]->read().body, "GET /again") << i;
  }
}

// A handler whose response is a stream; the test holds the sink as a producer would.
struct StreamProducer {
  std::mutex mutex;
  std::vector<ChunkSink> sinks;
  bool push(const std::string& chunk) {
    std::lock_guard lock(mutex);
    bool any = false;
    for (auto& s : sinks) any = s(chunk) || any;
    return any;
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return sinks.size();
  }
  RequestHandler handler() {
    return [this](const Request& r, RequestLogFields&) {
      if (r.path != "/events") {
        RequestLogFields unused;
        return echo(r, unused);
      }
      Response out;
      out.content_type = "text/event-stream";
      out.open_stream = [this](ChunkSink sink) {
        std::lock_guard lock(mutex);
        sinks.push_back(std::move(sink));
      };
      return out;
    };
  }
};

bool waitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

TEST(TransportTest, StreamDeliversChunksAndNoticesTheClientLeaving) {
  ServerConfig config = testConfig();
  config.threads = 1;
  StreamProducer producer;
  auto server = startServer(config, producer.handler());
  Client c(server->port());
  ASSERT_TRUE(c.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n"));
  Reply head = c.read();
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers["content-type"], "text/event-stream");
  EXPECT_EQ(head.headers["transfer-encoding"], "chunked");
  ASSERT_TRUE(waitFor([&] { return producer.count() == 1; }));
  // Another request is served while the stream is open, on the same single thread.
  Client other(server->port());
  ASSERT_TRUE(other.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(other.read().status, 200);
  // Chunks pushed from several threads all arrive.
  std::thread t1([&] { producer.push("data: a\n\n"); });
  std::thread t2([&] { producer.push("data: b\n\n"); });
  t1.join();
  t2.join();
  std::string got = c.readChunk().value_or("?") + c.readChunk().value_or("?");
  EXPECT_TRUE(got == "data: a\n\ndata: b\n\n" || got == "data: b\n\ndata: a\n\n") << got;
  EXPECT_TRUE(producer.push("data: c\n\n"));
  EXPECT_EQ(c.readChunk().value_or("?"), "data: c\n\n");
  c.closeNow();
  EXPECT_TRUE(waitFor([&] { return !producer.push(": ping\n\n"); }));
}

TEST(TransportTest, StreamEndsWhenTheProducerDropsTheSink) {
  StreamProducer producer;
  auto server = startServer(testConfig(), producer.handler());
  Client c(server->port());
  ASSERT_TRUE(c.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(c.read().status, 200);
  ASSERT_TRUE(waitFor([&] { return producer.count() == 1; }));
  EXPECT_TRUE(producer.push("data: 1\n\n"));
  EXPECT_EQ(c.readChunk().value_or("?"), "data: 1\n\n");
  {
    std::lock_guard lock(producer.mutex);
    producer.sinks.clear();
  }
  EXPECT_EQ(c.readChunk().value_or("?"), "");  // the last chunk
  EXPECT_TRUE(c.closedWithin(3s));
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("phaseout_transport_tls_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    cert_ = (dir_ / "cert.pem").string();
    key_ = (dir_ / "key.pem").string();
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=localhost -keyout '" +
        key_ + "' -out '" + cert_ + "' >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) GTEST_SKIP() << "openssl CLI not available";
    client_ctx_ = SSL_CTX_new(TLS_client_method());
    ASSERT_EQ(SSL_CTX_load_verify_locations(client_ctx_, cert_.c_str(), nullptr), 1);
    SSL_CTX_set_verify(client_ctx_, SSL_VERIFY_PEER, nullptr);
  }
  void TearDown() override {
    if (client_ctx_) SSL_CTX_free(client_ctx_);
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::string cert_;
  std::string key_;
  SSL_CTX* client_ctx_ = nullptr;
};

TEST_F(TlsTest, RoundTripOverTls) {
  ServerConfig config = testConfig();
  config.tls_cert = cert_;
  config.tls_key = key_;
  auto server = startServer(config);
  ASSERT_TRUE(server);
  EXPECT_TRUE(server->tls());
  Client c(server->port(), client_ctx_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send("GET /secure?a=1 HTTP/1.1\r\nHost: t\r\n\r\n"));
  Reply r = c.read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /secure a=1");
  EXPECT_EQ(r.headers["x-tls"], "1");
  ASSERT_TRUE(c.send("POST /again HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n\r\n"));
  EXPECT_EQ(c.read().status, 413);

  // A plain-text client gets nothing useful and the server stays up.
  Client plain(server->port());
  ASSERT_TRUE(plain.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_TRUE(plain.closedWithin(3s));
  Client again(server->port(), client_ctx_);
  ASSERT_TRUE(again.send("GET /b HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(again.read().body, "GET /b");
}

TEST_F(TlsTest, BadFilesAreNamed) {
  ServerConfig config = testConfig();
  config.tls_cert = (dir_ / "absent.pem").string();
  config.tls_key = key_;
  auto r = HttpServer::start(config, echo, {});
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().field(), "tls_cert");
  EXPECT_NE(r.status().message().find("absent.pem: cannot read"), std::string::npos);

  config.tls_cert = key_;  // a key is not a certificate
  r = HttpServer::start(config, echo, {});
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.status().message().find("key.pem: not a PEM certificate chain"), std::string::npos)
      << r.status().message();

  config.tls_cert = cert_;
  config.tls_key = cert_;
  r = HttpServer::start(config, echo, {});
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().field(), "tls_key");
  EXPECT_NE(r.status().message().find("cert.pem: not a PEM private key"), std::string::npos)
      << r.status().message();

  config.tls_key = "";
  r = HttpServer::start(config, echo, {});
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.status().message().find("go together"), std::string::npos);
}

TEST(TransportTest, StopDrainsARequestInFlight) {
  std::atomic<bool> handler_started{false};
  std::atomic<bool> stopping_called{false};
  StreamProducer producer;
  auto server = startServer(
      testConfig(),
      [&](const Request& r, RequestLogFields& l) {
        if (r.path == "/events") return producer.handler()(r, l);
        handler_started = true;
        std::this_thread::sleep_for(500ms);
        return echo(r, l);
      },
      [&] { stopping_called = true; });
  Client idle(server->port());
  ASSERT_TRUE(idle.send("GET /first HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(idle.read().status, 200);
  Client stream(server->port());
  ASSERT_TRUE(stream.send("GET /events HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(stream.read().status, 200);
  ASSERT_TRUE(waitFor([&] { return producer.count() == 1; }));
  handler_started = false;
  Client busy(server->port());
  ASSERT_TRUE(busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(waitFor([&] { return handler_started.load(); }));
  const auto port = server->port();
  std::thread stopper([&] { server->stop(); });
  Reply r = busy.read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /slow");
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_TRUE(idle.closedWithin(3s));
  EXPECT_EQ(stream.readChunk().value_or("?"), "");  // the stream was ended
  stopper.join();
  EXPECT_TRUE(stopping_called);
  EXPECT_FALSE(producer.push("data: late\n\n"));
  Client late(port);
  EXPECT_FALSE(late.connected() && late.send("GET / HTTP/1.1\r\n\r\n") && late.read().ok);
}

TEST(TransportTest, LogsOneJsonLinePerRequestWithoutQueryOrHeaders) {
  auto server = startServer(testConfig());
  testing::internal::CaptureStderr();
  {
    Client c(server->port());
    ASSERT_TRUE(
        c.send("POST /api/v1/login?token=s3cret HTTP/1.1\r\nHost: t\r\n"
               "Cookie: session=c00kie\r\nAuthorization: Bearer b3arer\r\n"
               "Content-Length: 2\r\n\r\nab"));
    EXPECT_EQ(c.read().status, 200);
    ASSERT_TRUE(c.send("GARBAGE\r\n\r\n"));
    EXPECT_EQ(c.read().status, 400);
  }
  server->stop();
  const std::string log = testing::internal::GetCapturedStderr();
  const auto lines = splitList(log, '\n');
  ASSERT_EQ(lines.size(), 2u) << log;
  EXPECT_EQ(lines[0].rfind("{\"time\":\"", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(R"("method":"POST","path":"/api/v1/login","status":200,"ms":)"),
            std::string::npos)
      << lines[0];
  EXPECT_NE(lines[0].find(R"("person":"p-2"})"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(R"("status":400)"), std::string::npos) << lines[1];
  for (const char* secret : {"s3cret", "c00kie", "b3arer"}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  }
}

TEST(TransportTest, ListenErrorsAreClear) {
  auto server = startServer(testConfig());
  ServerConfig config = testConfig();
  config.listen = server->address();
  auto r = HttpServer::start(config, echo, {});
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("cannot listen on " + server->address()), std::string::npos);
  config.listen = "nonsense";
  r = HttpServer::start(config, echo, {});
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().field(), "listen");
}

TEST(TransportTest, ListensOnIpv6Loopback) {
  ServerConfig config = testConfig();
  config.listen = "[::1]:0";
  auto r = HttpServer::start(config, echo, {});
  if (!r.isOk()) GTEST_SKIP() << "no IPv6 loopback here: " << r.status().toString();
  EXPECT_EQ((*r)->address(), "[::1]:" + std::to_string((*r)->port()));
}

}  // namespace
}  // namespace phaseout::server

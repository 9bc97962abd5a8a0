// The HTTP transport on Boost.Beast. This is the only file that includes Beast or Asio: their
// headers are heavy, and nothing else needs to know which library carries the bytes.
#include "server/transport.h"

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/date.h"
#include "core/json_writer.h"
#include "core/strings.h"

namespace phaseout::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

using SteadyClock = std::chrono::steady_clock;

// A response (or a chunk of a stream) must be taken by the client within this, else the
// connection is dropped: a client that stops reading cannot hold the server's memory.
constexpr auto kWriteTimeout = std::chrono::seconds(30);
// After an error response the connection is closed; what the client still sends is read and
// discarded for at most this long, so it receives the response rather than a reset.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
// A stream whose client reads slower than the producer writes is dropped past this backlog.
constexpr std::size_t kMaxStreamBacklogBytes = std::size_t{4} << 20;
constexpr std::size_t kReadChunkBytes = 4096;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::int64_t wallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void logRequest(std::string_view method, std::string_view path, int status,
                SteadyClock::time_point started, std::string_view person) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started).count();
  std::string line;
  line.reserve(128 + path.size());
  line += '{';
  appendJsonKey(line, "time", true);
  appendJsonString(line, formatUtcTimestamp(wallClockMs()));
  appendJsonKey(line, "method");
  appendJsonString(line, method);
  appendJsonKey(line, "path");
  appendJsonString(line, path);
  appendJsonKey(line, "status");
  appendJsonInt(line, status);
  appendJsonKey(line, "ms");
  appendJsonInt(line, ms);
  appendJsonKey(line, "person");
  appendJsonString(line, person);
  line += "}\n";
  // One write per line, so lines from several threads never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

bool isToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool isSafeFieldValue(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

// Copies the Response's status and headers onto a Beast message. A header a handler built
// with CR/LF in it is dropped rather than allowed to split the response.
template <class Message>
void fillHead(Message& message, const Response& response) {
  const int status = response.status >= 100 && response.status <= 599 ? response.status : 500;
  message.result(static_cast<unsigned>(status));
  if (!response.content_type.empty() && isSafeFieldValue(response.content_type)) {
    message.set(http::field::content_type, response.content_type);
  }
  for (const auto& [name, value] : response.headers.all()) {
    if (!isToken(name) || !isSafeFieldValue(value)) continue;
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
        iequals(name, "Connection")) {
      continue;  // framing is the transport's
    }
    message.insert(name, value);
  }
}

// The API's spelling of the Status codes (api_support.cc's errorCodeName), so a client sees one
// error shape whoever answered.
const char* codeForStatus(int status) {
  switch (status) {
    case 400:
      return "invalid_argument";
    case 408:
      return "unavailable";
    case 413:
    case 431:
      return "resource_exhausted";
    default:
      return "internal";
  }
}

// A response made by the transport itself, in the API's error shape.
Response errorResponse(int status, std::string_view message) {
  Response r;
  r.status = status;
  r.body = "{\"error\":{\"code\":";
  appendJsonString(r.body, codeForStatus(status));
  r.body += ",\"message\":";
  appendJsonString(r.body, message);
  r.body += ",\"field\":null}}\n";
  addTransportSecurityHeaders(r.headers);
  return r;
}

// The path of a raw target, for the log line of a request that never became a Request: no
// query string (it may carry secrets).
std::string_view pathOfTarget(std::string_view target) {
  return target.substr(0, target.find('?'));
}

class ConnectionBase;

}  // namespace

struct HttpServer::Impl {
  ServerConfig config;
  RequestHandler handler;
  std::function<void()> on_stopping;
  std::string address;
  std::uint16_t port = 0;

  // Declared before the io_context: connections unregister on destruction, which can happen
  // while the io_context is being destroyed.
  std::mutex mutex;
  std::condition_variable connections_changed;
  std::unordered_map<ConnectionBase*, std::weak_ptr<ConnectionBase>> connections;
  std::atomic<bool> stopping{false};
  std::once_flag stop_once;

  std::optional<net::ssl::context> ssl;
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_retry;
  std::unique_ptr<net::thread_pool> workers;
  std::vector<std::thread> io_threads;

  void accept();
  void stop(std::int64_t drain_timeout_ms);

  void add(ConnectionBase* c, std::weak_ptr<ConnectionBase> w) {
    std::lock_guard lock(mutex);
    connections.emplace(c, std::move(w));
  }
  void remove(ConnectionBase* c) {
    std::lock_guard lock(mutex);
    connections.erase(c);
    connections_changed.notify_all();
  }
};

namespace {

// What every connection offers the server (stop) and a stream's sink, whatever its stream type.
class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  virtual ~ConnectionBase() = default;
  // Called on stop: an idle connection is closed, one with a request in flight answers it with
  // Connection: close, a stream is ended.
  virtual void postStop() = 0;
  virtual void postClose() = 0;
  virtual void postChunk(std::string chunk) = 0;
  virtual void postEndStream() = 0;
};

// Shared by every copy of a ChunkSink: when the last copy goes, the stream ends.
struct StreamHandle {
  std::weak_ptr<ConnectionBase> connection;
  std::shared_ptr<std::atomic<bool>> open;
  ~StreamHandle() {
    if (auto c = connection.lock()) c->postEndStream();
  }
};

template <class Stream>
class Connection final : public ConnectionBase {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Connection(HttpServer::Impl& server, Stream stream)
      : server_(server), stream_(std::move(stream)) {}
  ~Connection() override { server_.remove(this); }

  void start() {
    server_.add(this, weak_from_this());
    peer_ = remoteAddress();
    net::dispatch(stream_.get_executor(), [self = self()] {
      if constexpr (kTls) {
        self->state_ = State::kIdle;
        self->lowest().expires_after(self->readTimeout());
        self->stream_.async_handshake(net::ssl::stream_base::server, [self](beast::error_code ec) {
          ec ? self->close() : self->waitForRequest(true);
        });
      } else {
        self->waitForRequest(true);
      }
    });
  }

  void postStop() override {
    net::post(stream_.get_executor(), [self = self()] { self->onStop(); });
  }
  void postClose() override {
    net::post(stream_.get_executor(), [self = self()] { self->close(); });
  }
  void postChunk(std::string chunk) override {
    net::post(stream_.get_executor(), [self = self(), chunk = std::move(chunk)]() mutable {
      self->queueChunk(std::move(chunk));
    });
  }
  void postEndStream() override {
    net::post(stream_.get_executor(), [self = self()] { self->endStream(); });
  }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kStreaming, kClosed };

  std::shared_ptr<Connection> self() {
    return std::static_pointer_cast<Connection>(shared_from_this());
  }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  std::chrono::milliseconds readTimeout() const {
    return std::chrono::milliseconds(server_.config.read_timeout_ms);
  }
  std::string remoteAddress() {
    beast::error_code ec;
    const auto endpoint = lowest().socket().remote_endpoint(ec);
    return ec ? std::string() : endpoint.address().to_string();
  }

  // Waits for the first bytes of the next request: a new connection within the read timeout,
  // a kept-alive one within the idle timeout.
  void waitForRequest(bool first) {
    if (server_.stopping) return close();
    state_ = State::kIdle;
    if (buffer_.size() > 0) return readHeader();  // a pipelined request is already here
    lowest().expires_after(first ? readTimeout()
                                 : std::chrono::milliseconds(server_.config.idle_timeout_ms));
    stream_.async_read_some(buffer_.prepare(kReadChunkBytes),
                            [self = self()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->close();
                              self->buffer_.commit(n);
                              self->readHeader();
                            });
  }

  void readHeader() {
    state_ = State::kReading;
    started_ = SteadyClock::now();
    method_.clear();
    path_.clear();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.config.header_limit));
    parser_->body_limit(server_.config.body_limit);
    // The whole request, from its first byte, must arrive within the read timeout.
    lowest().expires_after(readTimeout());
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = self()](beast::error_code ec, std::size_t) {
                              ec ? self->readFailed(ec) : self->onHeader();
                            });
  }

  void onHeader() {
    auto& request = parser_->get();
    method_ = std::string(request.method_string());
    path_ = std::string(pathOfTarget(request.target()));
    if (const auto length = parser_->content_length();
        length && *length > server_.config.body_limit) {
      return sendError(413, "the request body is larger than the limit of " +
                                std::to_string(server_.config.body_limit) + " bytes");
    }
    if (request.version() >= 11 && iequals(request[http::field::expect], "100-continue") &&
        !parser_->is_done()) {
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = self()](beast::error_code ec, std::size_t) {
                         ec ? self->close() : self->readBody();
                       });
      return;
    }
    readBody();
  }

  void readBody() {
    if (parser_->is_done()) return onRequest();
    http::async_read(stream_, buffer_, *parser_,
                     [self = self()](beast::error_code ec, std::size_t) {
                       ec ? self->readFailed(ec) : self->onRequest();
                     });
  }

  void readFailed(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      return sendError(431, "the request line and headers are larger than the limit of " +
                                std::to_string(server_.config.header_limit) + " bytes");
    }
    if (ec == http::error::body_limit) {
      return sendError(413, "the request body is larger than the limit of " +
                                std::to_string(server_.config.body_limit) + " bytes");
    }
    if (ec == beast::error::timeout) {
      // The socket is already closed by the timer: nothing can be answered, only logged.
      logRequest(method_, path_, 408, started_, "");
      return close();
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec.category() != http::make_error_code(http::error::end_of_stream).category()) {
      return close();  // the client went away or the socket failed: nobody to answer
    }
    sendError(400, "malformed HTTP request: " + ec.message());
  }

  void onRequest() {
    state_ = State::kHandling;
    auto message = parser_->release();
    parser_.reset();
    auto request = std::make_shared<Request>();
    request->method = std::string(message.method_string());
    request->target = std::string(message.target());
    if (Status s = parseRequestTarget(request->target, request->path, request->query); !s) {
      return sendError(400, s.message());
    }
    path_ = request->path;
    for (const auto& field : message) {
      request->headers.add(std::string(field.name_string()), std::string(field.value()));
    }
    request->body = std::move(message.body());
    request->peer = peer_;
    request->tls = kTls;
    head_only_ = message.method() == http::verb::head;
    keep_alive_ = message.keep_alive();
    // No read is outstanding while the handler runs; the work guard keeps the I/O threads up
    // until the answer is posted back.
    net::post(*server_.workers, [self = self(), request,
                                 work = net::make_work_guard(stream_.get_executor())] {
      auto log = std::make_shared<RequestLogFields>();
      auto response = std::make_shared<Response>();
      try {
        *response = self->server_.handler(*request, *log);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "phaseout: internal error in a request handler: %s\n", e.what());
        *response = errorResponse(500, "internal error");
      } catch (...) {
        *response = errorResponse(500, "internal error");
      }
      net::post(self->stream_.get_executor(),
                [self, response, log] { self->respond(std::move(*response), log->person); });
    });
  }

  void respond(Response response, const std::string& person) {
    if (state_ == State::kClosed) return;
    if (response.open_stream && !head_only_) return startStream(std::move(response), person);
    const bool keep_alive = keep_alive_ && !server_.stopping;
    logRequest(method_, path_, response.status, started_, person);
    if (head_only_) {
      auto message = std::make_shared<http::response<http::empty_body>>();
      fillHead(*message, response);
      message->keep_alive(keep_alive);
      message->content_length(response.body.size());
      write(message);
    } else {
      auto message = std::make_shared<http::response<http::string_body>>();
      fillHead(*message, response);
      message->keep_alive(keep_alive);
      const unsigned status = message->result_int();
      if (status == 204 || status == 304 || status < 200) {
        message->erase(http::field::content_type);
      } else {
        message->body() = std::move(response.body);
      }
      message->prepare_payload();
      write(message);
    }
  }

  template <class Message>
  void write(std::shared_ptr<Message> message) {
    state_ = State::kWriting;
    lowest().expires_after(kWriteTimeout);
    http::async_write(stream_, *message,
                      [self = self(), message](beast::error_code ec, std::size_t) {
                        if (ec) return self->close();
                        if (!message->keep_alive()) return self->lingeringClose();
                        self->waitForRequest(false);
                      });
  }

  // Answers a request the transport refuses itself, then closes the connection.
  void sendError(int status, std::string_view message) {
    logRequest(method_, path_, status, started_, "");
    Response response = errorResponse(status, message);
    auto out = std::make_shared<http::response<http::string_body>>();
    out->version(11);
    fillHead(*out, response);
    out->keep_alive(false);
    out->body() = std::move(response.body);
    out->prepare_payload();
    head_only_ = false;
    write(out);
  }

  // Half-closes the connection and reads what the client still sends for a moment, so that a
  // client in the middle of sending a refused body reads our answer instead of a reset.
  void lingeringClose() {
    state_ = State::kClosed;
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    linger_until_ = SteadyClock::now() + kLingerTimeout;
    lowest().expires_after(kLingerTimeout);
    drain();
  }

  void drain() {
    buffer_.clear();
    lowest().async_read_some(buffer_.prepare(kReadChunkBytes),
                             [self = self()](beast::error_code ec, std::size_t) {
                               if (ec || SteadyClock::now() >= self->linger_until_) {
                                 return self->close();
                               }
                               self->drain();
                             });
  }

  void close() {
    if (stream_open_) stream_open_->store(false);
    state_ = State::kClosed;
    chunks_.clear();
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close();
  }

  void onStop() {
    switch (state_) {
      case State::kIdle:
        return close();
      case State::kStreaming:
        return endStream();
      default:
        return;  // a request in flight: its answer says Connection: close
    }
  }

  // --- streamed responses (server-sent events) ---

  void startStream(Response response, const std::string& person) {
    logRequest(method_, path_, response.status, started_, person);
    stream_head_ = std::make_shared<http::response<http::empty_body>>();
    fillHead(*stream_head_, response);
    stream_head_->keep_alive(false);
    stream_head_->chunked(true);
    stream_serializer_ =
        std::make_shared<http::response_serializer<http::empty_body>>(*stream_head_);
    state_ = State::kWriting;
    lowest().expires_after(kWriteTimeout);
    http::async_write_header(
        stream_, *stream_serializer_,
        [self = self(), open = std::move(response.open_stream)](beast::error_code ec, std::size_t) {
          if (ec) return self->close();
          self->onStreamOpen(open);
        });
  }

  void onStreamOpen(const std::function<void(ChunkSink)>& open) {
    state_ = State::kStreaming;
    lowest().expires_never();
    stream_open_ = std::make_shared<std::atomic<bool>>(true);
    watchClient();
    auto handle = std::make_shared<StreamHandle>();
    handle->connection = weak_from_this();
    handle->open = stream_open_;
    ChunkSink sink = [handle](std::string chunk) {
      if (!handle->open->load()) return false;
      auto c = handle->connection.lock();
      if (!c) return false;
      c->postChunk(std::move(chunk));
      return true;
    };
    if (server_.stopping) {
      endStream();
      stream_open_->store(false);
    }
    // The producer may do work to register the sink; it runs on a worker, not the I/O thread.
    net::post(*server_.workers, [open, sink = std::move(sink),
                                 work = net::make_work_guard(stream_.get_executor())]() mutable {
      open(std::move(sink));
    });
  }

  // Reads while streaming: a client never sends anything on a stream, so any end of the read
  // means it has gone.
  void watchClient() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kReadChunkBytes),
                            [self = self()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              if (self->state_ == State::kStreaming) self->watchClient();
                            });
  }

  void queueChunk(std::string chunk) {
    if (state_ != State::kStreaming || ending_ || chunk.empty()) return;
    backlog_bytes_ += chunk.size();
    if (backlog_bytes_ > kMaxStreamBacklogBytes) return close();
    chunks_.push_back(std::move(chunk));
    if (!writing_) writeNextChunk();
  }

  void endStream() {
    if (state_ != State::kStreaming || ending_) return;
    ending_ = true;
    if (stream_open_) stream_open_->store(false);
    if (!writing_) writeNextChunk();
  }

  void writeNextChunk() {
    if (state_ != State::kStreaming) return;
    if (chunks_.empty()) {
      if (!ending_) return;
      writing_ = true;
      lowest().expires_after(kWriteTimeout);
      net::async_write(stream_, http::make_chunk_last(),
                       [self = self()](beast::error_code, std::size_t) {
                         // The client has everything; it never sends on a stream, so there is
                         // nothing to linger for.
                         self->writing_ = false;
                         self->close();
                       });
      return;
    }
    writing_ = true;
    lowest().expires_after(kWriteTimeout);
    net::async_write(stream_, http::make_chunk(net::buffer(chunks_.front())),
                     [self = self()](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       if (ec || self->state_ != State::kStreaming) return self->close();
                       self->backlog_bytes_ -= self->chunks_.front().size();
                       self->chunks_.pop_front();
                       if (self->chunks_.empty() && !self->ending_) {
                         self->lowest().expires_never();
                       }
                       self->writeNextChunk();
                     });
  }

  HttpServer::Impl& server_;
  Stream stream_;
  std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  State state_ = State::kIdle;
  SteadyClock::time_point started_ = SteadyClock::now();
  SteadyClock::time_point linger_until_;
  std::string method_;
  std::string path_;
  bool head_only_ = false;
  bool keep_alive_ = false;
  // Stream state (on the connection's strand).
  std::shared_ptr<http::response<http::empty_body>> stream_head_;
  std::shared_ptr<http::response_serializer<http::empty_body>> stream_serializer_;
  std::shared_ptr<std::atomic<bool>> stream_open_;
  std::deque<std::string> chunks_;
  std::size_t backlog_bytes_ = 0;
  bool writing_ = false;
  bool ending_ = false;
};

Status loadTls(net::ssl::context& ssl, const ServerConfig& config) {
  for (const auto* file : {&config.tls_cert, &config.tls_key}) {
    if (!std::ifstream(*file)) {
      return invalidField(file == &config.tls_cert ? "tls_cert" : "tls_key",
                          *file + ": cannot read");
    }
  }
  ssl.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                  net::ssl::context::no_sslv3 | net::ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ssl.native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  ssl.use_certificate_chain_file(config.tls_cert, ec);
  if (ec) {
    return invalidField("tls_cert",
                        config.tls_cert + ": not a PEM certificate chain (" + ec.message() + ")");
  }
  ssl.use_private_key_file(config.tls_key, net::ssl::context::pem, ec);
  if (ec) {
    return invalidField("tls_key",
                        config.tls_key + ": not a PEM private key (" + ec.message() + ")");
  }
  if (SSL_CTX_check_private_key(ssl.native_handle()) != 1) {
    return invalidField("tls_key",
                        config.tls_key + ": does not match the certificate in " + config.tls_cert);
  }
  return Status::ok();
}

}  // namespace

void HttpServer::Impl::accept() {
  acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping) return;
    if (ec) {
      if (ec == net::error::operation_aborted) return;
      // Out of descriptors or a transient failure: try again shortly rather than spin.
      accept_retry->expires_after(std::chrono::milliseconds(100));
      accept_retry->async_wait([this](beast::error_code e) {
        if (!e && !stopping) accept();
      });
      return;
    }
    socket.set_option(tcp::no_delay(true), ec);
    if (ssl) {
      std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(
          *this, beast::ssl_stream<beast::tcp_stream>(std::move(socket), *ssl))
          ->start();
    } else {
      std::make_shared<Connection<beast::tcp_stream>>(*this, beast::tcp_stream(std::move(socket)))
          ->start();
    }
    accept();
  });
}

void HttpServer::Impl::stop(std::int64_t drain_timeout_ms) {
  std::call_once(stop_once, [&] {
    stopping = true;
    // The acceptor lives on its strand; close it there and wait, so no connection is accepted
    // once stop() goes on.
    std::promise<void> closed;
    net::post(acceptor->get_executor(), [&] {
      beast::error_code ec;
      acceptor->close(ec);
      accept_retry->cancel();
      closed.set_value();
    });
    closed.get_future().wait();
    if (on_stopping) on_stopping();
    auto each = [&](auto&& fn) {
      std::vector<std::shared_ptr<ConnectionBase>> live;
      {
        std::lock_guard lock(mutex);
        for (auto& [p, w] : connections) {
          if (auto c = w.lock()) live.push_back(std::move(c));
        }
      }
      for (auto& c : live) fn(*c);
    };
    each([](ConnectionBase& c) { c.postStop(); });
    {
      std::unique_lock lock(mutex);
      connections_changed.wait_for(lock, std::chrono::milliseconds(drain_timeout_ms),
                                   [&] { return connections.empty(); });
    }
    each([](ConnectionBase& c) { c.postClose(); });
    {
      std::unique_lock lock(mutex);
      connections_changed.wait_for(lock, std::chrono::seconds(5),
                                   [&] { return connections.empty(); });
    }
    workers->join();
    work.reset();
    ioc.stop();
    for (auto& t : io_threads) t.join();
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  if (impl_) impl_->stop(0);
}

std::uint16_t HttpServer::port() const { return impl_->port; }
std::string HttpServer::address() const { return impl_->address; }
bool HttpServer::tls() const { return impl_->ssl.has_value(); }
void HttpServer::stop(std::int64_t drain_timeout_ms) { impl_->stop(drain_timeout_ms); }

Result<std::unique_ptr<HttpServer>> HttpServer::start(const ServerConfig& config,
                                                      RequestHandler handler,
                                                      std::function<void()> on_stopping) {
  auto listen = parseListenAddress(config.listen);
  if (!listen) return listen.status();
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return invalidField(config.tls_cert.empty() ? "tls_cert" : "tls_key",
                        "tls_cert and tls_key go together: give both or neither");
  }
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->handler = std::move(handler);
  impl->on_stopping = std::move(on_stopping);
  if (!config.tls_cert.empty()) {
    impl->ssl.emplace(net::ssl::context::tls_server);
    PH_RETURN_IF_ERROR(loadTls(*impl->ssl, config));
  }
  const std::string host = listen->host.empty() ? "0.0.0.0" : listen->host;
  const std::string where = formatListenAddress(host, listen->port);
  beast::error_code ec;
  tcp::resolver resolver(impl->ioc);
  const auto endpoints =
      resolver.resolve(host, std::to_string(listen->port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return invalidField("listen",
                        "'" + config.listen + "': cannot resolve the host (" + ec.message() + ")");
  }
  const tcp::endpoint endpoint = *endpoints.begin();
  impl->acceptor.emplace(net::make_strand(impl->ioc));
  impl->accept_retry.emplace(impl->acceptor->get_executor());
  auto& acceptor = *impl->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return unavailable("cannot listen on " + where + ": " + ec.message());
  const auto bound = acceptor.local_endpoint(ec);
  impl->port = bound.port();
  impl->address = formatListenAddress(bound.address().to_string(), impl->port);

  int threads =
      config.threads > 0 ? config.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(threads, 1);
  impl->workers = std::make_unique<net::thread_pool>(static_cast<std::size_t>(threads));
  impl->work.emplace(impl->ioc.get_executor());
  impl->accept();
  for (int i = 0; i < threads; ++i) {
    impl->io_threads.emplace_back([ioc = &impl->ioc] { ioc->run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

Status runServer(const ServerConfig& config, RequestHandler handler,
                 std::function<void()> on_stopping,
                 std::function<void(const HttpServer&)> on_listening) {
  // The signals are waited for on a small io_context of their own, so that the stop sequence
  // runs on this thread while the server's threads drain.
  net::io_context signals_ioc;
  net::signal_set signals(signals_ioc, SIGTERM, SIGINT);
  auto server = HttpServer::start(config, std::move(handler), std::move(on_stopping));
  if (!server) return server.status();
  if (on_listening) on_listening(**server);
  signals.async_wait([](beast::error_code, int) {});
  signals_ioc.run();
  (*server)->stop();
  return Status::ok();
}

}  // namespace phaseout::server

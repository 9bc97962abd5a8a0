// The HTTP transport: turns connections into server::Request values, calls one RequestHandler,
// and writes its Response back (Boost.Beast over Asio; the reasons are in
// docs/architecture.md). Nothing else in phaseout sees the HTTP library.
//
// - Accepts on one listen address (IPv4 or IPv6 host:port), plain or TLS (OpenSSL; the
//   certificate chain and key are PEM files).
// - A fixed set of I/O threads runs every connection asynchronously: an idle keep-alive
//   connection or an open event stream costs memory, not a thread. Handlers run on a separate
//   pool of `threads` workers, so a slow handler never stalls reading or writing.
// - Limits answered by the transport itself, before the handler: request line + headers over
//   header_limit is 431, a body over body_limit is 413 (by Content-Length before any of it is
//   read, or while a chunked body arrives), malformed HTTP or an unusable target is 400; each
//   closes the connection. A request must arrive whole within read_timeout_ms (a client that
//   stalls mid-request gets 408 and is closed); a keep-alive connection idle longer than
//   idle_timeout_ms is closed.
// - Response::open_stream: the head is sent with chunked encoding, then open_stream is called
//   once with a ChunkSink. The sink may be called from any thread; each chunk is queued on the
//   connection. It returns false once the client has gone (or the server is stopping). The
//   stream ends, with the last chunk, when every copy of the sink has been destroyed, or when
//   the server stops.
// - One JSON line per request on stderr: {"time","method","path","status","ms","person"}; the
//   path is logged without its query string, and no header (cookies, Authorization) is logged.
// - stop(): stops accepting, calls on_stopping (the Application ends its streams), closes idle
//   connections, lets requests in flight finish (their responses say Connection: close), ends
//   remaining streams, and returns once every connection is closed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "server/app.h"
#include "server/http.h"

namespace phaseout::server {

struct ListenAddress {
  std::string host;  // "127.0.0.1", "::1", "localhost"; without brackets
  std::uint16_t port = 0;
};
// "127.0.0.1:8080", "[::1]:8080", "localhost:0", ":8080" (all addresses). InvalidArgument
// with field "listen" naming what is wrong.
Result<ListenAddress> parseListenAddress(std::string_view text);
// "127.0.0.1:8080" / "[::1]:8080".
std::string formatListenAddress(std::string_view host, std::uint16_t port);

// Splits an origin-form request target into its percent-decoded path and query pairs ('+'
// is a space in the query). InvalidArgument when the target does not start with '/', holds a
// bad escape, a NUL or invalid UTF-8, or a "." or ".." path segment (no traversal ever
// reaches a handler).
Status parseRequestTarget(std::string_view target, std::string& path,
                          std::vector<std::pair<std::string, std::string>>& query);

// The security headers of every response the transport makes itself (400, 408, 413, 431).
void addTransportSecurityHeaders(Headers& headers);

class HttpServer {
 public:
  // Binds and starts serving. InvalidArgument for a bad listen address or TLS file (naming
  // the file), Unavailable when the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> start(const ServerConfig& config,
                                                   RequestHandler handler,
                                                   std::function<void()> on_stopping);
  ~HttpServer();  // stop()s if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound address (the port is the real one when the config asked for port 0).
  std::uint16_t port() const;
  std::string address() const;  // "127.0.0.1:43127"
  bool tls() const;

  // Graceful stop (see above). Blocks until every connection is closed, or until
  // drain_timeout_ms has passed (then the rest are cut). Idempotent; any thread.
  void stop(std::int64_t drain_timeout_ms = 30000);

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `phaseout serve`: starts the server, calls on_listening once it listens, stops it gracefully
// on SIGTERM or SIGINT and returns Ok then.
Status runServer(const ServerConfig& config, RequestHandler handler,
                 std::function<void()> on_stopping,
                 std::function<void(const HttpServer&)> on_listening);

}  // namespace phaseout::server

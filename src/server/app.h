// The server's configuration and the Application: everything `phaseout serve` answers, as one
// RequestHandler the transport calls (server/transport.h runs it on a socket).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "server/http.h"
#include "service/accounts.h"

namespace phaseout::server {

// One webhook (server/webhooks.h): each verdict change POSTed to `url` as JSON, signed with
// HMAC-SHA256 under `secret`, retried with exponential backoff until delivered or
// `max_attempts` attempts failed.
struct WebhookConfig {
  std::string url;     // http:// or https://; no user:password@ (it would reach the logs)
  std::string secret;  // read from secret_file or secret_env; never written anywhere
  std::vector<std::string> directives;  // only these directives' changes; empty = every one
  std::int64_t timeout_ms = 10000;      // one attempt, connection included
  std::int64_t max_attempts = 10;
  std::int64_t backoff_initial_ms = 1000;  // doubled after each failure, plus jitter
  std::int64_t backoff_max_ms = 300000;
};

struct ServerConfig {
  std::string db_url;                     // --db / $PHASEOUT_DB, as the CLI
  std::string listen = "127.0.0.1:8080";  // host:port; loopback unless said otherwise
  std::string tls_cert;                   // PEM files; both or neither
  std::string tls_key;
  std::size_t body_limit = 10u << 20;    // bytes; larger bodies are 413
  std::size_t header_limit = 16u << 10;  // bytes of request line + headers; larger is 431
  std::int64_t read_timeout_ms = 10000;  // a request must arrive whole within this
  std::int64_t idle_timeout_ms = 60000;  // keep-alive connections idle longer are closed
  int threads = 0;                       // 0 = hardware concurrency
  service::RoleNames roles;
  // Single sign-on (both or neither).
  std::string oidc_issuer;
  std::string oidc_client_id;
  std::string public_url;  // the server's own URL as the browser sees it (OIDC redirect)
  std::vector<WebhookConfig> webhooks;
  std::int64_t webhook_poll_ms = 1000;  // how often verdicts and due retries are looked at
};

// Reads a YAML server config (keys as the fields above: listen, tls_cert, tls_key, body_limit,
// header_limit, read_timeout_ms, idle_timeout_ms, threads, roles: {security_officer,
// unit_officer, auditor}, oidc_issuer, oidc_client_id, public_url, webhooks: [{url, secret_file
// | secret_env, directives, timeout_ms, max_attempts, backoff_initial_ms, backoff_max_ms}],
// webhook_poll_ms; docs/webhooks.md); values given on the command line win. A relative
// secret_file is read from the config file's folder. InvalidArgument naming "file:line: key: what"
// for anything unknown or malformed.
Result<ServerConfig> loadServerConfig(const std::string& path, ServerConfig defaults);

class Application {
 public:
  // Opens the database (it must be initialised: FailedPrecondition naming `phaseout init`).
  static Result<std::unique_ptr<Application>> create(const ServerConfig& config);
  virtual ~Application() = default;

  // Thread-safe: the transport calls it from several threads at once.
  virtual Response handle(const Request& request, RequestLogFields& log) = 0;
  // Called once on SIGTERM after the listener closed: ends open event streams so the transport
  // can drain and exit.
  virtual void shutdown() = 0;
};

}  // namespace phaseout::server

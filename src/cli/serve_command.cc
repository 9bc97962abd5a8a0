// phaseout serve: the HTTP API (server::Application) on the transport (server::runServer).
// The one file of cli that includes server/: it only wires the two front doors together
// (scripts/check_deps.py names this exception).
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "server/app.h"
#include "server/transport.h"

namespace phaseout::cli {
namespace {

struct ServeFlags {
  std::string listen;
  std::string tls_cert;
  std::string tls_key;
  std::string config;
  std::string oidc_issuer;
  std::string oidc_client_id;
  std::string public_url;
  std::size_t body_limit = 0;
  int threads = -1;
};

// A Status about a server config field, phrased for the command line ("--listen: ...").
int reportServeError(const Status& status) {
  if (status.field().empty()) return reportError(status);
  std::string flag = status.field();
  for (char& c : flag) {
    if (c == '_') c = '-';
  }
  return reportError(Status(status.code(), "--" + flag + ": " + status.message()));
}

int runServe(const CommandContext& ctx, const ServeFlags& f) {
  server::ServerConfig config;
  if (!f.config.empty()) {
    auto loaded = server::loadServerConfig(f.config, config);
    if (!loaded.isOk()) return reportError(loaded.status());
    config = std::move(*loaded);
  }
  // The command line wins over the config file.
  config.db_url = ctx.db_path;
  if (!f.listen.empty()) config.listen = f.listen;
  if (!f.tls_cert.empty()) config.tls_cert = f.tls_cert;
  if (!f.tls_key.empty()) config.tls_key = f.tls_key;
  if (f.body_limit > 0) config.body_limit = f.body_limit;
  if (f.threads >= 0) config.threads = f.threads;
  if (!f.oidc_issuer.empty()) config.oidc_issuer = f.oidc_issuer;
  if (!f.oidc_client_id.empty()) config.oidc_client_id = f.oidc_client_id;
  if (!f.public_url.empty()) config.public_url = f.public_url;
  if (config.oidc_issuer.empty() != config.oidc_client_id.empty()) {
    return reportError(
        invalidArgument("--oidc-issuer and --oidc-client-id go together: give both or neither"));
  }
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return reportError(
        invalidArgument("--tls-cert and --tls-key go together: give both or neither"));
  }
  if (auto listen = server::parseListenAddress(config.listen); !listen.isOk()) {
    return reportServeError(listen.status());
  }

  auto app = server::Application::create(config);
  if (!app.isOk()) return reportError(app.status());
  server::Application& application = **app;
  const Status served = server::runServer(
      config,
      [&application](const server::Request& request, server::RequestLogFields& log) {
        return application.handle(request, log);
      },
      [&application] { application.shutdown(); },
      [](const server::HttpServer& running) {
        std::fprintf(stderr, "phaseout: serving on %s://%s\n", running.tls() ? "https" : "http",
                     running.address().c_str());
        std::fflush(stderr);
      });
  if (!served.isOk()) return reportServeError(served);
  std::fprintf(stderr, "phaseout: stopped\n");
  return kExitOk;
}

}  // namespace

void registerServeCommand(CLI::App& app, CommandContext& ctx) {
  auto f = std::make_shared<ServeFlags>();
  auto* serve = app.add_subcommand(
      "serve", "Serve the HTTP API (JSON, /api/v1) to the people of the directory");
  serve->add_option("--listen", f->listen,
                    "Address to listen on, HOST:PORT or [IPv6]:PORT (default: 127.0.0.1:8080, "
                    "loopback only)");
  serve->add_option("--tls-cert", f->tls_cert, "TLS certificate chain (PEM); needs --tls-key");
  serve->add_option("--tls-key", f->tls_key, "TLS private key (PEM); needs --tls-cert");
  serve->add_option("--config", f->config,
                    "Server config (YAML: listen, tls_cert, tls_key, body_limit, header_limit, "
                    "read_timeout_ms, idle_timeout_ms, threads, roles, oidc_issuer, "
                    "oidc_client_id, public_url, webhooks, webhook_poll_ms; see "
                    "docs/webhooks.md); flags win over it");
  serve
      ->add_option("--body-limit", f->body_limit,
                   "Largest request body in bytes; larger ones are refused with 413 "
                   "(default: 10485760)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  serve
      ->add_option("--threads", f->threads,
                   "Threads for connections and for requests (default: one per core)")
      ->check(CLI::Range(0, 256));
  serve->add_option("--oidc-issuer", f->oidc_issuer,
                    "Single sign-on: the OpenID provider's issuer URL; needs --oidc-client-id");
  serve->add_option("--oidc-client-id", f->oidc_client_id,
                    "Single sign-on: this server's client id at the provider");
  serve->add_option("--public-url", f->public_url,
                    "The server's URL as browsers reach it (for the sign-on redirect)");
  serve->footer(
      "Logs one JSON line per request on standard error. SIGTERM or SIGINT stops accepting, "
      "finishes the requests in flight and exits 0.");
  serve->callback([&ctx, f] { ctx.exit_code = runServe(ctx, *f); });
}

}  // namespace phaseout::cli

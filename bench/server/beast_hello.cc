// Boost.Beast, as phaseout serves with it: the hello answer through server::HttpServer (its
// limits, timeouts and per-request log line included; the log goes to stderr, redirected to
// /dev/null by run.sh). Usage: bench_server_beast PORT [THREADS]
#include <csignal>
#include <cstdio>

#include "bench/server/hello_body.h"
#include "server/transport.h"

int main(int argc, char** argv) {
  int port = 0;
  int threads = 0;
  if (!phaseout::bench::parseArgs(argc, argv, port, threads)) {
    std::fprintf(stderr, "usage: bench_server_beast PORT [THREADS]\n");
    return 1;
  }
  phaseout::server::ServerConfig config;
  config.listen = "127.0.0.1:" + std::to_string(port);
  config.threads = threads;
  const phaseout::Status s = phaseout::server::runServer(
      config,
      [](const phaseout::server::Request&, phaseout::server::RequestLogFields&) {
        phaseout::server::Response r;
        r.body = std::string(phaseout::bench::kHelloJson);
        return r;
      },
      {}, {});
  if (!s.isOk()) {
    std::fprintf(stderr, "%s\n", s.toString().c_str());
    return 1;
  }
  return 0;
}

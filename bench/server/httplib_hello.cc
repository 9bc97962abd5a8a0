// cpp-httplib 0.11 (Debian's libcpp-httplib-dev): the hello answer; a thread per connection
// from its pool. Usage: bench_server_httplib PORT [THREADS]
#include <httplib.h>

#include <cstdio>

#include "bench/server/hello_body.h"

int main(int argc, char** argv) {
  int port = 0;
  int threads = 0;
  if (!phaseout::bench::parseArgs(argc, argv, port, threads)) {
    std::fprintf(stderr, "usage: bench_server_httplib PORT [THREADS]\n");
    return 1;
  }
  httplib::Server server;
  // cpp-httplib serves each connection on a pool thread for as long as it stays open; its
  // default pool is max(8, cores - 1) threads. THREADS is honoured as given.
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(threads));
  };
  // Without it a response's head and body wait on Nagle's algorithm (about 40 ms per request).
  server.set_tcp_nodelay(true);
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(phaseout::bench::kHelloJson), "application/json");
  });
  if (!server.listen("127.0.0.1", port)) {
    std::fprintf(stderr, "bench_server_httplib: cannot listen on port %d\n", port);
    return 1;
  }
  return 0;
}

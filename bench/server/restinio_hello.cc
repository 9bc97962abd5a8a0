// RESTinio 0.6 (Debian's librestinio-dev) on Boost.Asio: the hello answer from a thread pool
// of THREADS. Usage: bench_server_restinio PORT [THREADS]
#include <cstdio>
#include <restinio/all.hpp>

#include "bench/server/hello_body.h"

int main(int argc, char** argv) {
  int port = 0;
  int threads = 0;
  if (!phaseout::bench::parseArgs(argc, argv, port, threads)) {
    std::fprintf(stderr, "usage: bench_server_restinio PORT [THREADS]\n");
    return 1;
  }
  using traits = restinio::default_traits_t;
  restinio::run(restinio::on_thread_pool<traits>(static_cast<std::size_t>(threads))
                    .port(static_cast<std::uint16_t>(port))
                    .address("127.0.0.1")
                    .request_handler([](auto req) {
                      return req->create_response()
                          .append_header(restinio::http_field::content_type, "application/json")
                          .set_body(std::string(phaseout::bench::kHelloJson))
                          .done();
                    }));
  return 0;
}

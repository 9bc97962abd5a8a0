// How fast rows leave PostgreSQL for a client, two ways, on one connection: a server-side cursor
// fetched 8,192 rows at a time (what phaseout's many-row reads were) and COPY (query) TO STDOUT
// (what they are). Each field of every row is touched. Prints the wall time, this process's CPU
// and the server backend's CPU (read from /proc: the server must run on this machine).
//
//   bench_pg_row_stream URL cursor|copy "SELECT ..."
#include <libpq-fe.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace {

double cpuSeconds() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

// utime + stime of process `pid`, in seconds (fields 14 and 15 of /proc/PID/stat).
double processCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::string field;
  long long ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::atoll(field.c_str());
  }
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

bool ok(PGresult* r, ExecStatusType want, PGconn* c) {
  const bool good = r != nullptr && PQresultStatus(r) == want;
  if (!good) std::fprintf(stderr, "bench_pg_row_stream: %s", PQerrorMessage(c));
  PQclear(r);
  return good;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || (std::strcmp(argv[2], "cursor") != 0 && std::strcmp(argv[2], "copy") != 0)) {
    std::fprintf(stderr, "usage: bench_pg_row_stream URL cursor|copy QUERY\n");
    return 2;
  }
  const std::string mode = argv[2];
  const std::string query = argv[3];
  PGconn* c = PQconnectdb(argv[1]);
  if (PQstatus(c) != CONNECTION_OK) {
    std::fprintf(stderr, "bench_pg_row_stream: %s", PQerrorMessage(c));
    return 1;
  }
  PGresult* pid_result = PQexec(c, "SELECT pg_backend_pid()");
  const int pid = std::atoi(PQgetvalue(pid_result, 0, 0));
  PQclear(pid_result);
  const double server0 = processCpuSeconds(pid);
  const double cpu0 = cpuSeconds();
  const auto wall0 = std::chrono::steady_clock::now();
  unsigned long long rows = 0, bytes = 0;
  if (mode == "cursor") {
    if (!ok(PQexec(c, "BEGIN"), PGRES_COMMAND_OK, c) ||
        !ok(PQexec(c, ("DECLARE rows NO SCROLL CURSOR FOR " + query).c_str()), PGRES_COMMAND_OK,
            c)) {
      return 1;
    }
    while (true) {
      PGresult* batch = PQexec(c, "FETCH FORWARD 8192 FROM rows");
      if (PQresultStatus(batch) != PGRES_TUPLES_OK) return ok(batch, PGRES_TUPLES_OK, c) ? 0 : 1;
      const int n = PQntuples(batch);
      const int fields = PQnfields(batch);
      for (int i = 0; i < n; ++i, ++rows) {
        for (int f = 0; f < fields; ++f) {
          bytes += static_cast<unsigned long long>(PQgetlength(batch, i, f)) +
                   static_cast<unsigned char>(PQgetvalue(batch, i, f)[0] != 0);
        }
      }
      PQclear(batch);
      if (n == 0) break;
    }
    if (!ok(PQexec(c, "COMMIT"), PGRES_COMMAND_OK, c)) return 1;
  } else {
    if (!ok(PQexec(c, ("COPY (" + query + ") TO STDOUT").c_str()), PGRES_COPY_OUT, c)) return 1;
    char* row = nullptr;
    int size = 0;
    while ((size = PQgetCopyData(c, &row, 0)) > 0) {
      ++rows;
      for (const char* p = row; p < row + size;) {  // every field, as a reader splits them
        const void* tab = std::memchr(p, '\t', static_cast<std::size_t>(row + size - p));
        const char* end = tab != nullptr ? static_cast<const char*>(tab) : row + size;
        bytes += static_cast<unsigned long long>(end - p) + 1;
        p = end + 1;
      }
      PQfreemem(row);
    }
    if (!ok(PQgetResult(c), PGRES_COMMAND_OK, c)) return 1;
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  std::printf("%s: %llu rows (%llu bytes) in %.2f s; client CPU %.2f s, server CPU %.2f s\n",
              mode.c_str(), rows, bytes, wall, cpuSeconds() - cpu0,
              processCpuSeconds(pid) - server0);
  PQfinish(c);
  return 0;
}

// The one JSON answer every hello-world server of the HTTP library comparison sends, so the
// servers differ only by their library.
#pragma once

#include <cstdlib>
#include <string_view>

namespace phaseout::bench {

inline constexpr std::string_view kHelloJson =
    R"({"directive":"pa-iphone-2023","as_of":"2023-04-01","devices":1000000,)"
    R"("in_scope":41250,"replaced":30118,"handed_in":9012,"overdue":2120,)"
    R"("units":[{"unit":"pa/hq","in_scope":1200,"overdue":31},)"
    R"({"unit":"pa/north","in_scope":9800,"overdue":512},)"
    R"({"unit":"pa/south","in_scope":30250,"overdue":1577}]})"
    "\n";

// "PORT [THREADS]" from the command line; THREADS defaults to 2.
inline bool parseArgs(int argc, char** argv, int& port, int& threads) {
  if (argc < 2) return false;
  port = std::atoi(argv[1]);
  threads = argc > 2 ? std::atoi(argv[2]) : 2;
  return port > 0 && threads > 0;
}

}  // namespace phaseout::bench

// Progress lines on stderr for long work, shown only when stderr is a terminal.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace phaseout::cli {

class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();
  // Redraws at most ten times a second. total 0 means unknown.
  void update(std::string_view stage, std::size_t done, std::size_t total);
  void finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace phaseout::cli

#include "cli/progress.h"

#include <cstdio>

#include "cli/commands.h"

namespace phaseout::cli {

Progress::Progress(std::string label) : label_(std::move(label)), enabled_(stderrIsTerminal()) {}

Progress::~Progress() { finish(); }

void Progress::update(std::string_view stage, std::size_t done, std::size_t total) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  if (total > 0) {
    std::fprintf(stderr, "\r\033[K%s: %.*s %zu/%zu (%.0f%%)", label_.c_str(),
                 static_cast<int>(stage.size()), stage.data(), done, total,
                 100.0 * static_cast<double>(done) / static_cast<double>(total));
  } else {
    std::fprintf(stderr, "\r\033[K%s: %.*s...", label_.c_str(), static_cast<int>(stage.size()),
                 stage.data());
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (enabled_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace phaseout::cli

#include "cli/capture_feedback.h"

#include <cstdio>

namespace phaseout::cli {

void printCaptureWarning(const service::CaptureProblem& p) {
  if (p.frame == 0 && p.byte_offset == 0) {
    std::fprintf(stderr, "phaseout: warning: %s: %s\n", p.file.c_str(), p.message.c_str());
  } else {
    std::fprintf(stderr, "phaseout: warning: %s: byte offset %llu (frame %llu): %s\n",
                 p.file.c_str(), static_cast<unsigned long long>(p.byte_offset),
                 static_cast<unsigned long long>(p.frame), p.message.c_str());
  }
}

void showCaptureProgress(Progress& progress, const std::string& stage, std::uint64_t done,
                         std::uint64_t total) {
  if (total < kProgressMinBytes) return;
  if (done >= total) {
    progress.finish();
    return;
  }
  progress.update(stage, static_cast<std::size_t>(done >> 20), static_cast<std::size_t>(total >> 20));
}

}  // namespace phaseout::cli

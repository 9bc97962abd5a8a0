// What the capture-reading commands (observe, sense, detect) tell the person at the terminal
// while they read: warnings about damaged input and progress over large files, on stderr.
#pragma once

#include <cstdint>
#include <string>

#include "cli/progress.h"
#include "service/observe.h"

namespace phaseout::cli {

// Files smaller than this are read too quickly for progress to be worth drawing.
inline constexpr std::uint64_t kProgressMinBytes = 64ull << 20;

// "phaseout: warning: FILE: byte offset N (frame M): what" (or "FILE: what" for the file itself).
void printCaptureWarning(const service::CaptureProblem& problem);

// Draws `done` of `total` bytes in MiB under `stage`; finishes the line once done.
void showCaptureProgress(Progress& progress, const std::string& stage, std::uint64_t done,
                         std::uint64_t total);

}  // namespace phaseout::cli

// Inputs of the commands that read several files (observe, detect, sightings import): which
// cannot be read, and the one rule for them. Without keep_going an unreadable input fails the
// whole run, naming each such input, and nothing is stored; with keep_going the run reads the
// others and reports what it skipped.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"

namespace phaseout::service {

struct SkippedInput {
  std::string path;
  std::string reason;  // "cannot read a.pcap: No such file or directory"
};

enum class InputKind { kFile, kFileOrDirectory };

// Why `path` cannot be opened for reading, or "" when it can. "-" (standard input) always
// can; a directory is unreadable unless `kind` allows one.
std::string unreadableReason(const std::string& path, InputKind kind);

// The error of a run some of whose `total_inputs` inputs could not be read, naming each:
// "nothing could be read from a.pcap" when it was the only input, "nothing could be read from
// any input: a.pcap, b.pcap" when they all failed, else "2 of 3 inputs cannot be read:
// a.pcap, b.pcap". InvalidArgument; Ok when `unreadable` is empty.
Status unreadableInputs(const std::vector<SkippedInput>& unreadable, std::size_t total_inputs);

}  // namespace phaseout::service

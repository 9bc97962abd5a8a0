#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"

namespace phaseout::cli {

int exitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return kExitInput;
    default:
      return kExitInternal;
  }
}

int reportError(const Status& status) {
  std::fprintf(stderr, "phaseout: %s\n", status.message().c_str());
  return exitCodeFor(status);
}

bool stdoutIsTerminal() { return ::isatty(STDOUT_FILENO) == 1; }
bool stderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace phaseout::cli

#include "cli/commands.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

namespace phaseout::cli {

int exitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
    case StatusCode::kResourceExhausted:
      return kExitInput;
    default:
      return kExitInternal;
  }
}

int reportError(const Status& status) {
  // Service names the request field an error concerns; on the command line it is the flag of
  // the same name.
  if (!status.field().empty()) {
    std::fprintf(stderr, "phaseout: --%s: %s\n", status.field().c_str(), status.message().c_str());
  } else {
    std::fprintf(stderr, "phaseout: %s\n", status.message().c_str());
  }
  return exitCodeFor(status);
}

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::optional<Date>> parseDateFlag(std::string_view flag, const std::string& value) {
  if (value.empty()) return std::optional<Date>();
  auto d = Date::parse(value);
  if (!d) {
    return invalidArgument(std::string(flag) + ": expected a date YYYY-MM-DD, got \"" + value +
                           "\"");
  }
  return std::optional<Date>(*d);
}

Status writeOutput(const std::string& path, const std::string& content) {
  if (path.empty() || path == "-") {
    std::fwrite(content.data(), 1, content.size(), stdout);
    return Status::ok();
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return invalidArgument(path + ": cannot open for writing");
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) return internalError(path + ": write failed");
  return Status::ok();
}

bool stdoutIsTerminal() { return ::isatty(STDOUT_FILENO) == 1; }
bool stderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace phaseout::cli

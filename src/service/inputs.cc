#include "service/inputs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace phaseout::service {

std::string unreadableReason(const std::string& path, InputKind kind) {
  if (path == "-") return "";
  if (path.empty()) return "an empty file name";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "cannot read " + path + ": " + std::strerror(errno);
  struct stat st {};
  const bool is_directory = ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
  ::close(fd);
  if (is_directory && kind == InputKind::kFile) return "cannot read " + path + ": a directory";
  return "";
}

Status unreadableInputs(const std::vector<SkippedInput>& unreadable, std::size_t total_inputs) {
  if (unreadable.empty()) return Status::ok();
  if (total_inputs <= 1) return invalidArgument("nothing could be read from " + unreadable[0].path);
  std::string names;
  for (const SkippedInput& input : unreadable) {
    if (!names.empty()) names += ", ";
    names += input.path;
  }
  if (unreadable.size() >= total_inputs) {
    return invalidArgument("nothing could be read from any input: " + names);
  }
  return invalidArgument(std::to_string(unreadable.size()) + " of " + std::to_string(total_inputs) +
                         " inputs cannot be read: " + names);
}

}  // namespace phaseout::service

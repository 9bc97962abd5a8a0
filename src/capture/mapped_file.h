// MappedFile: a whole input file as one read-only memory span, without copying it.
//
// Regular files are memory-mapped. Gzip-compressed files are inflated into an unlinked
// temporary file (in $TMPDIR, else /tmp) which is then mapped, and so are inputs that cannot be
// mapped (pipes, "-" for standard input); the temporary file disappears with the object.
// Memory use does not grow with file size as long as the reader calls releaseBefore() as it
// advances: already-read pages are dropped from the process (they stay in the page cache).
// Move-only; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/status.h"

namespace phaseout::capture {

class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  // Errors (InvalidArgument, message names the file): cannot open/read, a directory, empty,
  // or the temporary file for inflating cannot be written.
  static Result<MappedFile> open(const std::string& path);

  std::span<const std::uint8_t> bytes() const {
    return {static_cast<const std::uint8_t*>(base_), size_};
  }
  bool inflated() const { return inflated_; }
  // A problem that did not prevent reading, e.g. "gzip data ends early"; empty when none.
  const std::string& note() const { return note_; }

  // The caller will not touch bytes before `offset` again (it may, but they then fault back in
  // from the page cache). Cheap to call often; it acts at most once per 8 MiB.
  void releaseBefore(std::uint64_t offset);

 private:
  void reset();

  void* base_ = nullptr;
  std::size_t size_ = 0;
  std::uint64_t released_ = 0;
  bool inflated_ = false;
  std::string note_;
};

}  // namespace phaseout::capture

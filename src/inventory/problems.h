// The problems of one import, and the wording helpers every import source and the import path
// share, so that a problem reads the same whichever source found it.
//
// A problem is one line "file:line: column: what" (the column part omitted when empty), where
// `what` says what was expected and, where it helps, what was found ("expected one of active,
// left; got \"retired\""). Not thread-safe; one list per parse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/utf8.h"

namespace phaseout::inventory {

// The largest number of problems listed in one error message.
inline constexpr std::size_t kMaxListedProblems = 50;

class ProblemList {
 public:
  // `file` prefixes every problem (usually the path or base name of the input); it must outlive
  // the list.
  explicit ProblemList(std::string_view file) : file_(file) {}

  // Adds "file:line: column: what" (the column part is omitted when `column` is empty).
  void add(std::size_t line, std::string_view column, std::string_view what);
  // Adds "file:pointer: column: what" for a record located by an RFC 6901 pointer.
  void addAt(std::string_view pointer, std::string_view column, std::string_view what);

  [[nodiscard]] bool empty() const { return total_ == 0; }

  // InvalidArgument listing the problems in the order added, one per line, up to
  // kMaxListedProblems followed by "... and N more problems".
  [[nodiscard]] Status toStatus() const;

 private:
  std::string_view file_;
  std::vector<std::string> listed_;
  std::size_t total_ = 0;
};

// "0xE9".
std::string hexByte(std::uint8_t b);
// True when `s` holds a C0 control character or DEL.
bool hasControlCharacter(std::string_view s);
// A value as shown in a message: quoted, '"' and '\' escaped, control characters as \xNN, and
// cut after 60 bytes (on a character boundary) with "..." so one bad field cannot flood the
// report. `s` must be valid UTF-8.
std::string quoteValue(std::string_view s);
// Text from elsewhere (a library's message) made safe for a message: bytes that are not UTF-8
// become \xNN.
std::string printableText(std::string_view s);
// Offset of the first byte of an input value that is not UTF-8, or npos. A NUL byte counts as
// invalid: it only appears in text that is really UTF-16 or binary.
inline std::size_t invalidUtf8At(std::string_view s) {
  return findInvalidUtf8(s, Utf8Nul::kInvalid);
}

}  // namespace phaseout::inventory

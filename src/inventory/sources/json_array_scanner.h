// JsonArrayScanner: finds the elements of a top-level JSON array, and the line each starts on,
// without parsing them.
//
// nlohmann's parsers report no positions that could be mapped to records, and a DOM of a whole
// large file costs memory in proportion to it; so the document is scanned once by hand for the
// array's elements, and each element is then parsed on its own by the caller. The scanner knows
// only enough JSON to find where an element ends: strings (with escapes) and nesting; whatever
// an element holds is for the element's parser to judge.
//
// Ownership: keeps a view of `text`, which must outlive it; the element views point into it.
// Not thread-safe; one scanner per thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace phaseout::inventory {

class JsonArrayScanner {
 public:
  explicit JsonArrayScanner(std::string_view text) : text_(text) {}

  // Positions on the first element; false (with error()) when the text is not "[ ...".
  bool open();

  enum class Step {
    kElement,  // `element` and `line` describe the next element
    kEnd,      // the array closed and nothing follows it
    kError,    // error() and errorLine() say what is wrong; scanning cannot go on
  };

  // The next element's text and the 1-based line on which it starts.
  Step next(std::string_view& element, std::size_t& line);

  // 0-based index of the element last returned by next().
  [[nodiscard]] std::size_t elementIndex() const { return elements_ - 1; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] std::size_t errorLine() const { return error_line_; }

 private:
  Step finish();
  Step fail(std::string message) { return fail(std::move(message), line_); }
  Step fail(std::string message, std::size_t line);
  void skipSpace();
  // pos_ on the opening quote; leaves pos_ after the closing one. False when the text ends
  // inside the string.
  bool skipString();

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t error_line_ = 1;
  std::size_t elements_ = 0;
  bool first_ = true;
  bool closed_ = false;
  std::string error_;
};

}  // namespace phaseout::inventory

// CsvReader: a streaming RFC 4180 reader over text already in memory.
//
// Accepted syntax: fields separated by a one-byte delimiter (',' by default); records end at
// LF, CRLF or a lone CR; a field may be enclosed in double quotes, inside which delimiters and
// line breaks are literal and "" stands for one quote. A leading UTF-8 byte-order mark is
// skipped. Lines that are completely empty are skipped (so a trailing line break, or blank
// lines between records, never produce a record). The reader does not trim, decode or
// validate encoding: fields are the exact bytes of the file, unescaped.
//
// Errors (the record is dropped and reading resumes at the next line, so every problem of a
// file can be listed in one pass):
//   - a quote inside an unquoted field          (ab"c)
//   - anything but a delimiter or a line break after a closing quote   ("ab"c)
//   - an unterminated quoted field (reading ends: the rest of the file is inside the quote).
//
// Cost: no allocation per field. Unquoted fields and quoted fields without "" are views into
// the input; only fields with "" escapes are copied, into one buffer reused between records.
//
// Ownership: the reader keeps a view of `text`, which must outlive it. The views returned by
// fields() are valid until the next call to next(). Not thread-safe; one reader per thread.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/sources/source.h"

namespace phaseout::inventory {

class CsvReader {
 public:
  enum class Step {
    kRecord,  // fields() and line() describe the record just read
    kError,   // error() and line() describe a malformed record; call next() to go on
    kEnd,     // no more input
  };

  explicit CsvReader(std::string_view text, char delimiter = ',');

  // Reads the next record.
  Step next();

  // The fields of the last record (after kRecord). At least one field per record.
  [[nodiscard]] const std::vector<std::string_view>& fields() const { return fields_; }
  // 1-based physical line on which the last record (or the malformed one) starts. A record
  // with a quoted line break spans several lines; this is the first of them.
  [[nodiscard]] std::size_t line() const { return record_line_; }
  // After kError: what is wrong, without file or line ("unterminated quoted field ...").
  [[nodiscard]] const std::string& error() const { return error_; }
  // After kError: 0-based index of the field in which the problem was found.
  [[nodiscard]] std::size_t errorField() const { return error_field_; }
  // Bytes consumed so far, out of text.size() (for progress reporting).
  [[nodiscard]] std::size_t offset() const { return pos_; }

 private:
  // A field unescaped into scratch_: its slot in fields_ is filled in when the record is
  // complete, because scratch_ may move while it grows.
  struct ScratchField {
    std::size_t index;
    std::size_t begin;
    std::size_t size;
  };

  void skipRestOfLine();
  void consumeLineBreak();
  Step fail(std::string message);
  void countLineBreaks(std::size_t from, std::size_t to);

  std::string_view text_;
  char delimiter_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 0;
  std::vector<ScratchField> scratch_fields_;
  std::vector<std::string_view> fields_;
  std::string scratch_;
  std::string error_;
  std::size_t error_field_ = 0;
};

// Reads `reader`'s next record of a file whose header line named `header`: a malformed record,
// or one with another number of fields ("expected N fields as in the header; got M"), is
// reported to `sink` at its line and skipped. False at the end of the input.
bool nextCsvRecord(CsvReader& reader, std::span<const std::string> header, RecordSink& sink);

}  // namespace phaseout::inventory

#include "inventory/sources/csv_reader.h"

#include <cstring>

namespace phaseout::inventory {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr char kHexDigits[] = "0123456789ABCDEF";

std::string describeByte(char c) {
  const auto b = static_cast<unsigned char>(c);
  if (b >= 0x21 && b < 0x7F) return std::string("'") + c + "'";
  std::string out = "byte 0x";
  out += kHexDigits[b >> 4];
  out += kHexDigits[b & 0xF];
  return out;
}

}  // namespace

CsvReader::CsvReader(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {
  if (text_.substr(0, kUtf8Bom.size()) == kUtf8Bom) pos_ = kUtf8Bom.size();
}

void CsvReader::consumeLineBreak() {
  // Called with pos_ on '\r' or '\n'. CRLF is one break; a lone CR counts as one too, so old
  // Mac exports do not collapse into a single line.
  if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
  ++pos_;
  ++line_;
}

void CsvReader::countLineBreaks(std::size_t from, std::size_t to) {
  const char* data = text_.data();
  for (std::size_t i = from; i < to; ++i) {
    const bool lone_cr = data[i] == '\r' && (i + 1 >= text_.size() || data[i + 1] != '\n');
    if (data[i] == '\n' || lone_cr) ++line_;
  }
}

void CsvReader::skipRestOfLine() {
  while (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
  if (pos_ < text_.size()) consumeLineBreak();
}

CsvReader::Step CsvReader::fail(std::string message) {
  error_ = std::move(message);
  error_field_ = fields_.size();
  fields_.clear();
  scratch_fields_.clear();
  return Step::kError;
}

CsvReader::Step CsvReader::next() {
  fields_.clear();
  scratch_fields_.clear();
  scratch_.clear();
  error_.clear();
  error_field_ = 0;

  const std::size_t n = text_.size();
  const char* data = text_.data();
  while (pos_ < n && (data[pos_] == '\n' || data[pos_] == '\r')) consumeLineBreak();
  if (pos_ >= n) return Step::kEnd;
  record_line_ = line_;

  for (;;) {
    if (pos_ < n && data[pos_] == '"') {
      const std::size_t quote_line = line_;
      ++pos_;
      std::size_t segment = pos_;
      bool copied = false;
      std::size_t scratch_begin = 0;
      std::size_t close = 0;
      for (;;) {
        const void* found = std::memchr(data + pos_, '"', n - pos_);
        if (found == nullptr) {
          countLineBreaks(pos_, n);
          pos_ = n;
          return fail("unterminated quoted field (the quote opened on line " +
                      std::to_string(quote_line) + " is never closed)");
        }
        const auto quote = static_cast<std::size_t>(static_cast<const char*>(found) - data);
        countLineBreaks(pos_, quote);
        if (quote + 1 < n && data[quote + 1] == '"') {
          // An escaped quote: the field can no longer be a plain view of the input.
          if (!copied) {
            copied = true;
            scratch_begin = scratch_.size();
          }
          scratch_.append(data + segment, quote + 1 - segment);
          pos_ = quote + 2;
          segment = pos_;
          continue;
        }
        close = quote;
        pos_ = quote + 1;
        break;
      }
      if (copied) {
        scratch_.append(data + segment, close - segment);
        scratch_fields_.push_back({fields_.size(), scratch_begin, scratch_.size() - scratch_begin});
        fields_.emplace_back();
      } else {
        fields_.emplace_back(data + segment, close - segment);
      }
      if (pos_ >= n) break;
      const char c = data[pos_];
      if (c == delimiter_) {
        ++pos_;
        continue;
      }
      if (c == '\n' || c == '\r') {
        consumeLineBreak();
        break;
      }
      fields_.pop_back();
      Step step = fail("expected a delimiter or the end of the line after a closing quote; got " +
                       describeByte(c));
      skipRestOfLine();
      return step;
    }

    const std::size_t begin = pos_;
    while (pos_ < n) {
      const char c = data[pos_];
      if (c == delimiter_ || c == '\n' || c == '\r' || c == '"') break;
      ++pos_;
    }
    if (pos_ < n && data[pos_] == '"') {
      Step step = fail(
          "a quote inside an unquoted field; enclose the whole field in quotes and double the "
          "quote (\"\")");
      skipRestOfLine();
      return step;
    }
    fields_.emplace_back(data + begin, pos_ - begin);
    if (pos_ >= n) break;
    if (data[pos_] == delimiter_) {
      ++pos_;
      continue;
    }
    consumeLineBreak();
    break;
  }

  for (const ScratchField& f : scratch_fields_) {
    fields_[f.index] = std::string_view(scratch_).substr(f.begin, f.size);
  }
  return Step::kRecord;
}

bool nextCsvRecord(CsvReader& reader, std::span<const std::string> header, RecordSink& sink) {
  const std::size_t width = header.size();
  CsvReader::Step step;
  while ((step = reader.next()) != CsvReader::Step::kEnd) {
    if (step == CsvReader::Step::kError) {
      const std::size_t field = reader.errorField();
      sink.problem(reader.line(), field < width ? std::string_view(header[field]) : "",
                   reader.error());
      continue;
    }
    if (reader.fields().size() != width) {
      sink.problem(reader.line(), "",
                   "expected " + std::to_string(width) + " fields as in the header; got " +
                       std::to_string(reader.fields().size()));
      continue;
    }
    return true;
  }
  return false;
}

}  // namespace phaseout::inventory

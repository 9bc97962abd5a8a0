#include "inventory/sources/json_array_scanner.h"

namespace phaseout::inventory {

bool JsonArrayScanner::open() {
  skipSpace();
  if (pos_ >= text_.size() || text_[pos_] != '[') {
    error_ = "expected a JSON array of objects ('[' first)";
    return false;
  }
  ++pos_;
  skipSpace();
  if (pos_ < text_.size() && text_[pos_] == ']') {
    ++pos_;
    closed_ = true;
  }
  return true;
}

JsonArrayScanner::Step JsonArrayScanner::next(std::string_view& element, std::size_t& line) {
  if (closed_) return finish();
  if (!first_) {
    skipSpace();
    if (pos_ >= text_.size())
      return fail("expected ',' or ']' after an array element; the text ends");
    if (text_[pos_] == ']') {
      ++pos_;
      closed_ = true;
      return finish();
    }
    if (text_[pos_] != ',') return fail("expected ',' or ']' after an array element");
    ++pos_;
  }
  first_ = false;
  skipSpace();
  if (pos_ >= text_.size()) return fail("expected an array element; the text ends");
  if (text_[pos_] == ']') return fail("expected an array element after ','");
  line = line_;
  const std::size_t begin = pos_;
  int depth = 0;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '"') {
      if (!skipString()) {
        return fail("unterminated string in the value opened on line " + std::to_string(line),
                    line);
      }
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) break;  // the array's own ']'
      --depth;
      if (depth == 0) {
        ++pos_;
        break;
      }
    } else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
      break;
    } else if (c == '\n') {
      ++line_;
    }
    ++pos_;
  }
  if (depth != 0) {
    return fail("unterminated JSON value (opened on line " + std::to_string(line) + ")", line);
  }
  element = text_.substr(begin, pos_ - begin);
  ++elements_;
  return Step::kElement;
}

JsonArrayScanner::Step JsonArrayScanner::finish() {
  skipSpace();
  if (pos_ < text_.size()) {
    error_line_ = line_;
    error_ = "expected nothing after the array's closing ']'";
    return Step::kError;
  }
  return Step::kEnd;
}

JsonArrayScanner::Step JsonArrayScanner::fail(std::string message, std::size_t line) {
  error_line_ = line;
  error_ = std::move(message);
  return Step::kError;
}

void JsonArrayScanner::skipSpace() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '\n') {
      ++line_;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      return;
    }
    ++pos_;
  }
}

bool JsonArrayScanner::skipString() {
  ++pos_;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '\\') {
      pos_ += 2;
      continue;
    }
    if (c == '\n') ++line_;  // invalid in JSON; the element parse reports it
    ++pos_;
    if (c == '"') return true;
  }
  pos_ = text_.size();
  return false;
}

}  // namespace phaseout::inventory

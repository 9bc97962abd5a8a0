#include "inventory/problems.h"

#include <algorithm>

#include "core/strings.h"

namespace phaseout::inventory {
namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";
constexpr std::size_t kMaxShownBytes = 60;

// "file:where: column: what"; no column part when `column` is empty.
std::string problemText(std::string_view file, std::string_view where, std::string_view column,
                        std::string_view what) {
  std::string text(file);
  text += ':';
  text += where;
  text += ": ";
  if (!column.empty()) {
    text += column;
    text += ": ";
  }
  text += what;
  return text;
}

}  // namespace

void ProblemList::add(std::size_t line, std::string_view column, std::string_view what) {
  ++total_;
  if (listed_.size() >= kMaxListedProblems) return;
  listed_.push_back(problemText(file_, std::to_string(line), column, what));
}

void ProblemList::addAt(std::string_view pointer, std::string_view column, std::string_view what) {
  ++total_;
  if (listed_.size() >= kMaxListedProblems) return;
  listed_.push_back(
      problemText(file_, pointer.empty() ? std::string_view("/") : pointer, column, what));
}

Status ProblemList::toStatus() const {
  std::string message = join(listed_, "\n");
  if (total_ > listed_.size()) {
    message += "\n... and " + std::to_string(total_ - listed_.size()) + " more problems";
  }
  return invalidArgument(std::move(message));
}

std::string hexByte(std::uint8_t b) {
  std::string out = "0x";
  out += kHexDigits[b >> 4];
  out += kHexDigits[b & 0xF];
  return out;
}

bool hasControlCharacter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b < 0x20 || b == 0x7F;
  });
}

std::string quoteValue(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (i >= kMaxShownBytes && (b & 0xC0) != 0x80) {
      out += "...";
      break;
    }
    if (b == '"' || b == '\\') {
      out += '\\';
      out += static_cast<char>(b);
    } else if (b < 0x20 || b == 0x7F) {
      out += "\\x";
      out += hexByte(b).substr(2);
    } else {
      out += static_cast<char>(b);
    }
  }
  out += '"';
  return out;
}

std::string printableText(std::string_view s) {
  std::string out;
  while (!s.empty()) {
    const std::size_t bad = invalidUtf8At(s);
    out += s.substr(0, bad);
    if (bad == std::string_view::npos) break;
    out += "\\x" + hexByte(static_cast<std::uint8_t>(s[bad])).substr(2);
    s.remove_prefix(bad + 1);
  }
  return out;
}

}  // namespace phaseout::inventory

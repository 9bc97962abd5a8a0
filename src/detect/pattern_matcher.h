// PatternMatcher: many case-insensitive patterns matched against one string in a single pass.
//
// Signatures name what they look for as small globs where only '*' is special:
//   "captive.apple.com"   the whole value, exactly (ASCII case ignored)
//   "android-*"           a prefix          "*.apple.com"  a suffix
//   "*iPhone*"            a substring       "ttl64:*:ecn1" '*' inside: any run, anywhere
// Exact patterns are looked up in a hash map; patterns with '*' only at their ends run through
// one Aho-Corasick automaton (byte classes, dense transitions), so matching costs one table
// read per input byte however many patterns there are; the rare patterns with an inner '*'
// are tried one by one. Only the first kMaxScanBytes of an input are examined.
//
// Thread safety: add() and build() configure; after build() the matcher is immutable and
// match() may run from any number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace phaseout::detect {

class PatternMatcher {
 public:
  static constexpr std::size_t kMaxScanBytes = 2048;

  // Adds a pattern and returns its id (ids count from 0 in order of addition). An empty
  // pattern matches only the empty string; "*" matches everything.
  std::uint32_t add(std::string_view pattern);
  // Compiles the patterns; call once after the last add() and before match().
  void build();

  // Appends to `ids` the id of every pattern that matches `text`, each once, in ascending order.
  void match(std::string_view text, std::vector<std::uint32_t>& ids) const;

  std::size_t size() const { return patterns_.size(); }
  bool empty() const { return patterns_.empty(); }

 private:
  struct Pattern {
    std::string text;  // lower-cased, without the end stars
    bool anchor_start = true;
    bool anchor_end = true;
    bool inner_star = false;  // has a '*' that is not at an end: matched by globMatchStar()
  };

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::vector<Pattern> patterns_;
  std::unordered_map<std::string, std::vector<std::uint32_t>, StringHash, std::equal_to<>> exact_;
  std::vector<std::uint32_t> complex_;    // ids of patterns with an inner '*'
  std::vector<std::uint32_t> match_all_;  // "*"

  // Aho-Corasick over the patterns with '*' only at their ends.
  std::uint8_t byte_class_[256] = {};
  std::size_t class_count_ = 1;
  std::vector<std::uint32_t> delta_;         // state * class_count_ + class -> state
  std::vector<std::uint32_t> output_begin_;  // per state, into outputs_ (size states + 1)
  std::vector<std::uint32_t> outputs_;       // pattern ids ending at each state
  bool built_ = false;
};

// '*'-only glob, ASCII case-insensitive (exposed for tests).
bool globMatchStar(std::string_view pattern, std::string_view text);

}  // namespace phaseout::detect

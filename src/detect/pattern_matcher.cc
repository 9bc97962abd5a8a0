#include "detect/pattern_matcher.h"

#include <algorithm>
#include <deque>
#include <map>

namespace phaseout::detect {
namespace {

char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string lowerString(std::string_view s) {
  std::string out(s.size(), '\0');
  for (std::size_t i = 0; i < s.size(); ++i) out[i] = lowerAscii(s[i]);
  return out;
}

}  // namespace

bool globMatchStar(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point (the last '*'): linear in practice.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && lowerAscii(pattern[p]) == lowerAscii(text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::uint32_t PatternMatcher::add(std::string_view pattern) {
  Pattern p;
  std::string_view body = pattern;
  if (!body.empty() && body.front() == '*') {
    p.anchor_start = false;
    body.remove_prefix(1);
  }
  if (!body.empty() && body.back() == '*') {
    p.anchor_end = false;
    body.remove_suffix(1);
  }
  if (body.find('*') != std::string_view::npos) {
    p.inner_star = true;
    p.text = lowerString(pattern);  // the whole glob, stars included
  } else {
    p.text = lowerString(body);
  }
  patterns_.push_back(std::move(p));
  built_ = false;
  return static_cast<std::uint32_t>(patterns_.size() - 1);
}

void PatternMatcher::build() {
  exact_.clear();
  complex_.clear();
  match_all_.clear();
  // Byte classes: every byte used by a pattern gets its own class; all others share class 0,
  // which keeps the transition table small (a few dozen columns instead of 256).
  std::fill(std::begin(byte_class_), std::end(byte_class_), 0);
  class_count_ = 1;
  std::vector<std::uint32_t> automaton_ids;
  for (std::uint32_t id = 0; id < patterns_.size(); ++id) {
    const Pattern& p = patterns_[id];
    if (p.inner_star) {
      complex_.push_back(id);
    } else if (p.anchor_start && p.anchor_end) {
      exact_[p.text].push_back(id);
    } else if (p.text.empty()) {
      match_all_.push_back(id);  // "*", "**": everything matches
    } else {
      automaton_ids.push_back(id);
      for (char c : p.text) {
        auto& cls = byte_class_[static_cast<unsigned char>(c)];
        if (cls == 0) cls = static_cast<std::uint8_t>(class_count_++);
      }
    }
  }
  // Upper-case letters share the class of their lower-case form.
  for (int c = 'A'; c <= 'Z'; ++c) byte_class_[c] = byte_class_[c + 32];

  // Trie.
  std::vector<std::map<std::size_t, std::uint32_t>> children(1);
  std::vector<std::vector<std::uint32_t>> own_outputs(1);
  for (std::uint32_t id : automaton_ids) {
    std::uint32_t state = 0;
    for (char c : patterns_[id].text) {
      const std::size_t cls = byte_class_[static_cast<unsigned char>(c)];
      auto it = children[state].find(cls);
      if (it == children[state].end()) {
        children.emplace_back();
        own_outputs.emplace_back();
        const auto next = static_cast<std::uint32_t>(children.size() - 1);
        children[state][cls] = next;
        state = next;
      } else {
        state = it->second;
      }
    }
    own_outputs[state].push_back(id);
  }
  // Breadth-first: failure links, full transitions, and outputs merged along failure links.
  const std::size_t states = children.size();
  delta_.assign(states * class_count_, 0);
  std::vector<std::uint32_t> fail(states, 0);
  std::vector<std::vector<std::uint32_t>> outputs(states);
  std::deque<std::uint32_t> queue;
  for (const auto& [cls, next] : children[0]) {
    delta_[cls] = next;
    queue.push_back(next);
  }
  outputs[0] = own_outputs[0];
  while (!queue.empty()) {
    const std::uint32_t s = queue.front();
    queue.pop_front();
    outputs[s] = own_outputs[s];
    const auto& inherited = outputs[fail[s]];
    outputs[s].insert(outputs[s].end(), inherited.begin(), inherited.end());
    for (std::size_t cls = 0; cls < class_count_; ++cls) {
      auto it = children[s].find(cls);
      if (it != children[s].end()) {
        fail[it->second] = delta_[fail[s] * class_count_ + cls];
        delta_[s * class_count_ + cls] = it->second;
        queue.push_back(it->second);
      } else {
        delta_[s * class_count_ + cls] = delta_[fail[s] * class_count_ + cls];
      }
    }
  }
  output_begin_.assign(states + 1, 0);
  outputs_.clear();
  for (std::size_t s = 0; s < states; ++s) {
    output_begin_[s] = static_cast<std::uint32_t>(outputs_.size());
    outputs_.insert(outputs_.end(), outputs[s].begin(), outputs[s].end());
  }
  output_begin_[states] = static_cast<std::uint32_t>(outputs_.size());
  built_ = true;
}

void PatternMatcher::match(std::string_view text, std::vector<std::uint32_t>& ids) const {
  if (!built_) return;
  if (text.size() > kMaxScanBytes) text = text.substr(0, kMaxScanBytes);
  const std::size_t first = ids.size();
  ids.insert(ids.end(), match_all_.begin(), match_all_.end());
  if (!exact_.empty()) {
    char buffer[kMaxScanBytes];
    for (std::size_t i = 0; i < text.size(); ++i) buffer[i] = lowerAscii(text[i]);
    auto it = exact_.find(std::string_view(buffer, text.size()));
    if (it != exact_.end()) ids.insert(ids.end(), it->second.begin(), it->second.end());
  }
  if (!outputs_.empty()) {
    std::uint32_t state = 0;
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n; ++i) {
      state = delta_[state * class_count_ + byte_class_[static_cast<unsigned char>(text[i])]];
      const std::uint32_t begin = output_begin_[state];
      const std::uint32_t end = output_begin_[state + 1];
      for (std::uint32_t k = begin; k < end; ++k) {
        const Pattern& p = patterns_[outputs_[k]];
        if (p.anchor_start && i + 1 != p.text.size()) continue;
        if (p.anchor_end && i + 1 != n) continue;
        ids.push_back(outputs_[k]);
      }
    }
  }
  for (std::uint32_t id : complex_) {
    if (globMatchStar(patterns_[id].text, text)) ids.push_back(id);
  }
  std::sort(ids.begin() + static_cast<std::ptrdiff_t>(first), ids.end());
  ids.erase(std::unique(ids.begin() + static_cast<std::ptrdiff_t>(first), ids.end()), ids.end());
}

}  // namespace phaseout::detect

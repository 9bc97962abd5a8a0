// AnomalyCounters: named counts of malformed or unexpected input (Zeek's "weirds").
//
// The packet path never throws and never asserts on input: a truncated header or a bad length
// bumps a counter named after what was wrong ("dhcp.option_overrun", "pcap.truncated_record")
// and processing goes on. Not thread-safe: one instance per reading thread, merged at the end.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace phaseout {

class AnomalyCounters {
 public:
  void bump(std::string_view name, std::uint64_t n = 1) {
    auto it = counts_.find(name);
    if (it == counts_.end()) it = counts_.emplace(std::string(name), 0).first;
    it->second += n;
    total_ += n;
  }
  std::uint64_t get(std::string_view name) const {
    auto it = counts_.find(name);
    return it == counts_.end() ? 0 : it->second;
  }
  std::uint64_t total() const { return total_; }
  const std::map<std::string, std::uint64_t, std::less<>>& all() const { return counts_; }
  void merge(const AnomalyCounters& other) {
    for (const auto& [k, v] : other.counts_) bump(k, v);
  }

 private:
  std::map<std::string, std::uint64_t, std::less<>> counts_;
  std::uint64_t total_ = 0;
};

}  // namespace phaseout

// StringSet: a read-only set of strings built once, answering membership with one probe of a
// flat open-addressing table (hash and index side by side), for lookups in the millions — an
// import checks every device's holder against every stored person id.
//
//   std::vector<std::string> ids = ...;      // must outlive the set, unchanged
//   StringSet known(ids);
//   if (known.contains("P-0042")) ...
//
// Thread-safe for concurrent readers once built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace phaseout {

class StringSet {
 public:
  explicit StringSet(const std::vector<std::string>& items);
  bool contains(std::string_view s) const;
  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint32_t hash = 0;   // upper bits of the 64-bit hash, to skip most string compares
    std::uint32_t index = 0;  // 1 + index into items_; 0 = empty
  };
  const std::vector<std::string>& items_;
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace phaseout

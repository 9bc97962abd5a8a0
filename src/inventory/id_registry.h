// IdRegistry: the ids seen so far in one import, for the "expected a unique id" check.
//
// An open-addressing table of (hash, index) pairs, so a lookup costs one cache miss where a
// node-based std::unordered_map costs several (this check dominated the parse of a million
// rows). Ids that are views into the input text are kept as views; other ids (CSV fields with
// "" escapes, JSON strings) are copied once into a pool. Not thread-safe; one per parse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace phaseout::inventory {

class IdRegistry {
 public:
  // `text` is the input (ids inside it need no copy); `expected` sizes the table once.
  IdRegistry(std::string_view text, std::size_t expected) : text_(text) {
    std::size_t slots = 16;
    while (slots < expected * 2) slots *= 2;
    slots_.assign(slots, Slot{});
    entries_.reserve(expected);
  }

  // Hashes `id` and starts loading its slot into the cache. The builders call this first and
  // firstLine() after the rest of the record, so the (likely) cache miss overlaps with work.
  [[nodiscard]] std::uint64_t prefetch(std::string_view id) const {
    const std::uint64_t hash = hashOf(id);
    __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
    return hash;
  }

  // Returns the line on which `id` was first seen, or 0 after recording it as new. `hash` is
  // prefetch(id).
  std::size_t firstLine(std::string_view id, std::uint64_t hash, std::size_t line) {
    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    const auto hash_high = static_cast<std::uint32_t>(hash >> 32);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.index_plus_one == 0) {
        slot = {hash_high, static_cast<std::uint32_t>(entries_.size() + 1)};
        entries_.push_back({stable(id), line, hash});
        return 0;
      }
      if (slot.hash_high == hash_high && entries_[slot.index_plus_one - 1].id == id) {
        return entries_[slot.index_plus_one - 1].line;
      }
    }
  }

 private:
  // Eight bytes: the high half of the hash (the low half picked the slot) and the entry.
  struct Slot {
    std::uint32_t hash_high = 0;
    std::uint32_t index_plus_one = 0;  // 0: empty
  };
  struct Entry {
    std::string_view id;
    std::size_t line;
    std::uint64_t hash;  // kept for grow()
  };

  static std::uint64_t hashOf(std::string_view s) {
    // 8 bytes at a time, multiply-xorshift mixing, splitmix64 finaliser.
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ s.size();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t chunk;
      std::memcpy(&chunk, s.data() + i, 8);
      h = (h ^ chunk) * 0xBF58476D1CE4E5B9ULL;
      h ^= h >> 31;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, s.data() + i, s.size() - i);
    h = (h ^ tail) * 0x94D049BB133111EBULL;
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 27;
    return h;
  }

  std::string_view stable(std::string_view id) {
    const std::less<> less;
    const bool in_text =
        !less(id.data(), text_.data()) && !less(text_.data() + text_.size(), id.data() + id.size());
    return in_text ? id : std::string_view(pool_.emplace_back(id));
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.index_plus_one == 0) continue;
      std::size_t i = entries_[slot.index_plus_one - 1].hash & mask;
      while (slots_[i].index_plus_one != 0) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::string_view text_;
  std::deque<std::string> pool_;
  std::vector<Slot> slots_;
  std::vector<Entry> entries_;
};

}  // namespace phaseout::inventory

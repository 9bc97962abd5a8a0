#include "core/string_set.h"

#include <functional>

namespace phaseout {
namespace {

std::uint64_t hashOf(std::string_view s) { return std::hash<std::string_view>{}(s); }

}  // namespace

StringSet::StringSet(const std::vector<std::string>& items) : items_(items) {
  // At most half full, so probe sequences stay short.
  std::size_t capacity = 16;
  while (capacity < items.size() * 2) capacity *= 2;
  slots_.resize(capacity);
  mask_ = capacity - 1;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::uint64_t h = hashOf(items[i]);
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    std::size_t pos = h & mask_;
    bool present = false;
    while (slots_[pos].index != 0) {
      if (slots_[pos].hash == tag && items_[slots_[pos].index - 1] == items[i]) {
        present = true;
        break;
      }
      pos = (pos + 1) & mask_;
    }
    if (present) continue;
    slots_[pos] = Slot{tag, static_cast<std::uint32_t>(i + 1)};
    ++size_;
  }
}

bool StringSet::contains(std::string_view s) const {
  const std::uint64_t h = hashOf(s);
  const auto tag = static_cast<std::uint32_t>(h >> 32);
  for (std::size_t pos = h & mask_;; pos = (pos + 1) & mask_) {
    const Slot& slot = slots_[pos];
    if (slot.index == 0) return false;
    if (slot.hash == tag && items_[slot.index - 1] == s) return true;
  }
}

}  // namespace phaseout

#include "platform/platform.h"

#include <array>
#include <utility>

#include "core/strings.h"

namespace phaseout::platform {
namespace {

template <typename E, std::size_t N>
using Table = std::array<std::pair<E, std::string_view>, N>;

constexpr Table<Platform, 13> kPlatforms{{
    {Platform::kUnknown, "unknown"},
    {Platform::kIos, "ios"},
    {Platform::kIpados, "ipados"},
    {Platform::kMacos, "macos"},
    {Platform::kWatchos, "watchos"},
    {Platform::kAndroid, "android"},
    {Platform::kHarmonyos, "harmonyos"},
    {Platform::kHarmonyosNext, "harmonyos-next"},
    {Platform::kAurora, "aurora"},
    {Platform::kSailfish, "sailfish"},
    {Platform::kKaios, "kaios"},
    {Platform::kWindows, "windows"},
    {Platform::kLinux, "linux"},
}};
constexpr Table<Kind, 7> kKinds{{
    {Kind::kUnknown, "unknown"},
    {Kind::kPhone, "phone"},
    {Kind::kTablet, "tablet"},
    {Kind::kLaptop, "laptop"},
    {Kind::kDesktop, "desktop"},
    {Kind::kWatch, "watch"},
    {Kind::kOther, "other"},
}};
constexpr Table<Ownership, 3> kOwnerships{{
    {Ownership::kUnknown, "unknown"},
    {Ownership::kCorporate, "corporate"},
    {Ownership::kPersonal, "personal"},
}};
constexpr Table<Channel, 4> kChannels{{
    {Channel::kUnknown, "unknown"},
    {Channel::kOfficial, "official"},
    {Channel::kParallelImport, "parallel-import"},
    {Channel::kPersonal, "personal"},
}};
constexpr Table<DeviceState, 6> kStates{{
    {DeviceState::kActive, "active"},
    {DeviceState::kReturned, "returned"},
    {DeviceState::kDestroyed, "destroyed"},
    {DeviceState::kTransferred, "transferred"},
    {DeviceState::kLost, "lost"},
    {DeviceState::kRetired, "retired"},
}};

template <typename E, std::size_t N>
std::string_view lookupName(const Table<E, N>& table, E value) {
  for (const auto& [v, n] : table) {
    if (v == value) return n;
  }
  return "unknown";
}

// The name as written (what phaseout stores: millions of rows read back) is found by an exact
// comparison first; any other case after.
template <typename E, std::size_t N>
std::optional<E> lookupValue(const Table<E, N>& table, std::string_view text) {
  for (const auto& [v, n] : table) {
    if (n == text) return v;
  }
  for (const auto& [v, n] : table) {
    if (iequals(n, text)) return v;
  }
  return std::nullopt;
}

template <typename E, std::size_t N>
std::vector<std::string_view> names(const Table<E, N>& table) {
  std::vector<std::string_view> out;
  for (const auto& entry : table) out.push_back(entry.second);
  return out;
}

}  // namespace

std::string_view name(Platform p) { return lookupName(kPlatforms, p); }
std::string_view name(Kind k) { return lookupName(kKinds, k); }
std::string_view name(Ownership o) { return lookupName(kOwnerships, o); }
std::string_view name(Channel c) { return lookupName(kChannels, c); }
std::string_view name(DeviceState s) { return lookupName(kStates, s); }

std::optional<Platform> parsePlatform(std::string_view t) { return lookupValue(kPlatforms, t); }
std::optional<Kind> parseKind(std::string_view t) { return lookupValue(kKinds, t); }
std::optional<Ownership> parseOwnership(std::string_view t) { return lookupValue(kOwnerships, t); }
std::optional<Channel> parseChannel(std::string_view t) { return lookupValue(kChannels, t); }
std::optional<DeviceState> parseDeviceState(std::string_view t) { return lookupValue(kStates, t); }

std::vector<std::string_view> platformNames() { return names(kPlatforms); }
std::vector<std::string_view> kindNames() { return names(kKinds); }
std::vector<std::string_view> ownershipNames() { return names(kOwnerships); }
std::vector<std::string_view> channelNames() { return names(kChannels); }
std::vector<std::string_view> deviceStateNames() { return names(kStates); }

}  // namespace phaseout::platform

// The closed vocabularies phaseout reasons with: platforms, device kinds, and the other enums
// of the device record, with their canonical lower-case names and strict parsers.
//
// Parsers accept the canonical name case-insensitively and nothing else; turning free text
// from exports ("iPadOS 17.1", "HUAWEI NOH-AN00") into these values is normalizer.h's job.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace phaseout::platform {

enum class Platform {
  kUnknown,
  kIos,
  kIpados,
  kMacos,
  kWatchos,
  kAndroid,
  kHarmonyos,      // AOSP-based HarmonyOS 2-4
  kHarmonyosNext,  // HarmonyOS NEXT / OpenHarmony, not Android-compatible
  kAurora,
  kSailfish,
  kKaios,
  kWindows,
  kLinux,
};

enum class Kind { kUnknown, kPhone, kTablet, kLaptop, kDesktop, kWatch, kOther };

enum class Ownership { kUnknown, kCorporate, kPersonal };
enum class Channel { kUnknown, kOfficial, kParallelImport, kPersonal };
enum class DeviceState { kActive, kReturned, kDestroyed, kTransferred, kLost, kRetired };

std::string_view name(Platform p);
std::string_view name(Kind k);
std::string_view name(Ownership o);
std::string_view name(Channel c);
std::string_view name(DeviceState s);

std::optional<Platform> parsePlatform(std::string_view text);
std::optional<Kind> parseKind(std::string_view text);
std::optional<Ownership> parseOwnership(std::string_view text);
std::optional<Channel> parseChannel(std::string_view text);
std::optional<DeviceState> parseDeviceState(std::string_view text);

// The canonical names, for error messages ("expected one of: ios, ipados, ...").
std::vector<std::string_view> platformNames();
std::vector<std::string_view> kindNames();
std::vector<std::string_view> ownershipNames();
std::vector<std::string_view> channelNames();
std::vector<std::string_view> deviceStateNames();

}  // namespace phaseout::platform

// The "jamf" source: Jamf Pro mobile devices as the Jamf Pro API returns their details
// (GET /api/v2/mobile-devices/{id}/detail: one device; GET /api/v2/mobile-devices/detail:
// {"totalCount": n, "results": [...]} pages), saved one after the other or as an array.
// Fields: https://developer.jamf.com/jamf-pro/reference/get_v2-mobile-devices-id-detail
// (MobileDeviceDetailsV2; docs/importers.md lists each one and what it becomes).
#include <array>

#include "core/strings.h"
#include "inventory/columns.h"
#include "inventory/sources/source.h"
#include "inventory/sources/vendor_export.h"

namespace phaseout::inventory {
namespace {

constexpr std::string_view kName = "jamf";
constexpr std::array<std::string_view, 1> kContainers{"results"};

// Jamf manages Apple devices only: whatever the type, the vendor is Apple.
std::string_view apple(std::string_view) { return "Apple"; }

// deviceOwnershipLevel: Institutional | Personal | User Enrollment (a personal device).
std::string_view ownership(std::string_view value) {
  const std::string_view v = trim(value);
  if (iequals(v, "institutional")) return "corporate";
  if (iequals(v, "personal") || iequals(v, "userenrollment") || iequals(v, "user enrollment")) {
    return "personal";
  }
  return "unknown";
}

constexpr std::array<std::string_view, 1> kIdKeys{"id"};
constexpr std::array<std::string_view, 2> kSyncedKeys{"lastInventoryUpdateTimestamp",
                                                      "lastInventoryUpdateDate"};
constexpr std::array<std::string_view, 2> kHolderKeys{"location/emailAddress", "location/username"};
constexpr std::array<std::string_view, 1> kVendorKeys{"type"};
constexpr std::array<std::string_view, 3> kModelKeys{"ios/model", "tvos/model", "model"};
constexpr std::array<std::string_view, 1> kOsVersionKeys{"osVersion"};
constexpr std::array<std::string_view, 1> kOwnerKeys{"deviceOwnershipLevel"};
constexpr std::array<std::string_view, 1> kSerialKeys{"serialNumber"};
constexpr std::array<std::string_view, 2> kImeiKeys{"ios/network/imei", "ios/network/meid"};
constexpr std::array<std::string_view, 1> kMacKeys{"wifiMacAddress"};
constexpr std::array<std::string_view, 1> kHostnameKeys{"name"};

constexpr std::array<VendorField, 11> kJsonFields{{
    {kRecordIdField, kIdKeys},
    {kSyncedAtField, kSyncedKeys},
    {kHolder, kHolderKeys},
    {kVendor, kVendorKeys, apple},
    {kModel, kModelKeys},
    {kOsVersion, kOsVersionKeys},
    {kOwnership, kOwnerKeys, ownership},
    {kSerial, kSerialKeys},
    {kImei, kImeiKeys},
    {kMac, kMacKeys},
    {kHostname, kHostnameKeys},
}};

constexpr VendorLayout kLayout{kName, kContainers, kJsonFields, {}};

bool looksLikeJamf(std::string_view head) {
  constexpr std::array<std::string_view, 3> kKeys{"udid", "serialNumber", "wifiMacAddress"};
  return jsonHasKeys(head, kKeys);
}

}  // namespace

const Source& jamfSource() {
  static const Source source = deviceExportSource<kLayout, &looksLikeJamf>(
      "Jamf Pro: mobile device details JSON of the Jamf Pro API (one device, or "
      "{\"results\": [...]} pages)",
      "https://developer.jamf.com/jamf-pro/reference/get_v2-mobile-devices-id-detail");
  return source;
}

}  // namespace phaseout::inventory

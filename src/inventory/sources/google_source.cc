// The "google" source: Google Workspace mobile devices as the Admin SDK Directory API returns
// them (GET .../customer/my_customer/devices/mobile: {"kind": "admin#directory#mobiledevices",
// "mobiledevices": [...]} pages), saved one after the other or as an array.
// Fields: https://developers.google.com/admin-sdk/directory/reference/rest/v1/mobiledevices
// (docs/importers.md lists each one and what it becomes).
#include <array>

#include "inventory/columns.h"
#include "inventory/sources/source.h"
#include "inventory/sources/vendor_export.h"

namespace phaseout::inventory {
namespace {

constexpr std::string_view kName = "google";
constexpr std::array<std::string_view, 1> kContainers{"mobiledevices"};

constexpr std::array<std::string_view, 1> kIdKeys{"resourceId"};
constexpr std::array<std::string_view, 1> kSyncedKeys{"lastSync"};
constexpr std::array<std::string_view, 1> kHolderKeys{"email/0"};
constexpr std::array<std::string_view, 2> kVendorKeys{"manufacturer", "brand"};
constexpr std::array<std::string_view, 1> kModelKeys{"model"};
constexpr std::array<std::string_view, 1> kOsKeys{"os"};
constexpr std::array<std::string_view, 1> kSerialKeys{"serialNumber"};
constexpr std::array<std::string_view, 2> kImeiKeys{"imei", "meid"};
constexpr std::array<std::string_view, 1> kMacKeys{"wifiMacAddress"};

constexpr std::array<VendorField, 10> kJsonFields{{
    {kRecordIdField, kIdKeys},
    {kSyncedAtField, kSyncedKeys},
    {kHolder, kHolderKeys},
    {kVendor, kVendorKeys},
    {kModel, kModelKeys},
    // "os" is "Android 13" or "iOS 16.4.1": the platform and, extracted from it, the version.
    {kPlatform, kOsKeys},
    {kOsVersion, kOsKeys},
    {kSerial, kSerialKeys},
    {kImei, kImeiKeys},
    {kMac, kMacKeys},
}};

constexpr VendorLayout kLayout{kName, kContainers, kJsonFields, {}};

bool looksLikeGoogle(std::string_view head) {
  constexpr std::array<std::string_view, 1> kPage{"mobiledevices"};
  constexpr std::array<std::string_view, 2> kDevice{"resourceId", "lastSync"};
  return jsonHasKeys(head, kPage) || jsonHasKeys(head, kDevice);
}

}  // namespace

const Source& googleSource() {
  static const Source source = deviceExportSource<kLayout, &looksLikeGoogle>(
      "Google Workspace: Admin SDK Directory API mobiledevices JSON ({\"mobiledevices\": [...]} "
      "pages)",
      "https://developers.google.com/admin-sdk/directory/reference/rest/v1/mobiledevices");
  return source;
}

}  // namespace phaseout::inventory

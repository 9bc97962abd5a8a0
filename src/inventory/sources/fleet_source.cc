// The "fleet" source: Fleet (fleetdm.com) hosts as its REST API lists them
// (GET /api/v1/fleet/hosts?device_mapping=true: {"hosts": [...]} pages) or as its hosts report
// (GET /api/v1/fleet/hosts/report?format=csv, whose columns are the same names).
// Fields: https://fleetdm.com/docs/rest-api/rest-api#list-hosts
// (docs/importers.md lists each one and what it becomes).
#include <array>

#include "inventory/columns.h"
#include "inventory/sources/source.h"
#include "inventory/sources/vendor_export.h"

namespace phaseout::inventory {
namespace {

constexpr std::string_view kName = "fleet";
constexpr std::array<std::string_view, 1> kContainers{"hosts"};

constexpr std::array<std::string_view, 1> kIdKeys{"id"};
constexpr std::array<std::string_view, 2> kSyncedKeys{"detail_updated_at", "seen_time"};
constexpr std::array<std::string_view, 1> kHolderKeys{"device_mapping/0/email"};
constexpr std::array<std::string_view, 1> kVendorKeys{"hardware_vendor"};
constexpr std::array<std::string_view, 1> kModelKeys{"hardware_model"};
constexpr std::array<std::string_view, 1> kOsKeys{"os_version"};
constexpr std::array<std::string_view, 1> kSerialKeys{"hardware_serial"};
constexpr std::array<std::string_view, 1> kMacKeys{"primary_mac"};
constexpr std::array<std::string_view, 2> kHostnameKeys{"hostname", "computer_name"};

constexpr std::array<VendorField, 10> kJsonFields{{
    {kRecordIdField, kIdKeys},
    {kSyncedAtField, kSyncedKeys},
    {kHolder, kHolderKeys},
    {kVendor, kVendorKeys},
    {kModel, kModelKeys},
    // "os_version" is "macOS 14.1.1" or "Windows 11 Pro 23H2": platform and version.
    {kPlatform, kOsKeys},
    {kOsVersion, kOsKeys},
    {kSerial, kSerialKeys},
    {kMac, kMacKeys},
    {kHostname, kHostnameKeys},
}};

// The CSV report has no device mapping: no holder.
constexpr std::array<VendorField, 9> kCsvFields{{
    {kRecordIdField, kIdKeys},
    {kSyncedAtField, kSyncedKeys},
    {kVendor, kVendorKeys},
    {kModel, kModelKeys},
    {kPlatform, kOsKeys},
    {kOsVersion, kOsKeys},
    {kSerial, kSerialKeys},
    {kMac, kMacKeys},
    {kHostname, kHostnameKeys},
}};

constexpr VendorLayout kLayout{kName, kContainers, kJsonFields, kCsvFields};

bool looksLikeFleet(std::string_view head) {
  constexpr std::array<std::string_view, 2> kKeys{"hardware_serial", "primary_mac"};
  return jsonHasKeys(head, kKeys) || csvHeaderHas(head, kKeys);
}

}  // namespace

const Source& fleetSource() {
  static const Source source = deviceExportSource<kLayout, &looksLikeFleet>(
      "Fleet: hosts JSON of the REST API ({\"hosts\": [...]} pages) or its CSV hosts report",
      "https://fleetdm.com/docs/rest-api/rest-api#list-hosts");
  return source;
}

}  // namespace phaseout::inventory

// The "intune" source: Microsoft Intune managed devices, as Microsoft Graph returns them
// (GET /deviceManagement/managedDevices: {"value": [managedDevice, ...]} pages, saved one after
// the other or as an array) or as the Intune admin center's "Export" of All devices (CSV).
// Fields: https://learn.microsoft.com/graph/api/resources/intune-devices-manageddevice
// (docs/importers.md lists each one and what it becomes).
#include <array>

#include "core/strings.h"
#include "inventory/columns.h"
#include "inventory/sources/source.h"
#include "inventory/sources/vendor_export.h"

namespace phaseout::inventory {
namespace {

using Names = std::array<std::string_view, 1>;
using Names2 = std::array<std::string_view, 2>;

constexpr std::string_view kName = "intune";
constexpr std::array<std::string_view, 1> kContainers{"value"};

// managedDeviceOwnerType / "Ownership": company | personal | unknown.
std::string_view ownership(std::string_view value) {
  if (iequals(trim(value), "company") || iequals(trim(value), "corporate")) return "corporate";
  if (iequals(trim(value), "personal")) return "personal";
  return "unknown";
}

constexpr Names kIdKeys{"id"};
constexpr Names kSyncedKeys{"lastSyncDateTime"};
constexpr Names2 kHolderKeys{"userPrincipalName", "emailAddress"};
constexpr Names kVendorKeys{"manufacturer"};
constexpr Names kModelKeys{"model"};
constexpr Names kOsKeys{"operatingSystem"};
constexpr Names kOsVersionKeys{"osVersion"};
constexpr Names kOwnerKeys{"managedDeviceOwnerType"};
constexpr Names kSerialKeys{"serialNumber"};
constexpr Names2 kImeiKeys{"imei", "meid"};
constexpr Names2 kMacsKeys{"wiFiMacAddress", "ethernetMacAddress"};
constexpr Names kHostnameKeys{"deviceName"};

constexpr std::array<VendorField, 12> kJsonFields{{
    {kRecordIdField, kIdKeys},
    {kSyncedAtField, kSyncedKeys},
    {kHolder, kHolderKeys},
    {kVendor, kVendorKeys},
    {kModel, kModelKeys},
    {kPlatform, kOsKeys},
    {kOsVersion, kOsVersionKeys},
    {kOwnership, kOwnerKeys, ownership},
    {kSerial, kSerialKeys},
    {kImei, kImeiKeys},
    {kMac, kMacsKeys},
    {kHostname, kHostnameKeys},
}};

constexpr Names kCsvIdKeys{"Device ID"};
constexpr Names kCsvSyncedKeys{"Last check-in"};
constexpr Names2 kCsvHolderKeys{"Primary user UPN", "Primary user email address"};
constexpr Names kCsvVendorKeys{"Manufacturer"};
constexpr Names kCsvModelKeys{"Model"};
constexpr Names kCsvOsKeys{"OS"};
constexpr Names kCsvOsVersionKeys{"OS version"};
constexpr Names kCsvOwnerKeys{"Ownership"};
constexpr Names kCsvSerialKeys{"Serial number"};
constexpr Names2 kCsvImeiKeys{"IMEI", "MEID"};
constexpr std::array<std::string_view, 3> kCsvMacsKeys{"Wi-Fi MAC", "Ethernet MAC", "EthernetMAC"};
constexpr Names kCsvHostnameKeys{"Device name"};

constexpr std::array<VendorField, 12> kCsvFields{{
    {kRecordIdField, kCsvIdKeys},
    {kSyncedAtField, kCsvSyncedKeys},
    {kHolder, kCsvHolderKeys},
    {kVendor, kCsvVendorKeys},
    {kModel, kCsvModelKeys},
    {kPlatform, kCsvOsKeys},
    {kOsVersion, kCsvOsVersionKeys},
    {kOwnership, kCsvOwnerKeys, ownership},
    {kSerial, kCsvSerialKeys},
    {kImei, kCsvImeiKeys},
    {kMac, kCsvMacsKeys},
    {kHostname, kCsvHostnameKeys},
}};

constexpr VendorLayout kLayout{kName, kContainers, kJsonFields, kCsvFields};

bool looksLikeIntune(std::string_view head) {
  constexpr std::array<std::string_view, 2> kJsonKeys{"managedDeviceOwnerType", "deviceName"};
  constexpr std::array<std::string_view, 2> kCsvKeys{"Device ID", "Primary user UPN"};
  return jsonHasKeys(head, kJsonKeys) || csvHeaderHas(head, kCsvKeys);
}

}  // namespace

const Source& intuneSource() {
  static const Source source = deviceExportSource<kLayout, &looksLikeIntune>(
      "Microsoft Intune: Graph managedDevices JSON pages ({\"value\": [...]}) or the admin "
      "center's device CSV export",
      "https://learn.microsoft.com/graph/api/resources/intune-devices-manageddevice");
  return source;
}

}  // namespace phaseout::inventory

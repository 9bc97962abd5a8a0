// The "snipeit" source: Snipe-IT hardware assets as its API lists them
// (GET /api/v1/hardware: {"total": n, "rows": [...]} pages) or as a CSV export (the Custom Asset
// Report, whose header Snipe-IT's ReportsController::postCustom writes).
// Custom fields are found by their display name: "IMEI" and "MAC Address" (or "MAC",
// "Wi-Fi MAC"), in the JSON's custom_fields object and as CSV columns.
// Fields: https://snipe-it.readme.io/reference/hardware-list
// (docs/importers.md lists each one and what it becomes).
#include <array>

#include "core/strings.h"
#include "inventory/columns.h"
#include "inventory/sources/source.h"
#include "inventory/sources/vendor_export.h"

namespace phaseout::inventory {
namespace {

constexpr std::string_view kName = "snipeit";
constexpr std::array<std::string_view, 1> kContainers{"rows"};

bool contains(std::string_view text, std::string_view part) {
  return toLower(text).find(part) != std::string::npos;
}

// A category name ("Mobile Phones", "Laptops") to a kind; "" (infer) when it names none.
std::string_view kind(std::string_view category) {
  if (contains(category, "phone")) return "phone";
  if (contains(category, "tablet")) return "tablet";
  if (contains(category, "laptop") || contains(category, "notebook")) return "laptop";
  if (contains(category, "desktop") || contains(category, "workstation")) return "desktop";
  if (contains(category, "watch")) return "watch";
  return "unknown";
}

// A status label ("Lost/Stolen", "Archived", "Deployed") to a state.
std::string_view state(std::string_view label) {
  if (contains(label, "lost") || contains(label, "stolen")) return "lost";
  if (contains(label, "archived") || contains(label, "retired")) return "retired";
  if (contains(label, "destroyed")) return "destroyed";
  return "active";
}

constexpr std::array<std::string_view, 1> kIdKeys{"id"};
constexpr std::array<std::string_view, 2> kSyncedKeys{"updated_at/datetime", "updated_at"};
constexpr std::array<std::string_view, 3> kHolderKeys{"assigned_to/email", "assigned_to/username",
                                                      "assigned_to/employee_number"};
constexpr std::array<std::string_view, 1> kKindKeys{"category/name"};
constexpr std::array<std::string_view, 1> kVendorKeys{"manufacturer/name"};
constexpr std::array<std::string_view, 1> kModelKeys{"model/name"};
constexpr std::array<std::string_view, 1> kSerialKeys{"serial"};
constexpr std::array<std::string_view, 2> kImeiKeys{"custom_fields/IMEI/value",
                                                    "custom_fields/MEID/value"};
constexpr std::array<std::string_view, 3> kMacKeys{
    "custom_fields/MAC Address/value", "custom_fields/MAC/value", "custom_fields/Wi-Fi MAC/value"};
constexpr std::array<std::string_view, 1> kHostnameKeys{"name"};
constexpr std::array<std::string_view, 1> kStateKeys{"status_label/name"};

constexpr std::array<VendorField, 11> kJsonFields{{
    {kRecordIdField, kIdKeys},
    {kSyncedAtField, kSyncedKeys},
    {kHolder, kHolderKeys},
    {kKind, kKindKeys, kind},
    {kVendor, kVendorKeys},
    {kModel, kModelKeys},
    {kSerial, kSerialKeys},
    {kImei, kImeiKeys},
    {kMac, kMacKeys},
    {kHostname, kHostnameKeys},
    {kState, kStateKeys, state},
}};

// The Custom Asset Report (Reports > Custom Asset Report, ReportsController::postCustom in
// Snipe-IT's source) names its columns as below, with no ID: the asset tag, unique in
// Snipe-IT, is then the record id. "Email" is read where an export has it.
constexpr std::array<std::string_view, 2> kCsvIdKeys{"ID", "Asset Tag"};
constexpr std::array<std::string_view, 2> kCsvSyncedKeys{"Updated at", "Updated"};
constexpr std::array<std::string_view, 4> kCsvHolderKeys{"Email", "Username", "Employee Number",
                                                         "Employee No."};
constexpr std::array<std::string_view, 1> kCsvKindKeys{"Category"};
constexpr std::array<std::string_view, 1> kCsvVendorKeys{"Manufacturer"};
constexpr std::array<std::string_view, 2> kCsvModelKeys{"Model", "Model Name"};
constexpr std::array<std::string_view, 2> kCsvSerialKeys{"Serial", "Serial Number"};
constexpr std::array<std::string_view, 2> kCsvImeiKeys{"IMEI", "MEID"};
constexpr std::array<std::string_view, 3> kCsvMacKeys{"MAC Address", "MAC", "Wi-Fi MAC"};
constexpr std::array<std::string_view, 2> kCsvHostnameKeys{"Asset Name", "Name"};
constexpr std::array<std::string_view, 1> kCsvStateKeys{"Status"};

constexpr std::array<VendorField, 11> kCsvFields{{
    {kRecordIdField, kCsvIdKeys},
    {kSyncedAtField, kCsvSyncedKeys},
    {kHolder, kCsvHolderKeys},
    {kKind, kCsvKindKeys, kind},
    {kVendor, kCsvVendorKeys},
    {kModel, kCsvModelKeys},
    {kSerial, kCsvSerialKeys},
    {kImei, kCsvImeiKeys},
    {kMac, kCsvMacKeys},
    {kHostname, kCsvHostnameKeys},
    {kState, kCsvStateKeys, state},
}};

constexpr VendorLayout kLayout{kName, kContainers, kJsonFields, kCsvFields};

bool looksLikeSnipeit(std::string_view head) {
  constexpr std::array<std::string_view, 2> kJsonKeys{"asset_tag", "status_label"};
  constexpr std::array<std::string_view, 1> kCsvKeys{"Asset Tag"};
  return jsonHasKeys(head, kJsonKeys) || csvHeaderHas(head, kCsvKeys);
}

}  // namespace

const Source& snipeitSource() {
  static const Source source = deviceExportSource<kLayout, &looksLikeSnipeit>(
      "Snipe-IT: hardware JSON of the API ({\"rows\": [...]} pages) or the Custom Asset "
      "Report's CSV; custom fields IMEI and MAC Address by name",
      "https://snipe-it.readme.io/reference/hardware-list");
  return source;
}

}  // namespace phaseout::inventory

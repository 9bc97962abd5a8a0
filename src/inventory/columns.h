// The columns of inventory imports: the name of each people and device field, whether it is
// required and whether it holds a list. The one schema every import source maps its input to
// (sources/source.h), the import path checks (importer.h) and the CSV writers write.
//
// Column names are matched case-insensitively; the order below is the order the CSV writers
// write and messages list.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace phaseout::inventory {

struct ColumnSpec {
  std::string_view name;
  bool required;  // the column must exist and its value must not be empty
  bool list;      // several values: ';'-separated text, or given apart (a JSON array)
};

using Columns = std::span<const ColumnSpec>;

enum PersonColumn : std::size_t { kPersonId, kPersonName, kEmail, kUnit, kRole, kStatus, kUpn };
inline constexpr std::array<ColumnSpec, 7> kPersonColumns{{
    {"person_id", true, false},
    {"name", false, false},
    {"email", false, false},
    {"unit", true, false},
    {"role", false, true},
    {"status", false, false},
    {"upn", false, false},  // user principal name: a second key devices' holders match by
}};

enum DeviceColumn : std::size_t {
  kDeviceId,
  kHolder,
  kKind,
  kVendor,
  kModel,
  kPlatform,
  kOsVersion,
  kOwnership,
  kChannel,
  kSerial,
  kImei,
  kMac,
  kHostname,
  kState,
};
inline constexpr std::array<ColumnSpec, 14> kDeviceColumns{{
    {"device_id", true, false},
    {"holder", false, false},
    {"kind", false, false},
    {"vendor", false, false},
    {"model", false, false},
    {"platform", false, false},
    {"os_version", false, false},
    {"ownership", false, false},
    {"channel", false, false},
    {"serial", false, false},
    {"imei", false, false},
    {"mac", false, true},
    {"hostname", false, false},
    {"state", false, false},
}};

// A set of columns as a bit mask (bit i: column i); every schema fits.
using ColumnMask = std::uint32_t;
static_assert(kDeviceColumns.size() <= 32 && kPersonColumns.size() <= 32);

// The index of the column named `name` (case-insensitively), or nullopt.
std::optional<std::size_t> findColumn(Columns columns, std::string_view name);
// "person_id, name, email, ...": every column, for messages.
std::string columnList(Columns columns);
// The names of the columns in `mask`, in schema order, joined by ", ".
std::string maskNames(Columns columns, ColumnMask mask);

}  // namespace phaseout::inventory

// The inventory's records: people and devices, as stored and as evaluated.
//
// Plain values, no behaviour beyond equality. Enum fields are already normalised
// (platform/normalizer.h) by the time a Device is built from an import row.
#pragma once

#include <string>
#include <vector>

#include "platform/platform.h"

namespace phaseout::inventory {

enum class EmploymentStatus { kActive, kLeft };

struct Person {
  std::string person_id;
  std::string name;
  std::string email;
  std::string unit;                 // org unit path, "pa/domestic-policy/press"
  std::vector<std::string> roles;   // lower-case role names
  EmploymentStatus status = EmploymentStatus::kActive;
  std::string upn;                  // user principal name ("a.ivanova@corp.example"), or ""

  bool operator==(const Person&) const = default;
};

struct Device {
  std::string device_id;
  std::string holder;               // a person_id, or "" when unassigned
  platform::Kind kind = platform::Kind::kUnknown;
  std::string vendor;               // canonical vendor id ("apple"), "" when unknown
  std::string model;                // as exported ("iPhone14,2", "iPhone 13 Pro")
  platform::Platform platform = platform::Platform::kUnknown;
  std::string os_version;
  platform::Ownership ownership = platform::Ownership::kUnknown;
  platform::Channel channel = platform::Channel::kUnknown;
  std::string serial;
  std::string imei;
  std::vector<std::string> macs;    // lower-case "aa:bb:cc:dd:ee:ff"
  std::string hostname;
  platform::DeviceState state = platform::DeviceState::kActive;

  bool operator==(const Device&) const = default;
};

std::string_view name(EmploymentStatus s);

}  // namespace phaseout::inventory

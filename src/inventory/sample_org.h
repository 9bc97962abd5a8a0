// A deterministic sample organisation: people and devices that look like the exports of a real
// government body (the Presidential Administration of the scenario), for `phaseout demo`, tests
// and benchmarks.
//
// Contract:
// - The output is a pure function of the options. The same options give byte-identical records
//   on every platform and standard library: randomness comes from a private splitmix64 stream,
//   never from <random> distributions (whose output differs between implementations).
// - People: ids P-00001.. (zero-padded to at least 5 digits), transliterated Russian names,
//   unique e-mail addresses under the reserved domain pa.example, units from a fixed unit tree
//   under `pa/` plus a few units that must not match `pa/**` (`pa-press`, `gov/...`). Roles:
//   mostly `official`; the first person of every populated unit also holds `unit-officer`; a few
//   people in `pa/it/security` hold `security-officer`; some `staff` and `contractor`
//   non-officials. About 1% have status `left` (never a unit or security officer).
// - Devices: ids D-000001.. (at least 6 digits). By default about 1.3 per person; every device
//   holder is one of the people, or "" for a few spare devices in stock. The device fields are
//   what an inventory export contains, NOT normalised values: `model` is a hardware identifier
//   ("iPhone14,2"), a marketing name ("iPhone 13 Pro") or a vendor code ("NOH-AN00"); `vendor`
//   is an export spelling ("Apple Inc.", "HUAWEI") or empty; `os_version` is either a full OS
//   string ("iOS 16.3.1") or a bare version with `platform` set explicitly; `kind` and
//   `platform` are often left unknown so that the importer's normaliser must infer them. A
//   handful of devices (model "X-200", no vendor, no OS) cannot be identified at all.
//   Serials, IMEIs (Luhn-valid) and MAC addresses are unique across the set.
// - Cost: linear; about a second per million devices on one core. Memory is that of the
//   returned vectors (generateSampleOrg) or a few bytes per person (the streaming overload).
//
// Thread safety: free functions without shared state; call them from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "inventory/model.h"

namespace phaseout::inventory {

struct SampleOrgOptions {
  std::size_t people = 2000;
  std::uint64_t seed = 1;
  // Number of devices; 0 means "about 1.3 per person" (round(1.3 * people)).
  std::size_t devices = 0;
};

struct SampleOrg {
  std::vector<Person> people;
  std::vector<Device> devices;
};

// Every unit path the generator may assign, in tree order (a parent before its children).
const std::vector<std::string>& sampleOrgUnits();

// The number of devices the options ask for (resolves devices == 0).
std::size_t sampleOrgDeviceCount(const SampleOrgOptions& options);

SampleOrg generateSampleOrg(const SampleOrgOptions& options);

// Streams the same records, in the same order, as generateSampleOrg returns: every person (in id
// order) before every device (in id order). The references are valid only during the call.
// Use it to write millions of records without holding them in memory.
void generateSampleOrg(const SampleOrgOptions& options,
                       const std::function<void(const Person&)>& on_person,
                       const std::function<void(const Device&)>& on_device);

}  // namespace phaseout::inventory

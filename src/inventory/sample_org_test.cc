#include "inventory/sample_org.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "inventory/importer.h"
#include "inventory/sources/csv_writer.h"
#include "inventory/sources/registry.h"

namespace phaseout::inventory {
namespace {

using platform::Channel;
using platform::DeviceState;
using platform::Kind;
using platform::Ownership;
using platform::Platform;

// The first person and device for {people 3, seed 42}, recorded from the generator's first run.
constexpr std::string_view kPinnedFirstPerson =
    "Svetlana Olegovna Matveeva|pa/domestic-policy/monitoring|s.matveeva@pa.example";
constexpr std::string_view kPinnedFirstDevice = "HONOR 70|12|R5NG413MKBU";

const SampleOrg& defaultOrg() {
  static const SampleOrg org = generateSampleOrg(SampleOrgOptions{});
  return org;
}

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool isUnitPath(std::string_view path) {
  if (path.empty()) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    const std::string_view segment = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (char c : segment) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

bool luhnValid(std::string_view digits) {
  int sum = 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    int d = digits[digits.size() - 1 - i] - '0';
    if (d < 0 || d > 9) return false;
    if (i % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 == 0;
}

bool isMac(std::string_view mac) {
  if (mac.size() != 17) return false;
  for (std::size_t i = 0; i < mac.size(); ++i) {
    const char c = mac[i];
    if (i % 3 == 2) {
      if (c != ':') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool isIphone14(const Device& d) {
  return startsWith(d.model, "iPhone 14") || d.model == "iPhone14,7" || d.model == "iPhone15,2" ||
         d.model == "iPhone15,3";
}

TEST(SampleOrgTest, SameSeedGivesIdenticalOutput) {
  const SampleOrg again = generateSampleOrg(SampleOrgOptions{});
  EXPECT_EQ(again.people, defaultOrg().people);
  EXPECT_EQ(again.devices, defaultOrg().devices);
}

TEST(SampleOrgTest, DifferentSeedGivesDifferentOutput) {
  const SampleOrg other = generateSampleOrg(SampleOrgOptions{.people = 2000, .seed = 2});
  ASSERT_EQ(other.people.size(), defaultOrg().people.size());
  ASSERT_EQ(other.devices.size(), defaultOrg().devices.size());
  EXPECT_NE(other.people, defaultOrg().people);
  EXPECT_NE(other.devices, defaultOrg().devices);
}

// Golden values pin the stream itself: a change of PRNG, draw order or table would show here,
// and so would a platform whose arithmetic differs.
TEST(SampleOrgTest, FirstRecordsArePinned) {
  const SampleOrg org = generateSampleOrg(SampleOrgOptions{.people = 3, .seed = 42});
  ASSERT_EQ(org.people.size(), 3u);
  ASSERT_EQ(org.devices.size(), 4u);
  for (const Person& p : org.people) {
    SCOPED_TRACE(p.person_id);
    EXPECT_FALSE(p.name.empty());
  }
  EXPECT_EQ(org.people[0].person_id, "P-00001");
  EXPECT_EQ(org.devices[0].device_id, "D-000001");
  EXPECT_EQ(org.people[0].name + "|" + org.people[0].unit + "|" + org.people[0].email,
            kPinnedFirstPerson);
  EXPECT_EQ(org.devices[0].model + "|" + org.devices[0].os_version + "|" + org.devices[0].serial,
            kPinnedFirstDevice);
}

TEST(SampleOrgTest, StreamingMatchesVectors) {
  std::vector<Person> people;
  std::vector<Device> devices;
  bool device_before_all_people = false;
  generateSampleOrg(
      SampleOrgOptions{},
      [&](const Person& p) {
        if (!devices.empty()) device_before_all_people = true;
        people.push_back(p);
      },
      [&](const Device& d) { devices.push_back(d); });
  EXPECT_FALSE(device_before_all_people);
  EXPECT_EQ(people, defaultOrg().people);
  EXPECT_EQ(devices, defaultOrg().devices);
}

TEST(SampleOrgTest, PeopleDoNotDependOnTheDeviceCount) {
  const SampleOrg more =
      generateSampleOrg(SampleOrgOptions{.people = 2000, .seed = 1, .devices = 4000});
  EXPECT_EQ(more.people, defaultOrg().people);
  EXPECT_EQ(more.devices.size(), 4000u);
}

TEST(SampleOrgTest, CountsFollowTheOptions) {
  EXPECT_EQ(defaultOrg().people.size(), 2000u);
  EXPECT_EQ(defaultOrg().devices.size(), 2600u);
  EXPECT_EQ(sampleOrgDeviceCount(SampleOrgOptions{.people = 10}), 13u);
  EXPECT_EQ(sampleOrgDeviceCount(SampleOrgOptions{.people = 10, .seed = 1, .devices = 7}), 7u);

  const SampleOrg empty = generateSampleOrg(SampleOrgOptions{.people = 0});
  EXPECT_TRUE(empty.people.empty());
  EXPECT_TRUE(empty.devices.empty());

  // Devices without people are all spares in stock.
  const SampleOrg stock = generateSampleOrg(SampleOrgOptions{.people = 0, .seed = 1, .devices = 5});
  ASSERT_EQ(stock.devices.size(), 5u);
  for (const Device& d : stock.devices) EXPECT_EQ(d.holder, "");
}

TEST(SampleOrgTest, IdsAreSequentialZeroPaddedAndUnique) {
  const SampleOrg& org = defaultOrg();
  EXPECT_EQ(org.people.front().person_id, "P-00001");
  EXPECT_EQ(org.people.back().person_id, "P-02000");
  EXPECT_EQ(org.devices.front().device_id, "D-000001");
  EXPECT_EQ(org.devices.back().device_id, "D-002600");
  std::set<std::string> ids;
  for (const Person& p : org.people) EXPECT_TRUE(ids.insert(p.person_id).second) << p.person_id;
  for (const Device& d : org.devices) EXPECT_TRUE(ids.insert(d.device_id).second) << d.device_id;

  // The padding widens with the count, so ids stay sortable as text.
  std::string first_id, last_id;
  generateSampleOrg(
      SampleOrgOptions{.people = 100000, .seed = 1, .devices = 1},
      [&](const Person& p) {
        if (first_id.empty()) first_id = p.person_id;
        last_id = p.person_id;
      },
      nullptr);
  EXPECT_EQ(first_id, "P-000001");
  EXPECT_EQ(last_id, "P-100000");
}

TEST(SampleOrgTest, UnitsAreValidPathsFromTheTree) {
  const auto& units = sampleOrgUnits();
  const std::set<std::string> known(units.begin(), units.end());
  EXPECT_EQ(known.size(), units.size()) << "duplicate unit";
  for (const std::string& u : units) {
    EXPECT_TRUE(isUnitPath(u)) << u;
    // Tree order: a unit's parent, when it is a unit, comes before it.
    const std::size_t slash = u.rfind('/');
    if (slash != std::string::npos && known.count(u.substr(0, slash))) {
      EXPECT_LT(std::find(units.begin(), units.end(), u.substr(0, slash)) - units.begin(),
                std::find(units.begin(), units.end(), u) - units.begin())
          << u;
    }
  }
  for (const char* expected :
       {"pa", "pa/domestic-policy", "pa/domestic-policy/regions", "pa/press", "pa/protocol",
        "pa/legal", "pa/public-projects", "pa/state-council", "pa/personnel",
        "pa/security-council-liaison", "pa/it", "pa/chancellery", "pa-press", "gov/pa"}) {
    EXPECT_TRUE(known.count(expected)) << expected;
  }

  std::map<std::string, int> head_count;
  for (const Person& p : defaultOrg().people) {
    EXPECT_TRUE(known.count(p.unit)) << p.person_id << " " << p.unit;
    ++head_count[p.unit];
  }
  // At the default size every unit has people, including those outside pa/**.
  for (const std::string& u : units) EXPECT_GT(head_count[u], 0) << u;
  int outside_pa = 0;
  for (const auto& [unit, n] : head_count) {
    if (unit != "pa" && !startsWith(unit, "pa/")) outside_pa += n;
  }
  EXPECT_GT(outside_pa, 100);
  EXPECT_LT(outside_pa, 300);
}

TEST(SampleOrgTest, RolesAndStatus) {
  std::map<std::string, int> unit_officers;
  int security_officers = 0;
  int officials = 0;
  int staff = 0;
  int contractors = 0;
  int left = 0;
  for (const Person& p : defaultOrg().people) {
    ASSERT_FALSE(p.roles.empty()) << p.person_id;
    const auto has = [&](std::string_view role) {
      return std::find(p.roles.begin(), p.roles.end(), role) != p.roles.end();
    };
    if (has("unit-officer")) {
      ++unit_officers[p.unit];
      EXPECT_TRUE(has("official")) << p.person_id;
      EXPECT_EQ(p.status, EmploymentStatus::kActive) << p.person_id;
    }
    if (has("security-officer")) {
      ++security_officers;
      EXPECT_EQ(p.unit, "pa/it/security") << p.person_id;
      EXPECT_EQ(p.status, EmploymentStatus::kActive) << p.person_id;
    }
    officials += has("official");
    staff += has("staff");
    contractors += has("contractor");
    if (p.status == EmploymentStatus::kLeft) ++left;
    EXPECT_FALSE(has("official") && (has("staff") || has("contractor"))) << p.person_id;
  }
  EXPECT_EQ(unit_officers.size(), sampleOrgUnits().size());
  for (const auto& [unit, n] : unit_officers) EXPECT_EQ(n, 1) << unit;
  EXPECT_GE(security_officers, 2);
  EXPECT_LE(security_officers, 5);
  EXPECT_GT(officials, 1600);  // about 85%
  EXPECT_GT(staff, 120);
  EXPECT_GT(contractors, 40);
  EXPECT_GE(left, 8);  // about 1%
  EXPECT_LE(left, 40);
}

TEST(SampleOrgTest, NamesAndEmailsArePlausibleAndUnique) {
  std::set<std::string> emails;
  for (const Person& p : defaultOrg().people) {
    EXPECT_EQ(std::count(p.name.begin(), p.name.end(), ' '), 2) << p.name;
    const auto at = p.email.find('@');
    ASSERT_NE(at, std::string::npos) << p.email;
    EXPECT_TRUE(p.email.substr(at) == "@pa.example" || p.email.substr(at) == "@gov.example")
        << p.email;
    EXPECT_TRUE(emails.insert(p.email).second) << p.email;
    for (char c : p.email) EXPECT_TRUE(c >= 0x21 && c < 0x7f) << p.email;
  }
}

TEST(SampleOrgTest, EveryHolderExists) {
  std::set<std::string> people;
  for (const Person& p : defaultOrg().people) people.insert(p.person_id);
  int spares = 0;
  std::set<std::string> holders;
  for (const Device& d : defaultOrg().devices) {
    if (d.holder.empty()) {
      ++spares;
      continue;
    }
    EXPECT_TRUE(people.count(d.holder)) << d.device_id << " held by " << d.holder;
    holders.insert(d.holder);
  }
  EXPECT_LE(spares, 10);
  // Nearly everyone has at least one device; 3% have no main phone but may hold an extra.
  EXPECT_GT(holders.size(), 1900u);
}

TEST(SampleOrgTest, IdentifiersAreWellFormedAndUnique) {
  std::set<std::string> serials, imeis, macs;
  int with_serial = 0, with_imei = 0, with_mac = 0, with_hostname = 0;
  for (const Device& d : defaultOrg().devices) {
    if (!d.serial.empty()) {
      ++with_serial;
      EXPECT_TRUE(serials.insert(d.serial).second) << d.serial;
    }
    if (!d.imei.empty()) {
      ++with_imei;
      EXPECT_EQ(d.imei.size(), 15u) << d.imei;
      EXPECT_TRUE(luhnValid(d.imei)) << d.imei;
      EXPECT_TRUE(imeis.insert(d.imei).second) << d.imei;
    }
    for (const std::string& mac : d.macs) {
      ++with_mac;
      EXPECT_TRUE(isMac(mac)) << mac;
      EXPECT_TRUE(macs.insert(mac).second) << mac;
    }
    if (!d.hostname.empty()) ++with_hostname;
    for (char c : d.hostname) EXPECT_TRUE(c > 0x20 && c < 0x7f && c != ',') << d.hostname;
  }
  EXPECT_GT(with_serial, 2400);
  EXPECT_GT(with_imei, 1800);
  EXPECT_GT(with_mac, 2300);
  EXPECT_GT(with_hostname, 1000);
}

TEST(SampleOrgTest, UniqueIdentifiersHoldAtScale) {
  std::set<std::string> serials, imeis, macs;
  generateSampleOrg(SampleOrgOptions{.people = 1000, .seed = 7, .devices = 30000}, nullptr,
                    [&](const Device& d) {
                      if (!d.serial.empty()) {
                        EXPECT_TRUE(serials.insert(d.serial).second) << d.serial;
                      }
                      if (!d.imei.empty()) {
                        EXPECT_TRUE(imeis.insert(d.imei).second) << d.imei;
                      }
                      for (const auto& m : d.macs) EXPECT_TRUE(macs.insert(m).second) << m;
                    });
  EXPECT_GT(serials.size(), 28000u);
}

TEST(SampleOrgTest, PlatformMixIsRealistic) {
  const auto& devices = defaultOrg().devices;
  const double n = static_cast<double>(devices.size());
  int iphones = 0, ipads = 0, macs = 0, windows = 0, aurora = 0, harmony = 0, samsung = 0,
      huawei_codes = 0, watches = 0, unknown = 0;
  for (const Device& d : devices) {
    if (startsWith(d.model, "iPhone")) ++iphones;
    if (startsWith(d.model, "iPad")) ++ipads;
    if (startsWith(d.model, "MacBook") || startsWith(d.model, "Mac14") ||
        startsWith(d.model, "iMac")) {
      ++macs;
    }
    if (d.platform == Platform::kWindows || startsWith(d.os_version, "Windows")) ++windows;
    if (startsWith(d.model, "INOI")) ++aurora;
    if (d.platform == Platform::kHarmonyos || startsWith(d.os_version, "HarmonyOS")) ++harmony;
    if (startsWith(d.model, "SM-") || startsWith(d.model, "Galaxy")) ++samsung;
    if (d.model.size() == 8 && d.model[3] == '-' &&
        (d.model.substr(4, 2) == "AN" || d.model.substr(4, 2) == "AL")) {
      ++huawei_codes;
    }
    if (startsWith(d.model, "Watch") || startsWith(d.model, "Apple Watch")) ++watches;
    if (startsWith(d.model, "X-200")) {
      ++unknown;
      EXPECT_TRUE(d.vendor.empty());
      EXPECT_TRUE(d.os_version.empty());
      EXPECT_EQ(d.platform, Platform::kUnknown);
      EXPECT_EQ(d.kind, Kind::kUnknown);
    }
  }
  // About 45% of phones are iPhones and about 85% of devices are phones.
  EXPECT_GT(iphones / n, 0.33);
  EXPECT_LT(iphones / n, 0.45);
  EXPECT_GT(samsung / n, 0.10);
  EXPECT_GT(ipads, 50);
  EXPECT_GT(macs, 30);
  EXPECT_GT(windows, 50);
  EXPECT_GT(aurora, 20);
  EXPECT_GT(harmony, 30);
  EXPECT_GT(huawei_codes, 20);
  EXPECT_GT(watches, 0);
  EXPECT_GE(unknown, 2);
  EXPECT_LE(unknown, 20);
}

TEST(SampleOrgTest, FieldsLookLikeExportsAndLeaveInferenceToTheImporter) {
  int empty_vendor = 0, raw_vendor = 0, inferred_only = 0, explicit_platform = 0, hardware_ids = 0,
      marketing = 0, full_os = 0, bare_os = 0, comma_models = 0;
  for (const Device& d : defaultOrg().devices) {
    if (d.vendor.empty()) ++empty_vendor;
    if (d.vendor == "Apple Inc." || d.vendor == "HUAWEI" || d.vendor == "samsung") ++raw_vendor;
    if (d.platform == Platform::kUnknown && d.kind == Kind::kUnknown) ++inferred_only;
    if (d.platform != Platform::kUnknown) {
      ++explicit_platform;
      EXPECT_NE(d.kind, Kind::kUnknown) << d.device_id;
    }
    if (d.model == "iPhone14,2" || d.model == "NOH-AN00" || d.model == "SM-S918B") ++hardware_ids;
    if (d.model == "iPhone 13 Pro" || d.model == "Galaxy S23" || d.model == "Redmi Note 12") {
      ++marketing;
    }
    if (startsWith(d.os_version, "iOS ") || startsWith(d.os_version, "Android ") ||
        startsWith(d.os_version, "Aurora OS ")) {
      ++full_os;
    }
    if (!d.os_version.empty() && d.os_version[0] >= '0' && d.os_version[0] <= '9') {
      ++bare_os;
      EXPECT_NE(d.platform, Platform::kUnknown) << d.device_id << " " << d.os_version;
    }
    if (d.model.find(',') != std::string::npos) ++comma_models;
    // The exports of early 2023: nothing newer than iOS 16.3.1.
    EXPECT_FALSE(startsWith(d.os_version, "iOS 16.4") || startsWith(d.os_version, "iOS 17"));
  }
  EXPECT_GT(empty_vendor, 300);
  EXPECT_GT(raw_vendor, 300);
  EXPECT_GT(inferred_only, 1000);
  EXPECT_GT(explicit_platform, 900);
  EXPECT_GT(hardware_ids, 20);
  EXPECT_GT(marketing, 20);
  EXPECT_GT(full_os, 800);
  EXPECT_GT(bare_os, 800);
  EXPECT_GT(comma_models, 300);
}

TEST(SampleOrgTest, OwnershipChannelAndState) {
  int personal = 0, corporate = 0, returned = 0, lost = 0, active = 0, parallel_iphone14 = 0;
  for (const Device& d : defaultOrg().devices) {
    personal += d.ownership == Ownership::kPersonal;
    corporate += d.ownership == Ownership::kCorporate;
    returned += d.state == DeviceState::kReturned;
    lost += d.state == DeviceState::kLost;
    active += d.state == DeviceState::kActive;
    if (isIphone14(d)) {
      // Apple stopped selling in Russia in 2022: an iPhone 14 came by parallel import.
      EXPECT_TRUE(d.channel == Channel::kParallelImport || d.channel == Channel::kUnknown)
          << d.device_id;
      parallel_iphone14 += d.channel == Channel::kParallelImport;
    }
  }
  EXPECT_GT(corporate, 1500);
  EXPECT_GT(personal, 400);
  EXPECT_GT(returned, 20);
  EXPECT_GT(lost, 2);
  EXPECT_GT(active, 2450);
  EXPECT_GT(parallel_iphone14, 100);
}

TEST(SampleOrgTest, DepartedPeopleMostlyHandedTheirDevicesIn) {
  std::set<std::string> left;
  for (const Person& p : defaultOrg().people) {
    if (p.status == EmploymentStatus::kLeft) left.insert(p.person_id);
  }
  int held = 0, returned = 0;
  for (const Device& d : defaultOrg().devices) {
    if (!left.count(d.holder)) continue;
    ++held;
    returned += d.state == DeviceState::kReturned;
  }
  ASSERT_GT(held, 0);
  EXPECT_GT(returned * 2, held);
  EXPECT_LT(returned, held);  // and some still show an active device
}

// The generated records are what the demo and the benchmark import: the strict importer must
// accept all of them, and its inference must recover what the exports leave out.
TEST(SampleOrgTest, ImporterAcceptsTheOutputAndInfersWhatIsMissing) {
  const SampleOrg& org = defaultOrg();
  const auto people = parsePeople(writePeopleCsv(org.people), "people.csv", *findSource("csv"));
  ASSERT_TRUE(people.isOk()) << people.status().toString();
  EXPECT_EQ(*people, org.people);
  std::set<std::string, std::less<>> ids;
  for (const Person& p : *people) ids.insert(p.person_id);
  const auto devices =
      parseDevices(writeDevicesCsv(org.devices), "devices.csv", *findSource("csv"),
                   [&](std::string_view holder) { return ids.find(holder) != ids.end(); });
  ASSERT_TRUE(devices.isOk()) << devices.status().toString();
  ASSERT_EQ(devices->size(), org.devices.size());

  int unknown_platform = 0;
  for (std::size_t i = 0; i < devices->size(); ++i) {
    const Device& raw = org.devices[i];
    const Device& imported = (*devices)[i];
    SCOPED_TRACE(raw.device_id + " " + raw.model + " / " + raw.os_version + " / " + raw.vendor);
    EXPECT_EQ(imported.device_id, raw.device_id);
    EXPECT_EQ(imported.holder, raw.holder);
    EXPECT_EQ(imported.state, raw.state);
    if (startsWith(raw.model, "iPhone")) {
      EXPECT_EQ(imported.platform, Platform::kIos);
      EXPECT_EQ(imported.kind, Kind::kPhone);
      EXPECT_EQ(imported.vendor, "apple");
    }
    if (startsWith(raw.model, "iPad")) {
      EXPECT_EQ(imported.platform, Platform::kIpados);
    }
    if (startsWith(raw.model, "X-200")) {
      EXPECT_EQ(imported.platform, Platform::kUnknown);
      EXPECT_EQ(imported.kind, Kind::kUnknown);
      EXPECT_EQ(imported.vendor, "");
    } else if (imported.platform == Platform::kUnknown) {
      ++unknown_platform;
    }
    if (raw.platform != Platform::kUnknown) {
      EXPECT_EQ(imported.platform, raw.platform);
    }
  }
  // Only sparse records (a bare marketing name or vendor code) may stay unresolved.
  EXPECT_LT(unknown_platform, static_cast<int>(devices->size() * 3 / 100));
}

}  // namespace
}  // namespace phaseout::inventory

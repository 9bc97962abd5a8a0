// Fixtures shared by the service tests (test code only: no library includes it).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "detect/signature_set.h"
#include "service/demo.h"
#include "service/import.h"
#include "service/workspace.h"

namespace phaseout::service::testing {

inline Date day(const char* text) { return *Date::parse(text); }

// A recording by "tester" at 01:00 UTC on `today`, effective on `on` (else today).
inline Recording recordingAt(const char* today, std::optional<Date> on = std::nullopt) {
  Recording r;
  r.on = on;
  r.now_ms = day(today).epochMs() + 3'600'000;
  return r;
}

// The signature set built into phaseout, loaded once.
inline std::shared_ptr<const detect::SignatureSet> builtinSignatures() {
  static auto set = detect::SignatureSet::loadBuiltin();
  EXPECT_TRUE(set.isOk()) << set.status().toString();
  return *set;
}

// The small organisation several service tests share: two officials in two units, each with an
// iPhone; a unit officer of pa/press (P-8) and a security officer over all (P-9).
inline constexpr const char* kSmallOrgPeopleCsv =
    "person_id,name,email,unit,role,status\n"
    "P-1,Ivan Petrov,ivan@pa.example,pa/press,official,active\n"
    "P-2,Anna Ivanova,anna@pa.example,pa/it,official,active\n"
    "P-8,Pavel Press,pavel@pa.example,pa/press,official;unit-officer,active\n"
    "P-9,Olga Officer,olga@pa.example,pa,security-officer,active\n";
inline constexpr const char* kSmallOrgDevicesCsv =
    "device_id,holder,kind,vendor,model,platform,os_version,ownership,channel,serial,imei,"
    "mac,hostname,state\n"
    "D-1,P-1,phone,Apple,iPhone 13 Pro,ios,16.4,corporate,official,,,,,active\n"
    "D-2,P-2,phone,Apple,iPhone 12,ios,16.1,corporate,official,,,,,active\n";

// A fresh, initialised SQLite database in a folder of its own, removed after the test.
// A subclass that overrides SetUp calls WorkspaceTest::SetUp() first and returns when it failed
// (HasFatalFailure()).
class WorkspaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("phaseout_" + std::string(info->test_suite_name()) + "_" + info->name() + "_" +
            std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto ws = Workspace::open((dir_ / "t.db").string());
    ASSERT_TRUE(ws.isOk()) << ws.status().toString();
    ws_ = std::move(ws).value();
    ASSERT_TRUE(ws_->init().isOk());
  }
  void TearDown() override {
    ws_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Writes `text` to dir_/name and returns the path.
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  // Imports dir_/name as the local operator; the test fails when the import does.
  void importFile(ImportKind kind, const std::string& name, const Recording& recording) {
    auto r = importInventory(Caller::localOperator("tester"), *ws_,
                             {kind, (dir_ / name).string(), "", recording});
    ASSERT_TRUE(r.isOk()) << r.status().toString();
  }
  // The demo's organisation and campaign (`people` people, recorded on 2023-03-20) in this
  // workspace, its files in dir_.
  Result<DemoOutcome> runDemoHere(std::size_t people) {
    DemoOptions options;
    options.people = people;
    options.out_dir = dir_.string();
    return runDemo(Caller::localOperator("tester"), *ws_, options, recordingAt("2023-03-20"));
  }
  // Imports the small organisation (kSmallOrgPeopleCsv, kSmallOrgDevicesCsv).
  void importSmallOrg(const Recording& recording) {
    write("people.csv", kSmallOrgPeopleCsv);
    write("devices.csv", kSmallOrgDevicesCsv);
    importFile(ImportKind::kPeople, "people.csv", recording);
    if (::testing::Test::HasFatalFailure()) return;
    importFile(ImportKind::kDevices, "devices.csv", recording);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Workspace> ws_;
};

}  // namespace phaseout::service::testing

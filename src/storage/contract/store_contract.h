// The storage contract: one GoogleTest suite (StoreContract, store_contract_test.cc) that every
// store — people, devices and directives through the Repository, the CampaignStore, the
// SightingStore and the audit check — must pass on every engine. An engine takes part by
// registering itself once, beside its code:
//
//   INSTANTIATE_TEST_SUITE_P(Postgres, StoreContract,
//                            ::testing::Values(ContractEngine{"server", makeDb, dropDb}),
//                            contractEngineName);
//
// Each test gets a fresh, empty database from the engine (ContractEngine::create), migrated,
// and drops it afterwards. An engine that cannot run here (no server) makes create() return
// Unavailable: the tests then report themselves skipped with its message, never passed.
// Tests only. Not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "core/date.h"
#include "inventory/model.h"
#include "storage/connection.h"
#include "storage/open.h"
#include "storage/repository.h"

namespace phaseout::storage {

struct ContractEngine {
  std::string name;  // the test name suffix: letters, digits and '_'
  // A fresh, empty database for the test `test_name`, as a URL for storage::open.
  // Unavailable when the engine cannot run here (the test is skipped with the message).
  std::function<Result<std::string>(const std::string& test_name)> create;
  // Removes what create() made; may be empty.
  std::function<void(const std::string& url)> drop;
};

// Test names and ctest listings show the engine's name, not its bytes.
inline void PrintTo(const ContractEngine& engine, std::ostream* out) { *out << engine.name; }

inline std::string contractEngineName(const ::testing::TestParamInfo<ContractEngine>& info) {
  return info.param.name;
}

class StoreContract : public ::testing::TestWithParam<ContractEngine> {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    auto url = GetParam().create(std::string(test->name()));
    if (!url.isOk() && url.status().code() == StatusCode::kUnavailable) {
      GTEST_SKIP() << GetParam().name << ": " << url.status().toString();
    }
    ASSERT_TRUE(url.isOk()) << url.status().toString();
    url_ = *url;
    auto conn = open(url_);
    ASSERT_TRUE(conn.isOk()) << conn.status().toString();
    conn_ = std::move(conn).value();
    repo_ = std::make_unique<Repository>(*conn_);
    ASSERT_TRUE(repo_->migrate().isOk());
  }

  void TearDown() override {
    repo_.reset();
    conn_.reset();
    if (!url_.empty() && GetParam().drop) GetParam().drop(url_);
  }

  // Another connection to the test's database, or nullptr when the engine has none to give
  // (a private in-memory database): the stores must then work on one connection.
  std::unique_ptr<Connection> openSecond() {
    auto parsed = parseDatabaseUrl(url_);
    if (!parsed.isOk() || !parsed->shareable()) return nullptr;
    auto conn = open(*parsed);
    EXPECT_TRUE(conn.isOk()) << conn.status().toString();
    return conn.isOk() ? std::move(conn).value() : nullptr;
  }

  // Changes stored rows behind the stores' back (portable SQL), as a tamperer would.
  void tamper(std::string_view sql) { ASSERT_TRUE(conn_->exec(sql).isOk()) << sql; }

  static Date day(const char* text) { return *Date::parse(text); }

  static ChangeContext change(const char* effective = "2023-03-10", bool given = false) {
    ChangeContext c;
    c.effective = day(effective);
    c.effective_given = given;
    c.recorded_ms = 1'680'000'000'000;
    c.actor = "tester";
    c.source = "test";
    return c;
  }

  static inventory::Person person(std::string id, std::string unit) {
    inventory::Person p;
    p.person_id = std::move(id);
    p.name = "Name " + p.person_id;
    p.email = p.person_id + "@example.org";
    p.unit = std::move(unit);
    p.roles = {"official"};
    return p;
  }

  static inventory::Device device(std::string id, std::string holder) {
    inventory::Device d;
    d.device_id = std::move(id);
    d.holder = std::move(holder);
    d.kind = platform::Kind::kPhone;
    d.vendor = "apple";
    d.model = "iPhone14,2";
    d.platform = platform::Platform::kIos;
    d.os_version = "16.4";
    d.macs = {"aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02"};
    d.channel = platform::Channel::kParallelImport;
    return d;
  }

  // Events in seq order.
  std::vector<audit::Event> events() {
    std::vector<audit::Event> out;
    EXPECT_TRUE(repo_
                    ->forEachEvent([&](const audit::Event& e) {
                      out.push_back(e);
                      return Status::ok();
                    })
                    .isOk());
    return out;
  }

  std::string url_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<Repository> repo_;
};

}  // namespace phaseout::storage

// The storage contract (store_contract.h): what every engine's stores must do. Engines
// register themselves beside their code (sqlite/sqlite_contract_test.cc).
#include "storage/contract/store_contract.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <span>

#include "storage/account_store.h"
#include "storage/campaign_store.h"
#include "storage/catalog.h"
#include "storage/language_store.h"
#include "storage/migrations.h"
#include "storage/sighting_store.h"

namespace phaseout::storage {
namespace {

using campaign::Sighting;
using inventory::Device;
using inventory::Person;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StoreContract);

constexpr const char* kDirectiveYaml =
    "id: pa-iphone-2023\ntitle: t\nissued: 2023-03-06\nscope: {units: [pa]}\n"
    "ban: [{platform: ios}]\nmilestones: [{name: m, due: 2023-04-01}]\n";

// Runs `write` in a write transaction and commits when it succeeds.
template <typename Fn>
Status inWriteTransaction(Connection& conn, Fn write) {
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(conn, Transaction::Mode::kWrite));
  PH_RETURN_IF_ERROR(write());
  return tx->commit();
}

// --- schema and catalog ---------------------------------------------------------------------

TEST_P(StoreContract, EveryCatalogStatementPrepares) {
  for (std::size_t i = 0; i < kQueryCount; ++i) {
    const auto query = static_cast<Query>(i);
    auto prepared = prepare(*conn_, query);
    EXPECT_TRUE(prepared.isOk()) << catalog(conn_->dialect()).name(query) << ": "
                                 << prepared.status().toString();
  }
}

TEST_P(StoreContract, MigrateIsIdempotentAndRecordsVersion) {
  ASSERT_TRUE(repo_->migrate().isOk());
  auto v = schemaVersion(*conn_);
  ASSERT_TRUE(v.isOk());
  EXPECT_EQ(*v, migrations().back().version);
  EXPECT_TRUE(repo_->checkReady().isOk());
}

TEST_P(StoreContract, RefusesNewerSchema) {
  tamper("INSERT INTO schema_version (version) VALUES (999)");
  Status s = repo_->migrate();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("newer"), std::string::npos);
}

TEST_P(StoreContract, EmptyDatabaseIsNotReady) {
  auto url = GetParam().create(std::string("empty_") +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  ASSERT_TRUE(url.isOk()) << url.status().toString();
  {
    auto conn = open(*url);
    ASSERT_TRUE(conn.isOk()) << conn.status().toString();
    Repository repo(**conn);
    Status s = repo.checkReady();
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(s.message().find("phaseout init"), std::string::npos);
    // Asking created nothing: only a migration (under the writer lock) creates the table.
    auto exists = prepare(**conn, Query::kSchemaVersionTableExists);
    ASSERT_TRUE(exists.isOk()) << exists.status().toString();
    ASSERT_TRUE(*(*exists)->step());
    EXPECT_EQ((*exists)->integer(0), 0);
  }
  if (GetParam().drop) GetParam().drop(*url);
}

// --- people and devices ---------------------------------------------------------------------

TEST_P(StoreContract, UpsertCountsAddedUpdatedUnchanged) {
  auto first = repo_->upsertPeople({person("P-1", "pa"), person("P-2", "pa/press")}, change());
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  EXPECT_EQ(first->added, 2u);
  Person changed = person("P-2", "pa/legal");
  auto second = repo_->upsertPeople({person("P-1", "pa"), changed, person("P-3", "pa")}, change());
  ASSERT_TRUE(second.isOk());
  EXPECT_EQ(second->added, 1u);
  EXPECT_EQ(second->updated, 1u);
  EXPECT_EQ(second->unchanged, 1u);
  auto loaded = repo_->loadPeople();
  ASSERT_TRUE(loaded.isOk());
  ASSERT_EQ(loaded->size(), 3u);
  EXPECT_EQ((*loaded)[1], changed);
  EXPECT_EQ(*repo_->loadPersonIds(), (std::vector<std::string>{"P-1", "P-2", "P-3"}));
  // Evaluation loads leave out what evaluation never reads.
  auto lean = repo_->loadPeople(std::nullopt, Repository::Fields::kEvaluation);
  ASSERT_TRUE(lean.isOk());
  ASSERT_EQ(lean->size(), 3u);
  EXPECT_EQ((*lean)[1].unit, "pa/legal");
  EXPECT_EQ((*lean)[1].roles, changed.roles);
  EXPECT_TRUE((*lean)[1].name.empty());
  EXPECT_TRUE((*lean)[1].email.empty());
}

TEST_P(StoreContract, DevicesRoundTripEveryField) {
  Device d = device("D-1", "P-1");
  d.serial = "F2LXK0XXXX";
  d.imei = "356789012345678";
  d.hostname = "iPhone-Ivan";
  d.state = platform::DeviceState::kReturned;
  d.ownership = platform::Ownership::kPersonal;
  ASSERT_TRUE(repo_->upsertDevices({d, device("D-2", "")}, change()).isOk());
  auto loaded = repo_->loadDevices();
  ASSERT_TRUE(loaded.isOk());
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0], d);
  EXPECT_EQ((*loaded)[1], device("D-2", ""));
  auto one = repo_->loadDevice("D-1", day("2023-03-10"));
  ASSERT_TRUE(one.isOk());
  EXPECT_EQ(*one, d);
  EXPECT_TRUE(*repo_->deviceExists("D-2"));
  EXPECT_FALSE(*repo_->deviceExists("D-9"));
  EXPECT_EQ(repo_->loadDevice("D-9", day("2023-03-10")).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreContract, DevicesLoadByIdRangeAndFields) {
  std::vector<Device> devices;
  for (const char* id : {"D-1", "D-2", "D-3", "D-4"}) {
    Device d = device(id, "P-1");
    d.serial = std::string("S") + id;
    d.hostname = std::string("host-") + id;
    d.ownership = platform::Ownership::kPersonal;
    devices.push_back(d);
  }
  ASSERT_TRUE(repo_->upsertDevices(devices, change()).isOk());
  auto ids = [](const std::vector<Device>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds) out.push_back(d.device_id);
    return out;
  };
  for (auto fields :
       {Repository::Fields::kAll, Repository::Fields::kEvaluation, Repository::Fields::kCounting}) {
    EXPECT_EQ(ids(*repo_->loadDevices(std::nullopt, fields, {"D-2", ""})),
              (std::vector<std::string>{"D-2", "D-3", "D-4"}));
    EXPECT_EQ(ids(*repo_->loadDevices(std::nullopt, fields, {"", "D-2"})),
              (std::vector<std::string>{"D-1"}));
    EXPECT_EQ(ids(*repo_->loadDevices(std::nullopt, fields, {"D-2", "D-4"})),
              (std::vector<std::string>{"D-2", "D-3"}));
    EXPECT_EQ(ids(*repo_->loadDevices(std::nullopt, fields)),
              (std::vector<std::string>{"D-1", "D-2", "D-3", "D-4"}));
  }
  auto full = repo_->loadDevices(std::nullopt, Repository::Fields::kAll, {"D-3", "D-4"});
  ASSERT_TRUE(full.isOk());
  ASSERT_EQ(full->size(), 1u);
  EXPECT_EQ(full->front(), devices[2]);
  auto lean = repo_->loadDevices(std::nullopt, Repository::Fields::kEvaluation, {"D-3", "D-4"});
  ASSERT_TRUE(lean.isOk());
  ASSERT_EQ(lean->size(), 1u);
  const Device& d = lean->front();
  EXPECT_EQ(d.holder, "P-1");
  EXPECT_EQ(d.platform, platform::Platform::kIos);
  EXPECT_EQ(d.os_version, "16.4");
  EXPECT_TRUE(d.serial.empty());
  EXPECT_TRUE(d.hostname.empty());
  EXPECT_TRUE(d.macs.empty());
  // The counts' stream: the same less the os_version, each device once, in id order.
  std::vector<Device> counted;
  ASSERT_TRUE(repo_
                  ->forEachDevice(*Date::parse("2030-01-01"), Repository::Fields::kCounting,
                                  [&](const Device& one) {
                                    counted.push_back(one);
                                    return Status::ok();
                                  },
                                  {"D-3", ""})
                  .isOk());
  ASSERT_EQ(ids(counted), (std::vector<std::string>{"D-3", "D-4"}));
  Device expected = d;
  expected.os_version.clear();
  EXPECT_EQ(counted.front(), expected);
  auto split = repo_->deviceIdAt(0.5);
  ASSERT_TRUE(split.isOk());
  EXPECT_EQ(split->versions, 4u);
  EXPECT_EQ(split->device_id, "D-3");
  // A table this small is split exactly, on both engines (PostgreSQL samples large ones).
  auto point = repo_->splitPoint(Repository::Records::kDevices, 0.5);
  ASSERT_TRUE(point.isOk()) << point.status().toString();
  EXPECT_EQ(*point, "D-3");
}

TEST_P(StoreContract, PeopleStreamByIdRangeWithTheColumnsEvaluationReads) {
  std::vector<Person> people;
  for (const char* id : {"P-1", "P-2", "P-3", "P-4"}) {
    Person p = person(id, "pa/press");
    p.name = std::string("Name ") + id;
    p.email = std::string(id) + "@example.org";
    p.upn = std::string(id) + "@corp.example.org";
    people.push_back(p);
  }
  ASSERT_TRUE(repo_->upsertPeople(people, change()).isOk());
  const Date day = *Date::parse("2030-01-01");
  auto stream = [&](const Repository::IdRange& ids, Repository::Fields fields) {
    std::vector<Person> out;
    const Status s = repo_->forEachPerson(
        day, fields,
        [&](const Person& p) {
          out.push_back(p);
          return Status::ok();
        },
        ids);
    EXPECT_TRUE(s.isOk()) << s.toString();
    return out;
  };
  auto all = stream({}, Repository::Fields::kAll);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[2], people[2]);  // every field, the user principal name too
  auto below = stream({"", "P-3"}, Repository::Fields::kEvaluation);
  ASSERT_EQ(below.size(), 2u);
  EXPECT_EQ(below[1].person_id, "P-2");
  EXPECT_EQ(below[1].unit, "pa/press");
  EXPECT_TRUE(below[1].name.empty() && below[1].email.empty() && below[1].upn.empty());
  auto from = stream({"P-3", ""}, Repository::Fields::kEvaluation);
  ASSERT_EQ(from.size(), 2u);
  EXPECT_EQ(from[0].person_id, "P-3");
  EXPECT_EQ(repo_
                ->forEachPerson(day, Repository::Fields::kAll,
                                [](const Person&) { return Status::ok(); }, {"P-2", ""})
                .code(),
            StatusCode::kInvalidArgument);
  auto point = repo_->splitPoint(Repository::Records::kPeople, 0.5);
  ASSERT_TRUE(point.isOk()) << point.status().toString();
  EXPECT_EQ(*point, "P-3");
}

TEST_P(StoreContract, HistoryAnswersAsOfAnyDay) {
  // First import without a date: the baseline, valid before any date.
  ASSERT_TRUE(repo_->upsertPeople({person("P-1", "pa/press")}, change("2023-03-10")).isOk());
  // A move to another unit from 15 March, recorded later.
  ASSERT_TRUE(repo_->upsertPeople({person("P-1", "pa/legal")}, change("2023-03-15", true)).isOk());
  // A person who joins on 20 March.
  ASSERT_TRUE(repo_
                  ->upsertPeople({person("P-1", "pa/legal"), person("P-2", "pa")},
                                 change("2023-03-20", true))
                  .isOk());
  auto on = [&](const char* d) { return *repo_->loadPeople(day(d)); };
  ASSERT_EQ(on("2020-01-01").size(), 1u);
  EXPECT_EQ(on("2020-01-01")[0].unit, "pa/press");
  EXPECT_EQ(on("2023-03-14")[0].unit, "pa/press");
  EXPECT_EQ(on("2023-03-15")[0].unit, "pa/legal");
  EXPECT_EQ(on("2023-03-19").size(), 1u);
  EXPECT_EQ(on("2023-03-20").size(), 2u);
  EXPECT_EQ(repo_->loadPerson("P-1", day("2023-03-14"))->unit, "pa/press");
  EXPECT_EQ(repo_->loadPerson("P-2", day("2023-03-19")).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreContract, StreamedUpsertThatFailsKeepsNothing) {
  ASSERT_TRUE(repo_->upsertPeople({person("P-1", "pa")}, change()).isOk());
  const std::vector<Person> batch = {person("P-1", "pa/legal"), person("P-2", "pa")};
  auto failed = repo_->upsertPeople(
      [&](const Repository::BatchSink<Person>& sink) -> Status {
        PH_RETURN_IF_ERROR(sink(std::span<const Person>(batch)));
        return invalidArgument("people.csv:3: unit: expected a unit path");
      },
      change());
  ASSERT_FALSE(failed.isOk());
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument);
  auto loaded = repo_->loadPeople();
  ASSERT_TRUE(loaded.isOk());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ(loaded->front().unit, "pa");
  auto check = repo_->verifyAudit();
  ASSERT_TRUE(check.isOk());
  EXPECT_TRUE(check->ok()) << check->problem;
  EXPECT_EQ(check->events, 1);
}

TEST_P(StoreContract, DeviceVersionFromAnEvent) {
  ASSERT_TRUE(repo_->upsertDevices({device("D-1", "P-1")}, change()).isOk());
  Device destroyed = device("D-1", "P-1");
  destroyed.state = platform::DeviceState::kDestroyed;
  ASSERT_TRUE(inWriteTransaction(*conn_, [&]() -> Status {
                auto seq =
                    repo_->recordDeviceVersion(destroyed, change("2023-03-18", true), "disposition",
                                               "D-1", R"({"as":"destroyed"})");
                return seq.isOk() ? Status::ok() : seq.status();
              }).isOk());
  EXPECT_EQ((*repo_->loadDevices(day("2023-03-17")))[0].state, platform::DeviceState::kActive);
  EXPECT_EQ((*repo_->loadDevices(day("2023-03-18")))[0].state, platform::DeviceState::kDestroyed);
  auto check = repo_->verifyAudit();
  ASSERT_TRUE(check.isOk());
  EXPECT_TRUE(check->ok()) << check->problem;
  EXPECT_EQ(check->events, 2);
  const auto all = events();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].kind, "disposition");
  EXPECT_EQ(all[1].subject, "D-1");
}

TEST_P(StoreContract, CorruptEnumInStoreIsDataLoss) {
  ASSERT_TRUE(repo_->upsertDevices({device("D-1", "")}, change()).isOk());
  tamper("UPDATE device_versions SET platform = 'symbian' WHERE device_id = 'D-1'");
  auto loaded = repo_->loadDevices();
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(loaded.status().message().find("D-1"), std::string::npos);
}

// --- directives -----------------------------------------------------------------------------

TEST_P(StoreContract, DirectiveVersionsOnlyOnChangeAndInForceByDate) {
  auto a = repo_->addDirective("d1", "T", "id: d1\n", day("2023-03-06"), change());
  ASSERT_TRUE(a.isOk());
  EXPECT_TRUE(a->created);
  EXPECT_EQ(a->version, 1);
  auto same = repo_->addDirective("d1", "T", "id: d1\n", day("2023-03-06"), change());
  ASSERT_TRUE(same.isOk());
  EXPECT_FALSE(same->created);
  auto changed = repo_->addDirective("d1", "T2", "id: d1\ntitle: x\n", day("2023-03-20"), change());
  ASSERT_TRUE(changed.isOk());
  EXPECT_EQ(changed->version, 2);
  EXPECT_EQ(repo_->getDirective("d1")->version, 2);
  EXPECT_EQ(repo_->getDirective("d1", 1)->source_text, "id: d1\n");
  EXPECT_EQ(repo_->getDirective("d1", 1)->actor, "tester");
  EXPECT_EQ(repo_->getDirective("d1", 1)->recorded_ms, 1'680'000'000'000);
  EXPECT_EQ(repo_->directiveInForce("d1", day("2023-03-19"))->version, 1);
  EXPECT_EQ(repo_->directiveInForce("d1", day("2023-03-20"))->version, 2);
  auto before = repo_->directiveInForce("d1", day("2023-03-01"));
  EXPECT_EQ(before.status().code(), StatusCode::kFailedPrecondition);
  auto list = repo_->listDirectives();
  ASSERT_TRUE(list.isOk());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().version, 2);
  EXPECT_EQ(list->front().title, "T2");
  EXPECT_EQ(repo_->getDirective("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(repo_->getDirective("d1", 7).status().code(), StatusCode::kNotFound);
}

// --- campaign -------------------------------------------------------------------------------

campaign::Waiver deviceWaiver(const char* directive, const char* device_id) {
  campaign::Waiver w;
  w.directive_id = directive;
  w.device_id = device_id;
  w.approver = "P-9";
  w.reason = "field work until the replacement arrives";
  w.from = *Date::parse("2023-03-20");
  w.until = *Date::parse("2023-06-30");
  return w;
}

TEST_P(StoreContract, WaiversAreNumberedAndRevokedOnce) {
  CampaignStore store(*repo_);
  campaign::Waiver unit_waiver = deviceWaiver("other", "");
  unit_waiver.unit = "pa/press/**";
  std::vector<campaign::Waiver> granted;
  ASSERT_TRUE(inWriteTransaction(*conn_, [&]() -> Status {
                for (const auto& w : {deviceWaiver("pa-iphone-2023", "D-1"), unit_waiver}) {
                  PH_ASSIGN_OR_RETURN(auto stored, store.grantWaiver(w, change()));
                  granted.push_back(std::move(stored));
                }
                return Status::ok();
              }).isOk());
  ASSERT_EQ(granted.size(), 2u);
  EXPECT_EQ(granted[0].waiver_id, "W-000001");
  EXPECT_EQ(granted[1].waiver_id, "W-000002");

  auto all = store.loadWaivers();
  ASSERT_TRUE(all.isOk()) << all.status().toString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].device_id, "D-1");
  EXPECT_EQ((*all)[0].reason, granted[0].reason);
  EXPECT_EQ((*all)[0].from, granted[0].from);
  EXPECT_EQ((*all)[0].until, granted[0].until);
  EXPECT_FALSE((*all)[0].revoked_from.has_value());
  EXPECT_EQ((*all)[1].unit, "pa/press/**");
  auto of_one = store.loadWaivers("pa-iphone-2023");
  ASSERT_TRUE(of_one.isOk());
  ASSERT_EQ(of_one->size(), 1u);
  EXPECT_EQ(of_one->front().waiver_id, "W-000001");

  ASSERT_TRUE(inWriteTransaction(*conn_, [&] {
                return store.revokeWaiver("W-000001", day("2023-04-01"), change());
              }).isOk());
  auto again = store.revokeWaiver("W-000001", day("2023-04-02"), change());
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.message().find("2023-04-01"), std::string::npos);
  EXPECT_EQ(store.revokeWaiver("W-999999", day("2023-04-02"), change()).code(),
            StatusCode::kNotFound);
  auto revoked = store.loadWaivers("pa-iphone-2023");
  ASSERT_TRUE(revoked.isOk());
  ASSERT_TRUE(revoked->front().revoked_from.has_value());
  EXPECT_EQ(*revoked->front().revoked_from, day("2023-04-01"));
  EXPECT_FALSE(revoked->front().activeOn(day("2023-04-01")));
  EXPECT_TRUE(revoked->front().activeOn(day("2023-03-31")));

  const auto log = events();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].kind, "waiver.grant");
  EXPECT_EQ(log[0].subject, "W-000001");
  EXPECT_EQ(log[2].kind, "waiver.revoke");
  auto check = repo_->verifyAudit();
  ASSERT_TRUE(check.isOk());
  EXPECT_TRUE(check->ok()) << check->problem;
  EXPECT_EQ(check->rows, 3);
}

TEST_P(StoreContract, WaiverRequestsAreDecidedOnceAndTheTrailCoversThem) {
  CampaignStore store(*repo_);
  auto asked = [](const char* device_id) {
    campaign::RequestedWaiver r;
    r.directive_id = "pa-iphone-2023";
    r.device_id = device_id;
    r.requested_by = "P-1";
    r.reason = "on mission";
    r.from = day("2023-03-20");
    r.until = day("2023-04-10");
    r.requested_on = day("2023-03-18");
    return r;
  };
  std::vector<campaign::RequestedWaiver> stored;
  ASSERT_TRUE(inWriteTransaction(*conn_, [&]() -> Status {
                for (const char* device : {"D-1", "D-2"}) {
                  PH_ASSIGN_OR_RETURN(auto r, store.requestWaiver(asked(device), change()));
                  stored.push_back(std::move(r));
                }
                return Status::ok();
              }).isOk());
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].request_id, "WR-000001");
  EXPECT_EQ(stored[1].request_id, "WR-000002");

  campaign::RequestedWaiver approve = stored[0];
  approve.state = campaign::WaiverRequestState::kApproved;
  approve.decided_by = "P-9";
  approve.decided_on = day("2023-03-19");
  campaign::RequestedWaiver refuse = stored[1];
  refuse.state = campaign::WaiverRequestState::kRefused;
  refuse.decided_by = "P-9";
  refuse.decided_on = day("2023-03-19");
  refuse.decision_reason = "a replacement is in stock";
  ASSERT_TRUE(inWriteTransaction(*conn_, [&]() -> Status {
                PH_ASSIGN_OR_RETURN(
                    auto approved,
                    store.decideWaiverRequest(approve, campaign::waiverFromRequest(approve, "P-9"),
                                              change()));
                EXPECT_EQ(approved.waiver_id, "W-000001");
                return store.decideWaiverRequest(refuse, std::nullopt, change()).status();
              }).isOk());
  auto again = store.decideWaiverRequest(refuse, std::nullopt, change());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);

  auto all = store.loadWaiverRequests();
  ASSERT_TRUE(all.isOk()) << all.status().toString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].state, campaign::WaiverRequestState::kApproved);
  EXPECT_EQ((*all)[0].waiver_id, "W-000001");
  EXPECT_EQ((*all)[0].from, day("2023-03-20"));
  EXPECT_EQ((*all)[0].requested_on, day("2023-03-18"));
  EXPECT_EQ((*all)[1].state, campaign::WaiverRequestState::kRefused);
  EXPECT_EQ((*all)[1].decision_reason, "a replacement is in stock");
  EXPECT_EQ(*(*all)[1].decided_on, day("2023-03-19"));
  EXPECT_TRUE(store.loadWaiverRequests("other")->empty());
  auto waivers = store.loadWaivers();
  ASSERT_TRUE(waivers.isOk());
  ASSERT_EQ(waivers->size(), 1u);
  EXPECT_EQ(waivers->front().device_id, "D-1");
  EXPECT_EQ(waivers->front().approver, "P-9");

  const auto log = events();
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0].kind, "waiver.request");
  EXPECT_EQ(log[0].subject, "D-1");
  EXPECT_EQ(log[2].kind, "waiver.approve");
  EXPECT_EQ(log[3].kind, "waiver.refuse");
  auto check = repo_->verifyAudit();
  ASSERT_TRUE(check.isOk());
  EXPECT_TRUE(check->ok()) << check->problem;
  EXPECT_EQ(check->rows, 5);  // two requests, two decisions, one waiver

  tamper("UPDATE waiver_decisions SET reason = 'never asked' WHERE request_id = 'WR-000002'");
  check = repo_->verifyAudit();
  ASSERT_TRUE(check.isOk());
  ASSERT_FALSE(check->ok());
  EXPECT_EQ(*check->first_broken_seq, 4);
  tamper("UPDATE waiver_decisions SET reason = 'a replacement is in stock'");
  tamper("UPDATE waiver_requests SET until_day = until_day + 30 WHERE request_id = 'WR-000001'");
  check = repo_->verifyAudit();
  ASSERT_FALSE(check->ok());
  EXPECT_EQ(*check->first_broken_seq, 1);
}

TEST_P(StoreContract, CaseStepsInDayOrderWithTheirActor) {
  CampaignStore store(*repo_);
  auto step = [](const char* device_id, campaign::CaseStage stage, const char* on) {
    campaign::CaseStep s;
    s.directive_id = "pa-iphone-2023";
    s.device_id = device_id;
    s.stage = stage;
    s.on = *Date::parse(on);
    s.note = std::string("note ") + device_id;
    return s;
  };
  std::vector<std::int64_t> seqs;
  ASSERT_TRUE(inWriteTransaction(*conn_, [&]() -> Status {
                for (const auto& s : {step("D-1", campaign::CaseStage::kSurrendered, "2023-03-25"),
                                      step("D-1", campaign::CaseStage::kNotified, "2023-03-21"),
                                      step("D-2", campaign::CaseStage::kNotified, "2023-03-21")}) {
                  PH_ASSIGN_OR_RETURN(auto seq, store.recordCaseStep(s, change()));
                  seqs.push_back(seq);
                }
                campaign::CaseStep other = step("D-1", campaign::CaseStage::kClosed, "2023-03-22");
                other.directive_id = "other";
                return store.recordCaseStep(other, change()).status();
              }).isOk());
  auto steps = store.loadCaseSteps("pa-iphone-2023");
  ASSERT_TRUE(steps.isOk()) << steps.status().toString();
  ASSERT_EQ(steps->size(), 3u);
  EXPECT_EQ((*steps)[0].device_id, "D-1");
  EXPECT_EQ((*steps)[0].stage, campaign::CaseStage::kNotified);
  EXPECT_EQ((*steps)[0].seq, seqs[1]);
  EXPECT_EQ((*steps)[1].device_id, "D-2");
  EXPECT_EQ((*steps)[2].stage, campaign::CaseStage::kSurrendered);
  EXPECT_EQ((*steps)[2].on, day("2023-03-25"));
  EXPECT_EQ((*steps)[2].actor, "tester");
  EXPECT_EQ((*steps)[2].note, "note D-1");
  EXPECT_EQ(events()[0].kind, "case.step");
  EXPECT_EQ(events()[0].subject, "pa-iphone-2023/D-1");

  tamper("UPDATE case_steps SET stage = 'teleported' WHERE device_id = 'D-2'");
  EXPECT_EQ(store.loadCaseSteps("pa-iphone-2023").status().code(), StatusCode::kDataLoss);
  auto check = repo_->verifyAudit();
  ASSERT_TRUE(check.isOk());
  ASSERT_FALSE(check->ok());
  EXPECT_EQ(*check->first_broken_seq, seqs[2]);
}

TEST_P(StoreContract, EvidenceIsStoredOncePerContentAndChecked) {
  CampaignStore store(*repo_);
  const std::string bytes("%PDF-1.4\0\x01\xff\xfe binary", 20);
  EvidenceFile first;
  ASSERT_TRUE(inWriteTransaction(*conn_, [&]() -> Status {
                PH_ASSIGN_OR_RETURN(first, store.storeEvidence("receipt.pdf", bytes));
                // The same bytes again, under another name: one stored file.
                return store.storeEvidence("copy.pdf", bytes).status();
              }).isOk());
  EXPECT_EQ(first.sha256, audit::sha256Hex(bytes));
  EXPECT_EQ(first.size_bytes, 20);
  auto loaded = store.loadEvidence(first.sha256);
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  EXPECT_EQ(*loaded, bytes);
  EXPECT_EQ(store.loadEvidence(std::string(64, '0')).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(repo_->verifyAudit()->ok());

  tamper("UPDATE evidence SET content = content || content");
  EXPECT_EQ(store.loadEvidence(first.sha256).status().code(), StatusCode::kDataLoss);
  auto check = repo_->verifyAudit();
  ASSERT_TRUE(check.isOk());
  EXPECT_FALSE(check->ok());
  EXPECT_EQ(check->altered_evidence, std::vector<std::string>{first.sha256});
}

TEST_P(StoreContract, NotificationsAreRecordedOnce) {
  CampaignStore store(*repo_);
  Notification n{"pa-iphone-2023", "D-1", "m", "before-7", "p-1@example.org", day("2023-03-25")};
  EXPECT_FALSE(*store.notificationSent("pa-iphone-2023", "D-1", "m", "before-7"));
  ASSERT_TRUE(
      inWriteTransaction(*conn_, [&] { return store.recordNotification(n, change()); }).isOk());
  EXPECT_TRUE(*store.notificationSent("pa-iphone-2023", "D-1", "m", "before-7"));
  EXPECT_FALSE(*store.notificationSent("pa-iphone-2023", "D-1", "m", "escalation"));
  EXPECT_FALSE(*store.notificationSent("pa-iphone-2023", "D-2", "m", "before-7"));
  Notification escalation = n;
  escalation.step = "escalation";
  escalation.recipient = "boss@example.org";
  escalation.sent_on = day("2023-03-22");
  ASSERT_TRUE(inWriteTransaction(*conn_, [&] {
                return store.recordNotification(escalation, change());
              }).isOk());
  // The same notification twice is refused; the transaction keeps nothing of it.
  EXPECT_FALSE(
      inWriteTransaction(*conn_, [&] { return store.recordNotification(n, change()); }).isOk());
  auto loaded = store.loadNotifications("pa-iphone-2023");
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].step, "escalation");  // by the day sent
  EXPECT_EQ((*loaded)[0].recipient, "boss@example.org");
  EXPECT_EQ((*loaded)[1].sent_on, day("2023-03-25"));
  EXPECT_EQ((*loaded)[1].milestone, "m");
  EXPECT_TRUE(store.loadNotifications("other")->empty());
  EXPECT_EQ(events().size(), 2u);
  ASSERT_TRUE(repo_->verifyAudit()->ok());
  tamper("DELETE FROM notifications WHERE step = 'escalation'");
  auto check = repo_->verifyAudit();
  ASSERT_TRUE(check.isOk());
  ASSERT_FALSE(check->ok());
  EXPECT_EQ(*check->first_broken_seq, 2);
}

TEST_P(StoreContract, HistoryOfADirectiveAndOfOneDevice) {
  CampaignStore store(*repo_);
  ASSERT_TRUE(
      repo_->upsertPeople({person("P-1", "pa"), person("P-2", "pa/press")}, change()).isOk());
  Device replacement = device("D-2", "P-1");
  replacement.platform = platform::Platform::kAndroid;
  ASSERT_TRUE(
      repo_->upsertDevices({device("D-1", "P-1"), replacement, device("D-3", "P-2")}, change())
          .isOk());
  Device returned = device("D-3", "P-2");
  returned.state = platform::DeviceState::kReturned;
  ASSERT_TRUE(
      repo_
          ->upsertDevices({device("D-1", "P-1"), replacement, returned}, change("2023-03-28", true))
          .isOk());
  ASSERT_TRUE(
      repo_->addDirective("pa-iphone-2023", "t", kDirectiveYaml, day("2023-03-06"), change())
          .isOk());
  ASSERT_TRUE(inWriteTransaction(*conn_, [&]() -> Status {
                PH_RETURN_IF_ERROR(
                    store.grantWaiver(deviceWaiver("pa-iphone-2023", "D-3"), change()).status());
                for (const char* id : {"D-1", "D-3"}) {
                  campaign::CaseStep s;
                  s.directive_id = "pa-iphone-2023";
                  s.device_id = id;
                  s.stage = campaign::CaseStage::kNotified;
                  s.on = *Date::parse("2023-03-21");
                  PH_RETURN_IF_ERROR(store.recordCaseStep(s, change()).status());
                }
                return Status::ok();
              }).isOk());

  auto read = [&](const std::string& device_id, Connection* second) -> Result<campaign::History> {
    PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(*conn_, Transaction::Mode::kRead));
    PH_ASSIGN_OR_RETURN(auto h, store.loadHistory("pa-iphone-2023", device_id, second));
    PH_RETURN_IF_ERROR(tx->commit());
    return h;
  };
  auto all = read("", nullptr);
  ASSERT_TRUE(all.isOk()) << all.status().toString();
  ASSERT_EQ(all->people.size(), 2u);
  ASSERT_EQ(all->devices.size(), 4u);  // D-3 has two versions
  EXPECT_EQ(all->devices[3].record.state, platform::DeviceState::kReturned);
  EXPECT_EQ(all->devices[3].valid_from, day("2023-03-28").days());
  ASSERT_EQ(all->directive_versions.size(), 1u);
  EXPECT_EQ(all->directive_versions[0].directive.id, "pa-iphone-2023");
  ASSERT_EQ(all->waivers.size(), 1u);
  ASSERT_EQ(all->steps.size(), 2u);

  // Read on two connections (when the engine has a second), the result is the same.
  std::unique_ptr<Connection> second = openSecond();
  auto split = read("", second.get());
  ASSERT_TRUE(split.isOk()) << split.status().toString();
  ASSERT_EQ(split->devices.size(), all->devices.size());
  for (std::size_t i = 0; i < all->devices.size(); ++i) {
    EXPECT_EQ(split->devices[i].record, all->devices[i].record) << i;
    EXPECT_EQ(split->devices[i].seq, all->devices[i].seq) << i;
    EXPECT_EQ(split->devices[i].valid_from, all->devices[i].valid_from) << i;
  }

  // One device: its versions, its holder's other devices, the holder, its own steps.
  auto one = read("D-1", nullptr);
  ASSERT_TRUE(one.isOk()) << one.status().toString();
  ASSERT_EQ(one->devices.size(), 2u);
  EXPECT_EQ(one->devices[0].record, device("D-1", "P-1"));
  EXPECT_EQ(one->devices[1].record, replacement);
  ASSERT_EQ(one->people.size(), 1u);
  EXPECT_EQ(one->people[0].record, person("P-1", "pa"));
  ASSERT_EQ(one->steps.size(), 1u);
  EXPECT_EQ(one->steps[0].device_id, "D-1");

  auto unknown = store.loadHistory("nope");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
}

// --- sightings ------------------------------------------------------------------------------

Sighting sighting(std::string key, const char* seen) {
  Sighting s;
  s.key = std::move(key);
  s.macs = {"aa:bb:cc:00:00:01"};
  s.ips = {"10.0.0.7", "fe80::1"};
  s.hostnames = {"iPhone-Ivan"};
  s.users = {"ivan.petrov"};
  s.vendor = "apple";
  s.platform = platform::Platform::kIos;
  s.kind = platform::Kind::kPhone;
  s.model = "iPhone14,2";
  s.level = campaign::SightingLevel::kConfirmed;
  s.confidence = 0.9987;
  s.first_seen_ms = 1'680'600'000'000;
  s.last_seen_ms = 1'680'650'000'000;
  s.seen_on = *Date::parse(seen);
  s.sources = {"office.pcap", "access.log"};
  campaign::ServiceUse u;
  u.service = "mail.pa.example/owa/";
  u.user = "ivan.petrov";
  u.user_agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_3 like Mac OS X); \"quoted\"";
  u.ua_kind = platform::Kind::kPhone;
  u.ua_platform = platform::Platform::kIos;
  u.where = "access.log:12";
  u.count = 4;
  s.services = {u};
  s.evidence = {"+2.10 user_agent \"Mozilla/5.0 (iPhone...)\" [ua.iphone] office.pcap#3",
                "+0.80 mac_oui \"aa:bb:cc\""};
  return s;
}

ChangeContext sensor() {
  ChangeContext c;
  c.effective = *Date::parse("2023-04-05");
  c.effective_given = true;
  c.recorded_ms = 1'680'700'000'000;
  c.actor = "sensor";
  c.source = "office.pcap";
  return c;
}

Result<RecordedBatch> recordSightings(Repository& repo, const std::vector<Sighting>& batch) {
  SightingStore store(repo);
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto out, store.recordSightings(batch, {"office.pcap"}, sensor()));
  PH_RETURN_IF_ERROR(tx->commit());
  return out;
}

// The seq of the first event the audit check finds broken, or 0 when it finds none.
std::int64_t firstBroken(Repository& repo) {
  auto check = repo.verifyAudit();
  EXPECT_TRUE(check.isOk()) << check.status().toString();
  return check.isOk() && check->first_broken_seq ? *check->first_broken_seq : 0;
}

TEST_P(StoreContract, BatchRoundTripsEveryFieldAsOneEvent) {
  SightingStore store(*repo_);
  Sighting a = sighting("mac:aa:bb:cc:00:00:01", "2023-04-04");
  Sighting b = sighting("ip:10.0.0.9", "2023-04-05");
  b.services.clear();
  b.level = campaign::SightingLevel::kUnknown;
  b.platform = platform::Platform::kUnknown;
  auto batch = recordSightings(*repo_, {a, b});
  ASSERT_TRUE(batch.isOk()) << batch.status().toString();
  EXPECT_EQ(batch->sightings, 2u);
  auto loaded = store.loadSightings();
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  ASSERT_EQ(loaded->size(), 2u);
  a.id = "S" + std::to_string(batch->seq) + ".1";
  b.id = "S" + std::to_string(batch->seq) + ".2";
  EXPECT_EQ((*loaded)[0], a);
  EXPECT_EQ((*loaded)[1], b);

  const auto log = events();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].kind, "sightings.record");
  EXPECT_EQ(log[0].subject, "office.pcap");
  EXPECT_EQ(log[0].actor, "sensor");
  const auto payload = nlohmann::json::parse(log[0].payload);
  EXPECT_EQ(payload["rows"], 2);
  EXPECT_EQ(payload["detail"]["sightings"], 2);
  EXPECT_EQ(payload["detail"]["seen_from"], "2023-04-04");
  EXPECT_EQ(payload["detail"]["seen_to"], "2023-04-05");
  EXPECT_EQ(firstBroken(*repo_), 0);
}

TEST_P(StoreContract, QueriesByDay) {
  SightingStore store(*repo_);
  ASSERT_TRUE(
      recordSightings(*repo_, {sighting("k1", "2023-04-01"), sighting("k2", "2023-04-03")}).isOk());
  ASSERT_TRUE(recordSightings(*repo_, {sighting("k3", "2023-04-05")}).isOk());
  auto upto = store.loadSightings({day("2023-04-03"), std::nullopt});
  ASSERT_TRUE(upto.isOk());
  ASSERT_EQ(upto->size(), 2u);
  EXPECT_EQ((*upto)[1].key, "k2");
  auto since = store.loadSightings({std::nullopt, day("2023-04-02")});
  ASSERT_TRUE(since.isOk());
  ASSERT_EQ(since->size(), 2u);
  EXPECT_EQ((*since)[0].key, "k2");
  EXPECT_EQ((*since)[1].key, "k3");
  EXPECT_EQ((*since)[1].id.rfind("S2.", 0), 0u);
}

TEST_P(StoreContract, RefusedOrRolledBackBatchLeavesNothing) {
  SightingStore store(*repo_);
  auto refused =
      recordSightings(*repo_, {sighting("k1", "2023-04-04"), sighting("", "2023-04-04")});
  ASSERT_FALSE(refused.isOk());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("sighting 2"), std::string::npos);
  EXPECT_FALSE(recordSightings(*repo_, {}).isOk());
  {
    auto tx = Transaction::begin(*conn_, Transaction::Mode::kWrite);
    ASSERT_TRUE(tx.isOk());
    ASSERT_TRUE(store.recordSightings({sighting("k1", "2023-04-04")}, {"x"}, sensor()).isOk());
    // no commit: the transaction rolls back
  }
  auto loaded = store.loadSightings();
  ASSERT_TRUE(loaded.isOk());
  EXPECT_TRUE(loaded->empty());
  EXPECT_TRUE(events().empty());
}

TEST_P(StoreContract, AuditCatchesAlteredAddedAndRemovedRows) {
  auto first =
      recordSightings(*repo_, {sighting("k1", "2023-04-04"), sighting("k2", "2023-04-04")});
  auto second = recordSightings(*repo_, {sighting("k3", "2023-04-05")});
  ASSERT_TRUE(first.isOk() && second.isOk());
  EXPECT_EQ(firstBroken(*repo_), 0);
  // Pretend the device was an Android phone.
  tamper("UPDATE sightings SET platform = 'android' WHERE sighting_key = 'k2'");
  EXPECT_EQ(firstBroken(*repo_), first->seq);
  tamper("UPDATE sightings SET platform = 'ios' WHERE sighting_key = 'k2'");
  EXPECT_EQ(firstBroken(*repo_), 0);
  tamper("DELETE FROM sightings WHERE sighting_key = 'k3'");
  EXPECT_EQ(firstBroken(*repo_), second->seq);
}

TEST_P(StoreContract, AlteredEnumIsDataLossOnRead) {
  SightingStore store(*repo_);
  ASSERT_TRUE(recordSightings(*repo_, {sighting("k1", "2023-04-04")}).isOk());
  tamper("UPDATE sightings SET level = 'certain'");
  auto loaded = store.loadSightings();
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  tamper("UPDATE sightings SET level = 'confirmed', services = '[{}]'");
  EXPECT_EQ(store.loadSightings().status().code(), StatusCode::kDataLoss);
}

TEST_P(StoreContract, ReconcileInputsHoldEveryVersion) {
  SightingStore store(*repo_);
  Person p;
  p.person_id = "P-1";
  p.unit = "pa";
  Device d;
  d.device_id = "D-1";
  d.holder = "P-1";
  d.macs = {"aa:bb:cc:00:00:01"};
  d.hostname = "iPhone-Ivan";
  ASSERT_TRUE(repo_->upsertPeople({p}, sensor()).isOk());
  ASSERT_TRUE(repo_->upsertDevices({d}, sensor()).isOk());
  d.state = platform::DeviceState::kDestroyed;
  ChangeContext later = sensor();
  later.effective = day("2023-04-10");
  ASSERT_TRUE(repo_->upsertDevices({d}, later).isOk());
  ASSERT_TRUE(
      repo_->addDirective("pa-iphone-2023", "t", kDirectiveYaml, day("2023-03-06"), sensor())
          .isOk());
  auto in = store.loadReconcileInputs();
  ASSERT_TRUE(in.isOk()) << in.status().toString();
  ASSERT_EQ(in->people.size(), 1u);
  ASSERT_EQ(in->devices.size(), 2u);
  EXPECT_EQ(in->devices[1].valid_from, day("2023-04-10").days());
  EXPECT_EQ(in->devices[1].record.macs, d.macs);
  ASSERT_EQ(in->directives.size(), 1u);
  EXPECT_EQ(in->directives[0].directive.id, "pa-iphone-2023");
}

// --- the audit chain over every store -------------------------------------------------------

TEST_P(StoreContract, AuditCatchesAlteredRowsAndEvents) {
  ASSERT_TRUE(repo_->upsertPeople({person("P-1", "pa")}, change()).isOk());
  ASSERT_TRUE(repo_->upsertDevices({device("D-1", "P-1")}, change()).isOk());
  ASSERT_TRUE(repo_->addDirective("d1", "T", "id: d1\n", day("2023-03-06"), change()).isOk());
  CampaignStore store(*repo_);
  ASSERT_TRUE(inWriteTransaction(*conn_, [&] {
                return store.grantWaiver(deviceWaiver("d1", "D-1"), change()).status();
              }).isOk());
  std::unique_ptr<Connection> second = openSecond();
  for (Connection* rows : {static_cast<Connection*>(nullptr), second.get()}) {
    auto check = repo_->verifyAudit(rows);
    ASSERT_TRUE(check.isOk());
    EXPECT_TRUE(check->ok()) << check->problem;
    EXPECT_EQ(check->events, 4);
    EXPECT_EQ(check->rows, 4);
  }

  tamper("UPDATE device_versions SET platform = 'android'");
  auto check = repo_->verifyAudit(second.get());
  ASSERT_TRUE(check.isOk());
  ASSERT_FALSE(check->ok());
  EXPECT_EQ(*check->first_broken_seq, 2);
  tamper("UPDATE device_versions SET platform = 'ios'");
  ASSERT_TRUE(repo_->verifyAudit()->ok());

  tamper("UPDATE waivers SET until_day = until_day + 365");
  check = repo_->verifyAudit();
  ASSERT_FALSE(check->ok());
  EXPECT_EQ(*check->first_broken_seq, 4);
  tamper("UPDATE waivers SET until_day = until_day - 365");
  ASSERT_TRUE(repo_->verifyAudit()->ok());

  tamper("UPDATE events SET actor = 'mallory' WHERE seq = 3");
  check = repo_->verifyAudit();
  ASSERT_FALSE(check->ok());
  EXPECT_EQ(*check->first_broken_seq, 3);
}

// --- people's languages (migration 6) -------------------------------------------------------

TEST_P(StoreContract, ALanguageIsReplacedInPlaceWithOneEventPerChange) {
  LanguageStore store(*repo_);
  auto none = store.languageOf("P-1");
  ASSERT_TRUE(none.isOk()) << none.status().toString();
  EXPECT_FALSE(none->has_value());
  Result<bool> changed = false;
  for (const char* language : {"ru", "ru", "en"}) {
    ASSERT_TRUE(inWriteTransaction(*conn_, [&]() -> Status {
                  changed = store.setLanguage("P-1", language, change());
                  return changed.status();
                }).isOk());
  }
  EXPECT_TRUE(*changed);
  ASSERT_TRUE(inWriteTransaction(*conn_, [&]() -> Status {
                return store.setLanguage("P-2", "ru", change()).status();
              }).isOk());
  EXPECT_EQ(**store.languageOf("P-1"), "en");
  auto all = store.languages();
  ASSERT_TRUE(all.isOk());
  EXPECT_EQ(*all, (std::map<std::string, std::string>{{"P-1", "en"}, {"P-2", "ru"}}));
  // "ru", then "en" for P-1 (the repeated "ru" recorded nothing), "ru" for P-2.
  int language_events = 0;
  for (const auto& e : events()) language_events += e.kind == "person.language" ? 1 : 0;
  EXPECT_EQ(language_events, 3);
  auto check = repo_->verifyAudit();
  ASSERT_TRUE(check.isOk());
  EXPECT_TRUE(check->ok());
}

// --- accounts, sessions, tokens -------------------------------------------------------------

TEST_P(StoreContract, CredentialsAreReplacedAndLockedWithEventsThatHoldNoHash) {
  AccountStore store(*repo_);
  auto none = store.loadCredential("P-1");
  ASSERT_TRUE(none.isOk()) << none.status().toString();
  EXPECT_FALSE(none->has_value());
  const std::string first = "$argon2id$v=19$m=65536,t=2,p=1$first";
  const std::string second = "$argon2id$v=19$m=65536,t=2,p=1$second";
  ASSERT_TRUE(inWriteTransaction(*conn_, [&] {
                return store.setPasswordHash("P-1", first, change());
              }).isOk());
  ASSERT_TRUE(inWriteTransaction(*conn_, [&] {
                return store.setPasswordHash("P-1", second, change());
              }).isOk());
  auto stored = store.loadCredential("P-1");
  ASSERT_TRUE(stored.isOk() && stored->has_value());
  EXPECT_EQ((*stored)->password_hash, second);
  EXPECT_FALSE((*stored)->locked);

  // Locking twice records one event; the hash is kept; unlocking keeps it too.
  Result<bool> locked = false;
  ASSERT_TRUE(inWriteTransaction(*conn_, [&]() -> Status {
                locked = store.setLocked("P-1", true, change());
                return locked.status();
              }).isOk());
  EXPECT_TRUE(*locked);
  ASSERT_TRUE(inWriteTransaction(*conn_, [&]() -> Status {
                locked = store.setLocked("P-1", true, change());
                return locked.status();
              }).isOk());
  EXPECT_FALSE(*locked);
  stored = store.loadCredential("P-1");
  EXPECT_TRUE((*stored)->locked);
  EXPECT_EQ((*stored)->password_hash, second);
  // A person with no password can be locked (an account closed before it was opened).
  ASSERT_TRUE(inWriteTransaction(*conn_, [&]() -> Status {
                return store.setLocked("P-2", true, change()).status();
              }).isOk());
  auto p2 = store.loadCredential("P-2");
  ASSERT_TRUE(p2.isOk() && p2->has_value());
  EXPECT_TRUE((*p2)->locked);
  EXPECT_EQ((*p2)->password_hash, "");
  ASSERT_TRUE(inWriteTransaction(*conn_, [&]() -> Status {
                return store.setLocked("P-1", false, change()).status();
              }).isOk());
  EXPECT_FALSE((*store.loadCredential("P-1"))->locked);

  const auto log = events();
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log[0].kind, "account.password");
  EXPECT_EQ(log[0].subject, "P-1");
  EXPECT_EQ(log[0].actor, "tester");
  EXPECT_EQ(log[2].kind, "account.lock");
  EXPECT_EQ(log[4].kind, "account.unlock");
  for (const auto& e : log) {
    EXPECT_EQ(e.payload.find("argon2"), std::string::npos) << e.payload;
  }
  auto check = repo_->verifyAudit();
  ASSERT_TRUE(check.isOk());
  EXPECT_TRUE(check->ok()) << check->problem;
}

TEST_P(StoreContract, PeopleAreFoundByEmailWithoutCase) {
  Person upper = person("P-1", "pa");
  upper.email = "Anna.Berg@Example.ORG";
  ASSERT_TRUE(repo_->upsertPeople({upper, person("P-2", "pa")}, change()).isOk());
  AccountStore store(*repo_);
  auto found = store.personIdsByEmail("anna.berg@example.org");
  ASSERT_TRUE(found.isOk()) << found.status().toString();
  EXPECT_EQ(*found, std::vector<std::string>{"P-1"});
  EXPECT_TRUE(store.personIdsByEmail("nobody@example.org")->empty());
}

TEST_P(StoreContract, SessionsAreFoundByHashTouchedAndEnded) {
  AccountStore store(*repo_);
  SessionRecord a{"hash-a", "P-1", "csrf-a", 1000, 1000, std::nullopt};
  SessionRecord b{"hash-b", "P-1", "csrf-b", 2000, 2000, std::nullopt};
  SessionRecord c{"hash-c", "P-2", "csrf-c", 3000, 3000, std::nullopt};
  ASSERT_TRUE(inWriteTransaction(*conn_, [&]() -> Status {
                PH_RETURN_IF_ERROR(store.insertSession(a));
                PH_RETURN_IF_ERROR(store.insertSession(b));
                return store.insertSession(c);
              }).isOk());
  auto loaded = store.loadSession("hash-a");
  ASSERT_TRUE(loaded.isOk() && loaded->has_value());
  EXPECT_EQ((*loaded)->person_id, "P-1");
  EXPECT_EQ((*loaded)->csrf_token, "csrf-a");
  EXPECT_EQ((*loaded)->created_ms, 1000);
  EXPECT_FALSE((*loaded)->ended_ms.has_value());
  EXPECT_FALSE(store.loadSession("hash-x")->has_value());

  ASSERT_TRUE(
      inWriteTransaction(*conn_, [&] { return store.touchSession("hash-a", 5000); }).isOk());
  EXPECT_EQ((*store.loadSession("hash-a"))->last_seen_ms, 5000);
  ASSERT_TRUE(inWriteTransaction(*conn_, [&] { return store.endSession("hash-a", 6000); }).isOk());
  ASSERT_TRUE(inWriteTransaction(*conn_, [&] { return store.endSession("hash-a", 7000); }).isOk());
  EXPECT_EQ((*store.loadSession("hash-a"))->ended_ms, 6000);  // ended once
  ASSERT_TRUE(inWriteTransaction(*conn_, [&] { return store.endSessionsOf("P-1", 8000); }).isOk());
  EXPECT_EQ((*store.loadSession("hash-b"))->ended_ms, 8000);
  EXPECT_FALSE((*store.loadSession("hash-c"))->ended_ms.has_value());
  ASSERT_TRUE(inWriteTransaction(*conn_, [&] { return store.deleteSessionsBefore(2500); }).isOk());
  EXPECT_TRUE(store.loadSession("hash-a")->has_value());  // last seen 5000
  EXPECT_FALSE(store.loadSession("hash-b")->has_value());
  EXPECT_TRUE(store.loadSession("hash-c")->has_value());
  EXPECT_TRUE(events().empty());  // sessions are not audited changes
}

TEST_P(StoreContract, TokensAreNumberedUniquePerPersonAndRevokedOnce) {
  AccountStore store(*repo_);
  auto token = [](const char* person, const char* name, const char* hash) {
    TokenRecord t;
    t.person_id = person;
    t.name = name;
    t.secret_hash = hash;
    t.scope = "read";
    return t;
  };
  std::vector<TokenRecord> made;
  ASSERT_TRUE(
      inWriteTransaction(*conn_, [&]() -> Status {
        for (int i = 1; i <= 10; ++i) {
          auto t =
              token("P-1", ("t" + std::to_string(i)).c_str(), ("h" + std::to_string(i)).c_str());
          if (i == 2) t.expires_day = day("2023-12-31").days();
          if (i == 3) t.scope = "sensor";
          PH_ASSIGN_OR_RETURN(auto stored, store.insertToken(t, change()));
          made.push_back(std::move(stored));
        }
        PH_ASSIGN_OR_RETURN(auto other, store.insertToken(token("P-2", "t1", "hx"), change()));
        made.push_back(std::move(other));
        return Status::ok();
      }).isOk());
  EXPECT_EQ(made[0].token_id, "tok-1");
  EXPECT_EQ(made[9].token_id, "tok-10");
  EXPECT_EQ(made[10].token_id, "tok-11");
  EXPECT_EQ(made[0].created_ms, change().recorded_ms);

  // The same name again for the same person is refused, and nothing is written.
  Status dup = inWriteTransaction(*conn_, [&]() -> Status {
    return store.insertToken(token("P-1", "t1", "hy"), change()).status();
  });
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.field(), "name");

  auto of_p1 = store.loadTokens("P-1");
  ASSERT_TRUE(of_p1.isOk()) << of_p1.status().toString();
  ASSERT_EQ(of_p1->size(), 10u);
  EXPECT_EQ((*of_p1)[8].token_id, "tok-9");
  EXPECT_EQ((*of_p1)[9].token_id, "tok-10");  // numeric order
  EXPECT_EQ((*of_p1)[1].expires_day, day("2023-12-31").days());
  EXPECT_FALSE((*of_p1)[0].expires_day.has_value());
  EXPECT_EQ((*of_p1)[2].scope, "sensor");
  EXPECT_EQ(store.loadTokens("")->size(), 11u);

  auto by_secret = store.loadTokenBySecret("h2");
  ASSERT_TRUE(by_secret.isOk() && by_secret->has_value());
  EXPECT_EQ((*by_secret)->token_id, "tok-2");
  EXPECT_FALSE(store.loadTokenBySecret("nope")->has_value());

  ASSERT_TRUE(inWriteTransaction(*conn_, [&] { return store.touchToken("tok-2", 4242); }).isOk());
  EXPECT_EQ((*store.loadToken("tok-2"))->last_used_ms, 4242);

  ASSERT_TRUE(
      inWriteTransaction(*conn_, [&] { return store.revokeToken("tok-2", change()); }).isOk());
  EXPECT_EQ((*store.loadToken("tok-2"))->revoked_ms, change().recorded_ms);
  Status again = store.revokeToken("tok-2", change());
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.revokeToken("tok-99", change()).code(), StatusCode::kNotFound);

  const auto log = events();
  ASSERT_EQ(log.size(), 12u);  // 11 created, 1 revoked
  EXPECT_EQ(log[0].kind, "token.create");
  EXPECT_EQ(log[0].subject, "tok-1");
  EXPECT_EQ(log[11].kind, "token.revoke");
  EXPECT_EQ(log[11].subject, "tok-2");
  for (const auto& e : log) EXPECT_EQ(e.payload.find("\"h"), std::string::npos) << e.payload;
  auto check = repo_->verifyAudit();
  ASSERT_TRUE(check.isOk());
  EXPECT_TRUE(check->ok()) << check->problem;
}

// --- the audit trail by seq range and by subject ---------------------------------------------

TEST_P(StoreContract, EventsAfterASeqAndAboutASubjectAreThoseOfTheWholeTrail) {
  CampaignStore store(*repo_);
  ASSERT_TRUE(repo_->upsertDevices({device("D-1", "P-1"), device("D-2", "P-1")}, change()).isOk());
  auto step = [](const char* directive_id, const char* device_id) {
    campaign::CaseStep s;
    s.directive_id = directive_id;
    s.device_id = device_id;
    s.stage = campaign::CaseStage::kNotified;
    s.on = *Date::parse("2023-03-21");
    return s;
  };
  ASSERT_TRUE(
      inWriteTransaction(*conn_, [&]() -> Status {
        PH_RETURN_IF_ERROR(store.recordCaseStep(step("pa-iphone-2023", "D-1"), change()).status());
        PH_RETURN_IF_ERROR(store.recordCaseStep(step("other", "D-2"), change()).status());
        PH_RETURN_IF_ERROR(store.recordCaseStep(step("other", "D-1"), change()).status());
        Device returned = device("D-1", "P-1");
        returned.state = platform::DeviceState::kReturned;
        return repo_->recordDeviceVersion(returned, change(), "disposition", "D-1", "{}").status();
      }).isOk());
  const std::vector<audit::Event> all = events();
  ASSERT_GE(all.size(), 5u);
  auto seqs = [](const std::vector<audit::Event>& list) {
    std::vector<std::int64_t> out;
    for (const auto& e : list) out.push_back(e.seq);
    return out;
  };
  for (const std::int64_t after : {std::int64_t{0}, all[1].seq, all.back().seq}) {
    for (const std::size_t limit : {std::size_t{1}, std::size_t{2}, std::size_t{100}}) {
      std::vector<audit::Event> want;
      for (const auto& e : all) {
        if (e.seq > after && want.size() < limit) want.push_back(e);
      }
      std::vector<audit::Event> got;
      ASSERT_TRUE(repo_
                      ->forEachEventAfter(after, limit,
                                          [&](const audit::Event& e) {
                                            got.push_back(e);
                                            return Status::ok();
                                          })
                      .isOk());
      EXPECT_EQ(seqs(got), seqs(want)) << "after " << after << " limit " << limit;
      if (!got.empty()) {
        EXPECT_EQ(got.front().hash, want.front().hash);
      }
    }
  }
  for (const char* id : {"D-1", "D-2", "D-3", "pa-iphone-2023"}) {
    // What a scan of the whole trail finds about the device: its own events and its cases'.
    std::vector<audit::Event> want;
    for (const auto& e : all) {
      const std::string suffix = std::string("/") + id;
      const bool a_case =
          e.kind == "case.step" && e.subject.size() > suffix.size() &&
          e.subject.compare(e.subject.size() - suffix.size(), suffix.size(), suffix) == 0;
      if (e.subject == id || a_case) want.push_back(e);
    }
    std::vector<audit::Event> got;
    ASSERT_TRUE(repo_
                    ->forEachEventAbout(id,
                                        [&](const audit::Event& e) {
                                          got.push_back(e);
                                          return Status::ok();
                                        })
                    .isOk());
    EXPECT_EQ(seqs(got), seqs(want)) << id;
  }
}

}  // namespace

}  // namespace phaseout::storage

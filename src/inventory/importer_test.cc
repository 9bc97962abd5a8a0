#include "inventory/importer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <unordered_set>
#include <vector>

#include "inventory/sources/csv_writer.h"
#include "inventory/sources/registry.h"

namespace phaseout::inventory {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

using platform::Channel;
using platform::DeviceState;
using platform::Kind;
using platform::Ownership;
using platform::Platform;

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find('\n', start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// The problem lines of a failed parse; fails the test when the parse succeeded.
template <typename T>
std::vector<std::string> problems(const Result<T>& result) {
  EXPECT_FALSE(result.isOk()) << "the parse was expected to fail";
  if (result.isOk()) return {};
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  return splitLines(result.status().message());
}

const Source& csv() { return *findSource("csv"); }
const Source& json() { return *findSource("json"); }

Result<std::vector<Person>> peopleCsv(std::string_view text) {
  return parsePeople(text, "people.csv", csv());
}
Result<std::vector<Person>> peopleJson(std::string_view text) {
  return parsePeople(text, "people.json", json());
}

const std::function<bool(std::string_view)> kKnownPeople = [](std::string_view id) {
  return id == "p1" || id == "p2";
};

Result<std::vector<Device>> devicesCsv(std::string_view text) {
  return parseDevices(text, "devices.csv", csv(), kKnownPeople);
}
Result<std::vector<Device>> devicesJson(std::string_view text) {
  return parseDevices(text, "devices.json", json(), kKnownPeople);
}

Person person(std::string id, std::string unit, std::vector<std::string> roles = {"official"}) {
  Person p;
  p.person_id = std::move(id);
  p.unit = std::move(unit);
  p.roles = std::move(roles);
  return p;
}

// ------------------------------------------------------------------------------------------
// People, CSV

TEST(PeopleCsvTest, ParsesColumnsInAnyOrderWithCaseInsensitiveHeader) {
  const auto result = peopleCsv(
      "Unit,PERSON_ID,Name,email,role,Status\n"
      "pa/domestic-policy,p1,\"Ivanov, Ivan\",i.ivanov@pa.example,Official; Unit-Officer;official,"
      "active\n"
      "  pa/it/security  , p2 ,Petrova Anna,,,LEFT\n");
  ASSERT_TRUE(result.isOk()) << result.status().message();
  ASSERT_EQ(result->size(), 2u);
  const Person& a = (*result)[0];
  EXPECT_EQ(a.person_id, "p1");
  EXPECT_EQ(a.name, "Ivanov, Ivan");
  EXPECT_EQ(a.email, "i.ivanov@pa.example");
  EXPECT_EQ(a.unit, "pa/domestic-policy");
  EXPECT_THAT(a.roles, ElementsAre("official", "unit-officer"));
  EXPECT_EQ(a.status, EmploymentStatus::kActive);
  const Person& b = (*result)[1];
  EXPECT_EQ(b.person_id, "p2");
  EXPECT_EQ(b.unit, "pa/it/security");
  EXPECT_THAT(b.roles, IsEmpty());
  EXPECT_EQ(b.status, EmploymentStatus::kLeft);
}

TEST(PeopleCsvTest, OnlyRequiredColumnsAndDefaults) {
  const auto result = peopleCsv("person_id,unit\np1,pa\n");
  ASSERT_TRUE(result.isOk()) << result.status().message();
  ASSERT_EQ(result->size(), 1u);
  EXPECT_EQ((*result)[0], person("p1", "pa", {}));
}

TEST(PeopleCsvTest, HeaderOnlyGivesNoPeople) {
  const auto result = peopleCsv("person_id,unit\n");
  ASSERT_TRUE(result.isOk());
  EXPECT_THAT(*result, IsEmpty());
}

TEST(PeopleCsvTest, EmptyFileIsAnError) {
  EXPECT_THAT(problems(peopleCsv("")),
              ElementsAre("people.csv:1: expected a header line naming the columns (person_id, "
                          "name, email, unit, role, status, upn); the file is empty"));
}

TEST(PeopleCsvTest, MissingRequiredColumn) {
  EXPECT_THAT(problems(peopleCsv("person_id,name\np1,Ivan\n")),
              ElementsAre("people.csv:1: unit: missing required column"));
}

TEST(PeopleCsvTest, UnknownAndDuplicateColumnsAreNamed) {
  EXPECT_THAT(
      problems(peopleCsv("person_id,unit,emial,Unit,\np1,pa,x,y,z\n")),
      ElementsAre(
          "people.csv:1: emial: unknown column; expected one of person_id, name, email, unit, "
          "role, status, upn",
          "people.csv:1: Unit: duplicate column (also column 2)",
          "people.csv:1: column 5: unknown column; expected one of person_id, name, email, unit, "
          "role, status, upn"));
}

TEST(PeopleCsvTest, MissingId) {
  EXPECT_THAT(problems(peopleCsv("person_id,unit\np1,pa\n  ,pa\n")),
              ElementsAre("people.csv:3: person_id: expected a value; the column is required"));
}

TEST(PeopleCsvTest, DuplicateId) {
  EXPECT_THAT(problems(peopleCsv("person_id,unit\np1,pa\np2,pa\np1,pa/it\n")),
              ElementsAre("people.csv:4: person_id: expected a unique id; \"p1\" is already on "
                          "line 2"));
}

TEST(PeopleCsvTest, DuplicateIdWrittenWithEscapesIsStillFound) {
  EXPECT_THAT(problems(peopleCsv("person_id,unit\n\"p\"\"1\",pa\np2,pa\n\"p\"\"1\",pa\n")),
              ElementsAre("people.csv:4: person_id: expected a unique id; \"p\\\"1\" is already "
                          "on line 2"));
}

TEST(PeopleCsvTest, BadUnitPaths) {
  EXPECT_THAT(
      problems(peopleCsv("person_id,unit\np1,PA/Press\np2,pa//press\np3,/pa\np4,\n")),
      ElementsAre("people.csv:2: unit: expected a unit path of lower-case segments [a-z0-9._-] "
                  "separated by '/', like \"pa/domestic-policy\"; got \"PA/Press\"",
                  "people.csv:3: unit: expected a unit path of lower-case segments [a-z0-9._-] "
                  "separated by '/', like \"pa/domestic-policy\"; got \"pa//press\"",
                  "people.csv:4: unit: expected a unit path of lower-case segments [a-z0-9._-] "
                  "separated by '/', like \"pa/domestic-policy\"; got \"/pa\"",
                  "people.csv:5: unit: expected a value; the column is required"));
}

TEST(PeopleCsvTest, BadStatusAndEmail) {
  EXPECT_THAT(problems(peopleCsv("person_id,unit,status,email\np1,pa,retired,ivan-at-pa\n")),
              ElementsAre("people.csv:2: email: expected an address like name@example.org; got "
                          "\"ivan-at-pa\"",
                          "people.csv:2: status: expected one of active, left; got \"retired\""));
}

TEST(PeopleCsvTest, StrayQuoteNamesTheColumn) {
  EXPECT_THAT(problems(peopleCsv("person_id,name,unit\np1,Ivan \"Vanya\" Ivanov,pa\n")),
              ElementsAre("people.csv:2: name: a quote inside an unquoted field; enclose the "
                          "whole field in quotes and double the quote (\"\")"));
}

TEST(PeopleCsvTest, UnterminatedQuote) {
  EXPECT_THAT(problems(peopleCsv("person_id,name,unit\np1,x,pa\np2,\"Ivan,pa\np3,y,pa\n")),
              ElementsAre("people.csv:3: name: unterminated quoted field (the quote opened on "
                          "line 3 is never closed)"));
}

TEST(PeopleCsvTest, WrongFieldCount) {
  EXPECT_THAT(problems(peopleCsv("person_id,unit\np1,pa,extra\np2\n")),
              ElementsAre("people.csv:2: expected 2 fields as in the header; got 3",
                          "people.csv:3: expected 2 fields as in the header; got 1"));
}

TEST(PeopleCsvTest, NotUtf8) {
  // "Andr\xE9" is Latin-1.
  EXPECT_THAT(problems(peopleCsv("person_id,name,unit\np1,Andr\xE9,pa\n")),
              ElementsAre("people.csv:2: name: expected UTF-8 text; got byte 0xE9 at offset 4 "
                          "of the value"));
  EXPECT_THAT(problems(peopleCsv("person_id,na\xEFme,unit\np1,x,pa\n")),
              ElementsAre("people.csv:1: column 2: expected UTF-8 text; got byte 0xEF (is the "
                          "file in another encoding?)"));
}

TEST(PeopleCsvTest, Utf16IsRejectedAsAWhole) {
  const std::string utf16("\xFF\xFEp\0e\0", 6);
  EXPECT_THAT(problems(peopleCsv(utf16)),
              ElementsAre("people.csv:1: expected UTF-8 text; the file starts with a UTF-16 "
                          "byte-order mark"));
}

TEST(PeopleCsvTest, Utf8ByteOrderMarkIsStripped) {
  const auto result = peopleCsv("\xEF\xBB\xBFperson_id,name,unit\np1,Алексей,pa\n");
  ASSERT_TRUE(result.isOk()) << result.status().message();
  EXPECT_EQ((*result)[0].person_id, "p1");
  EXPECT_EQ((*result)[0].name, "Алексей");
}

TEST(PeopleCsvTest, CrlfLineEnds) {
  const auto result = peopleCsv("person_id,unit,role\r\np1,pa,a;b\r\np2,pa/it,\r\n");
  ASSERT_TRUE(result.isOk()) << result.status().message();
  ASSERT_EQ(result->size(), 2u);
  EXPECT_THAT((*result)[0].roles, ElementsAre("a", "b"));
  EXPECT_EQ((*result)[1].unit, "pa/it");
  EXPECT_THAT(problems(peopleCsv("person_id,unit\r\np1,pa\r\np1,pa\r\n")),
              ElementsAre(HasSubstr("people.csv:3: person_id: expected a unique id")));
}

TEST(PeopleCsvTest, QuotedNewlinesAndLineNumbers) {
  const std::string text =
      "person_id,name,unit\n"
      "p1,\"Ivanov\nIvan\nIvanovich\",pa\n"  // lines 2-4
      "p2,\"x\",PA\n";                       // line 5
  EXPECT_THAT(problems(peopleCsv(text)),
              ElementsAre(HasSubstr("people.csv:5: unit: expected a unit path")));
  const auto ok = peopleCsv("person_id,name,unit\np1,\"Ivanov\r\nIvan\",pa\n");
  ASSERT_TRUE(ok.isOk());
  EXPECT_EQ((*ok)[0].name, "Ivanov\r\nIvan");
}

TEST(PeopleCsvTest, ControlCharactersInIds) {
  EXPECT_THAT(problems(peopleCsv("person_id,unit\n\"p\n1\",pa\n")),
              ElementsAre("people.csv:2: person_id: expected an id without control characters; "
                          "got \"p\\x0A1\""));
}

TEST(PeopleCsvTest, EveryProblemIsListedInFileOrderAndNothingIsReturned) {
  const auto result = peopleCsv(
      "person_id,unit,status\n"
      "p1,pa,active\n"
      ",pa,active\n"
      "p3,Bad Unit,gone\n"
      "p4,pa,\"x\"y\n"
      "p1,pa,left\n");
  EXPECT_THAT(problems(result),
              ElementsAre(HasSubstr("people.csv:3: person_id: expected a value"),
                          HasSubstr("people.csv:4: unit: expected a unit path"),
                          HasSubstr("people.csv:4: status: expected one of active, left"),
                          HasSubstr("people.csv:5: status: expected a delimiter"),
                          HasSubstr("people.csv:6: person_id: expected a unique id")));
}

TEST(PeopleCsvTest, ListsAtMostFiftyProblems) {
  std::string text = "person_id,unit\n";
  for (int i = 0; i < 63; ++i) text += "p" + std::to_string(i) + ",BAD\n";
  const std::vector<std::string> lines = problems(peopleCsv(text));
  ASSERT_EQ(lines.size(), kMaxListedProblems + 1);
  EXPECT_THAT(lines[0], StartsWith("people.csv:2: unit: "));
  EXPECT_THAT(lines[49], StartsWith("people.csv:51: unit: "));
  EXPECT_EQ(lines[50], "... and 13 more problems");
}

TEST(PeopleCsvTest, WriterRoundTrip) {
  std::vector<Person> people;
  people.push_back(person("p1", "pa/domestic-policy", {"official", "unit-officer"}));
  people[0].name = "Ivanov, \"Vanya\"\nIvan";
  people[0].email = "i.ivanov@pa.example";
  people[0].upn = "ivanov@corp.pa.example";
  people.push_back(person("p,2", "pa-press", {}));
  people[1].status = EmploymentStatus::kLeft;
  people[1].name = "Ёлкина Анна";
  const std::string csv = writePeopleCsv(people);
  EXPECT_THAT(csv, StartsWith("person_id,name,email,unit,role,status,upn\n"
                              "p1,\"Ivanov, \"\"Vanya\"\"\nIvan\",i.ivanov@pa.example,"
                              "pa/domestic-policy,official;unit-officer,active,"
                              "ivanov@corp.pa.example\n"));
  const auto back = peopleCsv(csv);
  ASSERT_TRUE(back.isOk()) << back.status().message();
  EXPECT_EQ(*back, people);
}

// ------------------------------------------------------------------------------------------
// People, JSON

TEST(PeopleJsonTest, ParsesStringsAndRoleArrays) {
  const auto result = peopleJson(R"([
  {"person_id": "p1", "Unit": "pa", "role": ["Official", "unit-officer"], "status": "left"},
  {"person_id": "p2", "Unit": "pa/it", "role": "a; b", "status": ""}
])");
  ASSERT_TRUE(result.isOk()) << result.status().message();
  ASSERT_EQ(result->size(), 2u);
  EXPECT_THAT((*result)[0].roles, ElementsAre("official", "unit-officer"));
  EXPECT_EQ((*result)[0].status, EmploymentStatus::kLeft);
  EXPECT_THAT((*result)[1].roles, ElementsAre("a", "b"));
}

TEST(PeopleJsonTest, EmptyArrayAndByteOrderMark) {
  const auto result = peopleJson("\xEF\xBB\xBF [ ] \n");
  ASSERT_TRUE(result.isOk()) << result.status().message();
  EXPECT_THAT(*result, IsEmpty());
}

TEST(PeopleJsonTest, ProblemsNameTheLineWhereTheObjectStartsAndTheKey) {
  const std::string text = R"([
  {"person_id": "p1", "unit": "pa"},
  {
    "person_id": "p2",
    "unit": "Pa/Press"
  },
  {"person_id": "p1", "unit": "pa"}, {"person_id": "", "unit": "pa"}
])";
  EXPECT_THAT(problems(peopleJson(text)),
              ElementsAre(HasSubstr("people.json:3: unit: expected a unit path"),
                          "people.json:7: person_id: expected a unique id; \"p1\" is already on "
                          "line 2",
                          "people.json:7: person_id: expected a value; the column is required"));
}

TEST(PeopleJsonTest, WrongValueTypes) {
  const std::string text = R"([
  {"person_id": 17, "unit": "pa", "role": ["a", 1], "name": null}
])";
  EXPECT_THAT(problems(peopleJson(text)),
              ElementsAre("people.json:2: name: expected a string; got null",
                          "people.json:2: person_id: expected a string; got a number",
                          "people.json:2: role: expected a string or an array of strings; got an "
                          "array"));
}

TEST(PeopleJsonTest, UnknownMissingAndDifferingKeys) {
  const std::string text = R"([
  {"person_id": "p1", "unit": "pa", "name": "A"},
  {"person_id": "p2", "unit": "pa", "emial": "x"},
  {"person_id": "p3"}
])";
  EXPECT_THAT(
      problems(peopleJson(text)),
      ElementsAre("people.json:3: emial: unknown key; expected one of person_id, name, email, "
                  "unit, role, status, upn",
                  "people.json:3: expected the same keys as the first object (line 2); missing "
                  "name",
                  "people.json:4: unit: missing required key",
                  "people.json:4: expected the same keys as the first object (line 2); missing "
                  "name, unit"));
}

TEST(PeopleJsonTest, DuplicateKeys) {
  EXPECT_THAT(problems(peopleJson(R"([{"person_id": "p1", "unit": "pa", "Unit": "pa/x"}])")),
              ElementsAre("people.json:1: Unit: duplicate key"));
  EXPECT_THAT(problems(peopleJson(R"([{"person_id": "p1", "unit": "pa", "\u0001": "x"}])")),
              ElementsAre(StartsWith("people.json:1: \"\\x01\": unknown key; expected one of")));
}

TEST(PeopleJsonTest, SyntaxErrorsNameTheirLine) {
  const std::string text =
      "[\n  {\"person_id\": \"p1\", \"unit\": \"pa\"},\n  {\"person_id\": "
      "\"p2\",\n   \"unit\" \"pa\"}\n]";
  const std::vector<std::string> lines = problems(peopleJson(text));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], StartsWith("people.json:4: expected valid JSON; syntax error"));
}

TEST(PeopleJsonTest, StructuralErrors) {
  EXPECT_THAT(problems(peopleJson("{\"person_id\": \"p1\"}")),
              ElementsAre("people.json:1: expected a JSON array of objects ('[' first)"));
  EXPECT_THAT(problems(peopleJson("")),
              ElementsAre("people.json:1: expected a JSON array of objects ('[' first)"));
  EXPECT_THAT(problems(peopleJson("[\n\"p1\",\n{\"person_id\": \"p1\", \"unit\": \"pa\"}\n]")),
              ElementsAre("people.json:2: expected an object; got a string"));
  EXPECT_THAT(problems(peopleJson("[{\"person_id\": \"p1\", \"unit\": \"pa\"},\n]")),
              ElementsAre("people.json:2: expected an array element after ','"));
  EXPECT_THAT(problems(peopleJson("[{\"person_id\": \"p1\", \"unit\": \"pa\"}] x")),
              ElementsAre("people.json:1: expected nothing after the array's closing ']'"));
  EXPECT_THAT(problems(peopleJson("[\n{\"person_id\": \"p1\",\n \"unit\": \"pa\"\n")),
              ElementsAre("people.json:2: unterminated JSON value (opened on line 2)"));
  EXPECT_THAT(problems(peopleJson("[{\"person_id\": \"p1\", \"unit\": \"pa\"}")),
              ElementsAre("people.json:1: expected ',' or ']' after an array element; the text "
                          "ends"));
}

TEST(PeopleJsonTest, NotUtf8) {
  const std::vector<std::string> lines =
      problems(peopleJson("[\n{\"person_id\": \"p1\", \"unit\": \"pa\", \"name\": \"Andr\xE9\"}]"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], StartsWith("people.json:2: expected valid JSON; "));
  EXPECT_THAT(lines[0], HasSubstr("UTF-8"));
  EXPECT_THAT(problems(peopleJson(std::string("\xFE\xFF\0[", 4))),
              ElementsAre(HasSubstr("people.json:1: expected UTF-8 text; the file starts with a "
                                    "UTF-16 byte-order mark")));
  // An escaped NUL is valid JSON but not text.
  EXPECT_THAT(problems(peopleJson(R"([{"person_id": "p1", "unit": "pa", "name": "a\u0000b"}])")),
              ElementsAre("people.json:1: name: expected UTF-8 text; got byte 0x00 at offset 1 "
                          "of the value"));
}

// ------------------------------------------------------------------------------------------
// Devices

constexpr std::string_view kDeviceHeader =
    "device_id,holder,kind,vendor,model,platform,os_version,ownership,channel,serial,imei,mac,"
    "hostname,state\n";

TEST(DevicesCsvTest, ParsesExplicitCanonicalValues) {
  const std::string text = std::string(kDeviceHeader) +
                           "d1,p1,phone,apple,iPhone14,ios,16.4.1,corporate,parallel-import,"
                           "F2LXX1,356938035643809,\"AA-BB-CC-DD-EE-FF; aabb.ccdd.eeff;"
                           "00:11:22:33:44:55\",ivans-iphone,returned\n";
  const auto result = devicesCsv(text);
  ASSERT_TRUE(result.isOk()) << result.status().message();
  ASSERT_EQ(result->size(), 1u);
  const Device& d = (*result)[0];
  EXPECT_EQ(d.device_id, "d1");
  EXPECT_EQ(d.holder, "p1");
  EXPECT_EQ(d.kind, Kind::kPhone);
  EXPECT_EQ(d.vendor, "apple");
  EXPECT_EQ(d.model, "iPhone14");
  EXPECT_EQ(d.platform, Platform::kIos);
  EXPECT_EQ(d.os_version, "16.4.1");
  EXPECT_EQ(d.ownership, Ownership::kCorporate);
  EXPECT_EQ(d.channel, Channel::kParallelImport);
  EXPECT_EQ(d.serial, "F2LXX1");
  EXPECT_EQ(d.imei, "356938035643809");
  EXPECT_THAT(d.macs, ElementsAre("aa:bb:cc:dd:ee:ff", "00:11:22:33:44:55"));
  EXPECT_EQ(d.hostname, "ivans-iphone");
  EXPECT_EQ(d.state, DeviceState::kReturned);
}

TEST(DevicesCsvTest, DefaultsWithOnlyTheIdColumn) {
  const auto result = devicesCsv("device_id\nd1\nd2\n");
  ASSERT_TRUE(result.isOk()) << result.status().message();
  ASSERT_EQ(result->size(), 2u);
  Device expected;
  expected.device_id = "d2";
  EXPECT_EQ((*result)[1], expected);
}

TEST(DevicesCsvTest, InfersKindVendorAndPlatformFromTheModel) {
  const auto result = devicesCsv(
      "device_id,vendor,model,os_version\n"
      "d1,,iPhone14,2 ,\n"  // an unquoted comma in the model splits it
      "");
  EXPECT_THAT(problems(result),
              ElementsAre("devices.csv:2: expected 4 fields as in the header; got 5"));
  const auto ok = devicesCsv(
      "device_id,vendor,model,os_version\n"
      "d1,,\"iPhone14,2\",\n"
      "d2,Apple Inc.,iPhone 13 Pro,iOS 16.4.1\n");
  ASSERT_TRUE(ok.isOk()) << ok.status().message();
  for (const Device& d : *ok) {
    EXPECT_EQ(d.kind, Kind::kPhone) << d.device_id;
    EXPECT_EQ(d.platform, Platform::kIos) << d.device_id;
    EXPECT_EQ(d.vendor, "apple") << d.device_id;
  }
  EXPECT_EQ((*ok)[0].model, "iPhone14,2");
  EXPECT_EQ((*ok)[1].model, "iPhone 13 Pro");
  EXPECT_EQ((*ok)[1].os_version, "16.4.1");
}

TEST(DevicesCsvTest, FreeTextPlatformIsInterpreted) {
  const auto result =
      devicesCsv("device_id,platform,kind\nd1,iPadOS 17.1,\nd2,Aurora OS 4.0.2,phone\n");
  ASSERT_TRUE(result.isOk()) << result.status().message();
  EXPECT_EQ((*result)[0].platform, Platform::kIpados);
  EXPECT_EQ((*result)[1].platform, Platform::kAurora);
  EXPECT_EQ((*result)[1].kind, Kind::kPhone);
}

TEST(DevicesCsvTest, ExplicitCanonicalPlatformIsKeptAndUnknownMeansInfer) {
  // The model says Android; the file says ios: the file wins, it is the operator's statement.
  const auto result = devicesCsv(
      "device_id,vendor,model,platform,kind,os_version\n"
      "d1,Samsung,SM-S918B,ios,unknown,\n"
      "d2,,iPhone14,unknown,Smartphone,\n"
      "d3,HUAWEI,,harmonyos,,5.0\n");
  ASSERT_TRUE(result.isOk()) << result.status().message();
  EXPECT_EQ((*result)[0].platform, Platform::kIos);
  EXPECT_EQ((*result)[0].kind, Kind::kPhone);  // "unknown" is inferred, here from the model
  EXPECT_EQ((*result)[1].kind, Kind::kPhone);  // free text the normalizer reads
  // The normalizer refines a canonical name by version.
  EXPECT_EQ((*result)[2].platform, Platform::kHarmonyosNext);
}

TEST(DevicesCsvTest, UninterpretablePlatformOrKindIsABadEnumValue) {
  const auto result = devicesCsv(
      "device_id,model,platform,kind\n"
      "d1,iPhone14,toaster-os,\n"
      "d2,iPhone14,,toaster\n");
  EXPECT_THAT(
      problems(result),
      ElementsAre("devices.csv:2: platform: expected one of ios, ipados, macos, watchos, android, "
                  "harmonyos, harmonyos-next, aurora, sailfish, kaios, windows, linux, unknown "
                  "(or an OS description such as \"iOS 16.4\"); got \"toaster-os\"",
                  "devices.csv:3: kind: expected one of phone, tablet, laptop, desktop, watch, "
                  "other, unknown (or a description such as \"smartphone\"); got \"toaster\""));
}

TEST(DevicesCsvTest, BadStateOnLineFourteen) {
  std::string text = "device_id,state\n";
  for (int i = 2; i < 14; ++i) text += "d" + std::to_string(i) + ",active\n";
  text += "d14,broken\n";
  EXPECT_THAT(problems(devicesCsv(text)),
              ElementsAre("devices.csv:14: state: expected one of active, returned, destroyed, "
                          "transferred, lost, retired; got \"broken\""));
}

TEST(DevicesCsvTest, BadOwnershipChannelAndMac) {
  EXPECT_THAT(
      problems(
          devicesCsv("device_id,ownership,channel,mac\nd1,company,grey,aa:bb;aa:bb:cc:dd:ee:ff\n")),
      ElementsAre("devices.csv:2: ownership: expected one of corporate, personal, unknown; got "
                  "\"company\"",
                  "devices.csv:2: channel: expected one of official, parallel-import, personal, "
                  "unknown; got \"grey\"",
                  "devices.csv:2: mac: expected a MAC address like aa:bb:cc:dd:ee:ff, "
                  "AA-BB-CC-DD-EE-FF or aabb.ccdd.eeff; got \"aa:bb\""));
}

TEST(DevicesCsvTest, UnknownHolderAndDuplicateId) {
  EXPECT_THAT(problems(devicesCsv("device_id,holder\nd1,p1\nd2,p9\nd1,\n")),
              ElementsAre("devices.csv:3: holder: expected the person_id of an existing person; "
                          "got \"p9\"",
                          "devices.csv:4: device_id: expected a unique id; \"d1\" is already on "
                          "line 2"));
}

TEST(DevicesCsvTest, WithoutAPersonLookupEveryHolderIsUnknown) {
  const auto result = parseDevices("device_id,holder\nd1,p1\nd2,\n", "devices.csv", csv(), {});
  EXPECT_THAT(problems(result), ElementsAre(HasSubstr("devices.csv:2: holder: expected")));
}

TEST(DevicesCsvTest, MissingRequiredColumnAndUnknownColumn) {
  EXPECT_THAT(problems(devicesCsv("holder,macs\np1,x\n")),
              ElementsAre("devices.csv:1: macs: unknown column; expected one of device_id, "
                          "holder, kind, vendor, model, platform, os_version, ownership, "
                          "channel, serial, imei, mac, hostname, state",
                          "devices.csv:1: device_id: missing required column"));
}

TEST(DevicesCsvTest, WriterRoundTrip) {
  const std::string text = std::string(kDeviceHeader) +
                           "d1,p1,,Apple Inc.,\"iPhone14,2\",,iOS 16.4.1,corporate,official,"
                           "F2L,356938035643809,AA-BB-CC-DD-EE-FF,\"host, \"\"quoted\"\"\",\n"
                           "d2,p2,phone,,NOH-AN00,harmonyos,3.0,,,,,,,lost\n"
                           "d3,,,Acme Devices,X-200,,,personal,personal,,,,,retired\n";
  const auto first = devicesCsv(text);
  ASSERT_TRUE(first.isOk()) << first.status().message();
  EXPECT_EQ((*first)[2].vendor, "acme devices");  // unknown to the normalizer: kept, lower-case
  EXPECT_EQ((*first)[2].platform, Platform::kUnknown);
  const std::string written = writeDevicesCsv(*first);
  const auto second = devicesCsv(written);
  ASSERT_TRUE(second.isOk()) << second.status().message() << "\n" << written;
  EXPECT_EQ(*second, *first) << written;
  EXPECT_EQ(writeDevicesCsv(*second), written);
}

TEST(DevicesCsvTest, AnUnknownPlatformMayBeInferredAfterARoundTrip) {
  // The documented exception of the writers: the model and the OS contradict each other, so
  // the platform stays unknown; the stored OS version has lost its OS name, so a re-import
  // sees no contradiction any more.
  const auto first = devicesCsv("device_id,model,os_version\nd1,iPhone 13,Android 13\n");
  ASSERT_TRUE(first.isOk()) << first.status().message();
  EXPECT_EQ((*first)[0].platform, Platform::kUnknown);
  EXPECT_EQ((*first)[0].os_version, "13");
  const auto second = devicesCsv(writeDevicesCsv(*first));
  ASSERT_TRUE(second.isOk()) << second.status().message();
  EXPECT_EQ((*second)[0].platform, Platform::kIos);
}

TEST(DevicesJsonTest, ParsesMacArraysAndReportsKeys) {
  const auto result = devicesJson(R"([
  {"device_id": "d1", "holder": "p2", "mac": ["AA-BB-CC-DD-EE-FF", "aabb.ccdd.eef0"],
   "platform": "android", "state": "lost"},
  {"device_id": "d2", "holder": "", "mac": "00:11:22:33:44:55", "platform": "", "state": ""}
])");
  ASSERT_TRUE(result.isOk()) << result.status().message();
  ASSERT_EQ(result->size(), 2u);
  EXPECT_THAT((*result)[0].macs, ElementsAre("aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:f0"));
  EXPECT_EQ((*result)[0].platform, Platform::kAndroid);
  EXPECT_EQ((*result)[0].state, DeviceState::kLost);
  EXPECT_THAT((*result)[1].macs, ElementsAre("00:11:22:33:44:55"));

  EXPECT_THAT(problems(devicesJson(R"([
  {"device_id": "d1", "holder": "p3", "mac": ["nope"], "state": "broken"}
])")),
              ElementsAre("devices.json:2: holder: expected the person_id of an existing person; "
                          "got \"p3\"",
                          "devices.json:2: mac: expected a MAC address like aa:bb:cc:dd:ee:ff, "
                          "AA-BB-CC-DD-EE-FF or aabb.ccdd.eeff; got \"nope\"",
                          "devices.json:2: state: expected one of active, returned, destroyed, "
                          "transferred, lost, retired; got \"broken\""));
}

// ------------------------------------------------------------------------------------------
// Streaming

TEST(StreamTest, BatchesMatchTheVectorParseEvenWhenRecordsAreReused) {
  // Slots are reused between batches: a record with fewer roles/MACs than the one before it in
  // the same slot must not keep the old ones.
  const std::string people =
      "person_id,unit,role\np1,pa,a;b;c\np2,pa,\np3,pa/x,d\np4,pa,e;f\np5,pa,\n";
  std::vector<Person> streamed;
  std::vector<std::size_t> sizes;
  const Status status = streamPeople(
      people, "people.csv", csv(),
      [&](std::span<const Person> batch) {
        sizes.push_back(batch.size());
        streamed.insert(streamed.end(), batch.begin(), batch.end());
        return Status::ok();
      },
      2);
  ASSERT_TRUE(status.isOk()) << status.message();
  EXPECT_THAT(sizes, ElementsAre(2, 2, 1));
  EXPECT_EQ(streamed, peopleCsv(people).value());

  const std::string devices =
      "device_id,mac,model,platform\nd1,aa:bb:cc:dd:ee:01;aa:bb:cc:dd:ee:02,iPhone14,\n"
      "d2,,X,android\nd3,aa:bb:cc:dd:ee:03,Y,\nd4,,,\n";
  std::vector<Device> streamed_devices;
  ASSERT_TRUE(streamDevices(
                  devices, "devices.csv", csv(), kKnownPeople,
                  [&](std::span<const Device> batch) {
                    streamed_devices.insert(streamed_devices.end(), batch.begin(), batch.end());
                    return Status::ok();
                  },
                  2)
                  .isOk());
  EXPECT_EQ(streamed_devices, devicesCsv(devices).value());
  EXPECT_THAT(streamed_devices[2].macs, ElementsAre("aa:bb:cc:dd:ee:03"));
}

TEST(StreamTest, AProblemStopsTheBatchesButEveryProblemIsStillListed) {
  const std::string text = "person_id,unit\np1,pa\np2,pa\np3,pa\nBAD,Pa\np5,pa\np6,PA\n";
  std::size_t delivered = 0;
  const Status status = streamPeople(
      text, "people.csv", csv(),
      [&](std::span<const Person> batch) {
        delivered += batch.size();
        return Status::ok();
      },
      2);
  EXPECT_EQ(delivered, 2u);
  ASSERT_FALSE(status.isOk());
  EXPECT_THAT(splitLines(status.message()),
              ElementsAre(HasSubstr("people.csv:5: unit: "), HasSubstr("people.csv:7: unit: ")));
  EXPECT_EQ(status.message(), peopleCsv(text).status().message());
}

TEST(StreamTest, ASinkErrorStopsTheParse) {
  std::string text = "person_id,unit\n";
  for (int i = 0; i < 10; ++i) text += "p" + std::to_string(i) + ",pa\n";
  int calls = 0;
  const Status status = streamPeople(
      text, "people.csv", csv(),
      [&](std::span<const Person>) {
        return ++calls == 2 ? unavailable("database is locked") : Status::ok();
      },
      3);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "database is locked");
}

TEST(StreamTest, JsonStreams) {
  std::vector<Person> streamed;
  ASSERT_TRUE(
      streamPeople(R"([{"person_id": "p1", "unit": "pa"}, {"person_id": "p2", "unit": "pa"}])",
                   "people.json", json(),
                   [&](std::span<const Person> batch) {
                     streamed.insert(streamed.end(), batch.begin(), batch.end());
                     return Status::ok();
                   })
          .isOk());
  EXPECT_THAT(streamed, ElementsAre(person("p1", "pa", {}), person("p2", "pa", {})));
}

// ------------------------------------------------------------------------------------------
// Large input (correctness, not speed)

TEST(ImporterLargeTest, HundredThousandGeneratedRowsRoundTrip) {
  constexpr int kCount = 100'000;
  std::vector<Person> people;
  std::vector<Device> devices;
  people.reserve(kCount);
  devices.reserve(kCount);
  const char* kUnits[] = {"pa", "pa/domestic-policy", "pa/domestic-policy/press", "pa-press"};
  for (int i = 0; i < kCount; ++i) {
    Person p = person("P-" + std::to_string(100000 + i), kUnits[i % 4],
                      i % 7 == 0 ? std::vector<std::string>{"official", "unit-officer"}
                                 : std::vector<std::string>{"official"});
    p.name = i % 11 == 0 ? "Smirnov, \"Sasha\"" : "Person " + std::to_string(i);
    p.status = i % 100 == 0 ? EmploymentStatus::kLeft : EmploymentStatus::kActive;
    people.push_back(std::move(p));
    Device d;
    d.device_id = "D-" + std::to_string(i);
    d.holder = i % 50 == 0 ? "" : people.back().person_id;
    d.kind = Kind::kPhone;
    d.platform = i % 3 == 0 ? Platform::kIos : Platform::kAndroid;
    d.vendor = i % 3 == 0 ? "apple" : "samsung";
    d.model = "Model " + std::to_string(i % 17);
    d.ownership = Ownership::kCorporate;
    d.channel = Channel::kOfficial;
    d.serial = "S" + std::to_string(i);
    char mac[18];
    std::snprintf(mac, sizeof mac, "02:00:00:%02x:%02x:%02x", (i >> 16) & 0xFF, (i >> 8) & 0xFF,
                  i & 0xFF);
    d.macs = {mac};
    d.state = i % 9 == 0 ? DeviceState::kReturned : DeviceState::kActive;
    devices.push_back(std::move(d));
  }

  const auto people_back = peopleCsv(writePeopleCsv(people));
  ASSERT_TRUE(people_back.isOk()) << people_back.status().message();
  EXPECT_EQ(*people_back, people);

  std::unordered_set<std::string> ids;
  for (const Person& p : people) ids.insert(p.person_id);
  const auto devices_back =
      parseDevices(writeDevicesCsv(devices), "devices.csv", csv(),
                   [&](std::string_view id) { return ids.count(std::string(id)) != 0; });
  ASSERT_TRUE(devices_back.isOk()) << devices_back.status().message();
  ASSERT_EQ(devices_back->size(), devices.size());
  EXPECT_EQ((*devices_back)[12345], devices[12345]);
  EXPECT_EQ(*devices_back, devices);

  // One bad row in the middle makes the whole file fail, naming that row's line.
  std::string text = writePeopleCsv(people);
  const std::size_t at = text.find("\nP-150000,");
  ASSERT_NE(at, std::string::npos);
  text.replace(at + 1, 8, "P-100000");
  EXPECT_THAT(problems(peopleCsv(text)),
              ElementsAre("people.csv:50002: person_id: expected a unique id; \"P-100000\" is "
                          "already on line 2"));
}

}  // namespace
}  // namespace phaseout::inventory

// The seam between sources and the import path: what a source hands over (raw fields with
// provenance), and that a source written elsewhere gets the same checks and messages.
#include "inventory/sources/source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "inventory/importer.h"
#include "inventory/sources/registry.h"

namespace phaseout::inventory {
namespace {

using ::testing::ElementsAre;

// Keeps what a source hands over, as text.
class RecordingSink final : public RecordSink {
 public:
  bool record(const RawRecord& record) override {
    std::string line =
        std::string(record.provenance.source) + " " + std::string(record.provenance.file) + ":" +
        std::to_string(record.provenance.line) + " " + std::string(record.provenance.pointer);
    for (std::size_t c = 0; c < record.fields.size(); ++c) {
      const RawField& field = record.fields[c];
      if (!field.present) continue;
      line += " " + std::string(kPersonColumns[c].name) + "=";
      if (field.is_array) {
        line += "[";
        for (std::string_view item : field.items) line += std::string(item) + "|";
        line += "]";
      } else {
        line += "<" + std::string(field.text) + ">";
      }
    }
    records.push_back(line);
    return records.size() < stop_after;
  }
  void problem(std::size_t line, std::string_view column, std::string_view what) override {
    problems.push_back(std::to_string(line) + " " + std::string(column) + ": " + std::string(what));
  }

  std::vector<std::string> records;
  std::vector<std::string> problems;
  std::size_t stop_after = 1000;
};

void read(std::string_view source, std::string_view text, RecordingSink& sink) {
  findSource(source)->read(SourceInput{text, "in", kPersonColumns}, sink);
}

TEST(CsvSourceTest, HandsOverRawFieldsByColumnWithTheirLine) {
  RecordingSink sink;
  read("csv", "Unit,person_id\n pa ,P-1\n\n\"pa/x\ny\",P-2\n", sink);
  EXPECT_THAT(sink.records, ElementsAre("csv in:2  person_id=<P-1> unit=< pa >",
                                        "csv in:4  person_id=<P-2> unit=<pa/x\ny>"));
  EXPECT_TRUE(sink.problems.empty());
}

TEST(JsonSourceTest, HandsOverFieldsArraysAndAPointerPerElement) {
  RecordingSink sink;
  read("json",
       "[{\"person_id\": \"P-1\", \"unit\": \"pa\", \"role\": \" x \"},\n"
       " {\"person_id\": \"P-2\", \"unit\": \"pa\", \"ROLE\": [\"a\", \"b\"]},\n"
       " {\"person_id\": \"P-3\", \"unit\": \"pa\"}]",
       sink);
  EXPECT_THAT(sink.records, ElementsAre("json in:1 /0 person_id=<P-1> unit=<pa> role=< x >",
                                        "json in:2 /1 person_id=<P-2> unit=<pa> role=[a|b|]"));
  EXPECT_THAT(sink.problems, ElementsAre("3 : expected the same keys as the first object (line "
                                         "1); missing role"));
}

TEST(SourceTest, ASourceStopsWhenTheSinkSaysSo) {
  for (std::string_view source : {"csv", "json"}) {
    RecordingSink sink;
    sink.stop_after = 1;
    read(source,
         source == "csv" ? "person_id,unit\nP-1,pa\nP-2,pa\n"
                         : R"([{"person_id": "P-1", "unit": "pa"}, {"person_id": "P-2"}])",
         sink);
    EXPECT_EQ(sink.records.size(), 1) << source;
    EXPECT_TRUE(sink.problems.empty()) << source;
  }
}

// A source that is not registered: "key: value" lines, records separated by blank lines.
void readKeyValue(const SourceInput& input, RecordSink& sink) {
  RawRecord record;
  record.provenance.file = input.file;
  record.provenance.source = "key-value";
  record.fields.resize(input.columns.size());
  std::size_t line = 0;
  bool open = false;
  std::string_view rest = input.text;
  const auto flush = [&] {
    if (open) sink.record(record);
    open = false;
    for (RawField& field : record.fields) field = RawField{};
  };
  while (!rest.empty()) {
    ++line;
    const std::size_t nl = rest.find('\n');
    const std::string_view text = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (text.empty()) {
      flush();
      continue;
    }
    const std::size_t colon = text.find(':');
    const std::optional<std::size_t> column =
        findColumn(input.columns, text.substr(0, std::min(colon, text.size())));
    if (colon == std::string_view::npos || !column) {
      sink.problem(line, "", "expected \"column: value\"");
      continue;
    }
    if (!open) record.provenance.line = line;
    open = true;
    record.fields[*column].present = true;
    record.fields[*column].text = text.substr(colon + 1);
  }
  flush();
}

constexpr std::string_view kKeyValueExtensions[] = {".kv"};
constexpr Source kKeyValue{"key-value",
                           "test",
                           kKeyValueExtensions,
                           &readKeyValue,
                           SourceKind::kDirect,
                           SourceSchema::kBoth,
                           nullptr,
                           ""};

TEST(SourceTest, AnotherSourceGetsTheSameChecksAndMessages) {
  const auto people =
      parsePeople("person_id: P-1\nunit: pa\nrole: Official; official\n", "p.kv", kKeyValue);
  ASSERT_TRUE(people.isOk()) << people.status().message();
  ASSERT_EQ(people->size(), 1);
  EXPECT_EQ((*people)[0].unit, "pa");
  EXPECT_THAT((*people)[0].roles, ElementsAre("official"));

  const auto bad =
      parsePeople("person_id: P-1\nunit: pa\n\nperson_id: P-1\nunit: /x\nstatus: gone\nshoe: 42\n",
                  "p.kv", kKeyValue);
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().message(),
            "p.kv:7: expected \"column: value\"\n"
            "p.kv:4: unit: expected a unit path of lower-case segments [a-z0-9._-] separated by "
            "'/', like \"pa/domestic-policy\"; got \"/x\"\n"
            "p.kv:4: status: expected one of active, left; got \"gone\"\n"
            "p.kv:4: person_id: expected a unique id; \"P-1\" is already on line 1");
}

}  // namespace
}  // namespace phaseout::inventory

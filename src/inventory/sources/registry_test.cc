#include "inventory/sources/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace phaseout::inventory {
namespace {

using ::testing::ElementsAre;
using ::testing::StartsWith;

std::string nameFor(std::string_view path) {
  const Result<const Source*> source = sourceForPath(path);
  return source.isOk() ? std::string((*source)->name) : "error";
}

TEST(SourceRegistryTest, ListsTheSourcesOnce) {
  std::vector<std::string_view> names;
  for (const Source* source : allSources()) {
    names.push_back(source->name);
    EXPECT_FALSE(source->description.empty());
    // A source is chosen by its extension, by its shape, or both.
    EXPECT_TRUE(!source->extensions.empty() || source->recognise != nullptr) << source->name;
    EXPECT_FALSE(source->documentation.empty()) << source->name;
    EXPECT_NE(source->read, nullptr);
  }
  EXPECT_THAT(names, ElementsAre("csv", "json", "intune", "jamf", "google", "fleet", "snipeit",
                                 "ldif", "scim"));
  EXPECT_EQ(sourceNames(), "csv, json, intune, jamf, google, fleet, snipeit, ldif, scim");
}

TEST(SourceRegistryTest, FindsByExactName) {
  ASSERT_NE(findSource("csv"), nullptr);
  EXPECT_EQ(findSource("json")->name, "json");
  EXPECT_EQ(findSource("CSV"), nullptr);
  EXPECT_EQ(findSource("xlsx"), nullptr);
  EXPECT_EQ(findSource(""), nullptr);
}

TEST(SourceRegistryTest, ChoosesByExtensionCaseInsensitively) {
  EXPECT_EQ(nameFor("people.csv"), "csv");
  EXPECT_EQ(nameFor("/tmp/x.y/Devices.JSON"), "json");
  EXPECT_EQ(nameFor("dir.csv/devices.Csv"), "csv");
  EXPECT_EQ(nameFor("C:\\exports\\devices.json"), "json");
  EXPECT_EQ(nameFor("devices"), "error");
  EXPECT_EQ(nameFor("dir.csv/devices"), "error");
  const Result<const Source*> bad = sourceForPath("dir.csv/devices.xlsx");
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "dir.csv/devices.xlsx: expected a file name ending in .csv, .json or .ldif (the "
            "extension chooses the format)");
}

}  // namespace
}  // namespace phaseout::inventory

#include "storage/catalog.h"

#include <gtest/gtest.h>

#include <set>

namespace phaseout::storage {
namespace {

TEST(Catalog, EveryStatementHasOneNameAndText) {
  const Catalog& sqlite = catalog(Dialect::kSqlite);
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kQueryCount; ++i) {
    const auto query = static_cast<Query>(i);
    EXPECT_FALSE(sqlite.name(query).empty()) << i;
    EXPECT_FALSE(sqlite.sql(query).empty()) << sqlite.name(query);
    EXPECT_TRUE(names.insert(sqlite.name(query)).second) << sqlite.name(query);
  }
}

TEST(Catalog, ColumnListsAreWrittenOnceAndParametersNamedAfterColumns) {
  const Catalog& c = catalog(Dialect::kSqlite);
  EXPECT_EQ(c.sql(Query::kInsertPerson),
            "INSERT INTO person_versions (person_id, valid_from, seq, name, email, unit, roles, "
            "status, upn) VALUES (:person_id, :valid_from, :seq, :name, :email, :unit, :roles, "
            ":status, :upn)");
  // The evaluation load selects only what evaluation reads.
  EXPECT_EQ(c.sql(Query::kDevicesAsOfForEvaluation),
            "SELECT device_id, holder, kind, vendor, model, platform, os_version, state FROM "
            "device_versions WHERE valid_from <= :day ORDER BY device_id, valid_from, seq");
  // The counts' stream leaves out os_version, which no rule reads.
  EXPECT_EQ(c.sql(Query::kDevicesAsOfFromForCounting),
            "SELECT device_id, holder, kind, vendor, model, platform, state FROM device_versions "
            "WHERE valid_from <= :day AND device_id >= :from ORDER BY device_id, valid_from, seq");
  EXPECT_EQ(c.sql(Query::kPeopleAsOfForEvaluation),
            "SELECT person_id, unit, roles, status FROM person_versions WHERE valid_from <= :day "
            "ORDER BY person_id, valid_from, seq");
  EXPECT_EQ(columnIndex(kDeviceColumns, "state"), 15);
  EXPECT_EQ(columnIndex(kSightingColumns, "evidence"), 19);
}

TEST(Catalog, DialectVariantReplacesOnlyItsStatement) {
  const Variant variants[] = {{Query::kLastEventSeq, "SELECT 42"}};
  const Catalog custom(variants);
  EXPECT_EQ(custom.sql(Query::kLastEventSeq), "SELECT 42");
  EXPECT_EQ(custom.name(Query::kLastEventSeq), "last_event_seq");
  EXPECT_EQ(custom.sql(Query::kInsertEvent), catalog(Dialect::kSqlite).sql(Query::kInsertEvent));
  // Until the PostgreSQL engine lists variants, both dialects share the portable text.
  EXPECT_EQ(catalog(Dialect::kPostgres).sql(Query::kInsertDevice),
            catalog(Dialect::kSqlite).sql(Query::kInsertDevice));
}

}  // namespace
}  // namespace phaseout::storage

// Registers the PostgreSQL engine with the storage contract (contract/store_contract.h): each
// test gets a database of its own on the throw-away cluster ctest starts (tests/postgres,
// fixture postgres_cluster), named in PHASEOUT_TEST_POSTGRES. Without a cluster every test
// reports itself skipped with the reason.
#include "storage/contract/store_contract.h"
#include "storage/postgres/postgres_test_cluster.h"

namespace phaseout::storage {
namespace {

Result<std::string> freshDatabase(const std::string& test_name) {
  return testCluster().createDatabase(test_name);
}

void dropDatabase(const std::string& url) { testCluster().dropDatabase(url); }

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContract,
                         ::testing::Values(ContractEngine{"Server", freshDatabase, dropDatabase}),
                         contractEngineName);

}  // namespace
}  // namespace phaseout::storage

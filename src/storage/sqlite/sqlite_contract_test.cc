// Registers the SQLite engine with the storage contract (contract/store_contract.h): a database
// file (with a second connection for the parallel readers) and a private in-memory database.
#include <unistd.h>

#include <filesystem>
#include <string>

#include "storage/contract/store_contract.h"

namespace phaseout::storage {
namespace {

std::filesystem::path scratchDir(const std::string& test_name) {
  std::string safe = test_name;
  for (char& c : safe) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return std::filesystem::temp_directory_path() /
         ("phaseout_contract_" + std::to_string(::getpid()) + "_" + safe);
}

Result<std::string> freshFile(const std::string& test_name) {
  const std::filesystem::path dir = scratchDir(test_name);
  std::error_code error;
  std::filesystem::remove_all(dir, error);
  std::filesystem::create_directories(dir, error);
  if (error) return unavailable("cannot make " + dir.string() + ": " + error.message());
  return "sqlite://" + (dir / "phaseout.db").string();  // sqlite:///tmp/...
}

void dropFile(const std::string& url) {
  auto parsed = parseDatabaseUrl(url);
  if (!parsed.isOk()) return;
  std::error_code ignored;
  std::filesystem::remove_all(std::filesystem::path(parsed->location).parent_path(), ignored);
}

Result<std::string> freshMemory(const std::string&) { return std::string("sqlite::memory:"); }

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract,
                         ::testing::Values(ContractEngine{"File", freshFile, dropFile},
                                           ContractEngine{"Memory", freshMemory, {}}),
                         contractEngineName);

}  // namespace
}  // namespace phaseout::storage

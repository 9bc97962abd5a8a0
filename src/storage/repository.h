// Repository: the one place that turns inventory and directive records into rows and back.
//
// It speaks the Connection interface only, so a second engine needs no change here. Every
// mutating call runs in one write transaction: it either applies whole or not at all.
// Not thread-safe (one Repository per Connection).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "inventory/model.h"
#include "storage/connection.h"

namespace phaseout::storage {

struct UpsertCounts {
  std::size_t added = 0;
  std::size_t updated = 0;
  std::size_t unchanged = 0;
};

struct DirectiveRecord {
  std::string directive_id;
  std::int64_t version = 0;
  std::string title;
  std::string source_text;  // the YAML as added
  std::int64_t added_at_ms = 0;
};

struct AddDirectiveOutcome {
  std::int64_t version = 0;
  bool created = false;  // false when the text equals the latest version (nothing stored)
};

class Repository {
 public:
  explicit Repository(Connection& connection) : connection_(connection) {}

  // Creates or upgrades the schema.
  Status migrate();
  // Ok when the schema is current; FailedPrecondition (with "run phaseout init") otherwise.
  Status checkReady();

  // Called every few thousand records during an upsert: (records done, records total).
  using RowProgress = std::function<void(std::size_t done, std::size_t total)>;

  // Inserts new ids, updates changed ones, leaves equal ones alone; one transaction.
  Result<UpsertCounts> upsertPeople(const std::vector<inventory::Person>& people,
                                    const RowProgress& progress = {});
  Result<UpsertCounts> upsertDevices(const std::vector<inventory::Device>& devices,
                                     const RowProgress& progress = {});
  // Ordered by id.
  Result<std::vector<inventory::Person>> loadPeople();
  Result<std::vector<inventory::Device>> loadDevices();
  Result<std::vector<std::string>> loadPersonIds();

  // Stores a new version when the text differs from the latest version of the same id.
  Result<AddDirectiveOutcome> addDirective(const std::string& directive_id,
                                           const std::string& title,
                                           const std::string& source_text,
                                           std::int64_t added_at_ms);
  // Latest version of each directive, ordered by id.
  Result<std::vector<DirectiveRecord>> listDirectives();
  // version 0 means the latest. NotFound when absent.
  Result<DirectiveRecord> getDirective(const std::string& directive_id, std::int64_t version = 0);

  Connection& connection() { return connection_; }

 private:
  Connection& connection_;
};

}  // namespace phaseout::storage

// A tiny connection/statement interface over SQL engines (the PowerDNS gsql model).
//
// The repository layer speaks only this interface; each engine (SQLite now, PostgreSQL next)
// supplies a Connection and, where SQL differs, a dialect variant of a query from the catalog.
// Parameters are named (`:device_id`) in the catalog; bind() takes the name.
//
// Errors are Status values (Unavailable for busy/locked or unreachable, DataLoss for a corrupt
// file, Internal otherwise). Not thread-safe: one Connection per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "core/status.h"

namespace phaseout::storage {

class Statement {
 public:
  virtual ~Statement() = default;
  virtual void bind(std::string_view name, std::string_view text) = 0;
  // The same without a copy: `text` must stay valid and unchanged until the statement is
  // reset or the parameter bound again (bulk inserts bind records that outlive the step).
  virtual void bindView(std::string_view name, std::string_view text) = 0;
  virtual void bind(std::string_view name, std::int64_t value) = 0;
  virtual void bindNull(std::string_view name) = 0;
  // Binary data (BLOB / BYTEA).
  virtual void bindBlob(std::string_view name, std::string_view bytes) = 0;
  // Advances to the next row: true when a row is available, false when done.
  virtual Result<bool> step() = 0;
  // Runs to completion, discarding rows (INSERT/UPDATE/DELETE).
  Status execute();
  // Column access for the current row, 0-based. Text views live until the next step/reset.
  virtual std::string_view text(int column) = 0;
  virtual std::int64_t integer(int column) = 0;
  virtual bool isNull(int column) = 0;
  virtual std::string_view blob(int column) = 0;
  // Clears bindings and rewinds so the statement can run again.
  virtual void reset() = 0;
  // Says, before the first step, that the query returns many rows read once, in order (a load
  // of every version): an engine may stream them its fastest way (PostgreSQL: COPY ... TO
  // STDOUT). The rows are the same. Read them to the end before another statement runs on the
  // connection: one that comes earlier makes the engine hold the rest in memory first.
  virtual void hintManyRows() {}
};

// Rows appended to one table in bulk (an import's millions of versions): bind each column by
// name as on any Statement, execute() once per row (it returns no rows), then finish(). An
// engine may send rows in batches (PostgreSQL: COPY), so a bad row may fail a later execute()
// or finish(); the rows are written only once finish() succeeded, inside the caller's write
// transaction. Nothing else may run on the connection between the first execute() and
// finish() (an engine may end the batch early if something does).
class BulkInsert : public Statement {
 public:
  virtual Status finish() = 0;
};

// What a bulk insert writes: `table` and its `columns`, and the same as one portable INSERT
// statement with a parameter named after each column (what an engine without a bulk path runs
// once per row).
struct BulkTable {
  std::string_view table;
  std::span<const std::string_view> columns;
  std::string_view insert_sql;
};

enum class Dialect { kSqlite, kPostgres };

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // Runs one or more statements with no parameters and no result rows.
  virtual Status exec(std::string_view sql) = 0;
  virtual Result<std::unique_ptr<Statement>> prepare(std::string_view sql) = 0;
  // BEGIN for a transaction that will write (SQLite: BEGIN IMMEDIATE, so two writers queue on
  // the lock instead of failing at commit).
  virtual Status beginWrite() = 0;
  virtual Status beginRead() = 0;
  virtual Status commit() = 0;
  virtual Status rollback() = 0;
  // A hint that this connection will read large tables once, front to back: an engine may
  // shrink its page cache (SQLite: cache_size) since nothing read will be read again.
  virtual void hintSinglePass() {}
  // A bulk insert into `target` (see BulkInsert). The default runs target.insert_sql once per
  // row (SQLite: a prepared INSERT inside the transaction is already its fast path).
  virtual Result<std::unique_ptr<BulkInsert>> bulkInsert(const BulkTable& target);
};

// Rolls back on destruction unless commit() succeeded.
class Transaction {
 public:
  enum class Mode { kRead, kWrite };
  static Result<std::unique_ptr<Transaction>> begin(Connection& connection, Mode mode);
  ~Transaction();
  Status commit();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

 private:
  explicit Transaction(Connection& connection) : connection_(connection) {}
  Connection& connection_;
  bool done_ = false;
};

}  // namespace phaseout::storage

#include "storage/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <string>
#include <utility>
#include <vector>

namespace phaseout::storage {
namespace {

Status sqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return unavailable(std::move(msg));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return dataLoss(std::move(msg));
    case SQLITE_CONSTRAINT:
      return alreadyExists(std::move(msg));
    default:
      return internalError(std::move(msg));
  }
}

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void bind(std::string_view name, std::string_view text) override {
    sqlite3_bind_text(stmt_, index(name), text.data(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
  }
  void bindView(std::string_view name, std::string_view text) override {
    sqlite3_bind_text(stmt_, index(name), text.data(), static_cast<int>(text.size()),
                      SQLITE_STATIC);
  }
  void bind(std::string_view name, std::int64_t value) override {
    sqlite3_bind_int64(stmt_, index(name), value);
  }
  void bindNull(std::string_view name) override { sqlite3_bind_null(stmt_, index(name)); }
  void bindBlob(std::string_view name, std::string_view bytes) override {
    sqlite3_bind_blob64(stmt_, index(name), bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  }

  Result<bool> step() override {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Status s = sqliteError(db_, rc, "sqlite step");
    sqlite3_reset(stmt_);
    return s;
  }
  std::string_view text(int column) override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    if (!p) return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
  }
  std::int64_t integer(int column) override { return sqlite3_column_int64(stmt_, column); }
  bool isNull(int column) override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string_view blob(int column) override {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    if (!p) return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
  }
  void reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  int index(std::string_view name) {
    // Catalog names are string literals: remember each literal's index by its address, so a
    // million-row import does not look names up a million times.
    for (const auto& [data, idx] : index_cache_) {
      if (data == name.data()) return idx;
    }
    const int idx = lookup(name);
    if (index_cache_.size() < 32) index_cache_.emplace_back(name.data(), idx);
    return idx;
  }

  int lookup(std::string_view name) {
    // A small buffer avoids allocating for the NUL-terminated name.
    char buf[64];
    if (name.size() + 2 > sizeof buf) return 0;
    buf[0] = ':';
    name.copy(buf + 1, name.size());
    buf[name.size() + 1] = '\0';
    return sqlite3_bind_parameter_index(stmt_, buf);
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::vector<std::pair<const char*, int>> index_cache_;
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override { sqlite3_close_v2(db_); }

  Dialect dialect() const override { return Dialect::kSqlite; }
  void hintSinglePass() override { (void)exec("PRAGMA cache_size=-4096"); }  // 4 MiB

  Status exec(std::string_view sql) override {
    std::string owned(sql);
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return sqliteError(nullptr, rc, "sqlite exec: " + msg);
    }
    return Status::ok();
  }

  Result<std::unique_ptr<Statement>> prepare(std::string_view sql) override {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return sqliteError(db_, rc, "sqlite prepare");
    return std::unique_ptr<Statement>(new SqliteStatement(db_, stmt));
  }

  Status beginWrite() override { return exec("BEGIN IMMEDIATE"); }
  Status beginRead() override { return exec("BEGIN DEFERRED"); }
  Status commit() override { return exec("COMMIT"); }
  Status rollback() override {
    if (sqlite3_get_autocommit(db_)) return Status::ok();
    return exec("ROLLBACK");
  }

 private:
  sqlite3* db_;
};

}  // namespace

Result<std::unique_ptr<Connection>> openSqlite(const std::string& path,
                                               const SqliteOptions& options) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = unavailable("cannot open database " + path + ": " +
                           (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close_v2(db);
    return s;
  }
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  auto conn = std::make_unique<SqliteConnection>(db);
  // WAL lets readers run beside a writer; NORMAL sync is durable across application crashes
  // and loses at most the last transaction on power loss, the usual WAL trade-off.
  // Memory-mapped reads (up to 4 GiB of the file): scans of millions of versions read pages
  // in place instead of copying each one out of the kernel's cache (pread) into SQLite's.
  PH_RETURN_IF_ERROR(
      conn->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                 "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; "
                 "PRAGMA mmap_size=4294967296"));
  // A file that is not a database fails here rather than at first use.
  PH_RETURN_IF_ERROR(conn->exec("SELECT count(*) FROM sqlite_schema"));
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace phaseout::storage

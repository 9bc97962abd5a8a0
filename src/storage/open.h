// storage::open(url): the one way in. The URL chooses the engine; everything above storage
// names a database by such a string and never by an engine.
//
//   sqlite:///abs/path.db     SQLite file at an absolute path
//   sqlite://rel/path.db      SQLite file relative to the working directory
//   sqlite:rel/path.db        the same
//   sqlite::memory:, :memory: an SQLite database private to the connection (no second reader)
//   path/to/file.db           a bare path: an SQLite file, as before URLs existed
//   postgresql://user[:password]@host[:port]/dbname[?options], postgres://...
//                             a PostgreSQL database (it must exist; libpq reads the URL, so
//                             PGPASSWORD, ~/.pgpass and ?sslmode= work as for psql)
//
// In URL forms, %XX escapes are decoded (sqlite:///tmp/my%20db.db); bare paths are taken as
// they are. A string starting with another `scheme://` is refused rather than taken for a file.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/connection.h"

namespace phaseout::storage {

enum class Engine { kSqlite, kPostgres };

struct DatabaseUrl {
  Engine engine = Engine::kSqlite;
  // SQLite: the file path, or ":memory:". PostgreSQL: the URL as given.
  std::string location;

  // True when a second connection to the same URL reaches the same data (a file or a server;
  // not a private in-memory database), so a use case may read on a second thread.
  bool shareable() const;
};

// InvalidArgument for an empty string, a malformed URL or an unknown scheme (named).
Result<DatabaseUrl> parseDatabaseUrl(std::string_view url);

struct OpenOptions {
  bool create = true;  // create the database when missing (SQLite: the file)
  int busy_timeout_ms = 30'000;
};

// Opens a connection to the database `url` names; does not migrate (Repository::migrate).
// InvalidArgument for what parseDatabaseUrl refuses and for an engine not built into this
// phaseout; otherwise the engine's errors (Unavailable when it cannot be reached or opened,
// DataLoss when the file is not a database).
Result<std::unique_ptr<Connection>> open(std::string_view url, const OpenOptions& options = {});
Result<std::unique_ptr<Connection>> open(const DatabaseUrl& url, const OpenOptions& options = {});

}  // namespace phaseout::storage

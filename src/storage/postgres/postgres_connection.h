// PostgreSQL engine for the storage layer, over libpq. Reached through storage::open() for
// `postgresql://` and `postgres://` URLs (storage/open.h); nothing outside storage includes
// this header.
//
// Statements: the catalog's named parameters (`:device_id`) become `$n` (one number per name),
// each distinct text is prepared once per connection on the server, and rows are streamed
// (libpq's single-row mode), so a scan of millions of versions never sits whole in memory.
// A statement still streaming when another one runs on the connection has its remaining rows
// read into memory first (the Statement contract lets several be open at once, as on SQLite).
//
// Transactions keep SQLite's guarantees: beginWrite() takes one transaction-scoped advisory
// lock, so writers queue one behind the other (the audit chain's head is read and extended by
// one writer at a time; no lost update) and wait at most busy_timeout_ms (lock_timeout) before
// failing Unavailable; beginRead() is REPEATABLE READ, one snapshot for the whole read, and
// never waits for a writer (MVCC). Bulk inserts are COPY ... FROM STDIN.
//
// Error codes: Unavailable when the server cannot be reached or a lock wait timed out;
// AlreadyExists for a constraint violation; Internal otherwise. Messages never repeat the URL
// (it may carry a password). Not thread-safe: one connection per thread.
#pragma once

#include <memory>
#include <string>

#include "storage/connection.h"

namespace phaseout::storage {

struct PostgresOptions {
  int lock_timeout_ms = 30'000;  // how long a writer waits for another one
};

// `url` is a libpq connection URI (postgresql://user:password@host:port/dbname?options).
// Unavailable when the server cannot be reached or refuses the connection.
Result<std::unique_ptr<Connection>> openPostgres(const std::string& url,
                                                 const PostgresOptions& options = {});

// The key of the advisory lock beginWrite() takes (documented so that operators can see it in
// pg_locks: classid/objid of this 64-bit value).
inline constexpr long long kWriterLockKey = 0x7068617365'6f7574;  // "phaseout"

}  // namespace phaseout::storage

#include "storage/open.h"

#include <cctype>
#include <optional>

#include "storage/postgres/postgres_connection.h"
#include "storage/sqlite/sqlite_connection.h"

namespace phaseout::storage {
namespace {

constexpr std::string_view kMemory = ":memory:";

// The scheme of `url` (lower-cased) when it starts with one ("name:"), else nothing.
std::optional<std::string> schemeOf(std::string_view url) {
  if (url.empty() || !std::isalpha(static_cast<unsigned char>(url[0]))) return std::nullopt;
  for (std::size_t i = 1; i < url.size(); ++i) {
    const auto c = static_cast<unsigned char>(url[i]);
    if (c == ':') {
      std::string scheme(url.substr(0, i));
      for (char& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      return scheme;
    }
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return std::nullopt;
  }
  return std::nullopt;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> percentDecoded(std::string_view text, std::string_view url) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int high = i + 2 < text.size() ? hexValue(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hexValue(text[i + 2]) : -1;
    if (high < 0 || low < 0 || (high == 0 && low == 0)) {
      return invalidArgument("database URL '" + std::string(url) +
                             "' has a bad %-escape (write a literal % as %25)");
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

Result<DatabaseUrl> parseSqlite(std::string_view url, std::string_view rest) {
  if (rest.substr(0, 2) == "//") rest.remove_prefix(2);
  DatabaseUrl out;
  out.engine = Engine::kSqlite;
  if (rest == kMemory) {
    out.location = std::string(kMemory);
    return out;
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return invalidArgument("database URL '" + std::string(url) +
                           "': options after '?' or '#' are not supported (escape them as %3F, "
                           "%23 in a file name)");
  }
  PH_ASSIGN_OR_RETURN(out.location, percentDecoded(rest, url));
  if (out.location.empty()) {
    return invalidArgument("database URL '" + std::string(url) +
                           "' names no file; write sqlite:///absolute/path or sqlite://relative");
  }
  return out;
}

}  // namespace

bool DatabaseUrl::shareable() const { return engine != Engine::kSqlite || location != kMemory; }

Result<DatabaseUrl> parseDatabaseUrl(std::string_view url) {
  if (url.empty()) return invalidArgument("no database given: a path or a URL (sqlite:///path)");
  const std::optional<std::string> scheme = schemeOf(url);
  if (url == kMemory || !scheme) {
    // A bare path (or ":memory:"): SQLite, as before URLs.
    return DatabaseUrl{Engine::kSqlite, std::string(url)};
  }
  const std::string_view rest = url.substr(scheme->size() + 1);
  if (*scheme == "sqlite" || *scheme == "sqlite3") return parseSqlite(url, rest);
  if (*scheme == "postgresql" || *scheme == "postgres") {
    return DatabaseUrl{Engine::kPostgres, std::string(url)};
  }
  if (rest.substr(0, 2) == "//") {
    // Only the scheme is named: the rest may hold a password.
    return invalidArgument("unknown database scheme '" + *scheme +
                           ":'; use a path, sqlite:///path or sqlite::memory:");
  }
  // "name:rest" without "//" is a file name that happens to hold a colon.
  return DatabaseUrl{Engine::kSqlite, std::string(url)};
}

Result<std::unique_ptr<Connection>> open(std::string_view url, const OpenOptions& options) {
  PH_ASSIGN_OR_RETURN(DatabaseUrl parsed, parseDatabaseUrl(url));
  return open(parsed, options);
}

Result<std::unique_ptr<Connection>> open(const DatabaseUrl& url, const OpenOptions& options) {
  switch (url.engine) {
    case Engine::kSqlite: {
      SqliteOptions sqlite;
      sqlite.create = options.create;
      sqlite.busy_timeout_ms = options.busy_timeout_ms;
      return openSqlite(url.location, sqlite);
    }
    case Engine::kPostgres: {
      // The database itself must exist (CREATE DATABASE is the server administrator's);
      // `create` has nothing to create here. Writers wait for each other as long as SQLite's.
      PostgresOptions postgres;
      postgres.lock_timeout_ms = options.busy_timeout_ms;
      return openPostgres(url.location, postgres);
    }
  }
  return internalError("unknown storage engine");
}

}  // namespace phaseout::storage

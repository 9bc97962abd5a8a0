#include "storage/postgres/postgres_connection.h"

#include <libpq-fe.h>

#include <cctype>
#include <charconv>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace phaseout::storage {
namespace {

// libpq's messages end with a newline and may span lines; one line reads better in ours.
std::string oneLine(const char* message) {
  std::string out = message ? message : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (char& c : out) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return out;
}

// A failed result as a Status, by its SQLSTATE class.
Status resultError(const PGresult* result, PGconn* conn, std::string_view what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = std::string(what) + ": " +
                    oneLine(result ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  const std::string_view sqlstate = state ? state : "";
  if (sqlstate.substr(0, 2) == "23") return alreadyExists(std::move(msg));  // integrity
  if (sqlstate.substr(0, 2) == "08" || sqlstate == "55P03" || sqlstate == "57P01" ||
      sqlstate == "57P03" || sqlstate == "40001" || sqlstate == "40P01" || sqlstate.empty()) {
    // Connection lost, lock timeout, shutdown, serialization failure: try again later.
    if (sqlstate.empty() && PQstatus(conn) == CONNECTION_OK) return internalError(std::move(msg));
    return unavailable(std::move(msg));
  }
  if (sqlstate.substr(0, 2) == "XX") return dataLoss(std::move(msg));
  return internalError(std::move(msg));
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// When a quoted string or identifier starts at sql[i], copies it whole to `out` and moves `i`
// to its last character (SQL's parameters are never inside quotes).
bool copyQuoted(std::string_view sql, std::size_t& i, std::string& out) {
  const char c = sql[i];
  if (c != '\'' && c != '"') return false;
  const std::size_t end = sql.find(c, i + 1);
  const std::size_t stop = end == std::string_view::npos ? sql.size() : end + 1;
  out.append(sql.substr(i, stop - i));
  i = stop - 1;
  return true;
}

// The catalog's `:name` parameters as `$n`, and the names in order of their numbers. Quoted
// strings, quoted identifiers and `::` casts are left alone.
std::string numberParameters(std::string_view sql, std::vector<std::string>& names) {
  std::string out;
  out.reserve(sql.size() + 8);
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (copyQuoted(sql, i, out)) continue;
    if (c == ':' && i + 1 < sql.size() && sql[i + 1] == ':') {
      out += "::";
      ++i;
      continue;
    }
    const bool starts_name =
        c == ':' && i + 1 < sql.size() &&
        (std::isalpha(static_cast<unsigned char>(sql[i + 1])) || sql[i + 1] == '_');
    if (!starts_name) {
      out += c;
      continue;
    }
    std::size_t end = i + 1;
    while (end < sql.size() &&
           (std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_')) {
      ++end;
    }
    const std::string name(sql.substr(i + 1, end - i - 1));
    std::size_t number = 0;
    while (number < names.size() && names[number] != name) ++number;
    if (number == names.size()) names.push_back(name);
    out += '$';
    out += std::to_string(number + 1);
    i = end - 1;
  }
  return out;
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

// `sql` with each `$n` replaced by parameter n as a literal quoted by libpq (PQescapeLiteral),
// for a statement that takes no parameters (COPY). None when a value cannot be written so (a
// binary value, text libpq refuses).
template <typename Params>
std::optional<std::string> inlineParameters(PGconn* conn, std::string_view sql,
                                            const Params& params) {
  std::string out;
  out.reserve(sql.size() + 32);
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (copyQuoted(sql, i, out)) continue;
    if (c != '$' || i + 1 >= sql.size() || !std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      out += c;
      continue;
    }
    std::size_t number = 0;
    std::size_t end = i + 1;
    while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end]))) {
      number = number * 10 + static_cast<std::size_t>(sql[end] - '0');
      ++end;
    }
    if (number == 0 || number > params.size()) return std::nullopt;
    const std::size_t at = number - 1;
    if (params.isNull(at)) {
      out += "NULL";
    } else {
      if (params.isBinary(at)) return std::nullopt;
      const std::string& value = params.value(at);
      char* quoted = PQescapeLiteral(conn, value.data(), value.size());
      if (quoted == nullptr) return std::nullopt;
      out += quoted;
      PQfreemem(quoted);
    }
    i = end - 1;
  }
  return out;
}

// One row of COPY ... TO STDOUT (text format) as libpq gives it: its own buffer.
struct CopyRow {
  struct Free {
    void operator()(char* p) const { PQfreemem(p); }
  };
  std::unique_ptr<char, Free> data;
  int size = 0;
};

// The fields of a COPY row, split in place: tab-separated, `\N` for NULL, backslash escapes
// decoded (a row without a backslash is only cut at its tabs). Reused from row to row.
class CopyFields {
 public:
  void split(CopyRow& row) {
    fields_.clear();
    nulls_.clear();
    char* p = row.data.get();
    char* end = p + row.size;
    if (end > p && end[-1] == '\n') --end;
    const bool plain = std::memchr(p, '\\', static_cast<std::size_t>(end - p)) == nullptr;
    while (true) {
      char* stop = static_cast<char*>(std::memchr(p, '\t', static_cast<std::size_t>(end - p)));
      if (stop == nullptr) stop = end;
      const std::size_t size = static_cast<std::size_t>(stop - p);
      const bool null = !plain && size == 2 && p[0] == '\\' && p[1] == 'N';
      nulls_.push_back(null ? 1 : 0);
      if (null) {
        fields_.emplace_back();
      } else if (plain || std::memchr(p, '\\', size) == nullptr) {
        fields_.emplace_back(p, size);
      } else {
        fields_.emplace_back(p, static_cast<std::size_t>(unescape(p, stop) - p));
      }
      if (stop == end) break;
      p = stop + 1;
    }
  }
  void clear() {
    fields_.clear();
    nulls_.clear();
  }
  std::string_view field(int column) const {
    return column >= 0 && static_cast<std::size_t>(column) < fields_.size() ? fields_[column]
                                                                            : std::string_view();
  }
  bool isNull(int column) const {
    return column < 0 || static_cast<std::size_t>(column) >= nulls_.size() || nulls_[column] != 0;
  }

 private:
  // Decodes the escapes of [p, end) in place; returns the end of the decoded text.
  static char* unescape(char* p, const char* end) {
    char* out = p;
    while (p < end) {
      if (*p != '\\' || p + 1 == end) {
        *out++ = *p++;
        continue;
      }
      const char e = p[1];
      p += 2;
      switch (e) {
        case 'b':
          *out++ = '\b';
          break;
        case 'f':
          *out++ = '\f';
          break;
        case 'n':
          *out++ = '\n';
          break;
        case 'r':
          *out++ = '\r';
          break;
        case 't':
          *out++ = '\t';
          break;
        case 'v':
          *out++ = '\v';
          break;
        case 'x':
          if (p < end && std::isxdigit(static_cast<unsigned char>(*p))) {
            int value = hexDigit(*p++);
            if (p < end && std::isxdigit(static_cast<unsigned char>(*p))) {
              value = value * 16 + hexDigit(*p++);
            }
            *out++ = static_cast<char>(value);
          } else {
            *out++ = 'x';
          }
          break;
        default:
          if (e >= '0' && e <= '7') {
            int value = e - '0';
            for (int digits = 1; digits < 3 && p < end && *p >= '0' && *p <= '7'; ++digits) {
              value = value * 8 + (*p++ - '0');
            }
            *out++ = static_cast<char>(value);
          } else {
            *out++ = e;  // any other character stands for itself
          }
      }
    }
    return out;
  }

  std::vector<std::string_view> fields_;
  std::vector<std::uint8_t> nulls_;
};

// Parameter values by position, with the positions looked up by name (names are the catalog's
// string literals: an address cache avoids comparing strings a million times).
class Parameters {
 public:
  explicit Parameters(std::vector<std::string> names)
      : names_(std::move(names)),
        values_(names_.size()),
        is_null_(names_.size(), true),
        is_binary_(names_.size(), false) {}

  std::size_t size() const { return names_.size(); }

  // -1 when the statement has no such parameter (the binding is ignored, as SQLite does).
  int index(std::string_view name) {
    for (const auto& [data, idx] : cache_) {
      if (data == name.data()) return idx;
    }
    int idx = -1;
    for (std::size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) idx = static_cast<int>(i);
    }
    if (cache_.size() < 32) cache_.emplace_back(name.data(), idx);
    return idx;
  }

  void setText(std::string_view name, std::string_view text, bool binary = false) {
    const int i = index(name);
    if (i < 0) return;
    values_[i].assign(text.data(), text.size());
    is_null_[i] = false;
    is_binary_[i] = binary;
  }
  void setInteger(std::string_view name, std::int64_t value) {
    const int i = index(name);
    if (i < 0) return;
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    values_[i].assign(buf, end);
    is_null_[i] = false;
    is_binary_[i] = false;
  }
  void setNull(std::string_view name) {
    const int i = index(name);
    if (i >= 0) is_null_[i] = true;
  }
  void clear() {
    for (std::size_t i = 0; i < names_.size(); ++i) {
      is_null_[i] = true;
      is_binary_[i] = false;
    }
  }

  // Arrays for PQsendQueryPrepared, valid until the next change.
  void prepareArrays() {
    pointers_.resize(names_.size());
    lengths_.resize(names_.size());
    formats_.resize(names_.size());
    for (std::size_t i = 0; i < names_.size(); ++i) {
      pointers_[i] = is_null_[i] ? nullptr : values_[i].c_str();
      lengths_[i] = static_cast<int>(values_[i].size());
      formats_[i] = is_binary_[i] ? 1 : 0;
    }
  }
  bool isNull(std::size_t i) const { return is_null_[i]; }
  bool isBinary(std::size_t i) const { return is_binary_[i]; }
  const std::string& value(std::size_t i) const { return values_[i]; }

  const char* const* pointers() const { return pointers_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::vector<std::string> names_;
  std::vector<std::string> values_;
  std::vector<bool> is_null_;
  std::vector<bool> is_binary_;
  std::vector<std::pair<const char*, int>> cache_;
  std::vector<const char*> pointers_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

class PostgresConnection;

// Something holding the connection's protocol (a streaming query, an open COPY) that must let
// go before anything else runs.
class ConnectionUser {
 public:
  virtual ~ConnectionUser() = default;
  virtual void release() = 0;
};

class PostgresStatement final : public Statement {
 public:
  PostgresStatement(PostgresConnection& conn, std::string name, std::string sql,
                    std::vector<std::string> names);
  ~PostgresStatement() override;

  void bind(std::string_view name, std::string_view text) override { params_.setText(name, text); }
  void bindView(std::string_view name, std::string_view text) override {
    params_.setText(name, text);
  }
  void bind(std::string_view name, std::int64_t value) override { params_.setInteger(name, value); }
  void bindNull(std::string_view name) override { params_.setNull(name); }
  void bindBlob(std::string_view name, std::string_view bytes) override {
    params_.setText(name, bytes, /*binary=*/true);
  }

  Result<bool> step() override;
  void hintManyRows() override { many_rows_ = true; }

  std::string_view text(int column) override {
    if (copying()) return copy_fields_.field(column);
    // A NULL reads as libpq gives it: an empty value (no PQgetisnull per column).
    if (!row_) return {};
    return {PQgetvalue(row_.get(), row_index_, column),
            static_cast<std::size_t>(PQgetlength(row_.get(), row_index_, column))};
  }
  std::int64_t integer(int column) override {
    const std::string_view t = text(column);
    std::int64_t value = 0;
    std::from_chars(t.data(), t.data() + t.size(), value);
    return value;
  }
  bool isNull(int column) override {
    if (copying()) return copy_fields_.isNull(column);
    return !row_ || PQgetisnull(row_.get(), row_index_, column) != 0;
  }
  std::string_view blob(int column) override;
  void reset() override;

  // Reads the rows not yet stepped into memory, so the connection is free for another query.
  void bufferRemaining();

 private:
  friend class StatementUser;
  // kCopy: the rows come as COPY (query) TO STDOUT (hintManyRows()): one message a row, which
  // costs the server less than a result row and is split here without libpq building a
  // result (the rest of the rows are held in kCopyBuffered when another statement comes).
  enum class State { kIdle, kStreaming, kBuffered, kCopy, kCopyBuffered, kDone };

  bool copying() const { return state_ == State::kCopy || state_ == State::kCopyBuffered; }
  // Drops what a running query still has to send.
  void discardRemaining();
  Status takeResult(ResultPtr result, bool& row);
  // Starts the COPY; false when the statement cannot be sent as one (then it streams).
  Result<bool> openCopy(bool& opened);
  Result<bool> nextCopyRow();
  // The status of a COPY once its rows are read.
  Status finishCopy();

  PostgresConnection& conn_;
  std::string name_;
  std::string sql_;  // with $n parameters
  bool many_rows_ = false;
  Parameters params_;
  State state_ = State::kIdle;
  ResultPtr row_;
  int row_index_ = 0;
  std::deque<ResultPtr> buffered_;
  CopyRow copy_row_;
  CopyFields copy_fields_;  // of copy_row_
  std::deque<CopyRow> copy_buffered_;
  Status buffered_error_;
  std::string blob_;  // the last blob() decoded
  std::unique_ptr<ConnectionUser> user_;
};

// Lets the connection ask a streaming statement to buffer the rest of its rows.
class StatementUser final : public ConnectionUser {
 public:
  explicit StatementUser(PostgresStatement& s) : s_(s) {}
  void release() override { s_.bufferRemaining(); }

 private:
  PostgresStatement& s_;
};

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override {
    release();
    PQfinish(conn_);
  }

  Dialect dialect() const override { return Dialect::kPostgres; }
  PGconn* raw() { return conn_; }

  // Frees the protocol from a streaming statement or an open COPY before a new command.
  void release() {
    if (user_ != nullptr) {
      ConnectionUser* user = user_;
      user_ = nullptr;
      user->release();
    }
  }
  void setUser(ConnectionUser* user) { user_ = user; }
  void clearUser(ConnectionUser* user) {
    if (user_ == user) user_ = nullptr;
  }

  Status exec(std::string_view sql) override {
    release();
    const std::string owned(sql);
    ResultPtr result(PQexec(conn_, owned.c_str()));
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return resultError(result.get(), conn_, "postgres exec");
    }
    return Status::ok();
  }

  Result<std::unique_ptr<Statement>> prepare(std::string_view sql) override {
    release();
    auto found = prepared_.find(std::string(sql));
    if (found == prepared_.end()) {
      std::vector<std::string> names;
      const std::string numbered = numberParameters(sql, names);
      std::string name = "ph_" + std::to_string(prepared_.size() + 1);
      ResultPtr result(PQprepare(conn_, name.c_str(), numbered.c_str(), 0, nullptr));
      if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
        return resultError(result.get(), conn_, "postgres prepare");
      }
      found =
          prepared_.emplace(std::string(sql), Prepared{std::move(name), numbered, std::move(names)})
              .first;
    }
    return std::unique_ptr<Statement>(new PostgresStatement(
        *this, found->second.name, found->second.sql, found->second.parameters));
  }

  Status beginWrite() override {
    // One writer at a time, as SQLite's BEGIN IMMEDIATE: every write appends to the audit
    // chain, whose head it reads first. The lock is released at COMMIT or ROLLBACK.
    return begin("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(" +
                 std::to_string(kWriterLockKey) + ")");
  }
  // One snapshot for the whole read; a reader never waits for a writer.
  Status beginRead() override { return begin("BEGIN ISOLATION LEVEL REPEATABLE READ"); }
  Status commit() override {
    release();
    ResultPtr result(PQexec(conn_, "COMMIT"));
    if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      return resultError(result.get(), conn_, "postgres commit");
    }
    // COMMIT of a transaction that failed earlier answers ROLLBACK: nothing was written.
    if (std::string_view(PQcmdStatus(result.get())) == "ROLLBACK") {
      return internalError("postgres commit: the transaction had failed and was rolled back");
    }
    return Status::ok();
  }
  Status rollback() override {
    release();
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return Status::ok();
    return exec("ROLLBACK");
  }

  Result<std::unique_ptr<BulkInsert>> bulkInsert(const BulkTable& target) override;

 private:
  // A transaction that failed to begin (e.g. the writer lock timed out) is not left open:
  // no Transaction object will exist to roll it back.
  Status begin(const std::string& sql) {
    Status begun = exec(sql);
    if (!begun.isOk()) (void)rollback();
    return begun;
  }

  struct Prepared {
    std::string name;
    std::string sql;  // as prepared: $n parameters
    std::vector<std::string> parameters;
  };
  PGconn* conn_;
  std::unordered_map<std::string, Prepared> prepared_;
  ConnectionUser* user_ = nullptr;
};

PostgresStatement::PostgresStatement(PostgresConnection& conn, std::string name, std::string sql,
                                     std::vector<std::string> names)
    : conn_(conn),
      name_(std::move(name)),
      sql_(std::move(sql)),
      params_(std::move(names)),
      user_(std::make_unique<StatementUser>(*this)) {}

PostgresStatement::~PostgresStatement() { discardRemaining(); }

Status PostgresStatement::takeResult(ResultPtr result, bool& row) {
  row = false;
  switch (PQresultStatus(result.get())) {
    case PGRES_SINGLE_TUPLE:
      row_ = std::move(result);
      row_index_ = 0;
      row = true;
      return Status::ok();
    case PGRES_TUPLES_OK:
    case PGRES_COMMAND_OK:
    case PGRES_EMPTY_QUERY:
      return Status::ok();
    default:
      return resultError(result.get(), conn_.raw(), "postgres step");
  }
}

Result<bool> PostgresStatement::openCopy(bool& opened) {
  opened = false;
  conn_.release();
  PGconn* pg = conn_.raw();
  const std::optional<std::string> sql = inlineParameters(pg, sql_, params_);
  if (!sql) return false;
  const std::string copy = "COPY (" + *sql + ") TO STDOUT";
  ResultPtr started(PQexec(pg, copy.c_str()));
  opened = true;
  if (!started || PQresultStatus(started.get()) != PGRES_COPY_OUT) {
    state_ = State::kDone;
    return resultError(started.get(), pg, "postgres step");
  }
  state_ = State::kCopy;
  conn_.setUser(user_.get());
  return nextCopyRow();
}

Result<bool> PostgresStatement::nextCopyRow() {
  if (state_ == State::kCopyBuffered) {
    if (copy_buffered_.empty()) {
      state_ = State::kDone;
      copy_row_ = CopyRow();
      copy_fields_.clear();
      if (!buffered_error_.isOk()) return std::exchange(buffered_error_, Status::ok());
      return false;
    }
    copy_row_ = std::move(copy_buffered_.front());
    copy_buffered_.pop_front();
    copy_fields_.split(copy_row_);
    return true;
  }
  char* data = nullptr;
  const int size = PQgetCopyData(conn_.raw(), &data, 0);
  if (size > 0) {
    copy_row_.data.reset(data);
    copy_row_.size = size;
    copy_fields_.split(copy_row_);
    return true;
  }
  if (data != nullptr) PQfreemem(data);
  copy_row_ = CopyRow();
  copy_fields_.clear();
  const Status finished = finishCopy();
  state_ = State::kDone;
  if (!finished.isOk()) return finished;
  return false;
}

Status PostgresStatement::finishCopy() {
  PGconn* pg = conn_.raw();
  Status error;
  while (PGresult* next = PQgetResult(pg)) {
    ResultPtr result(next);
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK && error.isOk()) {
      error = resultError(result.get(), pg, "postgres step");
    }
  }
  conn_.clearUser(user_.get());
  return error;
}

Result<bool> PostgresStatement::step() {
  if (copying()) return nextCopyRow();
  row_.reset();
  if (state_ == State::kDone) return false;
  if (state_ == State::kIdle && many_rows_) {
    bool opened = false;
    Result<bool> row = openCopy(opened);
    if (opened || !row.isOk()) return row;
  }
  if (state_ == State::kIdle) {
    conn_.release();
    params_.prepareArrays();
    PGconn* pg = conn_.raw();
    if (!PQsendQueryPrepared(pg, name_.c_str(), static_cast<int>(params_.size()),
                             params_.pointers(), params_.lengths(), params_.formats(), 0)) {
      state_ = State::kDone;
      return resultError(nullptr, pg, "postgres step");
    }
    PQsetSingleRowMode(pg);
    state_ = State::kStreaming;
    conn_.setUser(user_.get());
  }
  if (state_ == State::kBuffered) {
    if (buffered_.empty()) {
      state_ = State::kDone;
      if (!buffered_error_.isOk()) return std::exchange(buffered_error_, Status::ok());
      return false;
    }
    row_ = std::move(buffered_.front());
    buffered_.pop_front();
    row_index_ = 0;
    return true;
  }
  // Streaming: the next result is a row, or the end of the query.
  PGconn* pg = conn_.raw();
  Status error;
  bool row = false;
  while (PGresult* next = PQgetResult(pg)) {
    bool is_row = false;
    Status s = takeResult(ResultPtr(next), is_row);
    if (is_row) return true;
    if (!s.isOk() && error.isOk()) error = std::move(s);
    // The end of the query: read until libpq says there is nothing more.
  }
  state_ = State::kDone;
  conn_.clearUser(user_.get());
  if (!error.isOk()) return error;
  return row;
}

void PostgresStatement::bufferRemaining() {
  if (state_ == State::kCopy) {
    PGconn* pg = conn_.raw();
    while (true) {
      char* data = nullptr;
      const int size = PQgetCopyData(pg, &data, 0);
      if (size <= 0) {
        if (data != nullptr) PQfreemem(data);
        break;
      }
      copy_buffered_.push_back(CopyRow{std::unique_ptr<char, CopyRow::Free>(data), size});
    }
    buffered_error_ = finishCopy();
    state_ = State::kCopyBuffered;
    return;
  }
  if (state_ != State::kStreaming) return;
  PGconn* pg = conn_.raw();
  while (PGresult* next = PQgetResult(pg)) {
    ResultPtr result(next);
    const ExecStatusType status = PQresultStatus(result.get());
    if (status == PGRES_SINGLE_TUPLE) {
      buffered_.push_back(std::move(result));
    } else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && buffered_error_.isOk()) {
      buffered_error_ = resultError(result.get(), pg, "postgres step");
    }
  }
  state_ = State::kBuffered;
}

void PostgresStatement::discardRemaining() {
  if (state_ == State::kCopy) {
    // As for a streaming query: the rest is read and dropped.
    PGconn* pg = conn_.raw();
    while (true) {
      char* data = nullptr;
      const int size = PQgetCopyData(pg, &data, 0);
      if (data != nullptr) PQfreemem(data);
      if (size <= 0) break;
    }
    (void)finishCopy();
  }
  copy_row_ = CopyRow();
  copy_fields_.clear();
  copy_buffered_.clear();
  if (state_ == State::kStreaming) {
    PGconn* pg = conn_.raw();
    // Rows still coming are read and dropped (cancelling would cost a second connection).
    while (PGresult* next = PQgetResult(pg)) PQclear(next);
    conn_.clearUser(user_.get());
  }
  buffered_.clear();
  buffered_error_ = Status::ok();
}

void PostgresStatement::reset() {
  discardRemaining();
  row_.reset();
  params_.clear();
  state_ = State::kIdle;
}

std::string_view PostgresStatement::blob(int column) {
  // bytea in text form: "\x" then two hex digits per byte.
  const std::string_view t = text(column);
  blob_.clear();
  if (t.size() < 2 || t[0] != '\\' || t[1] != 'x') {
    blob_.assign(t);
    return blob_;
  }
  blob_.reserve((t.size() - 2) / 2);
  for (std::size_t i = 2; i + 1 < t.size(); i += 2) {
    blob_ += static_cast<char>(hexDigit(t[i]) * 16 + hexDigit(t[i + 1]));
  }
  return blob_;
}

// COPY table (columns) FROM STDIN in text format: rows are escaped into a buffer sent a
// megabyte at a time; the server checks them as they arrive and answers at the end.
class PostgresBulkInsert final : public BulkInsert, public ConnectionUser {
 public:
  PostgresBulkInsert(PostgresConnection& conn, std::string table, std::string copy_sql,
                     std::vector<std::string> columns)
      : conn_(conn),
        table_(std::move(table)),
        copy_sql_(std::move(copy_sql)),
        params_(std::move(columns)) {}
  ~PostgresBulkInsert() override {
    if (open_) {
      // Never finished: abort the COPY, which fails the transaction (nothing half-written).
      conn_.clearUser(this);
      PGconn* pg = conn_.raw();
      PQputCopyEnd(pg, "bulk insert abandoned");
      while (PGresult* next = PQgetResult(pg)) PQclear(next);
    }
  }

  void bind(std::string_view name, std::string_view text) override { params_.setText(name, text); }
  void bindView(std::string_view name, std::string_view text) override {
    params_.setText(name, text);
  }
  void bind(std::string_view name, std::int64_t value) override { params_.setInteger(name, value); }
  void bindNull(std::string_view name) override { params_.setNull(name); }
  void bindBlob(std::string_view name, std::string_view bytes) override {
    params_.setText(name, bytes, /*binary=*/true);
  }

  Result<bool> step() override {
    if (!open_) {
      if (!error_.isOk()) return error_;
      conn_.release();
      ResultPtr result(PQexec(conn_.raw(), copy_sql_.c_str()));
      if (!result || PQresultStatus(result.get()) != PGRES_COPY_IN) {
        return resultError(result.get(), conn_.raw(), "postgres copy");
      }
      open_ = true;
      conn_.setUser(this);
    }
    params_.prepareArrays();
    for (std::size_t i = 0; i < params_.size(); ++i) {
      if (i > 0) buffer_ += '\t';
      const char* value = params_.pointers()[i];
      if (value == nullptr) {
        buffer_ += "\\N";
      } else if (params_.formats()[i] == 1) {
        appendBytea(std::string_view(value, static_cast<std::size_t>(params_.lengths()[i])));
      } else {
        appendEscaped(std::string_view(value, static_cast<std::size_t>(params_.lengths()[i])));
      }
    }
    buffer_ += '\n';
    ++rows_;
    if (buffer_.size() >= kFlushBytes) PH_RETURN_IF_ERROR(flush());
    return false;
  }

  std::string_view text(int) override { return {}; }
  std::int64_t integer(int) override { return 0; }
  bool isNull(int) override { return true; }
  std::string_view blob(int) override { return {}; }
  void reset() override { params_.clear(); }

  Status finish() override {
    if (open_) end();
    if (!error_.isOk()) return std::exchange(error_, Status::ok());
    // A large load leaves the planner's statistics behind (autovacuum catches up later): the
    // next as-of scan of the table should not be planned on an empty table's numbers. ANALYZE
    // samples a fixed number of rows, and runs inside the caller's transaction.
    if (rows_ >= kAnalyzeRows) {
      rows_ = 0;
      return conn_.exec("ANALYZE " + table_);
    }
    return Status::ok();
  }

  // Something else needs the connection: the rows so far are sent and the COPY ended.
  void release() override {
    if (open_) end();
  }

 private:
  static constexpr std::size_t kFlushBytes = 1 << 20;
  static constexpr std::size_t kAnalyzeRows = 100'000;

  void appendEscaped(std::string_view text) {
    for (char c : text) {
      switch (c) {
        case '\\':
          buffer_ += "\\\\";
          break;
        case '\n':
          buffer_ += "\\n";
          break;
        case '\r':
          buffer_ += "\\r";
          break;
        case '\t':
          buffer_ += "\\t";
          break;
        default:
          buffer_ += c;
      }
    }
  }
  void appendBytea(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    buffer_ += "\\\\x";
    for (char c : bytes) {
      const auto b = static_cast<unsigned char>(c);
      buffer_ += kHex[b >> 4];
      buffer_ += kHex[b & 0xf];
    }
  }

  Status flush() {
    if (buffer_.empty()) return Status::ok();
    if (PQputCopyData(conn_.raw(), buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
      buffer_.clear();
      return resultError(nullptr, conn_.raw(), "postgres copy");
    }
    buffer_.clear();
    return Status::ok();
  }

  void end() {
    open_ = false;
    conn_.clearUser(this);
    Status flushed = flush();
    PGconn* pg = conn_.raw();
    Status ended;
    if (PQputCopyEnd(pg, nullptr) != 1) ended = resultError(nullptr, pg, "postgres copy");
    while (PGresult* next = PQgetResult(pg)) {
      ResultPtr result(next);
      if (PQresultStatus(result.get()) != PGRES_COMMAND_OK && ended.isOk()) {
        ended = resultError(result.get(), pg, "postgres copy");
      }
    }
    if (error_.isOk()) error_ = !flushed.isOk() ? std::move(flushed) : std::move(ended);
  }

  PostgresConnection& conn_;
  std::string table_;
  std::string copy_sql_;
  Parameters params_;
  bool open_ = false;
  std::size_t rows_ = 0;
  std::string buffer_;
  Status error_;
};

Result<std::unique_ptr<BulkInsert>> PostgresConnection::bulkInsert(const BulkTable& target) {
  std::string sql = "COPY " + std::string(target.table) + " (";
  std::vector<std::string> columns;
  for (std::string_view c : target.columns) {
    if (!columns.empty()) sql += ", ";
    sql += c;
    columns.emplace_back(c);
  }
  sql += ") FROM STDIN";
  return std::unique_ptr<BulkInsert>(
      new PostgresBulkInsert(*this, std::string(target.table), std::move(sql), std::move(columns)));
}

}  // namespace

Result<std::unique_ptr<Connection>> openPostgres(const std::string& url,
                                                 const PostgresOptions& options) {
  // The URL is handed to libpq as its dbname (expand_dbname): libpq parses and %-decodes it;
  // the keywords after it set what phaseout relies on, whatever the URL says.
  const char* keywords[] = {"dbname", "client_encoding", "application_name", nullptr};
  const char* values[] = {url.c_str(), "UTF8", "phaseout", nullptr};
  PGconn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr) return unavailable("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(raw) != CONNECTION_OK) {
    // libpq's message names the host and port and the server's reason, never the password.
    Status s = unavailable("cannot connect to PostgreSQL: " + oneLine(PQerrorMessage(raw)));
    PQfinish(raw);
    return s;
  }
  // Notices (e.g. "relation already exists, skipping") are not phaseout's output.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  auto conn = std::make_unique<PostgresConnection>(raw);
  PH_RETURN_IF_ERROR(conn->exec("SET lock_timeout = " + std::to_string(options.lock_timeout_ms) +
                                "; SET client_min_messages = warning"));
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace phaseout::storage

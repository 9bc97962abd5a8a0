#include "storage/database_copy.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string_view>

#include "storage/migrations.h"
#include "storage/rows.h"

namespace phaseout::storage {
namespace {

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// The next whitespace- or '('-delimited word of `text`, removed from it.
std::string_view nextWord(std::string_view& text) {
  text = trim(text);
  std::size_t end = 0;
  while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) &&
         text[end] != '(' && text[end] != ',') {
    ++end;
  }
  const std::string_view word = text.substr(0, end);
  text.remove_prefix(end);
  return word;
}

// Splits at `separator` outside parentheses and quotes.
std::vector<std::string_view> splitTopLevel(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  int depth = 0;
  char quote = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == separator && depth == 0) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

ColumnKind kindOf(std::string_view type) {
  const std::string t = upper(type);
  if (t == "BIGINT" || t == "INTEGER" || t == "INT" || t == "SMALLINT") return ColumnKind::kInteger;
  if (t == "{BLOB}" || t == "BLOB" || t == "BYTEA") return ColumnKind::kBytes;
  return ColumnKind::kText;
}

// "name TYPE ..." into `table`; table constraints (PRIMARY KEY (...), UNIQUE ...) are skipped.
void addColumn(SchemaTable& table, std::string_view definition) {
  std::string_view rest = definition;
  const std::string_view name = nextWord(rest);
  const std::string keyword = upper(name);
  if (name.empty() || keyword == "PRIMARY" || keyword == "UNIQUE" || keyword == "CONSTRAINT" ||
      keyword == "FOREIGN" || keyword == "CHECK") {
    return;
  }
  table.columns.emplace_back(name);
  table.kinds.push_back(kindOf(nextWord(rest)));
}

void applyStatement(std::vector<SchemaTable>& tables, std::string_view statement) {
  std::string_view rest = trim(statement);
  const std::string first = upper(nextWord(rest));
  const std::string second = upper(nextWord(rest));
  if (second != "TABLE") return;  // indexes and the rest hold no rows
  std::string_view name = nextWord(rest);
  if (upper(name) == "IF") {  // IF [NOT] EXISTS
    if (upper(nextWord(rest)) == "NOT") nextWord(rest);
    name = nextWord(rest);
  }
  auto found = std::find_if(tables.begin(), tables.end(),
                            [&](const SchemaTable& t) { return t.name == name; });
  if (first == "CREATE") {
    if (found != tables.end()) return;
    SchemaTable table;
    table.name = std::string(name);
    const std::size_t open = rest.find('(');
    const std::size_t close = rest.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return;
    for (std::string_view part : splitTopLevel(rest.substr(open + 1, close - open - 1), ',')) {
      addColumn(table, part);
    }
    tables.push_back(std::move(table));
  } else if (first == "DROP" && found != tables.end()) {
    tables.erase(found);
  } else if (first == "ALTER" && found != tables.end()) {
    if (upper(nextWord(rest)) != "ADD") return;
    std::string_view definition = trim(rest);
    std::string_view probe = definition;
    if (upper(nextWord(probe)) == "COLUMN") definition = probe;
    addColumn(*found, definition);
  }
}

// "SELECT a, b FROM t" and "INSERT INTO t (a, b) VALUES (:a, :b)": the copy's own statements,
// built from the schema rather than listed in the catalog (they serve every table alike).
std::string selectAll(const SchemaTable& t) {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < t.columns.size(); ++i) sql += (i ? ", " : "") + t.columns[i];
  return sql + " FROM " + t.name;
}

std::string insertAll(const SchemaTable& t) {
  std::string names;
  std::string values;
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    names += (i ? ", " : "") + t.columns[i];
    values += (i ? ", :" : ":") + t.columns[i];
  }
  return "INSERT INTO " + t.name + " (" + names + ") VALUES (" + values + ")";
}

Result<std::int64_t> countRows(Connection& conn, const std::string& table) {
  PH_ASSIGN_OR_RETURN(auto s, conn.prepare("SELECT count(*) FROM " + table));
  PH_ASSIGN_OR_RETURN(bool row, s->step());
  return row ? s->integer(0) : 0;
}

Result<std::int64_t> copyTable(Connection& from, Connection& to, const SchemaTable& t) {
  PH_ASSIGN_OR_RETURN(auto select, from.prepare(selectAll(t)));
  const std::vector<std::string_view> columns(t.columns.begin(), t.columns.end());
  const std::string insert = insertAll(t);
  PH_ASSIGN_OR_RETURN(auto bulk, to.bulkInsert({t.name, columns, insert}));
  std::int64_t rows = 0;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, select->step());
    if (!row) break;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const int c = static_cast<int>(i);
      if (select->isNull(c)) {
        bulk->bindNull(columns[i]);
        continue;
      }
      switch (t.kinds[i]) {
        case ColumnKind::kInteger:
          bulk->bind(columns[i], select->integer(c));
          break;
        case ColumnKind::kBytes:
          bulk->bindBlob(columns[i], select->blob(c));
          break;
        case ColumnKind::kText:
          bulk->bindView(columns[i], select->text(c));
          break;
      }
    }
    PH_RETURN_IF_ERROR(bulk->execute());
    bulk->reset();
    ++rows;
  }
  PH_RETURN_IF_ERROR(bulk->finish());
  return rows;
}

}  // namespace

std::vector<SchemaTable> schemaTables() {
  std::vector<SchemaTable> tables;
  for (const Migration& m : migrations()) {
    for (std::string_view statement : splitTopLevel(m.sql, ';')) applyStatement(tables, statement);
  }
  return tables;
}

Result<CopyOutcome> copyDatabase(Connection& from, Connection& to, const ChangeContext& change,
                                 std::string_view from_engine) {
  Repository source(from);
  PH_RETURN_IF_ERROR(source.checkReady());
  Repository target(to);
  PH_RETURN_IF_ERROR(target.migrate());
  const std::vector<SchemaTable> tables = schemaTables();
  PH_ASSIGN_OR_RETURN(auto read, Transaction::begin(from, Transaction::Mode::kRead));
  PH_ASSIGN_OR_RETURN(auto write, Transaction::begin(to, Transaction::Mode::kWrite));
  for (const SchemaTable& t : tables) {
    PH_ASSIGN_OR_RETURN(std::int64_t present, countRows(to, t.name));
    if (present > 0) {
      return failedPrecondition("the target database is not empty (table " + t.name + " has " +
                                std::to_string(present) +
                                " rows); copy into a new, empty database");
    }
  }
  CopyOutcome outcome;
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  for (const SchemaTable& t : tables) {
    auto rows = copyTable(from, to, t);
    if (!rows.isOk()) {
      return Status(rows.status().code(), "copying " + t.name + ": " + rows.status().message());
    }
    outcome.tables.push_back({t.name, *rows});
    outcome.rows += *rows;
    if (t.name == "events") outcome.events = *rows;
    counts[t.name] = *rows;
  }
  nlohmann::ordered_json detail;
  detail["from"] = std::string(from_engine);
  detail["events"] = outcome.events;
  detail["tables"] = std::move(counts);
  PH_RETURN_IF_ERROR(
      target.appendEvent(changeEvent(change, "database.copy", change.source, detail)).status());
  PH_RETURN_IF_ERROR(write->commit());
  PH_RETURN_IF_ERROR(read->commit());
  return outcome;
}

}  // namespace phaseout::storage

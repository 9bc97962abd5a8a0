// The PostgreSQL engine beyond the contract: parameters, interleaved statements, COPY, errors
// that do not leak the URL, and the concurrency guarantees (writers queue, readers never wait,
// no update lost). Needs the test cluster (postgres_test_cluster.h); skipped without it.
#include "storage/postgres/postgres_connection.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "storage/catalog.h"
#include "storage/postgres/postgres_test_cluster.h"
#include "storage/repository.h"

namespace phaseout::storage {
namespace {

class PostgresConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = testCluster().createDatabase(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    if (!url.isOk() && url.status().code() == StatusCode::kUnavailable) {
      GTEST_SKIP() << url.status().toString();
    }
    ASSERT_TRUE(url.isOk()) << url.status().toString();
    url_ = *url;
  }
  void TearDown() override {
    if (!url_.empty()) testCluster().dropDatabase(url_);
  }

  std::unique_ptr<Connection> connect(int lock_timeout_ms = 30'000) {
    PostgresOptions options;
    options.lock_timeout_ms = lock_timeout_ms;
    auto conn = openPostgres(url_, options);
    EXPECT_TRUE(conn.isOk()) << conn.status().toString();
    return conn.isOk() ? std::move(conn).value() : nullptr;
  }

  static ChangeContext change() {
    ChangeContext c;
    c.effective = *Date::parse("2024-01-01");
    c.recorded_ms = 1'700'000'000'000;
    c.actor = "tester";
    c.source = "test";
    return c;
  }

  // Steps `outer` (value v in column 0, and "row <v>" in column 1 when `with_text`) to its end,
  // checking each v is the row's position; at every v divisible by `every`, runs `inner` (the
  // count of rows up to v) between two rows. The number of rows read.
  static std::int64_t readWithOthersBetween(Statement& outer, Statement& inner, std::int64_t every,
                                            bool with_text) {
    std::int64_t rows = 0;
    while (true) {
      auto row = outer.step();
      EXPECT_TRUE(row.isOk()) << row.status().toString();
      if (!row.isOk() || !*row) break;
      ++rows;
      const std::int64_t v = outer.integer(0);
      EXPECT_EQ(v, rows);
      if (with_text) {
        EXPECT_EQ(outer.text(1), "row " + std::to_string(v));
      }
      if (v != rows || v % every != 0) continue;
      inner.bind("v", v);
      auto counted = inner.step();
      EXPECT_TRUE(counted.isOk() && *counted);
      EXPECT_EQ(inner.integer(0), v);
      inner.reset();
    }
    return rows;
  }

  std::string url_;
};

TEST(PostgresOpen, UnreachableServerIsUnavailableAndKeepsThePasswordQuiet) {
  auto conn = open("postgresql://phaseout:secret-word@127.0.0.1:1/phaseout");
  ASSERT_FALSE(conn.isOk());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(conn.status().message().find("cannot connect to PostgreSQL"), std::string::npos);
  EXPECT_EQ(conn.status().message().find("secret-word"), std::string::npos);
}

TEST_F(PostgresConnectionTest, NamedParametersRepeatAndCastsSurvive) {
  auto conn = connect();
  ASSERT_TRUE(conn);
  auto s = conn->prepare("SELECT :a::text || ':b' || :b || :a, length(:b)");
  ASSERT_TRUE(s.isOk()) << s.status().toString();
  (*s)->bind("a", std::string_view("x"));
  (*s)->bind("b", std::string_view("y"));
  ASSERT_TRUE(*(*s)->step());
  EXPECT_EQ((*s)->text(0), "x:byx");
  EXPECT_EQ((*s)->integer(1), 1);
  EXPECT_FALSE(*(*s)->step());
}

TEST_F(PostgresConnectionTest, StatementsInterleaveOnOneConnection) {
  auto conn = connect();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->exec("CREATE TABLE t (v BIGINT NOT NULL);"
                         "INSERT INTO t SELECT generate_series(1, 1000)")
                  .isOk());
  auto outer = conn->prepare("SELECT v FROM t ORDER BY v");
  auto inner = conn->prepare("SELECT count(*) FROM t WHERE v <= :v");
  ASSERT_TRUE(outer.isOk() && inner.isOk());
  EXPECT_EQ(readWithOthersBetween(**outer, **inner, 250, false), 1000);
}

TEST_F(PostgresConnectionTest, ManyRowsComeThroughCopyWithOthersInterleaved) {
  auto conn = connect();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->exec("CREATE TABLE t (v BIGINT NOT NULL, s TEXT NOT NULL);"
                         "INSERT INTO t SELECT i, 'row ' || i FROM generate_series(1, 20000) i;"
                         "CREATE TABLE u (v BIGINT NOT NULL);"
                         "INSERT INTO u SELECT generate_series(1, 16384)")
                  .isOk());
  for (const bool in_transaction : {true, false}) {
    if (in_transaction) {
      ASSERT_TRUE(conn->beginRead().isOk());
    }
    // The parameters go into the COPY as literals: one of them with a quote in it.
    auto outer = conn->prepare(
        "SELECT v, s FROM t WHERE v >= :from AND s <> :never AND s <> :never ORDER BY v");
    auto inner = conn->prepare("SELECT count(*) FROM t WHERE v <= :v");
    ASSERT_TRUE(outer.isOk() && inner.isOk());
    (*outer)->hintManyRows();
    (*outer)->bind("from", std::int64_t{1});
    (*outer)->bind("never", std::string_view("it's ' ; -- not a row"));
    // Another statement between two rows: the rest of the rows are taken first.
    EXPECT_EQ(readWithOthersBetween(**outer, **inner, 5000, true), 20000);
    auto exact = conn->prepare("SELECT v FROM u ORDER BY v");
    ASSERT_TRUE(exact.isOk());
    (*exact)->hintManyRows();
    std::int64_t seen = 0;
    while (true) {
      auto row = (*exact)->step();
      ASSERT_TRUE(row.isOk()) << row.status().toString();
      if (!*row) break;
      ASSERT_EQ((*exact)->integer(0), ++seen);
    }
    EXPECT_EQ(seen, 16384);
    // Abandoned after one row: the connection (and the transaction) are still usable.
    (*exact)->reset();
    (*exact)->hintManyRows();
    ASSERT_TRUE(*(*exact)->step());
    exact->reset();
    auto count = conn->prepare("SELECT count(*) FROM u");
    ASSERT_TRUE(count.isOk());
    ASSERT_TRUE(*(*count)->step());
    EXPECT_EQ((*count)->integer(0), 16384);
    if (in_transaction) {
      ASSERT_TRUE(conn->commit().isOk());
    }
  }
}

TEST_F(PostgresConnectionTest, ManyRowsReadAwkwardTextNullsAndBytesAsOneRowAtATimeDoes) {
  auto conn = connect();
  ASSERT_TRUE(conn);
  // Every escape of COPY's text format: tab, newline, carriage return, backslash, the other
  // control characters, a literal "\N", an empty string beside a NULL, UTF-8, bytea.
  ASSERT_TRUE(
      conn->exec("CREATE TABLE a (k BIGINT, t TEXT, n TEXT, x BYTEA);"
                 "INSERT INTO a VALUES "
                 "(1, E'tab\\there\\nnew line \\\\N back\\\\slash \\r \\b\\f\\x0b\\x01 é', NULL, "
                 "'\\x00015c0aff'::bytea),"
                 "(2, '', '', ''::bytea), (3, E'\\\\', NULL, NULL), (4, 'plain', 'N', '\\x4e')")
          .isOk());
  const char* sql = "SELECT k, t, n, x FROM a WHERE k >= :from ORDER BY k";
  struct Row {
    std::int64_t k;
    std::string t, n, x;
    bool t_null, n_null;
  };
  auto read = [&](bool many) {
    std::vector<Row> out;
    auto s = conn->prepare(sql);
    EXPECT_TRUE(s.isOk());
    if (!s.isOk()) return out;
    if (many) (*s)->hintManyRows();
    (*s)->bind("from", std::int64_t{0});
    while (true) {
      auto row = (*s)->step();
      EXPECT_TRUE(row.isOk()) << row.status().toString();
      if (!row.isOk() || !*row) break;
      out.push_back({(*s)->integer(0), std::string((*s)->text(1)), std::string((*s)->text(2)),
                     std::string((*s)->blob(3)), (*s)->isNull(1), (*s)->isNull(2)});
    }
    return out;
  };
  const std::vector<Row> one = read(false);
  const std::vector<Row> many = read(true);
  ASSERT_EQ(one.size(), 4u);
  ASSERT_EQ(many.size(), one.size());
  EXPECT_EQ(one[0].t, "tab\there\nnew line \\N back\\slash \r \b\f\v\x01 é");
  EXPECT_EQ(one[0].x, std::string("\x00\x01\\\n\xff", 5));
  EXPECT_EQ(one[2].t, "\\");
  for (std::size_t i = 0; i < one.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(many[i].k, one[i].k);
    EXPECT_EQ(many[i].t, one[i].t);
    EXPECT_EQ(many[i].n, one[i].n);
    EXPECT_EQ(many[i].x, one[i].x);
    EXPECT_EQ(many[i].t_null, one[i].t_null);
    EXPECT_EQ(many[i].n_null, one[i].n_null);
  }
  EXPECT_TRUE(many[0].n_null);
  EXPECT_FALSE(many[1].n_null);
  EXPECT_FALSE(many[3].n_null);
  EXPECT_EQ(many[3].n, "N");
}

TEST_F(PostgresConnectionTest, ManyRowsReportAFailingQuery) {
  auto conn = connect();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->exec("CREATE TABLE z (v BIGINT NOT NULL);"
                         "INSERT INTO z SELECT generate_series(0, 100)")
                  .isOk());
  // The error comes after 100 rows (v = 0 is the last in descending order).
  auto s = conn->prepare("SELECT 100 / v FROM z WHERE v >= :from ORDER BY v DESC");
  ASSERT_TRUE(s.isOk());
  (*s)->hintManyRows();
  (*s)->bind("from", std::int64_t{0});
  Status failed;
  int rows = 0;
  while (true) {
    auto row = (*s)->step();
    if (!row.isOk()) {
      failed = row.status();
      break;
    }
    if (!*row) break;
    ++rows;
  }
  EXPECT_FALSE(failed.isOk());
  EXPECT_NE(failed.message().find("division by zero"), std::string::npos) << failed.toString();
  auto count = conn->prepare("SELECT count(*) FROM z");
  ASSERT_TRUE(count.isOk());
  ASSERT_TRUE(*(*count)->step());
  EXPECT_EQ((*count)->integer(0), 101);
}

TEST_F(PostgresConnectionTest, BulkInsertCopiesAwkwardTextNullsAndBytes) {
  auto conn = connect();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->exec("CREATE TABLE b (k BIGINT, t TEXT, n TEXT, x BYTEA)").isOk());
  static constexpr std::array<std::string_view, 4> kColumns = {"k", "t", "n", "x"};
  ASSERT_TRUE(conn->beginWrite().isOk());
  auto bulk = conn->bulkInsert({"b", kColumns, ""});
  ASSERT_TRUE(bulk.isOk());
  const std::string awkward = "tab\there\nnew line \\N back\\slash \r é";
  const std::string bytes("\x00\x01\xff\\\n", 5);
  for (std::int64_t k = 0; k < 3000; ++k) {
    (*bulk)->bind("k", k);
    (*bulk)->bind("t", std::string_view(awkward));
    (*bulk)->bindNull("n");
    (*bulk)->bindBlob("x", bytes);
    ASSERT_TRUE((*bulk)->execute().isOk());
    (*bulk)->reset();
  }
  ASSERT_TRUE((*bulk)->finish().isOk());
  ASSERT_TRUE(conn->commit().isOk());
  auto s = conn->prepare(
      "SELECT count(*), min(t), max(t), bool_and(n IS NULL), (SELECT x FROM b LIMIT 1) FROM b");
  ASSERT_TRUE(s.isOk()) << s.status().toString();
  ASSERT_TRUE(*(*s)->step());
  EXPECT_EQ((*s)->integer(0), 3000);
  EXPECT_EQ((*s)->text(1), awkward);
  EXPECT_EQ((*s)->text(2), awkward);
  EXPECT_EQ((*s)->text(3), "t");
  EXPECT_EQ((*s)->blob(4), bytes);
}

TEST_F(PostgresConnectionTest, AbandonedBulkInsertWritesNothing) {
  auto conn = connect();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->exec("CREATE TABLE b (k BIGINT NOT NULL)").isOk());
  static constexpr std::array<std::string_view, 1> kColumns = {"k"};
  {
    auto tx = Transaction::begin(*conn, Transaction::Mode::kWrite);
    ASSERT_TRUE(tx.isOk());
    auto bulk = conn->bulkInsert({"b", kColumns, ""});
    ASSERT_TRUE(bulk.isOk());
    (*bulk)->bind("k", std::int64_t{1});
    ASSERT_TRUE((*bulk)->execute().isOk());
  }  // neither finished nor committed
  auto s = conn->prepare("SELECT count(*) FROM b");
  ASSERT_TRUE(s.isOk());
  ASSERT_TRUE(*(*s)->step());
  EXPECT_EQ((*s)->integer(0), 0);
}

TEST_F(PostgresConnectionTest, BadRowInBulkFailsTheWholeBatch) {
  auto conn = connect();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->exec("CREATE TABLE b (k BIGINT PRIMARY KEY)").isOk());
  static constexpr std::array<std::string_view, 1> kColumns = {"k"};
  ASSERT_TRUE(conn->beginWrite().isOk());
  auto bulk = conn->bulkInsert({"b", kColumns, ""});
  ASSERT_TRUE(bulk.isOk());
  for (std::int64_t k : {1, 2, 2}) {
    (*bulk)->bind("k", k);
    ASSERT_TRUE((*bulk)->execute().isOk());
  }
  Status finished = (*bulk)->finish();
  EXPECT_EQ(finished.code(), StatusCode::kAlreadyExists) << finished.toString();
  EXPECT_FALSE(conn->commit().isOk());
}

TEST_F(PostgresConnectionTest, WritersQueueAndReadersDoNotWait) {
  auto first = connect();
  auto second = connect(/*lock_timeout_ms=*/300);
  auto reader = connect();
  ASSERT_TRUE(first && second && reader);
  ASSERT_TRUE(first->exec("CREATE TABLE t (v BIGINT NOT NULL); INSERT INTO t VALUES (1)").isOk());
  ASSERT_TRUE(first->beginWrite().isOk());
  ASSERT_TRUE(first->exec("INSERT INTO t VALUES (2)").isOk());
  // A second writer waits for the first; with a short timeout it gives up, Unavailable.
  Status queued = second->beginWrite();
  EXPECT_EQ(queued.code(), StatusCode::kUnavailable) << queued.toString();
  // The failed begin left no transaction open behind it.
  ASSERT_TRUE(second->exec("SELECT 1").isOk());
  // A reader is not blocked and sees the last committed state.
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(reader->beginRead().isOk());
  auto count = reader->prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(count.isOk());
  ASSERT_TRUE(*(*count)->step());
  EXPECT_EQ((*count)->integer(0), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  count->reset();
  ASSERT_TRUE(reader->commit().isOk());
  ASSERT_TRUE(first->commit().isOk());
  // Once the first commits, the second writer gets its turn.
  ASSERT_TRUE(second->beginWrite().isOk());
  ASSERT_TRUE(second->commit().isOk());
}

TEST_F(PostgresConnectionTest, ConcurrentWritersLoseNoUpdateAndKeepTheChain) {
  {
    auto conn = connect();
    ASSERT_TRUE(conn);
    ASSERT_TRUE(Repository(*conn).migrate().isOk());
  }
  constexpr int kWriters = 4;
  constexpr int kWritesEach = 15;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto conn = openPostgres(url_);
      if (!conn.isOk()) {
        ++failures;
        return;
      }
      Repository repo(**conn);
      for (int i = 0; i < kWritesEach; ++i) {
        inventory::Person p;
        p.person_id = "P-" + std::to_string(w) + "-" + std::to_string(i);
        p.name = "n";
        p.unit = "u";
        if (!repo.upsertPeople(std::vector<inventory::Person>{p}, change()).isOk()) ++failures;
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto conn = connect();
  ASSERT_TRUE(conn);
  Repository repo(*conn);
  auto people = repo.loadPeople();
  ASSERT_TRUE(people.isOk());
  EXPECT_EQ(people->size(), static_cast<std::size_t>(kWriters * kWritesEach));
  auto verified = repo.verifyAudit();
  ASSERT_TRUE(verified.isOk());
  EXPECT_TRUE(verified->ok()) << verified->problem;
  EXPECT_EQ(verified->events, kWriters * kWritesEach);
}

}  // namespace
}  // namespace phaseout::storage

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
  std::int64_t rows = 0;
  while (true) {
    auto row = (*outer)->step();
    ASSERT_TRUE(row.isOk()) << row.status().toString();
    if (!*row) break;
    ++rows;
    const std::int64_t v = (*outer)->integer(0);
    if (v % 250 != 0) continue;
    (*inner)->bind("v", v);
    ASSERT_TRUE(*(*inner)->step());
    EXPECT_EQ((*inner)->integer(0), v);
    (*inner)->reset();
  }
  EXPECT_EQ(rows, 1000);
}

TEST_F(PostgresConnectionTest, ManyRowsComeThroughACursorInBatchesWithOthersInterleaved) {
  auto conn = connect();
  ASSERT_TRUE(conn);
  // Two batches and a part (8,192 a fetch), then exactly two: every boundary of a batch.
  ASSERT_TRUE(conn->exec("CREATE TABLE t (v BIGINT NOT NULL, s TEXT NOT NULL);"
                         "INSERT INTO t SELECT i, 'row ' || i FROM generate_series(1, 20000) i;"
                         "CREATE TABLE u (v BIGINT NOT NULL);"
                         "INSERT INTO u SELECT generate_series(1, 16384)")
                  .isOk());
  for (const bool in_transaction : {true, false}) {
    if (in_transaction) {
      ASSERT_TRUE(conn->beginRead().isOk());
    }
    auto outer = conn->prepare("SELECT v, s FROM t WHERE v >= :from ORDER BY v");
    auto inner = conn->prepare("SELECT count(*) FROM t WHERE v <= :v");
    ASSERT_TRUE(outer.isOk() && inner.isOk());
    (*outer)->hintManyRows();
    (*outer)->bind("from", std::int64_t{1});
    std::int64_t rows = 0;
    while (true) {
      auto row = (*outer)->step();
      ASSERT_TRUE(row.isOk()) << row.status().toString();
      if (!*row) break;
      ++rows;
      const std::int64_t v = (*outer)->integer(0);
      ASSERT_EQ(v, rows);
      ASSERT_EQ((*outer)->text(1), "row " + std::to_string(v));
      if (v % 5000 != 0 && v != 8192 && v != 8193) continue;
      // Another statement between two rows (and two batches): the fetch on its way is taken.
      (*inner)->bind("v", v);
      ASSERT_TRUE(*(*inner)->step());
      EXPECT_EQ((*inner)->integer(0), v);
      (*inner)->reset();
    }
    EXPECT_EQ(rows, 20000);
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
    // Abandoned halfway, with a fetch on its way: the connection is still usable.
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

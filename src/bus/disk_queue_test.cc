#include "bus/disk_queue.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace phaseout::bus {
namespace {

namespace fs = std::filesystem;

class DiskQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/phaseout-queue-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<DiskQueue> open(std::uint64_t limit = 1 << 20) {
    auto q = DiskQueue::open(dir_, limit);
    EXPECT_TRUE(q.isOk()) << q.status().toString();
    return q.isOk() ? std::move(q).value() : nullptr;
  }
  std::vector<std::string> segments() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      if (e.path().extension() == ".seg") out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::vector<std::string> ids(const DiskQueue& q) {
    std::vector<std::string> out;
    for (const auto& m : q.pending()) out.push_back(m.message_id);
    return out;
  }

  std::string dir_;
};

TEST_F(DiskQueueTest, KeepsOrderAcrossARestart) {
  {
    auto q = open();
    ASSERT_TRUE(q);
    for (int i = 1; i <= 3; ++i) {
      auto seq =
          q->append("phaseout.sightings.a", "a-" + std::to_string(i), "data" + std::to_string(i));
      ASSERT_TRUE(seq.isOk()) << seq.status().toString();
      EXPECT_EQ(*seq, static_cast<std::uint64_t>(i));
    }
    ASSERT_TRUE(q->acknowledge(1).isOk());
  }
  auto q = open();
  ASSERT_TRUE(q);
  EXPECT_EQ(ids(*q), (std::vector<std::string>{"a-2", "a-3"}));
  EXPECT_EQ(q->pending().front().subject, "phaseout.sightings.a");
  EXPECT_EQ(q->pending().front().data, "data2");
  auto seq = q->append("s", "a-4", "data4");
  ASSERT_TRUE(seq.isOk());
  EXPECT_EQ(*seq, 4U);  // sequence numbers are never reused
  EXPECT_TRUE(q->repairs().empty());
}

TEST_F(DiskQueueTest, AcknowledgesOnlyTheOldest) {
  auto q = open();
  ASSERT_TRUE(q->append("s", "x", "1").isOk());
  ASSERT_TRUE(q->append("s", "y", "2").isOk());
  const Status s = q->acknowledge(2);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(q->pending().size(), 2U);
}

TEST_F(DiskQueueTest, AcknowledgesARunOfMessagesAtOnceAcrossARestart) {
  {
    auto q = open();
    for (int i = 1; i <= 5; ++i) {
      ASSERT_TRUE(q->append("s", "m-" + std::to_string(i), "d").isOk());
    }
    EXPECT_EQ(q->acknowledgeThrough(9).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(q->pending().size(), 5U);
    ASSERT_TRUE(q->acknowledgeThrough(3).isOk());
    EXPECT_EQ(ids(*q), (std::vector<std::string>{"m-4", "m-5"}));
    EXPECT_EQ(q->pendingBytes(), 2 * DiskQueue::recordBytes("s", "m-4", "d"));
    // Already sent: not waiting any more.
    EXPECT_EQ(q->acknowledgeThrough(2).code(), StatusCode::kInvalidArgument);
  }
  auto q = open();
  EXPECT_EQ(ids(*q), (std::vector<std::string>{"m-4", "m-5"}));
  ASSERT_TRUE(q->acknowledgeThrough(5).isOk());
  EXPECT_TRUE(q->pending().empty());
  EXPECT_TRUE(segments().empty());
}

TEST_F(DiskQueueTest, RefusesWhatPassesTheBoundAndKeepsTheOlder) {
  const std::string data(100, 'x');
  const std::uint64_t one = DiskQueue::recordBytes("s", "id-1", data);
  auto q = open(2 * one + 10);
  ASSERT_TRUE(q->append("s", "id-1", data).isOk());
  ASSERT_TRUE(q->append("s", "id-2", data).isOk());
  auto full = q->append("s", "id-3", data);
  ASSERT_FALSE(full.isOk());
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(full.status().message().find("the queue is full (2 message(s)"), std::string::npos)
      << full.status().message();
  EXPECT_EQ(ids(*q), (std::vector<std::string>{"id-1", "id-2"}));
  // Sending the oldest makes room again.
  ASSERT_TRUE(q->acknowledge(1).isOk());
  ASSERT_TRUE(q->append("s", "id-3", data).isOk());
  EXPECT_EQ(ids(*q), (std::vector<std::string>{"id-2", "id-3"}));
  // One message larger than the whole bound can never be queued.
  auto huge = q->append("s", "big", std::string(4 * one, 'y'));
  EXPECT_EQ(huge.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(DiskQueueTest, DeletesSentSegmentsAndStartsNewOnes) {
  const std::string data(DiskQueue::kSegmentBytes / 2 + 1, 'z');
  auto q = open(8 * DiskQueue::kSegmentBytes);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(q->append("s", "id" + std::to_string(i), data).isOk());
  EXPECT_EQ(segments().size(), 2U);  // a segment closes once it passes kSegmentBytes
  ASSERT_TRUE(q->acknowledge(1).isOk());
  ASSERT_TRUE(q->acknowledge(2).isOk());
  EXPECT_EQ(segments().size(), 1U);
  ASSERT_TRUE(q->acknowledge(3).isOk());
  EXPECT_TRUE(segments().empty());
  EXPECT_EQ(q->pendingBytes(), 0U);
  q.reset();
  auto again = open(8 * DiskQueue::kSegmentBytes);
  EXPECT_TRUE(again->pending().empty());
  auto seq = again->append("s", "next", "d");
  ASSERT_TRUE(seq.isOk());
  EXPECT_EQ(*seq, 4U);
}

TEST_F(DiskQueueTest, CutsATornTailAndKeepsEveryAppendedMessage) {
  {
    auto q = open();
    ASSERT_TRUE(q->append("s", "kept-1", "first").isOk());
    ASSERT_TRUE(q->append("s", "kept-2", "second").isOk());
  }
  const std::string seg = segments().at(0);
  const auto good_size = fs::file_size(seg);
  {
    // A crash in the middle of a third append: header and half of its data.
    std::ofstream out(seg, std::ios::binary | std::ios::app);
    out.write("PQR1\x03\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00", 16);
  }
  auto q = open();
  ASSERT_TRUE(q);
  EXPECT_EQ(ids(*q), (std::vector<std::string>{"kept-1", "kept-2"}));
  ASSERT_EQ(q->repairs().size(), 1U);
  EXPECT_EQ(q->repairs()[0].offset, good_size);
  EXPECT_EQ(q->repairs()[0].bytes_dropped, 16U);
  EXPECT_EQ(fs::file_size(seg), good_size);
  auto seq = q->append("s", "kept-3", "third");
  ASSERT_TRUE(seq.isOk());
  EXPECT_EQ(*seq, 3U);
}

TEST_F(DiskQueueTest, ACorruptRecordInsideIsDataLossAndChangesNothing) {
  {
    auto q = open();
    ASSERT_TRUE(q->append("s", "one", "first").isOk());
    ASSERT_TRUE(q->append("s", "two", "second").isOk());
  }
  const std::string seg = segments().at(0);
  const auto size = fs::file_size(seg);
  {
    std::fstream f(seg, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(DiskQueue::kRecordHeaderBytes + 4);  // inside the first record's id
    f.put('X');
  }
  auto q = DiskQueue::open(dir_, 1 << 20);
  ASSERT_FALSE(q.isOk());
  EXPECT_EQ(q.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(q.status().message().find(seg + ": byte 0: a record fails its CRC"), std::string::npos)
      << q.status().message();
  EXPECT_EQ(fs::file_size(seg), size);
}

TEST_F(DiskQueueTest, OneProcessAtATime) {
  auto q = open();
  // flock is per open file description: a second open in this process conflicts as well.
  auto second = DiskQueue::open(dir_, 1 << 20);
  ASSERT_FALSE(second.isOk());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(DiskQueueTest, RefusesAZeroBound) {
  auto q = DiskQueue::open(dir_, 0);
  ASSERT_FALSE(q.isOk());
  EXPECT_EQ(q.status().field(), "queue-limit");
}

}  // namespace
}  // namespace phaseout::bus

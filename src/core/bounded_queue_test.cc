#include "core/bounded_queue.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace phaseout {
namespace {

TEST(BoundedQueueTest, DeliversEveryItemInOrderAcrossThreads) {
  BoundedQueue<int> queue(2);  // smaller than the input: the producer must block and resume
  std::thread producer([&] {
    for (int i = 0; i < 10000; ++i) ASSERT_TRUE(queue.push(i));
    queue.close();
  });
  std::vector<int> got;
  while (auto v = queue.pop()) got.push_back(*v);
  producer.join();
  ASSERT_EQ(got.size(), 10000u);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(got[static_cast<std::size_t>(i)], i);
}

TEST(BoundedQueueTest, CloseDrainsWhatIsQueued) {
  BoundedQueue<int> queue(4);
  ASSERT_TRUE(queue.push(1));
  ASSERT_TRUE(queue.push(2));
  queue.close();
  EXPECT_FALSE(queue.push(3));
  EXPECT_EQ(queue.pop(), 1);
  EXPECT_EQ(queue.pop(), 2);
  EXPECT_EQ(queue.pop(), std::nullopt);
}

TEST(BoundedQueueTest, CancelWakesABlockedProducer) {
  BoundedQueue<int> queue(1);
  ASSERT_TRUE(queue.push(1));
  bool pushed = true;
  std::thread producer([&] { pushed = queue.push(2); });  // blocks: the queue is full
  queue.cancel();
  producer.join();
  EXPECT_FALSE(pushed);
  EXPECT_EQ(queue.pop(), std::nullopt);  // queued items are dropped
}

}  // namespace
}  // namespace phaseout

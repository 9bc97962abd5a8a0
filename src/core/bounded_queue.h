// BoundedQueue: a blocking first-in first-out queue of at most `capacity` items between
// producer and consumer threads (a parse on one thread feeding a store on another).
//
//   BoundedQueue<std::vector<Device>> queue(4);
//   producer:  if (!queue.push(std::move(batch))) stop();   // false once cancelled
//              queue.close();                              // no more items
//   consumer:  while (auto batch = queue.pop()) store(*batch);
//              on failure: queue.cancel();                 // wakes and stops the producer
//
// pop() returns items until the queue is closed and drained, or cancelled. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace phaseout {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Blocks while the queue is full. False (and `value` dropped) once cancelled or closed.
  bool push(T value) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || cancelled_ || closed_; });
    if (cancelled_ || closed_) return false;
    items_.push_back(std::move(value));
    not_empty_.notify_one();
    return true;
  }

  // Blocks while the queue is empty and open. nullopt when closed and drained, or cancelled.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty() || cancelled_ || closed_; });
    if (cancelled_ || items_.empty()) return std::nullopt;
    T value = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return value;
  }

  // Non-blocking forms: false / nullopt when the queue is full / empty (or cancelled).
  bool tryPush(T value) {
    std::lock_guard lock(mutex_);
    if (cancelled_ || closed_ || items_.size() >= capacity_) return false;
    items_.push_back(std::move(value));
    not_empty_.notify_one();
    return true;
  }
  std::optional<T> tryPop() {
    std::lock_guard lock(mutex_);
    if (cancelled_ || items_.empty()) return std::nullopt;
    T value = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return value;
  }

  // The producer is done: pop() drains what is queued, then returns nullopt.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  // Stop both sides now: queued items are dropped, push() and pop() return at once.
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    items_.clear();
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
  bool cancelled_ = false;
};

}  // namespace phaseout

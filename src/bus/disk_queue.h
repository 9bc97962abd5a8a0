// DiskQueue: the sensor's bounded, append-only, on-disk queue of messages not yet acknowledged by
// the bus. A message is appended (and fsync'd) before it is sent; once the bus acknowledges it,
// acknowledge() moves the queue's head past it. Whatever is still queued when the process stops
// is read back by the next open(), in the order it was appended.
//
// Layout of the directory: segment files "<first seq, 20 digits>.seg" holding records
//   "PQR1" | seq u64 | subject_len u32 | id_len u32 | data_len u32 | crc32 u32 | subject id data
// (little endian; the CRC-32 covers everything after the magic except the CRC itself), a file
// "acked" holding the sequence number of the last acknowledged record (replaced atomically),
// and a "lock" file held with flock() so one process at a time owns the queue. A segment whose
// records are all acknowledged is deleted; a new one starts when the last passes
// kSegmentBytes.
//
// Bound: the records waiting (header and payload bytes) never exceed `limit_bytes`. An append
// that would pass it is refused with ResourceExhausted and writes nothing: the queue keeps the
// older messages and the caller decides what to say about the new one.
//
// Damage: an append interrupted by a crash leaves a partial record at the end of the last
// segment. open() cuts such a torn tail off (and reports it in repairs()); it was never
// reported appended, so nothing acknowledged is lost. A damaged record anywhere else (CRC
// mismatch followed by more data, a sequence out of order) is DataLoss naming the file and the
// byte offset; nothing is changed.
//
// Not thread-safe: one DiskQueue per directory per process (the lock enforces one process).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace phaseout::bus {

struct QueuedMessage {
  std::uint64_t seq = 0;  // increasing, never reused in one directory
  std::string subject;
  std::string message_id;
  std::string data;
};

// A torn tail cut off by open().
struct QueueRepair {
  std::string file;
  std::uint64_t offset = 0;         // where the file now ends
  std::uint64_t bytes_dropped = 0;  // of a record whose append never completed
};

class DiskQueue {
 public:
  static constexpr std::uint64_t kSegmentBytes = 1 << 20;
  static constexpr std::size_t kRecordHeaderBytes = 28;

  // Opens (creating when missing) the queue in `dir`. InvalidArgument when `limit_bytes` is 0
  // or `dir` cannot be created; FailedPrecondition when another process holds the queue;
  // DataLoss for damage other than a torn tail (see the top of this file).
  static Result<std::unique_ptr<DiskQueue>> open(const std::string& dir, std::uint64_t limit_bytes);
  ~DiskQueue();
  DiskQueue(const DiskQueue&) = delete;
  DiskQueue& operator=(const DiskQueue&) = delete;

  // Appends one message and fsyncs it; returns its seq. ResourceExhausted (nothing written)
  // when it would take the waiting bytes past the bound; InvalidArgument when it alone is
  // larger than the bound; Unavailable when the disk refuses the write.
  Result<std::uint64_t> append(std::string_view subject, std::string_view message_id,
                               std::string_view data);

  // The messages waiting, oldest first.
  const std::deque<QueuedMessage>& pending() const { return pending_; }
  std::uint64_t pendingBytes() const { return pending_bytes_; }
  std::uint64_t limitBytes() const { return limit_bytes_; }
  const std::string& directory() const { return dir_; }

  // Marks the oldest waiting message (which must have `seq`) sent, durably, and deletes the
  // segments left without a waiting message. InvalidArgument when `seq` is not the oldest.
  Status acknowledge(std::uint64_t seq);
  // Marks every waiting message up to and including `seq` (one of them) sent, with one durable
  // write: a sender acknowledges a run of messages at once. InvalidArgument when no waiting
  // message has `seq`.
  Status acknowledgeThrough(std::uint64_t seq);

  const std::vector<QueueRepair>& repairs() const { return repairs_; }

  // The on-disk size of one message's record.
  static std::uint64_t recordBytes(std::string_view subject, std::string_view message_id,
                                   std::string_view data);

 private:
  struct Segment {
    std::uint64_t first_seq = 0;
    std::uint64_t last_seq = 0;  // 0: no record yet
    std::string path;
    std::uint64_t size_bytes = 0;
  };

  DiskQueue(std::string dir, std::uint64_t limit_bytes, int lock_fd);
  Status load();
  Status loadSegment(Segment& segment, bool last);
  Status startSegment(std::uint64_t first_seq);
  Status writeAcked(std::uint64_t seq);
  Status dropAcknowledgedSegments();

  std::string dir_;
  std::uint64_t limit_bytes_;
  int lock_fd_;
  int segment_fd_ = -1;  // the last segment, open for appending
  std::vector<Segment> segments_;
  std::deque<QueuedMessage> pending_;
  std::uint64_t pending_bytes_ = 0;
  std::uint64_t acked_ = 0;
  std::uint64_t next_seq_ = 1;
  std::vector<QueueRepair> repairs_;
};

}  // namespace phaseout::bus

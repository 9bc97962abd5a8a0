#include "bus/disk_queue.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace phaseout::bus {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[4] = {'P', 'Q', 'R', '1'};
constexpr std::string_view kSegmentSuffix = ".seg";
constexpr int kSeqDigits = 20;

std::string errnoText() { return std::strerror(errno); }

// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as zlib computes it.
std::uint32_t crc32Update(std::uint32_t crc, std::string_view bytes) {
  static const std::array<std::uint32_t, 256> kTable = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (unsigned char b : bytes) crc = kTable[(crc ^ b) & 0xFFU] ^ (crc >> 8);
  return ~crc;
}

void putU32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFU));
}
void putU64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFU));
}
std::uint64_t getLe(std::string_view bytes, std::size_t at, int width) {
  std::uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  }
  return v;
}

std::string encodeRecord(std::uint64_t seq, std::string_view subject, std::string_view id,
                         std::string_view data) {
  std::string body;
  body.reserve(20 + subject.size() + id.size() + data.size());
  putU64(body, seq);
  putU32(body, static_cast<std::uint32_t>(subject.size()));
  putU32(body, static_cast<std::uint32_t>(id.size()));
  putU32(body, static_cast<std::uint32_t>(data.size()));
  std::string out(kMagic, sizeof kMagic);
  out += std::string_view(body);
  std::string tail;
  tail.reserve(subject.size() + id.size() + data.size());
  tail += subject;
  tail += id;
  tail += data;
  putU32(out, crc32Update(crc32Update(0, body), tail));
  out += tail;
  return out;
}

std::string segmentName(std::uint64_t first_seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*llu", kSeqDigits, static_cast<unsigned long long>(first_seq));
  return std::string(buf) + std::string(kSegmentSuffix);
}

Status syncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return unavailable(dir + ": cannot open the queue directory: " + errnoText());
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return unavailable(dir + ": fsync failed: " + errnoText());
  return Status::ok();
}

Status writeAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return unavailable(path + ": write failed: " + errnoText());
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::ok();
}

Result<std::string> readWhole(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return unavailable(path + ": cannot read: " + errnoText());
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return unavailable(path + ": cannot read: " + errnoText());
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace

std::uint64_t DiskQueue::recordBytes(std::string_view subject, std::string_view message_id,
                                     std::string_view data) {
  return kRecordHeaderBytes + subject.size() + message_id.size() + data.size();
}

DiskQueue::DiskQueue(std::string dir, std::uint64_t limit_bytes, int lock_fd)
    : dir_(std::move(dir)), limit_bytes_(limit_bytes), lock_fd_(lock_fd) {}

DiskQueue::~DiskQueue() {
  if (segment_fd_ >= 0) ::close(segment_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Result<std::unique_ptr<DiskQueue>> DiskQueue::open(const std::string& dir,
                                                   std::uint64_t limit_bytes) {
  if (limit_bytes == 0) return invalidField("queue-limit", "must be more than 0 bytes");
  if (dir.empty()) return invalidField("queue-dir", "no directory given");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return invalidField("queue-dir", dir + ": cannot create the queue directory: " + ec.message());
  }
  const std::string lock_path = (fs::path(dir) / "lock").string();
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) {
    return invalidField("queue-dir", lock_path + ": cannot open the lock: " + errnoText());
  }
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    return failedPrecondition(dir +
                              ": the queue is in use by another process (one sensor per queue "
                              "directory)");
  }
  std::unique_ptr<DiskQueue> queue(new DiskQueue(dir, limit_bytes, lock_fd));
  PH_RETURN_IF_ERROR(queue->load());
  return queue;
}

Status DiskQueue::load() {
  // The last acknowledged seq.
  const std::string acked_path = (fs::path(dir_) / "acked").string();
  std::error_code ec;
  if (fs::exists(acked_path, ec)) {
    PH_ASSIGN_OR_RETURN(std::string text, readWhole(acked_path));
    unsigned long long v = 0;
    if (std::sscanf(text.c_str(), "acked %llu", &v) != 1) {
      return dataLoss(acked_path + ": expected \"acked <seq>\", got \"" + text.substr(0, 40) +
                      "\"");
    }
    acked_ = v;
  }
  next_seq_ = acked_ + 1;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != kSeqDigits + kSegmentSuffix.size() || !name.ends_with(kSegmentSuffix) ||
        name.find_first_not_of("0123456789") != kSeqDigits) {
      continue;  // not a segment (an editor's backup, say)
    }
    Segment s;
    s.first_seq = std::stoull(name.substr(0, kSeqDigits));
    s.path = entry.path().string();
    segments_.push_back(std::move(s));
  }
  if (ec) return unavailable(dir_ + ": cannot list the queue directory: " + ec.message());
  std::sort(segments_.begin(), segments_.end(),
            [](const Segment& a, const Segment& b) { return a.first_seq < b.first_seq; });
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    PH_RETURN_IF_ERROR(loadSegment(segments_[i], i + 1 == segments_.size()));
  }
  PH_RETURN_IF_ERROR(dropAcknowledgedSegments());
  if (!segments_.empty()) {
    Segment& last = segments_.back();
    segment_fd_ = ::open(last.path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (segment_fd_ < 0) return unavailable(last.path + ": cannot open: " + errnoText());
  }
  return Status::ok();
}

Status DiskQueue::loadSegment(Segment& segment, bool last) {
  PH_ASSIGN_OR_RETURN(std::string bytes, readWhole(segment.path));
  std::size_t at = 0;
  std::string damage;
  while (at < bytes.size()) {
    const std::size_t left = bytes.size() - at;
    if (left < kRecordHeaderBytes) {
      damage = "a record header is cut short";
      break;
    }
    if (std::memcmp(bytes.data() + at, kMagic, sizeof kMagic) != 0) {
      damage = "no record starts here";
      break;
    }
    const std::uint64_t seq = getLe(bytes, at + 4, 8);
    const std::uint64_t subject_len = getLe(bytes, at + 12, 4);
    const std::uint64_t id_len = getLe(bytes, at + 16, 4);
    const std::uint64_t data_len = getLe(bytes, at + 20, 4);
    const std::uint64_t crc = getLe(bytes, at + 24, 4);
    const std::uint64_t total = kRecordHeaderBytes + subject_len + id_len + data_len;
    if (total > left) {
      damage = "a record is cut short (" + std::to_string(left) + " of " + std::to_string(total) +
               " bytes)";
      break;
    }
    const std::string_view body(bytes.data() + at + 4, 20);
    const std::string_view tail(bytes.data() + at + kRecordHeaderBytes,
                                subject_len + id_len + data_len);
    if (crc32Update(crc32Update(0, body), tail) != crc) {
      damage = "a record fails its CRC";
      if (at + total < bytes.size() || !last) {
        return dataLoss(segment.path + ": byte " + std::to_string(at) + ": " + damage +
                        " and more data follows; the queue cannot be read past it (move the "
                        "directory away to start a new queue)");
      }
      break;
    }
    const std::uint64_t expected = segment.last_seq == 0 ? segment.first_seq : segment.last_seq + 1;
    if (seq != expected) {
      return dataLoss(segment.path + ": byte " + std::to_string(at) + ": record " +
                      std::to_string(seq) + " where " + std::to_string(expected) + " was expected");
    }
    segment.last_seq = seq;
    if (seq > acked_) {
      QueuedMessage m;
      m.seq = seq;
      m.subject.assign(tail.substr(0, subject_len));
      m.message_id.assign(tail.substr(subject_len, id_len));
      m.data.assign(tail.substr(subject_len + id_len));
      pending_bytes_ += total;
      pending_.push_back(std::move(m));
    }
    next_seq_ = std::max(next_seq_, seq + 1);
    at += total;
  }
  if (!damage.empty()) {
    if (!last) {
      return dataLoss(segment.path + ": byte " + std::to_string(at) + ": " + damage +
                      " in a segment that is not the last; the queue cannot be read past it "
                      "(move the directory away to start a new queue)");
    }
    // A torn tail: the append that wrote it never returned, so nothing acknowledged is lost.
    if (::truncate(segment.path.c_str(), static_cast<off_t>(at)) != 0) {
      return unavailable(segment.path + ": cannot cut off a torn record: " + errnoText());
    }
    const int fd = ::open(segment.path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      (void)::fsync(fd);
      ::close(fd);
    }
    repairs_.push_back({segment.path, at, bytes.size() - at});
  }
  segment.size_bytes = at;
  return Status::ok();
}

Status DiskQueue::startSegment(std::uint64_t first_seq) {
  if (segment_fd_ >= 0) {
    ::close(segment_fd_);
    segment_fd_ = -1;
  }
  Segment s;
  s.first_seq = first_seq;
  s.path = (fs::path(dir_) / segmentName(first_seq)).string();
  segment_fd_ = ::open(s.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (segment_fd_ < 0) return unavailable(s.path + ": cannot create: " + errnoText());
  segments_.push_back(std::move(s));
  return syncDirectory(dir_);
}

Result<std::uint64_t> DiskQueue::append(std::string_view subject, std::string_view message_id,
                                        std::string_view data) {
  const std::uint64_t size = recordBytes(subject, message_id, data);
  if (size > limit_bytes_) {
    return invalidArgument("a message of " + std::to_string(size) +
                           " bytes is larger than the queue's bound of " +
                           std::to_string(limit_bytes_) + " bytes");
  }
  if (pending_bytes_ + size > limit_bytes_) {
    return resourceExhausted(dir_ + ": the queue is full (" + std::to_string(pending_.size()) +
                             " message(s), " + std::to_string(pending_bytes_) + " of " +
                             std::to_string(limit_bytes_) + " bytes waiting; this one needs " +
                             std::to_string(size) + ")");
  }
  const std::uint64_t seq = next_seq_;
  if (segments_.empty() || segments_.back().size_bytes >= kSegmentBytes) {
    PH_RETURN_IF_ERROR(startSegment(seq));
  }
  Segment& segment = segments_.back();
  const std::string record = encodeRecord(seq, subject, message_id, data);
  Status written = writeAll(segment_fd_, record, segment.path);
  if (written.isOk() && ::fsync(segment_fd_) != 0) {
    written = unavailable(segment.path + ": fsync failed: " + errnoText());
  }
  if (!written.isOk()) {
    // Leave no partial record behind for the next append to follow.
    (void)::ftruncate(segment_fd_, static_cast<off_t>(segment.size_bytes));
    return written;
  }
  segment.size_bytes += record.size();
  if (segment.last_seq == 0) segment.first_seq = seq;
  segment.last_seq = seq;
  next_seq_ = seq + 1;
  pending_.push_back({seq, std::string(subject), std::string(message_id), std::string(data)});
  pending_bytes_ += size;
  return seq;
}

Status DiskQueue::writeAcked(std::uint64_t seq) {
  const std::string path = (fs::path(dir_) / "acked").string();
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return unavailable(tmp + ": cannot create: " + errnoText());
  Status s = writeAll(fd, "acked " + std::to_string(seq) + "\n", tmp);
  if (s.isOk() && ::fsync(fd) != 0) s = unavailable(tmp + ": fsync failed: " + errnoText());
  ::close(fd);
  PH_RETURN_IF_ERROR(s);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return unavailable(path + ": cannot replace: " + errnoText());
  }
  return syncDirectory(dir_);
}

Status DiskQueue::dropAcknowledgedSegments() {
  // Every segment but the last whose records are all acknowledged; the last one too when it is
  // wholly acknowledged (the next append starts a new one).
  bool removed = false;
  while (!segments_.empty()) {
    const Segment& s = segments_.front();
    const bool all_acked =
        s.last_seq == 0 ? segments_.size() > 1 || s.first_seq <= acked_ : s.last_seq <= acked_;
    if (!all_acked) break;
    if (segments_.size() == 1 && segment_fd_ >= 0) {
      ::close(segment_fd_);
      segment_fd_ = -1;
    }
    if (::unlink(s.path.c_str()) != 0 && errno != ENOENT) {
      return unavailable(s.path + ": cannot delete a sent segment: " + errnoText());
    }
    segments_.erase(segments_.begin());
    removed = true;
  }
  return removed ? syncDirectory(dir_) : Status::ok();
}

Status DiskQueue::acknowledge(std::uint64_t seq) {
  if (pending_.empty() || pending_.front().seq != seq) {
    return invalidArgument("message " + std::to_string(seq) + " is not the oldest waiting");
  }
  return acknowledgeThrough(seq);
}

Status DiskQueue::acknowledgeThrough(std::uint64_t seq) {
  if (pending_.empty() || seq < pending_.front().seq || seq > pending_.back().seq) {
    return invalidArgument("message " + std::to_string(seq) + " is not waiting");
  }
  PH_RETURN_IF_ERROR(writeAcked(seq));
  while (!pending_.empty() && pending_.front().seq <= seq) {
    const QueuedMessage& m = pending_.front();
    pending_bytes_ -= recordBytes(m.subject, m.message_id, m.data);
    pending_.pop_front();
  }
  acked_ = seq;
  return dropAcknowledgedSegments();
}

}  // namespace phaseout::bus

#include "capture/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

namespace phaseout::capture {
namespace {

constexpr std::uint64_t kReleaseChunkBytes = 8ull << 20;
constexpr std::size_t kCopyBufferBytes = 1 << 20;
// RFC 1952 section 2.3.1: ID1 ID2.
constexpr std::uint8_t kGzipId1 = 0x1f;
constexpr std::uint8_t kGzipId2 = 0x8b;

std::string errnoText() { return std::strerror(errno); }

// Closes a descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// An unlinked temporary file: nothing is left behind even if the process dies.
Result<int> makeTempFile(const std::string& for_path) {
  const char* dir = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/phaseout-capture-XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    return invalidArgument(for_path + ": cannot create a temporary file in " + tmpl + ": " +
                           errnoText());
  }
  ::unlink(name.data());
  return fd;
}

bool writeAll(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Copies a stream (pipe, terminal) to `out_fd`.
Status copyStream(int in_fd, int out_fd, const std::string& path) {
  std::vector<char> buf(kCopyBufferBytes);
  for (;;) {
    const ssize_t r = ::read(in_fd, buf.data(), buf.size());
    if (r < 0) {
      if (errno == EINTR) continue;
      return invalidArgument(path + ": read failed: " + errnoText());
    }
    if (r == 0) return Status::ok();
    if (!writeAll(out_fd, buf.data(), static_cast<std::size_t>(r))) {
      return invalidArgument(path + ": cannot write the temporary copy: " + errnoText());
    }
  }
}

// Inflates gzip data from `in_fd` into `out_fd`. A damaged or cut-short stream keeps what was
// inflated so far and says so in `note`, so a truncated .pcap.gz still yields its packets.
Status inflateStream(int in_fd, int out_fd, const std::string& path, std::string& note) {
  gzFile gz = ::gzdopen(::dup(in_fd), "rb");
  if (gz == nullptr) return invalidArgument(path + ": cannot start gzip decoding");
  ::gzbuffer(gz, 256 * 1024);
  std::vector<char> buf(kCopyBufferBytes);
  std::uint64_t total = 0;
  Status status;
  for (;;) {
    const int r = ::gzread(gz, buf.data(), static_cast<unsigned>(buf.size()));
    if (r < 0) {
      int code = 0;
      const char* msg = ::gzerror(gz, &code);
      note = "gzip data is damaged after " + std::to_string(total) + " inflated bytes (" +
             (msg != nullptr ? msg : "unknown error") + "); reading what was recovered";
      break;
    }
    if (r == 0) {
      int code = 0;
      ::gzerror(gz, &code);
      if (code == Z_BUF_ERROR) {
        note = "gzip data ends early after " + std::to_string(total) +
               " inflated bytes; reading what was recovered";
      }
      break;
    }
    if (!writeAll(out_fd, buf.data(), static_cast<std::size_t>(r))) {
      status = invalidArgument(path + ": cannot write the inflated copy: " + errnoText());
      break;
    }
    total += static_cast<std::uint64_t>(r);
  }
  ::gzclose(gz);
  return status;
}

}  // namespace

MappedFile::MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    reset();
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
    released_ = std::exchange(other.released_, 0);
    inflated_ = std::exchange(other.inflated_, false);
    note_ = std::move(other.note_);
  }
  return *this;
}

MappedFile::~MappedFile() { reset(); }

void MappedFile::reset() {
  if (base_ != nullptr) ::munmap(base_, size_);
  base_ = nullptr;
  size_ = 0;
}

Result<MappedFile> MappedFile::open(const std::string& path) {
  const bool is_stdin = path == "-";
  Fd source(is_stdin ? ::dup(STDIN_FILENO) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (source.get() < 0) return invalidArgument(path + ": cannot open: " + errnoText());
  struct stat st {};
  if (::fstat(source.get(), &st) != 0)
    return invalidArgument(path + ": cannot stat: " + errnoText());
  if (S_ISDIR(st.st_mode)) return invalidArgument(path + ": is a directory, not a capture file");

  MappedFile file;
  Fd mapped_fd(-1);
  const bool regular = S_ISREG(st.st_mode);
  std::uint8_t magic[2] = {0, 0};
  const bool gzip = regular && ::pread(source.get(), magic, 2, 0) == 2 && magic[0] == kGzipId1 &&
                    magic[1] == kGzipId2;
  if (regular && !gzip) {
    mapped_fd.reset(source.release());
  } else {
    PH_ASSIGN_OR_RETURN(const int temp_fd, makeTempFile(path));
    mapped_fd.reset(temp_fd);
    if (!regular) {
      PH_RETURN_IF_ERROR(copyStream(source.get(), mapped_fd.get(), path));
      // A piped input may itself be gzip: inflate the copy into a second temporary file.
      if (::pread(mapped_fd.get(), magic, 2, 0) == 2 && magic[0] == kGzipId1 &&
          magic[1] == kGzipId2) {
        PH_ASSIGN_OR_RETURN(const int inflated_fd, makeTempFile(path));
        Fd inflated(inflated_fd);
        ::lseek(mapped_fd.get(), 0, SEEK_SET);
        PH_RETURN_IF_ERROR(inflateStream(mapped_fd.get(), inflated.get(), path, file.note_));
        mapped_fd.reset(inflated.release());
        file.inflated_ = true;
      }
    } else {
      PH_RETURN_IF_ERROR(inflateStream(source.get(), mapped_fd.get(), path, file.note_));
      file.inflated_ = true;
    }
    if (::fstat(mapped_fd.get(), &st) != 0) {
      return invalidArgument(path + ": cannot stat the temporary copy: " + errnoText());
    }
  }
  if (st.st_size <= 0) {
    return invalidArgument(path + (file.inflated_ ? ": inflates to nothing" : ": is empty"));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, mapped_fd.get(), 0);
  if (base == MAP_FAILED) return invalidArgument(path + ": cannot map: " + errnoText());
  // The mapping keeps the file alive; the descriptor closes with `mapped_fd`.
  ::madvise(base, size, MADV_SEQUENTIAL);
  file.base_ = base;
  file.size_ = size;
  return file;
}

void MappedFile::releaseBefore(std::uint64_t offset) {
  if (base_ == nullptr || offset < released_ + kReleaseChunkBytes) return;
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t end = (offset / page) * page;
  if (end <= released_) return;
  // For a read-only private file mapping MADV_DONTNEED only unmaps the pages from this
  // process; touching them again reloads them from the page cache, so it is always safe.
  ::madvise(static_cast<std::uint8_t*>(base_) + released_, end - released_, MADV_DONTNEED);
  released_ = end;
}

}  // namespace phaseout::capture

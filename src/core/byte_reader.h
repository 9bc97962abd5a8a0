// ByteReader: the one bounds-checked cursor every parser in phaseout reads bytes through.
//
// It never throws and never reads out of bounds. A read past the end returns 0 / an empty span
// and latches the reader into the failed state (ok() == false), so a parser can read a whole
// header and check once. Not thread-safe; cheap to copy (a span and an offset).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace phaseout {

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}

  bool ok() const { return ok_; }
  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return ok_ ? data_.size() - offset_ : 0; }
  std::size_t size() const { return data_.size(); }
  bool empty() const { return remaining() == 0; }
  bool has(std::size_t n) const { return ok_ && n <= data_.size() - offset_; }
  std::span<const std::uint8_t> data() const { return data_; }
  // The bytes not yet consumed.
  std::span<const std::uint8_t> rest() const {
    return ok_ ? data_.subspan(offset_) : std::span<const std::uint8_t>();
  }

  std::uint8_t u8() {
    if (!has(1)) return fail();
    return data_[offset_++];
  }
  std::uint16_t u16be() {
    if (!has(2)) return fail();
    const std::uint16_t v = static_cast<std::uint16_t>((data_[offset_] << 8) | data_[offset_ + 1]);
    offset_ += 2;
    return v;
  }
  std::uint16_t u16le() {
    if (!has(2)) return fail();
    const std::uint16_t v = static_cast<std::uint16_t>(data_[offset_] | (data_[offset_ + 1] << 8));
    offset_ += 2;
    return v;
  }
  std::uint32_t u24be() {
    if (!has(3)) return fail();
    const std::uint32_t v = (std::uint32_t{data_[offset_]} << 16) |
                            (std::uint32_t{data_[offset_ + 1]} << 8) | data_[offset_ + 2];
    offset_ += 3;
    return v;
  }
  std::uint32_t u32be() {
    if (!has(4)) return fail();
    const std::uint32_t v = (std::uint32_t{data_[offset_]} << 24) |
                            (std::uint32_t{data_[offset_ + 1]} << 16) |
                            (std::uint32_t{data_[offset_ + 2]} << 8) | data_[offset_ + 3];
    offset_ += 4;
    return v;
  }
  std::uint32_t u32le() {
    if (!has(4)) return fail();
    const std::uint32_t v = std::uint32_t{data_[offset_]} | (std::uint32_t{data_[offset_ + 1]} << 8) |
                            (std::uint32_t{data_[offset_ + 2]} << 16) |
                            (std::uint32_t{data_[offset_ + 3]} << 24);
    offset_ += 4;
    return v;
  }
  std::uint64_t u64be() {
    const std::uint64_t hi = u32be();
    const std::uint64_t lo = u32be();
    return (hi << 32) | lo;
  }
  std::uint64_t u64le() {
    const std::uint64_t lo = u32le();
    const std::uint64_t hi = u32le();
    return (hi << 32) | lo;
  }
  // Next n bytes, or an empty span (and failed state) when fewer remain.
  std::span<const std::uint8_t> bytes(std::size_t n) {
    if (!has(n)) {
      fail();
      return {};
    }
    auto out = data_.subspan(offset_, n);
    offset_ += n;
    return out;
  }
  std::string_view chars(std::size_t n) {
    auto b = bytes(n);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }
  bool skip(std::size_t n) {
    if (!has(n)) {
      fail();
      return false;
    }
    offset_ += n;
    return true;
  }
  // Moves to an absolute offset within the data (used for DNS compression pointers).
  bool seek(std::size_t offset) {
    if (!ok_ || offset > data_.size()) {
      fail();
      return false;
    }
    offset_ = offset;
    return true;
  }
  // A reader over the next n bytes; this reader advances past them.
  ByteReader sub(std::size_t n) {
    // Read first: the sub-reader must inherit the state *after* the bounds check.
    auto b = bytes(n);
    return ByteReader(b, ok_);
  }

 private:
  ByteReader(std::span<const std::uint8_t> data, bool ok) : data_(data), ok_(ok) {}
  std::uint8_t fail() {
    ok_ = false;
    return 0;
  }

  std::span<const std::uint8_t> data_;
  std::size_t offset_ = 0;
  bool ok_ = true;
};

}  // namespace phaseout

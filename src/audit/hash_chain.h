// The tamper-evident audit chain: every recorded change is an Event whose hash covers the
// previous event's hash and a canonical encoding of its own fields, so altering, inserting or
// deleting any stored event breaks the chain from that point on.
//
// hash = SHA-256( prev_hash_hex || canonicalEncoding(event) ), hex-encoded; the first event's
// prev_hash is kGenesisHash. The canonical encoding is length-prefixed and therefore
// unambiguous: "<len>:<bytes>;" for each field in the order seq, effective_day, recorded_ms,
// actor, kind, subject, payload (integers in decimal).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace phaseout::audit {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct Event {
  std::int64_t seq = 0;            // 1, 2, 3, ... without gaps
  std::int32_t effective_day = 0;  // days since 1970-01-01 when the change takes effect
  std::int64_t recorded_ms = 0;    // when it was recorded (epoch ms)
  std::string actor;
  std::string kind;     // e.g. "import.devices", "disposition", "waiver.grant"
  std::string subject;  // the id the event is about, or a file name
  std::string payload;  // canonical JSON
  std::string prev_hash;
  std::string hash;
};

std::string canonicalEncoding(const Event& event);
std::string chainHash(std::string_view prev_hash, const Event& event);

// Streaming SHA-256 (OpenSSL) for digests over many rows or a file.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  // Starts over, as if newly constructed (reuses the context).
  void reset();
  // Length-prefixed update, so consecutive fields cannot run into each other.
  void updateField(std::string_view bytes);
  std::string finalHex();

 private:
  void* ctx_;
};

std::string sha256Hex(std::string_view bytes);

// An order-independent digest of a set of rows: the sum, modulo 2^256, of each row's SHA-256
// (an additive multiset hash). An event stores the digest of the rows it wrote; recomputing it
// from the stored rows detects a row altered, added or removed behind the event's back.
class RowSetDigest {
 public:
  void add(std::string_view canonical_row);
  std::string hex() const;
  std::size_t rows() const { return rows_; }

 private:
  unsigned char sum_[32] = {};
  std::size_t rows_ = 0;
};

struct ChainCheck {
  std::int64_t checked = 0;
  std::optional<std::int64_t> first_broken_seq;
  std::string problem;  // what is wrong with the first broken entry
  bool ok() const { return !first_broken_seq.has_value(); }
};

// Incremental verifier: feed events in seq order; stops judging after the first break.
class ChainVerifier {
 public:
  void add(const Event& event);
  const ChainCheck& result() const { return check_; }

 private:
  std::string last_hash_ = std::string(kGenesisHash);
  std::int64_t expected_seq_ = 1;
  ChainCheck check_;
};

}  // namespace phaseout::audit

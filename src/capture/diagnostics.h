// Diagnostics: what a capture reader noticed about the file itself — warnings that a human
// should see (with the byte offset and frame number where it happened) and anomaly counts.
//
// Every warning also bumps the anomaly counter named after it. Only the first kMaxKeptWarnings
// warnings are kept verbatim; the rest are counted. Not thread-safe (one per reader).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/anomaly_counters.h"

namespace phaseout::capture {

struct CaptureWarning {
  std::uint64_t byte_offset = 0;  // where in the (decompressed) file the problem starts
  std::uint64_t frame = 0;        // the frame being read when it happened (0: file header)
  std::string anomaly;            // counter name, e.g. "pcap.truncated_record"
  std::string message;            // one human sentence
};

class Diagnostics {
 public:
  static constexpr std::size_t kMaxKeptWarnings = 100;

  void warn(std::uint64_t byte_offset, std::uint64_t frame, std::string_view anomaly,
            std::string message) {
    anomalies_.bump(anomaly);
    ++warning_count_;
    if (warnings_.size() < kMaxKeptWarnings) {
      warnings_.push_back({byte_offset, frame, std::string(anomaly), std::move(message)});
    }
  }
  // Counted, not shown: expected oddities that may repeat on every packet.
  void count(std::string_view anomaly) { anomalies_.bump(anomaly); }

  const std::vector<CaptureWarning>& warnings() const { return warnings_; }
  std::uint64_t warningCount() const { return warning_count_; }
  const AnomalyCounters& anomalies() const { return anomalies_; }

 private:
  std::vector<CaptureWarning> warnings_;
  std::uint64_t warning_count_ = 0;
  AnomalyCounters anomalies_;
};

}  // namespace phaseout::capture

// Observe and sense: the packet-path use cases. Capture files or a live interface are read,
// decoded and dissected; every observation is streamed to the caller's sink as it is made, so
// memory stays flat however big the input.
//
// Nothing here prints. The caller (CLI, server) formats observations, warnings and progress
// through the sink and the listener. Not thread-safe: one call at a time per sink/listener.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/anomaly_counters.h"
#include "core/status.h"
#include "dissect/registry.h"
#include "service/caller.h"
#include "service/inputs.h"

namespace phaseout::service {

struct ObserveStats {
  std::uint64_t files = 0;             // files that yielded their contents (fully or in part)
  std::uint64_t unreadable_files = 0;  // files of which nothing could be read
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;  // captured bytes of those packets
  std::uint64_t observations = 0;
  std::uint64_t warnings = 0;         // damage found inside files (see ObserveListener)
  std::uint64_t dropped = 0;          // live only: packets the kernel dropped
  AnomalyCounters anomalies;          // capture, decode and dissect counters, merged
  std::vector<SkippedInput> skipped;  // inputs a keep_going run could not read and skipped
};

// Damage inside a capture file: where reading stopped, or what was skipped.
struct CaptureProblem {
  std::string file;
  std::uint64_t byte_offset = 0;  // in the file (in the inflated data for gzip input)
  std::uint64_t frame = 0;        // frame being read (0: before the first frame)
  std::string message;
};

class ObserveListener {
 public:
  virtual ~ObserveListener() = default;
  // Reading of `file` begins (it opened and is a capture); its observations follow.
  virtual void onFileStart(const std::string& /*file*/) {}
  // A file of which nothing could be read (missing, not a capture, corrupt from the start).
  virtual void onUnreadable(const std::string& /*file*/, const Status& /*why*/) {}
  virtual void onWarning(const CaptureProblem& /*problem*/) {}
  // Periodically while reading (every few hundred thousand packets) and at the end of a file.
  virtual void onProgress(const std::string& /*file*/, std::uint64_t /*done_bytes*/,
                          std::uint64_t /*total_bytes*/) {}
  // Live capture: the interface is open and capturing (packets sent from now on are seen).
  virtual void onLiveStarted(const std::string& /*interface*/, std::uint32_t /*link_type*/) {}
  // Live capture: a batch of packets was handled, or a poll found none (at least every 100 ms
  // while capturing): a good moment to flush output or act on a timer.
  virtual void onBatchDone() {}
};

// Forwards every event to another listener: derive from it and override what you watch.
class ForwardingListener : public ObserveListener {
 public:
  explicit ForwardingListener(ObserveListener& inner) : inner_(inner) {}
  void onFileStart(const std::string& file) override { inner_.onFileStart(file); }
  void onUnreadable(const std::string& file, const Status& why) override {
    inner_.onUnreadable(file, why);
  }
  void onWarning(const CaptureProblem& problem) override { inner_.onWarning(problem); }
  void onProgress(const std::string& file, std::uint64_t done_bytes,
                  std::uint64_t total_bytes) override {
    inner_.onProgress(file, done_bytes, total_bytes);
  }
  void onLiveStarted(const std::string& interface, std::uint32_t link_type) override {
    inner_.onLiveStarted(interface, link_type);
  }
  void onBatchDone() override { inner_.onBatchDone(); }

 private:
  ObserveListener& inner_;
};

// Reads the files in order ("-" is standard input; gzip is inflated) and sends every
// observation to `sink`, frame numbers counting from 1 in each file. A file that cannot be
// read at all is reported to the listener and skipped; damage inside a file is a warning, and
// what precedes it is still observed. Returns InvalidArgument only when nothing at all could be
// read from any file; stats are filled in either way.
Status observeFiles(const std::vector<std::string>& paths, dissect::ObservationSink& sink,
                    ObserveListener& listener, ObserveStats& stats);

struct ObserveRequest {
  std::vector<std::string> paths;  // capture files in order; "-" is standard input
  bool keep_going = false;         // skip unreadable inputs instead of failing the run
};

// The observe use case, under the rule of inputs.h. Every input is checked before anything is
// read: without keep_going one that cannot be opened fails the run before any observation is
// made. A file that opens but holds no capture shows while reading; it fails the run at the end
// (the other files' observations were streamed by then) unless keep_going. Each unreadable
// input is reported to the listener (onUnreadable); with keep_going stats.skipped lists them,
// and the run fails only when nothing could be read. Anyone may observe files.
Status observe(const Caller& caller, const ObserveRequest& request, dissect::ObservationSink& sink,
               ObserveListener& listener, ObserveStats& stats);

struct SenseOptions {
  std::string interface;
  std::string filter;             // BPF; empty: everything
  std::uint64_t max_packets = 0;  // stop after this many packets; 0: no limit
  double duration_s = 0;          // stop after this long; 0: no limit
};

// Captures on a live interface until max_packets, duration_s or `stop` (checked at least every
// 100 ms; set it from a signal handler). Errors: NotFound (no such interface),
// FailedPrecondition (no permission), InvalidArgument (bad filter), Unavailable (the capture
// failed, e.g. the interface went away).
Status senseInterface(const SenseOptions& options, dissect::ObservationSink& sink,
                      ObserveListener& listener, ObserveStats& stats,
                      const std::atomic<bool>& stop);
// The sense use case: senseInterface for a caller (the capture rights are the process's).
Status sense(const Caller& caller, const SenseOptions& options, dissect::ObservationSink& sink,
             ObserveListener& listener, ObserveStats& stats, const std::atomic<bool>& stop);

}  // namespace phaseout::service

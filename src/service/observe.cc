#include "service/observe.h"

#include <chrono>

#include "capture/capture_reader.h"
#include "capture/live_capture.h"
#include "decode/decoder.h"

namespace phaseout::service {
namespace {

constexpr std::uint64_t kProgressEveryPackets = 1 << 18;
constexpr int kLivePollMs = 100;
constexpr std::size_t kLiveBatchFrames = 4096;

// Counts what passes through to the caller's sink.
class CountingSink : public dissect::ObservationSink {
 public:
  CountingSink(dissect::ObservationSink& inner, std::uint64_t& count)
      : inner_(inner), count_(count) {}
  void onObservation(const dissect::Observation& observation) override {
    ++count_;
    inner_.onObservation(observation);
  }

 private:
  dissect::ObservationSink& inner_;
  std::uint64_t& count_;
};

// The per-packet work shared by files and live capture: decode, then dissect. No allocation
// on the way unless a dissector emits an observation or an anomaly is new.
class PacketPath {
 public:
  PacketPath(dissect::ObservationSink& sink, ObserveStats& stats)
      : sink_(sink, stats.observations), stats_(stats), registry_(dissect::Registry::builtin()) {}

  void handle(const capture::Frame& frame) {
    ++stats_.packets;
    stats_.bytes += frame.data.size();
    if (decode::decodeFrame(frame, packet_, stats_.anomalies)) {
      registry_.dissect(packet_, sink_, stats_.anomalies);
    }
  }

 private:
  CountingSink sink_;
  ObserveStats& stats_;
  const dissect::Registry& registry_;
  decode::DecodedPacket packet_;
};

void reportDiagnostics(const std::string& path, const capture::Diagnostics& diagnostics,
                       ObserveListener& listener, ObserveStats& stats) {
  for (const capture::CaptureWarning& w : diagnostics.warnings()) {
    listener.onWarning({path, w.byte_offset, w.frame, w.message});
  }
  const std::uint64_t hidden = diagnostics.warningCount() - diagnostics.warnings().size();
  if (hidden > 0) {
    listener.onWarning({path, 0, 0, std::to_string(hidden) + " more warnings not shown"});
  }
  stats.warnings += diagnostics.warningCount();
  stats.anomalies.merge(diagnostics.anomalies());
}

class LiveHandler : public capture::FrameHandler {
 public:
  explicit LiveHandler(PacketPath& path) : path_(path) {}
  void onFrame(const capture::Frame& frame) override { path_.handle(frame); }

 private:
  PacketPath& path_;
};

}  // namespace

Status observeFiles(const std::vector<std::string>& paths, dissect::ObservationSink& sink,
                    ObserveListener& listener, ObserveStats& stats) {
  PacketPath path(sink, stats);
  for (const std::string& file : paths) {
    auto reader = capture::CaptureReader::open(file);
    if (!reader.isOk()) {
      ++stats.unreadable_files;
      listener.onUnreadable(file, reader.status());
      continue;
    }
    listener.onFileStart(file);
    capture::Frame frame;
    std::uint64_t frames = 0;
    std::uint64_t next_progress = kProgressEveryPackets;
    while (reader->next(frame)) {
      path.handle(frame);
      if (++frames == next_progress) {
        next_progress += kProgressEveryPackets;
        listener.onProgress(file, reader->offset(), reader->size());
      }
    }
    listener.onProgress(file, reader->offset(), reader->size());
    reportDiagnostics(file, reader->diagnostics(), listener, stats);
    // A valid header followed by damage before the first frame: nothing could be read.
    if (frames == 0 && reader->diagnostics().warningCount() > 0) {
      ++stats.unreadable_files;
      listener.onUnreadable(file, invalidArgument(file + ": no packet could be read"));
    } else {
      ++stats.files;
    }
  }
  if (stats.files == 0 && !paths.empty()) {
    return invalidArgument(paths.size() == 1 ? "nothing could be read from " + paths.front()
                                             : "nothing could be read from any input");
  }
  return Status::ok();
}

namespace {

// Keeps the files of which nothing could be read.
class UnreadableCollector : public ForwardingListener {
 public:
  using ForwardingListener::ForwardingListener;
  void onUnreadable(const std::string& file, const Status& why) override {
    unreadable.push_back({file, why.message()});
    ForwardingListener::onUnreadable(file, why);
  }

  std::vector<SkippedInput> unreadable;
};

}  // namespace

Status observe(const Caller& /*caller*/, const ObserveRequest& request,
               dissect::ObservationSink& sink, ObserveListener& listener, ObserveStats& stats) {
  std::vector<std::string> readable;
  std::vector<SkippedInput> unreadable;
  for (const std::string& path : request.paths) {
    std::string why = unreadableReason(path, InputKind::kFile);
    if (why.empty()) {
      readable.push_back(path);
      continue;
    }
    ++stats.unreadable_files;
    listener.onUnreadable(path, invalidArgument(why));
    unreadable.push_back({path, std::move(why)});
  }
  if (!unreadable.empty() && !request.keep_going) {
    return unreadableInputs(unreadable, request.paths.size());
  }
  UnreadableCollector collecting(listener);
  Status status;
  if (!readable.empty()) status = observeFiles(readable, sink, collecting, stats);
  unreadable.insert(unreadable.end(), collecting.unreadable.begin(), collecting.unreadable.end());
  if (!unreadable.empty() && (!request.keep_going || stats.files == 0)) {
    return unreadableInputs(unreadable, request.paths.size());
  }
  if (request.keep_going) stats.skipped = std::move(unreadable);
  return status;
}

Status sense(const Caller& /*caller*/, const SenseOptions& options, dissect::ObservationSink& sink,
             ObserveListener& listener, ObserveStats& stats, const std::atomic<bool>& stop) {
  return senseInterface(options, sink, listener, stats, stop);
}

Status senseInterface(const SenseOptions& options, dissect::ObservationSink& sink,
                      ObserveListener& listener, ObserveStats& stats,
                      const std::atomic<bool>& stop) {
  capture::LiveOptions live;
  live.interface = options.interface;
  live.filter = options.filter;
  PH_ASSIGN_OR_RETURN(auto capture, capture::LiveCapture::open(live));
  listener.onLiveStarted(options.interface, capture.linkType());
  PacketPath path(sink, stats);
  LiveHandler handler(path);
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>(options.duration_s));
  Status status;
  while (!stop.load(std::memory_order_relaxed)) {
    std::size_t budget = kLiveBatchFrames;
    if (options.max_packets != 0) {
      if (stats.packets >= options.max_packets) break;
      const std::uint64_t left = options.max_packets - stats.packets;
      if (left < budget) budget = static_cast<std::size_t>(left);
    }
    int wait_ms = kLivePollMs;
    if (options.duration_s > 0) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) break;
      const auto left_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
      if (left_ms < wait_ms) wait_ms = static_cast<int>(left_ms);
    }
    auto got = capture.poll(wait_ms, handler, budget);
    if (!got.isOk()) {
      status = got.status();
      break;
    }
    listener.onBatchDone();  // after packets, or a quiet poll (kLivePollMs)
  }
  stats.dropped = capture.stats().dropped;
  listener.onBatchDone();
  return status;
}

}  // namespace phaseout::service

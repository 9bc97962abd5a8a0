// LiveCapture: packets from a network interface through libpcap (the only libpcap user in
// phaseout). Frames carry the same metadata as file frames; `number` counts from 1.
//
// The capture runs in non-blocking mode with a 100 ms read timeout: packets reach the caller at
// most ~100 ms after they arrive, and poll() waits at most the given time, so the caller can
// honour a duration, a packet count or a signal between calls. Frames handed to the
// handler are views into libpcap's buffer, valid only during the callback. Link types are the
// platform DLT values, which equal the LINKTYPE values for every link type decode understands
// (DLT_RAW 12/14 are decoded as raw IP). Move-only; not thread-safe; never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "capture/frame.h"
#include "core/status.h"

struct pcap;  // libpcap's handle (pcap_t); pcap.h stays out of this header.

namespace phaseout::capture {

struct LiveOptions {
  std::string interface;  // e.g. "eth0"; "any" gives Linux cooked frames
  std::string filter;     // BPF expression; empty captures everything
  std::uint32_t snap_length = 262144;
  bool promiscuous = true;
  std::uint32_t buffer_bytes = 32u << 20;  // kernel ring size: big enough for replay bursts
};

class FrameHandler {
 public:
  virtual ~FrameHandler() = default;
  virtual void onFrame(const Frame& frame) = 0;
};

class LiveCapture {
 public:
  // Errors: NotFound (no such interface), FailedPrecondition (no permission to capture),
  // InvalidArgument (the filter does not compile), Unavailable (any other failure).
  static Result<LiveCapture> open(const LiveOptions& options);

  LiveCapture(LiveCapture&&) noexcept;
  LiveCapture& operator=(LiveCapture&&) noexcept;
  ~LiveCapture();

  // Waits up to timeout_ms for traffic, then hands at most max_frames ready frames to
  // `handler`. Returns how many were handed over (0 on timeout or EINTR), or Unavailable when
  // the capture failed (e.g. the interface went away).
  Result<std::size_t> poll(int timeout_ms, FrameHandler& handler, std::size_t max_frames);

  struct Stats {
    std::uint64_t received = 0;    // seen by the filter
    std::uint64_t dropped = 0;     // dropped by the kernel for lack of buffer space
    std::uint64_t if_dropped = 0;  // dropped by the interface or driver
  };
  Stats stats() const;
  std::uint32_t linkType() const { return link_type_; }

 private:
  struct Closer {
    void operator()(struct ::pcap* handle) const;
  };
  LiveCapture(std::unique_ptr<struct ::pcap, Closer> handle, std::uint32_t link_type, int fd,
              bool nanosecond);

  std::unique_ptr<struct ::pcap, Closer> handle_;
  std::uint32_t link_type_ = 0;
  int fd_ = -1;
  bool nanosecond_ = false;
  std::uint64_t frame_number_ = 0;
};

}  // namespace phaseout::capture

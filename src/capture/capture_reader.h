// CaptureReader: the front door for capture files. Recognises pcap or pcapng from the first
// bytes (after inflating gzip), then hands out frames one by one, each a view into the
// memory-mapped file — no packet is copied.
//
// Usage:
//   PH_ASSIGN_OR_RETURN(auto reader, CaptureReader::open(path));
//   Frame frame;
//   while (reader.next(frame)) { ... frame.data is valid until the next call ... }
//   for (const auto& w : reader.diagnostics().warnings()) ...
//
// open() fails (InvalidArgument, message names the file) only when nothing can be read: the
// file cannot be opened, is empty, or is neither pcap nor pcapng. Damage later in the file ends
// or skips frames with a warning instead. Move-only; not thread-safe; never throws.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "capture/diagnostics.h"
#include "capture/frame.h"
#include "capture/mapped_file.h"
#include "capture/pcap_parser.h"
#include "capture/pcapng_parser.h"
#include "core/status.h"

namespace phaseout::capture {

enum class CaptureFormat : std::uint8_t { kPcap, kPcapng };

class CaptureReader {
 public:
  // Maps (or inflates, for gzip) the file; "-" reads standard input.
  static Result<CaptureReader> open(const std::string& path);
  // Reads bytes the caller keeps alive for the reader's lifetime (tests, fuzzing).
  static Result<CaptureReader> fromBytes(std::span<const std::uint8_t> bytes);

  // The next frame, or false at the end (or at damage that stops reading: see diagnostics()).
  bool next(Frame& frame) {
    file_.releaseBefore(offset());
    if (auto* pcap = std::get_if<PcapParser>(&parser_)) return pcap->next(frame, diagnostics_);
    return std::get_if<PcapngParser>(&parser_)->next(frame, diagnostics_);
  }

  CaptureFormat format() const {
    return std::holds_alternative<PcapParser>(parser_) ? CaptureFormat::kPcap
                                                       : CaptureFormat::kPcapng;
  }
  // Bytes consumed so far and the total (of the inflated data for gzip input): for progress.
  std::uint64_t offset() const {
    if (const auto* pcap = std::get_if<PcapParser>(&parser_)) return pcap->offset();
    return std::get_if<PcapngParser>(&parser_)->offset();
  }
  std::uint64_t size() const { return bytes_.size(); }
  bool inflated() const { return file_.inflated(); }
  const Diagnostics& diagnostics() const { return diagnostics_; }

 private:
  CaptureReader(MappedFile file, std::span<const std::uint8_t> bytes,
                std::variant<PcapParser, PcapngParser> parser)
      : file_(std::move(file)), bytes_(bytes), parser_(std::move(parser)) {}
  static Result<CaptureReader> make(MappedFile file, std::span<const std::uint8_t> bytes);

  MappedFile file_;
  std::span<const std::uint8_t> bytes_;
  std::variant<PcapParser, PcapngParser> parser_;
  Diagnostics diagnostics_;
};

}  // namespace phaseout::capture

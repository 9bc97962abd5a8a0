#include "capture/capture_reader.h"

namespace phaseout::capture {

Result<CaptureReader> CaptureReader::make(MappedFile file, std::span<const std::uint8_t> bytes) {
  if (PcapParser::recognises(bytes)) {
    PH_ASSIGN_OR_RETURN(auto parser, PcapParser::create(bytes));
    return CaptureReader(std::move(file), bytes, parser);
  }
  if (PcapngParser::recognises(bytes)) {
    PH_ASSIGN_OR_RETURN(auto parser, PcapngParser::create(bytes));
    return CaptureReader(std::move(file), bytes, std::move(parser));
  }
  return invalidArgument("neither a pcap nor a pcapng file");
}

Result<CaptureReader> CaptureReader::open(const std::string& path) {
  PH_ASSIGN_OR_RETURN(auto file, MappedFile::open(path));
  // The mapping does not move when `file` is moved, so the span stays valid.
  const auto bytes = file.bytes();
  const std::string note = file.note();
  auto reader = make(std::move(file), bytes);
  if (!reader.isOk()) return invalidArgument(path + ": " + reader.status().message());
  if (!note.empty()) reader->diagnostics_.warn(0, 0, "gzip.damaged", note);
  return reader;
}

Result<CaptureReader> CaptureReader::fromBytes(std::span<const std::uint8_t> bytes) {
  return make(MappedFile(), bytes);
}

}  // namespace phaseout::capture

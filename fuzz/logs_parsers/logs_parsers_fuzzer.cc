// Feeds arbitrary text to the log readers as if it were a file: the first byte chooses the
// reader (Zeek log with each type hint, Suricata eve.json, or a web access log), the rest is
// the file's text, split into lines as readLines() does. Then the ledger is scored. Nothing
// may crash, hang or read out of bounds; every bad line is only counted.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "detect/ledger.h"
#include "logs/access_log.h"
#include "logs/eve_log.h"
#include "logs/log_parser.h"
#include "logs/zeek_log.h"

namespace {
constexpr std::size_t kMaxInputBytes = std::size_t{256} * 1024;

const std::shared_ptr<const phaseout::detect::SignatureSet>& signatures() {
  static const auto set = phaseout::detect::SignatureSet::loadBuiltin().value();
  return set;
}
}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name is libFuzzer's entry point.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phaseout;
  if (size < 1 || size > kMaxInputBytes) return 0;
  const std::uint8_t selector = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  detect::Ledger ledger(signatures(), nullptr);
  const std::uint32_t source = ledger.addSource("fuzz");
  logs::LogStats stats;
  switch (selector % 9) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6: {
      logs::ZeekLogParser parser(ledger, source, "fuzz.log", nullptr, stats,
                                 static_cast<logs::ZeekLogType>(selector % 9));
      logs::parseLines(text, parser, stats);
      break;
    }
    case 7: {
      logs::EveParser parser(ledger, source, "eve.json", nullptr, stats);
      logs::parseLines(text, parser, stats);
      break;
    }
    default: {
      logs::AccessLogParser parser(ledger, source, "access.log", nullptr, stats,
                                   selector & 0x10 ? "mail.example" : "access",
                                   (selector & 0x10) == 0);
      logs::parseLines(text, parser, stats);
      break;
    }
  }
  (void)ledger.finish();
  return 0;
}

// Feeds arbitrary bytes through the shipped signatures and an evidence ledger: the input is
// cut into records "<kind byte><mac byte><ip byte><value>\n"; each becomes observe()/
// noteHostname()/noteIdentifier()/bindAddress() on a small space of devices (so records
// collide, link and split), then finish() scores everything. Nothing may crash or hang, and
// every posterior must be a distribution.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "detect/ledger.h"

namespace {
constexpr std::size_t kMaxInputBytes = std::size_t{256} * 1024;

const std::shared_ptr<const phaseout::detect::SignatureSet>& signatures() {
  static const auto set = phaseout::detect::SignatureSet::loadBuiltin().value();
  return set;
}
}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name is libFuzzer's entry point.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phaseout::detect;
  if (size > kMaxInputBytes) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Ledger ledger(signatures(), nullptr);
  std::uint64_t line = 0;
  while (!in.empty()) {
    const std::size_t nl = in.find('\n');
    std::string_view record = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    ++line;
    if (record.size() < 3) continue;
    const auto kind = static_cast<std::uint8_t>(record[0]);
    const auto m = static_cast<std::uint8_t>(record[1]);
    const auto a = static_cast<std::uint8_t>(record[2]);
    const std::string_view value = record.substr(3);
    DeviceKey key;
    if (m & 0x80) {
      phaseout::decode::MacAddress mac;
      mac.bytes = {static_cast<std::uint8_t>(m & 0x03), 0x11, 0x22, 0x33, 0x44,
                   static_cast<std::uint8_t>(m & 0x0f)};
      key.mac = mac;
    }
    if (a & 0x80) {
      key.ip.family = 4;
      key.ip.bytes[0] = 10;
      key.ip.bytes[3] = static_cast<std::uint8_t>(a & 0x1f);
    }
    const Where where{0, line, 0};
    switch (kind % 20) {
      case 16:
        ledger.noteHostname(key, value, where);
        break;
      case 17:
        ledger.noteIdentifier(key, static_cast<IdentifierKind>(kind % 4), value);
        break;
      case 18:
        if (key.mac) ledger.bindAddress(*key.mac, key.ip);
        break;
      case 19:
        ledger.add(key, static_cast<SignatureId>(a) * 3, value, where);
        break;
      default:
        ledger.observe(key, static_cast<SignalKind>(kind % kSignalKindCount), value, where);
    }
  }
  for (const auto& d : ledger.finish()) {
    double sum = 0;
    for (double p : d.verdict.posterior) {
      if (!(p >= 0 && p <= 1)) std::abort();
      sum += p;
    }
    if (std::fabs(sum - 1.0) > 1e-6) std::abort();
  }
  return 0;
}

// Feeds arbitrary bytes as one signature file (beside the shipped ones) to the loader: it must
// return a Status or a set, never crash, hang or let a yaml-cpp exception escape. A set that
// loads is exercised: every signal matched against its own patterns and a UA classified.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "detect/signature_set.h"

namespace {
// Real signature files are a few tens of KiB; larger inputs only slow yaml-cpp down.
constexpr std::size_t kMaxInputBytes = std::size_t{64} * 1024;

const std::vector<phaseout::detect::SignatureSet::SourceText>& shippedModel() {
  static const auto files = [] {
    // The groups of data/signatures/model.yaml, so shipped files seed the corpus as they are.
    std::vector<phaseout::detect::SignatureSet::SourceText> out;
    out.push_back(
        {"model.yaml",
         "schema: 1\nversion: f\ngroups: [{id: device_name}, {id: hardware_model}, "
         "{id: dhcp_client}, {id: dhcpv6_client}, {id: mdns_services}, "
         "{id: captive_probe}, {id: ua_browser}, {id: ua_app}, {id: destinations}, "
         "{id: tls_stack}, {id: tcp_stack}, {id: mac_address}]\nmodel:\n  priors: {ios: 0.1, "
         "ipados: 0.1, macos: 0.1, watchos: 0.05, android: 0.1, harmonyos: 0.05, "
         "harmonyos-next: 0.05, aurora: 0.05, sailfish: 0.05, kaios: 0.05, windows: "
         "0.1, linux: 0.1, other: 0.1}\n"});
    return out;
  }();
  return files;
}
}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name is libFuzzer's entry point.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInputBytes) return 0;
  auto files = shippedModel();
  files.push_back({"fuzz.yaml", std::string(reinterpret_cast<const char*>(data), size)});
  auto set = phaseout::detect::SignatureSet::fromTexts(files);
  if (!set.isOk()) return 0;
  const auto& s = **set;
  std::vector<phaseout::detect::SignatureId> ids;
  for (std::size_t i = 0; i < s.size(); ++i) {
    for (const auto& p : s.signature(i).patterns) {
      ids.clear();
      s.match(s.signature(i).signal, p, ids);
    }
  }
  (void)s.classifyUserAgent(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}

// Feeds arbitrary bytes to parseDirective: it must return a Status or a Directive, never crash,
// hang or let a yaml-cpp exception escape. A parsed directive is also described and evaluated
// over a tiny inventory, so whatever the parser accepts is something the evaluator can take.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "inventory/model.h"
#include "policy/directive.h"
#include "policy/evaluator.h"
#include "policy/summary.h"

namespace {
// Real directives are a few KiB; larger inputs only slow the fuzzer down inside yaml-cpp.
constexpr std::size_t kMaxInputBytes = std::size_t{64} * 1024;
}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name is libFuzzer's entry point.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInputBytes) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = phaseout::policy::parseDirective(text, "fuzz.yaml");
  if (!parsed.isOk()) return 0;
  const phaseout::policy::Directive& d = *parsed;
  for (const auto& rule : d.ban) (void)phaseout::policy::describeRule(rule);

  std::vector<phaseout::inventory::Person> people(1);
  people[0].person_id = "P-1";
  people[0].unit = d.scope.units.empty() ? "pa" : d.scope.units.front();
  std::vector<phaseout::inventory::Device> devices(2);
  devices[0].device_id = "D-1";
  devices[0].holder = "P-1";
  devices[0].platform = phaseout::platform::Platform::kIos;
  devices[0].kind = phaseout::platform::Kind::kPhone;
  devices[0].vendor = "apple";
  devices[0].model = "iPhone 13 Pro";
  devices[1].device_id = "D-2";
  devices[1].holder = "P-1";
  const auto ev = phaseout::policy::evaluate(d, people, devices, d.issued);
  (void)phaseout::policy::summarize(d, ev);
  return 0;
}

#include "campaign/record.h"

#include <algorithm>

#include "core/strings.h"
#include "policy/evaluator.h"

namespace phaseout::campaign {

std::string_view name(Disposition d) {
  switch (d) {
    case Disposition::kReturned:
      return "returned";
    case Disposition::kDestroyed:
      return "destroyed";
    case Disposition::kTransferred:
      return "transferred";
    case Disposition::kLost:
      return "lost";
  }
  return "returned";
}

std::optional<Disposition> parseDisposition(std::string_view text) {
  for (Disposition d : {Disposition::kReturned, Disposition::kDestroyed, Disposition::kTransferred,
                        Disposition::kLost}) {
    if (iequals(name(d), text)) return d;
  }
  return std::nullopt;
}

platform::DeviceState stateFor(Disposition d) {
  switch (d) {
    case Disposition::kReturned:
      return platform::DeviceState::kReturned;
    case Disposition::kDestroyed:
      return platform::DeviceState::kDestroyed;
    case Disposition::kTransferred:
      return platform::DeviceState::kTransferred;
    case Disposition::kLost:
      return platform::DeviceState::kLost;
  }
  return platform::DeviceState::kReturned;
}

Result<inventory::Device> dispose(const inventory::Device& current, Disposition disposition,
                                  std::string_view to, Date on) {
  if (current.state != platform::DeviceState::kActive) {
    return failedPrecondition("device " + current.device_id + " is not active on " + on.toString() +
                              " (state " + std::string(platform::name(current.state)) +
                              "); a disposition applies to an active device");
  }
  if (disposition == Disposition::kTransferred && trim(to).empty()) {
    return invalidField("to", "a transfer names its recipient (e.g. \"family member\")");
  }
  inventory::Device next = current;
  next.state = stateFor(disposition);
  return next;
}

Status checkReplacement(const policy::Directive& d, const inventory::Device& replacement) {
  std::vector<std::string> reasons;
  const auto& allowed = d.allowed_platforms;
  if (!allowed.empty() &&
      std::find(allowed.begin(), allowed.end(), replacement.platform) == allowed.end()) {
    std::vector<std::string> names;
    for (auto p : allowed) names.emplace_back(platform::name(p));
    reasons.push_back("platform " + std::string(platform::name(replacement.platform)) +
                      " is not on the allow list of " + d.id + " (" + join(names, ", ") + ")");
  }
  if (d.replacement && !d.replacement->channels.empty()) {
    const auto& channels = d.replacement->channels;
    if (std::find(channels.begin(), channels.end(), replacement.channel) == channels.end()) {
      std::vector<std::string> names;
      for (auto c : channels) names.emplace_back(platform::name(c));
      reasons.push_back("channel " + std::string(platform::name(replacement.channel)) +
                        " is not allowed by " + d.id + " (replacements must come through " +
                        join(names, ", ") + ")");
    }
  }
  // A replacement must itself not be banned.
  for (std::size_t i = 0; i < d.ban.size(); ++i) {
    if (policy::matchRule(d.ban[i], replacement) == policy::RuleMatch::kYes) {
      reasons.push_back("it is banned by rule " + std::to_string(i + 1) + " of " + d.id);
      break;
    }
  }
  if (reasons.empty()) return Status::ok();
  return failedPrecondition("replacement refused: " + join(reasons, "; "));
}

}  // namespace phaseout::campaign

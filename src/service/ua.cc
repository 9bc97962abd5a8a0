#include "service/ua.h"

#include <fstream>

#include "service/inputs.h"

namespace phaseout::service {
namespace {

// Longer lines are classified on their first bytes only (the matcher's scan limit).
constexpr std::size_t kMaxLineBytes = 64 * 1024;

void classifyStream(const detect::SignatureSet& set, std::istream& in, UaSink& sink) {
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > kMaxLineBytes) line.resize(kMaxLineBytes);
    sink.onUserAgent(line, set.classifyUserAgent(line), set);
  }
}

}  // namespace

UaAlone judgeUserAgentAlone(const detect::SignatureSet& set,
                            const detect::SignatureSet::UaMatch& match) {
  UaAlone out;
  if (!match.rule) return out;
  std::vector<detect::SignatureId> ids{*match.rule};
  if (match.embedded_rule) ids.push_back(*match.embedded_rule);
  const detect::Verdict v = detect::score(set, ids);
  out.confidence = v.posterior[detect::platformIndex(match.platform)];
  if (v.best == match.platform) out.level = v.level;
  return out;
}

Status classifyUserAgents(const Caller& /*caller*/, const UaRequest& request,
                          std::istream& standard_input, UaSink& sink) {
  PH_ASSIGN_OR_RETURN(auto set, detect::SignatureSet::load(request.signatures_dir));
  if (request.files.empty()) {
    classifyStream(*set, standard_input, sink);
    return Status::ok();
  }
  std::vector<SkippedInput> unreadable;
  for (const std::string& file : request.files) {
    if (file == "-") {
      classifyStream(*set, standard_input, sink);
      continue;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      Status why = invalidArgument(file + ": cannot be read");
      sink.onUnreadable(file, why);
      unreadable.push_back({file, why.message()});
      continue;
    }
    classifyStream(*set, in, sink);
  }
  return unreadableInputs(unreadable, request.files.size());
}

}  // namespace phaseout::service

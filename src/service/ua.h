// The User-Agent classification use case (`phaseout ua`): lines in, detect's UA rules applied,
// each result handed to the caller's sink as it is made (memory stays flat however many lines).
#pragma once

#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "detect/scoring.h"
#include "detect/signature_set.h"
#include "service/caller.h"

namespace phaseout::service {

struct UaRequest {
  std::vector<std::string> files;  // one User-Agent per line; none or "-": standard input
  std::string signatures_dir;      // "" = the built-in set
};

class UaSink {
 public:
  virtual ~UaSink() = default;
  // One input line (without its line end; longer lines are cut to the matcher's scan limit).
  virtual void onUserAgent(std::string_view ua, const detect::SignatureSet::UaMatch& match,
                           const detect::SignatureSet& signatures) = 0;
  // A file that cannot be read; the others are still read.
  virtual void onUnreadable(const std::string& /*file*/, const Status& /*why*/) {}
};

// What a User-Agent alone proves of a device: detect's verdict on this one piece of evidence
// (with the rule of an embedded UA, when there is one). One group: never confirmed.
struct UaAlone {
  double confidence = 0;                          // posterior of the platform the UA names
  detect::Level level = detect::Level::kUnknown;  // of that platform (unknown if not the best)
};
UaAlone judgeUserAgentAlone(const detect::SignatureSet& set,
                            const detect::SignatureSet::UaMatch& match);

// Classifies every line of every file in order. The signatures' errors come first (nothing is
// read); a file that cannot be read is reported to the sink, the others are read, and the
// call then returns InvalidArgument naming each such file.
Status classifyUserAgents(const Caller& caller, const UaRequest& request,
                          std::istream& standard_input, UaSink& sink);

}  // namespace phaseout::service

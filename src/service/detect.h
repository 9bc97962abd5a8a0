// Detect: the platform-verdict use case over capture files. Each file runs through observe's
// packet path (observe.h) into one evidence ledger (detect/ledger.h), which is then folded
// into devices and scored.
//
// Nothing here prints or reads the environment: the caller resolves where signatures and the
// OUI registry come from (the CLI: flags, then environment, then defaults). Not thread-safe:
// one call at a time per listener.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "detect/ledger.h"
#include "detect/oui_registry.h"
#include "detect/signature_set.h"
#include "service/observe.h"

namespace phaseout::service {

struct DetectSetup {
  std::shared_ptr<const detect::SignatureSet> signatures;
  detect::OuiRegistry oui;  // empty when no registry is available
  std::string oui_problem;  // why the registry is empty, "" when it loaded
};

// Loads the signatures (`signatures_dir`, or the embedded copies when empty) and the IEEE
// registry (`oui_path`; when empty, no registry and `oui_problem` says so). A bad signature
// file or an unreadable registry named explicitly is InvalidArgument.
Result<DetectSetup> loadDetectSetup(const std::string& signatures_dir, const std::string& oui_path);

struct DetectReport {
  std::vector<detect::DeviceVerdict> devices;
  std::vector<std::string> sources;  // file names, indexed by Where::source
  ObserveStats observe;
  detect::LedgerStats ledger;
};

// Reads the files in order (as observeFiles does: "-" is standard input, gzip is inflated,
// damage is a warning) and returns a verdict for every device that showed evidence.
// InvalidArgument only when nothing could be read from any file; the report is filled either way.
Status detectFiles(const std::vector<std::string>& paths, const DetectSetup& setup,
                   ObserveListener& listener, DetectReport& report);

}  // namespace phaseout::service

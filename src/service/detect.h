// Detect: the platform-verdict use case over capture files and logs. Each capture runs
// through observe's packet path (observe.h), each log through its reader (logs/), into one
// evidence ledger (detect/ledger.h), which is then folded into devices and scored.
//
// Nothing here prints or reads the environment: the caller resolves where signatures and the
// OUI registry come from (the CLI: flags, then environment, then defaults). Not thread-safe:
// one call at a time per listener.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "detect/ledger.h"
#include "detect/oui_registry.h"
#include "detect/signature_set.h"
#include "logs/log_parser.h"
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
  // The signature set the verdicts' SignatureIds refer to (after any reload); name evidence
  // through it, not through the set the run started with.
  std::shared_ptr<const detect::SignatureSet> signatures;
  std::vector<detect::DeviceVerdict> devices;
  std::vector<std::string> sources;  // file names, indexed by Where::source
  ObserveStats observe;
  logs::LogStats logs;
  detect::LedgerStats ledger;
};

struct AccessLogInput {
  std::string service;  // "" -> the file name without directories and ".log"
  std::string path;
};

// Everything one detect run reads, in this order: captures, Zeek logs, eve.json files,
// access logs (a later source's evidence of a device joins an earlier one's).
struct DetectInputs {
  std::vector<std::string> captures;
  // Directories (every *.log and *.log.gz in them, sorted by name; logs of kinds detect does
  // not read are skipped quietly) or single Zeek log files.
  std::vector<std::string> zeek;
  std::vector<std::string> eve_files;
  std::vector<AccessLogInput> access_logs;
  bool empty() const {
    return captures.empty() && zeek.empty() && eve_files.empty() && access_logs.empty();
  }
};

// Reads every input into one ledger and returns a verdict for every device that showed
// evidence. Damage inside a capture or a log is a warning (`listener`, `log_listener`); a log
// file or Zeek directory that cannot be read at all is InvalidArgument naming it, as is a run
// where nothing could be read from any capture and no log was given. The report is filled
// either way (the caller may print it before the error).
Status detectInputs(const DetectInputs& inputs, const DetectSetup& setup, ObserveListener& listener,
                    logs::LogListener& log_listener, DetectReport& report);

// Reads the files in order (as observeFiles does: "-" is standard input, gzip is inflated,
// damage is a warning) and returns a verdict for every device that showed evidence.
// InvalidArgument only when nothing could be read from any file; the report is filled either way.
Status detectFiles(const std::vector<std::string>& paths, const DetectSetup& setup,
                   ObserveListener& listener, DetectReport& report);

struct LiveDetectOptions {
  SenseOptions sense;          // interface, filter, and when to stop
  std::string signatures_dir;  // where a reload reads the signatures ("" = the built-in set)
};

// Live detection: captures on an interface (as senseInterface) into one evidence ledger until
// a stop condition, then fills `report` with the verdicts. Whenever `reload` is set (from a
// SIGHUP handler, say) the signatures are read again from options.signatures_dir between two
// batches of packets; a set that loads cleanly replaces the current one and the evidence
// already collected is judged again by it (Ledger::replaceSignatures); a bad set leaves the
// current one in force. Each attempt is reported to `on_reload` (the outcome and the number of
// signatures in force). Errors are senseInterface's.
using ReloadReport = std::function<void(const Status& outcome, std::size_t signatures)>;
Status detectLive(const LiveDetectOptions& options, const DetectSetup& setup,
                  ObserveListener& listener, DetectReport& report, const std::atomic<bool>& stop,
                  std::atomic<bool>& reload, const ReloadReport& on_reload);

}  // namespace phaseout::service

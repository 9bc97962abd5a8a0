// Detect: the platform-verdict use case over capture files and logs. Each capture runs
// through observe's packet path (observe.h), each log through its reader (logs/), into one
// evidence ledger (detect/ledger.h), which is then folded into devices and scored; the
// verdicts may be stored as sightings (sightings.h).
//
// Nothing here prints or reads the environment: the caller resolves where signatures and the
// OUI registry come from (the CLI: flags, then environment, then defaults). Not thread-safe:
// one call at a time per listener.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "detect/ledger.h"
#include "detect/oui_registry.h"
#include "detect/signature_set.h"
#include "logs/log_parser.h"
#include "service/caller.h"
#include "service/inputs.h"
#include "service/observe.h"

namespace phaseout::service {

struct DetectSetup {
  std::shared_ptr<const detect::SignatureSet> signatures;
  detect::OuiRegistry oui;  // empty when no registry is available
  std::string oui_problem;  // why the registry is empty, "" when it loaded

  // What the stats name as the registry: its source, or "none".
  std::string ouiSource() const { return oui.size() > 0 ? oui.source() : std::string("none"); }
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
  std::vector<SkippedInput> unreadable;  // inputs of which nothing could be read

  struct LevelCounts {
    std::uint64_t confirmed = 0, likely = 0, unknown = 0;
  };
  LevelCounts levels() const;  // devices by verdict level
};

struct AccessLogInput {
  std::string service;  // "" -> the file name without directories and ".log"
  std::string path;
};

// "[SERVICE=]FILE" as a front door receives an access log: "mail=/var/log/access.log" names
// the service, a bare path (also one whose directories contain '=') does not. InvalidArgument
// for field "access-log" when the text is empty or a service has no file after '='.
Result<AccessLogInput> parseAccessLogArgument(std::string_view text);

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
  std::size_t size() const {
    return captures.size() + zeek.size() + eve_files.size() + access_logs.size();
  }
};

// Reads every input into one ledger and returns a verdict for every device that showed
// evidence. Damage inside a capture or a log is a warning (`listener`, `log_listener`); an
// input of which nothing can be read is reported to `listener` (onUnreadable), listed in
// report.unreadable, and the others are still read. InvalidArgument only when no input could
// be read at all; the report is filled either way.
Status detectInputs(const DetectInputs& inputs, const DetectSetup& setup, ObserveListener& listener,
                    logs::LogListener& log_listener, DetectReport& report);

// The verdicts of one period of a live run (LiveDetectOptions::period_ms): the devices that
// showed evidence in it; `observe` counts the capture from its start.
using PeriodReport = std::function<void(const DetectReport& period, const DetectSetup& setup)>;

struct LiveDetectOptions {
  SenseOptions sense;          // interface, filter, and when to stop
  std::string signatures_dir;  // where a reload reads the signatures ("" = the built-in set)
  // With period_ms > 0 and on_period: every period_ms (checked between two batches of packets
  // and while the link is quiet) the verdicts of that period go to on_period, and the evidence
  // starts afresh; the report at the end holds the last period's.
  std::int64_t period_ms = 0;
  PeriodReport on_period;
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

// What one `detect` asks. Field names are the request's (errors name them).
struct DetectRequest {
  std::vector<std::string> captures;     // capture files; "-" is standard input
  std::vector<std::string> zeek;         // Zeek log directories or files
  std::vector<std::string> eve;          // Suricata eve.json files
  std::vector<std::string> access_logs;  // "[SERVICE=]FILE" (parseAccessLogArgument)
  std::string signatures_dir;            // "" = the built-in set
  std::string oui_path;                  // "" = no registry (oui_problem says so)
  bool keep_going = false;  // skip unreadable inputs (reported) instead of failing the run
  // Live: capture on live.interface instead of reading inputs (then none may be given), until
  // *stop; *reload asks for a signature reload between batches (see detectLive).
  SenseOptions live;
  const std::atomic<bool>* stop = nullptr;
  std::atomic<bool>* reload = nullptr;
  ReloadReport on_reload;
  // Live: a report every period_ms (LiveDetectOptions); at least 1000 ms.
  std::int64_t period_ms = 0;
  PeriodReport on_period;
  // Store every verdict as a sighting (needs mayAdminister), judged on `on` when given.
  bool store = false;
  std::optional<Date> on;
  std::int64_t now_ms = 0;  // the recording's "now" (and "today" when no time is known)
  std::string db_path;      // the workspace the sightings are stored in
};

struct DetectResult {
  DetectSetup setup;  // the signatures in force at the end (a live run may have reloaded them)
  DetectReport report;
  // Set when a live capture failed after it started: the verdicts gathered before are in
  // `report`; the front door shows them, then this error.
  Status live_error;
  bool stored = false;  // the verdicts were stored (there were some, and store was asked)
  std::int64_t event_seq = 0;
  std::size_t sightings = 0;
};

class DetectListener : public ObserveListener, public logs::LogListener {};

// The detect use case. Without keep_going every input is checked first and an unreadable one
// fails the run before anything is read; one that opens but cannot be read (not a capture) fails
// it after reading: either way InvalidArgument naming each such input (inputs.h), each also
// reported to the listener, and nothing is stored. With keep_going they are skipped, listed in
// report.unreadable, and the run fails only when nothing could be read. Other errors: "on"
// without store, "interface" with inputs, no input at all (InvalidArgument); a caller who may
// not administer asking to store (PermissionDenied, before anything is read); the setup's and
// storage's errors.
Result<DetectResult> detect(const Caller& caller, const DetectRequest& request,
                            DetectListener& listener);

}  // namespace phaseout::service

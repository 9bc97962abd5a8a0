#include "service/detect.h"

#include "detect/packet_evidence.h"

namespace phaseout::service {

Result<DetectSetup> loadDetectSetup(const std::string& signatures_dir,
                                    const std::string& oui_path) {
  DetectSetup setup;
  auto signatures = signatures_dir.empty() ? detect::SignatureSet::loadBuiltin()
                                           : detect::SignatureSet::loadDirectory(signatures_dir);
  if (!signatures.isOk()) return signatures.status();
  setup.signatures = std::move(signatures).value();
  if (oui_path.empty()) {
    setup.oui_problem = "no IEEE OUI registry found (install ieee-data or give --oui FILE)";
  } else {
    auto oui = detect::OuiRegistry::load(oui_path);
    if (!oui.isOk()) return oui.status();
    setup.oui = std::move(oui).value();
  }
  return setup;
}

Status detectFiles(const std::vector<std::string>& paths, const DetectSetup& setup,
                   ObserveListener& listener, DetectReport& report) {
  detect::Ledger ledger(setup.signatures, setup.oui.size() > 0 ? &setup.oui : nullptr);
  detect::PacketEvidence evidence(ledger);
  // One observeFiles call per file, so that every observation is attributed to its file.
  for (const std::string& path : paths) {
    evidence.setSource(ledger.addSource(path));
    ObserveStats file_stats;
    (void)observeFiles({path}, evidence, listener, file_stats);  // per-file outcome in stats
    report.observe.files += file_stats.files;
    report.observe.unreadable_files += file_stats.unreadable_files;
    report.observe.packets += file_stats.packets;
    report.observe.bytes += file_stats.bytes;
    report.observe.observations += file_stats.observations;
    report.observe.warnings += file_stats.warnings;
    report.observe.anomalies.merge(file_stats.anomalies);
  }
  report.ledger = ledger.stats();
  report.devices = ledger.finish(&report.ledger);
  report.sources = ledger.sources();
  if (report.observe.files == 0 && !paths.empty()) {
    return invalidArgument(paths.size() == 1 ? "nothing could be read from " + paths.front()
                                             : "nothing could be read from any input");
  }
  return Status::ok();
}

}  // namespace phaseout::service

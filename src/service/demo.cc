#include "service/demo.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "inventory/sample_org.h"
#include "inventory/sources/csv_writer.h"
#include "service/campaign.h"
#include "service/import.h"
#include "service/status.h"
#include "service/workspace_access.h"
#include "storage/open.h"

namespace phaseout::embedded {
extern const std::string_view scenario_directive_yaml;
}  // namespace phaseout::embedded

namespace phaseout::service {
namespace {

Status writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return invalidArgument(path + ": cannot open for writing");
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return internalError(path + ": write failed");
  return Status::ok();
}

// A stable pseudo-random choice per device: the same seed picks the same devices everywhere.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t pick(std::string_view id, std::uint64_t seed) {
  std::uint64_t h = seed;
  for (char c : id) h = mix(h ^ static_cast<unsigned char>(c));
  return h % 100;
}

Recording on(const Recording& base, int year, unsigned month, unsigned day_of_month) {
  Recording r = base;
  r.on = Date::fromCivil(year, month, day_of_month);
  return r;
}

// The campaign from the directive's issue (6 March 2023) to 20 March: notices, acknowledgements,
// hand-overs with replacements, a destroyed phone with a certificate, a phone given to the
// children, two waivers (one expired by 20 March) and a refused parallel-import iPhone.
Result<DemoCampaign> recordCampaignHistory(const Caller& caller, Workspace& ws,
                                           const std::string& directive_id,
                                           const DemoOptions& options, const Recording& base) {
  DemoCampaign out;
  PH_ASSIGN_OR_RETURN(auto start, ws.status(caller, directive_id, Date::fromCivil(2023, 3, 6)));
  std::string security_officer;
  for (const auto& p : start.people) {
    if (p.status == inventory::EmploymentStatus::kActive &&
        std::find(p.roles.begin(), p.roles.end(), "security-officer") != p.roles.end()) {
      security_officer = p.person_id;
      break;
    }
  }
  std::vector<std::pair<std::string, std::string>> banned;  // (device, holder)
  for (const auto& v : start.evaluation.verdicts) {
    if (v.status == policy::VerdictStatus::kPending && v.holder) {
      banned.emplace_back(v.device->device_id, v.holder->person_id);
    }
  }
  const Recording officer = base;
  for (const auto& [device, holder] : banned) {
    // Notices went out on 7 March; about half acknowledged within the week.
    PH_RETURN_IF_ERROR(recordCaseStep(caller, ws,
                                      {directive_id, device, campaign::CaseStage::kNotified,
                                       "notice of the directive handed over"},
                                      on(officer, 2023, 3, 7))
                           .status());
    ++out.notices;
    const std::uint64_t roll = pick(device, options.seed);
    if (roll < 50) {
      PH_RETURN_IF_ERROR(
          recordCaseStep(caller, ws, {directive_id, device, campaign::CaseStage::kAcknowledged, ""},
                         on(officer, 2023, 3, 8 + roll % 6))
              .status());
      ++out.acknowledged;
    }
  }
  std::size_t index = 0;
  for (const auto& [device, holder] : banned) {
    const std::uint64_t roll = pick(device, options.seed + 1);
    const unsigned day_of_month = 9 + static_cast<unsigned>(roll % 12);  // 9..20 March
    ++index;
    if (out.destroyed_device.empty() && roll % 7 == 3) {
      out.certificate_path =
          (std::filesystem::path(options.out_dir) / ("destruction-certificate-" + device + ".txt"))
              .string();
      PH_RETURN_IF_ERROR(
          writeText(out.certificate_path, "CERTIFICATE OF DESTRUCTION\nDevice " + device +
                                              " held by " + holder +
                                              " was physically destroyed on 2023-03-14 in the "
                                              "presence of the security officer.\n"));
      DispositionRequest req{
          device,    campaign::Disposition::kDestroyed, security_officer, "", out.certificate_path,
          "shredded"};
      PH_RETURN_IF_ERROR(recordDisposition(caller, ws, req, on(officer, 2023, 3, 14)).status());
      out.destroyed_device = device;
      continue;
    }
    if (out.transferred_device.empty() && roll % 7 == 5) {
      DispositionRequest req{device, campaign::Disposition::kTransferred,
                             holder, "the official's children",
                             "",     "\"give it to the children\""};
      PH_RETURN_IF_ERROR(recordDisposition(caller, ws, req, on(officer, 2023, 3, 12)).status());
      out.transferred_device = device;
      continue;
    }
    if (out.waivers.size() < 2 && roll % 11 == 4 && !security_officer.empty()) {
      const bool first = out.waivers.empty();
      WaiverRequest req{directive_id,
                        device,
                        "",
                        "",
                        security_officer,
                        first ? "on mission abroad until 15 March" : "secure replacement on order",
                        first ? Date::fromCivil(2023, 3, 6) : Date::fromCivil(2023, 3, 10),
                        first ? Date::fromCivil(2023, 3, 15) : Date::fromCivil(2023, 4, 5)};
      PH_ASSIGN_OR_RETURN(auto w, grantWaiver(caller, ws, req, officer));
      out.waivers.push_back(w.waiver_id);
      continue;
    }
    if (roll < 35) {
      // Handed in, and an allowed replacement issued the same day.
      DispositionRequest req{device,     campaign::Disposition::kReturned, security_officer, "", "",
                             "handed in"};
      PH_RETURN_IF_ERROR(
          recordDisposition(caller, ws, req, on(officer, 2023, 3, day_of_month)).status());
      ++out.handed_in;
      ReplacementRequest repl;
      repl.person_id = holder;
      repl.directive_id = directive_id;
      const bool aurora = index % 3 == 0;
      repl.model = aurora ? "INOI R7" : "Galaxy A54";
      repl.vendor = aurora ? "INOI" : "Samsung";
      repl.platform = aurora ? "Aurora OS 4.0.2" : "Android 13";
      repl.channel = "official";
      auto r = recordReplacement(caller, ws, repl, on(officer, 2023, 3, day_of_month));
      if (r.isOk()) ++out.replacements;
      if (out.refused_replacement.empty()) {
        ReplacementRequest iphone = repl;
        iphone.model = "iPhone 14";
        iphone.vendor = "Apple";
        iphone.platform = "iOS 16.3";
        iphone.channel = "parallel-import";
        auto refused = recordReplacement(caller, ws, iphone, on(officer, 2023, 3, day_of_month));
        if (!refused.isOk()) out.refused_replacement = holder + ": " + refused.status().message();
      }
    }
  }
  return out;
}

// The demo's auditor: the first active official of the security unit who holds no officer
// role (else the first active official anywhere) also gets the role "auditor": every unit and
// the audit trail, never an action. Returns the person id, "" when nobody qualifies.
std::string appointAuditor(std::vector<inventory::Person>& people) {
  auto has = [](const inventory::Person& p, std::string_view role) {
    return std::find(p.roles.begin(), p.roles.end(), role) != p.roles.end();
  };
  auto eligible = [&](const inventory::Person& p) {
    return p.status == inventory::EmploymentStatus::kActive && has(p, "official") &&
           !has(p, "unit-officer") && !has(p, "security-officer");
  };
  inventory::Person* chosen = nullptr;
  for (auto& p : people) {
    if (eligible(p) && p.unit == kDemoAuditorUnit) {
      chosen = &p;
      break;
    }
  }
  for (auto& p : people) {
    if (chosen == nullptr && eligible(p)) chosen = &p;
  }
  if (chosen == nullptr) return "";
  chosen->roles.push_back("auditor");
  return chosen->person_id;
}

}  // namespace

std::string_view scenarioDirectiveYaml() { return embedded::scenario_directive_yaml; }

std::vector<VerdictExample> verdictExamples(const policy::Evaluation& evaluation) {
  std::vector<VerdictExample> out;
  int pending = 0;
  int unknown = 0;
  for (const auto& v : evaluation.verdicts) {
    if (v.status == policy::VerdictStatus::kPending && pending < 3) {
      out.push_back({v.status, v.reason});
      ++pending;
    } else if (v.status == policy::VerdictStatus::kUnknown && unknown < 2) {
      out.push_back({v.status, v.reason});
      ++unknown;
    }
  }
  return out;
}

std::string defaultExportDir(std::string_view db_url) {
  auto url = storage::parseDatabaseUrl(db_url);
  if (!url.isOk() || url->engine != storage::Engine::kSqlite || url->location == ":memory:") {
    return ".";
  }
  std::string dir = std::filesystem::path(url->location).parent_path().string();
  return dir.empty() ? "." : dir;
}

Result<DemoOutcome> runDemo(const Caller& caller, Workspace& workspace, const DemoOptions& options,
                            const Recording& recording, const ProgressFn& progress) {
  PH_RETURN_IF_ERROR(caller.mayAdminister("run the demo"));
  if (options.people == 0) return invalidField("people", "must be at least 1");
  PH_RETURN_IF_ERROR(workspace.init());
  // Every file the demo writes (exports, the destruction certificate) goes to one folder.
  DemoOptions resolved = options;
  if (resolved.out_dir.empty())
    resolved.out_dir = defaultExportDir(WorkspaceAccess::dbPath(workspace));
  const std::string& out_dir = resolved.out_dir;
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return invalidArgument(out_dir + ": cannot create directory: " + ec.message());

  if (progress) progress("generate", 0, 0);
  inventory::SampleOrgOptions org_options;
  org_options.people = options.people;
  org_options.seed = options.seed;
  inventory::SampleOrg org = inventory::generateSampleOrg(org_options);

  DemoOutcome outcome;
  outcome.auditor = appointAuditor(org.people);
  outcome.people_csv = (std::filesystem::path(out_dir) / "people.csv").string();
  outcome.devices_csv = (std::filesystem::path(out_dir) / "devices.csv").string();
  PH_RETURN_IF_ERROR(writeText(outcome.people_csv, inventory::writePeopleCsv(org.people)));
  PH_RETURN_IF_ERROR(writeText(outcome.devices_csv, inventory::writeDevicesCsv(org.devices)));

  PH_ASSIGN_OR_RETURN(
      outcome.people,
      importInventory(caller, workspace, {ImportKind::kPeople, outcome.people_csv, "", recording},
                      progress));
  PH_ASSIGN_OR_RETURN(
      outcome.devices,
      importInventory(caller, workspace, {ImportKind::kDevices, outcome.devices_csv, "", recording},
                      progress));
  if (options.directive_path.empty()) {
    PH_ASSIGN_OR_RETURN(outcome.directive,
                        addDirectiveText(caller, workspace, std::string(scenarioDirectiveYaml()),
                                         "pa-iphone-2023.yaml", recording));
  } else {
    PH_ASSIGN_OR_RETURN(outcome.directive,
                        addDirectiveFile(caller, workspace, options.directive_path, recording));
  }
  if (options.campaign_history && options.directive_path.empty()) {
    if (progress) progress("campaign history", 0, 0);
    PH_ASSIGN_OR_RETURN(outcome.campaign,
                        recordCampaignHistory(caller, workspace, outcome.directive.directive.id,
                                              resolved, recording));
  }
  PH_ASSIGN_OR_RETURN(outcome.status,
                      workspace.status(caller, outcome.directive.directive.id, options.as_of));
  outcome.examples = verdictExamples(outcome.status.evaluation);
  PH_ASSIGN_OR_RETURN(
      outcome.burndown,
      burndownUpTo(caller, workspace, outcome.directive.directive.id, options.as_of));
  return outcome;
}

}  // namespace phaseout::service

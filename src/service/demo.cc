#include "service/demo.h"

#include <filesystem>
#include <fstream>

#include "inventory/import_parser.h"
#include "inventory/sample_org.h"

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

}  // namespace

std::string_view scenarioDirectiveYaml() { return embedded::scenario_directive_yaml; }

Result<DemoOutcome> runDemo(Workspace& workspace, const DemoOptions& options,
                            const Recording& recording, const ProgressFn& progress) {
  if (options.people == 0) return invalidArgument("--people: must be at least 1");
  PH_RETURN_IF_ERROR(workspace.init());
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) return invalidArgument(options.out_dir + ": cannot create directory: " + ec.message());

  if (progress) progress("generate", 0, 0);
  inventory::SampleOrgOptions org_options;
  org_options.people = options.people;
  org_options.seed = options.seed;
  const inventory::SampleOrg org = inventory::generateSampleOrg(org_options);

  DemoOutcome outcome;
  outcome.people_csv = (std::filesystem::path(options.out_dir) / "people.csv").string();
  outcome.devices_csv = (std::filesystem::path(options.out_dir) / "devices.csv").string();
  PH_RETURN_IF_ERROR(writeText(outcome.people_csv, inventory::writePeopleCsv(org.people)));
  PH_RETURN_IF_ERROR(writeText(outcome.devices_csv, inventory::writeDevicesCsv(org.devices)));

  PH_ASSIGN_OR_RETURN(outcome.people, workspace.importPeople(outcome.people_csv, recording, progress));
  PH_ASSIGN_OR_RETURN(outcome.devices, workspace.importDevices(outcome.devices_csv, recording, progress));
  if (options.directive_path.empty()) {
    PH_ASSIGN_OR_RETURN(outcome.directive,
                        workspace.addDirectiveText(std::string(scenarioDirectiveYaml()),
                                                   "pa-iphone-2023.yaml", recording));
  } else {
    PH_ASSIGN_OR_RETURN(outcome.directive,
                        workspace.addDirectiveFile(options.directive_path, recording));
  }
  PH_ASSIGN_OR_RETURN(outcome.status, workspace.status(outcome.directive.directive.id, options.as_of));
  return outcome;
}

}  // namespace phaseout::service

// bench_generate_campaign: builds the database of the campaign benchmark — a sample
// organisation with about 100,000 devices, the scenario's directive, and a campaign history
// of 1,000,000 audit events between 6 March and 30 April 2023.
//
//   bench_generate_campaign --db FILE --directive examples/directives/pa-iphone-2023.yaml
//                           [--devices 100000] [--events 1000000] [--seed 1]
//
// The inventory goes through the same import as `phaseout import` (CSV files written next to
// the database), the directive through `phaseout directive add`. The campaign is written
// through the store the commands use (storage::Repository and CampaignStore), in transactions
// of a few thousand events instead of one per command, so that a million events take a minute
// rather than hours; every event is chained and row-digested exactly as the commands do it.
//
// The history, per violating device (an iPhone of an in-scope official on 6 March), on dates
// drawn from a fixed pseudo-random stream: a notice, reminders before each milestone, an
// acknowledgement, for most a replacement phone (Android, HarmonyOS or Aurora) and the
// hand-over or destruction of the iPhone (some transferred to family, some lost), the case
// steps that follow, or a waiver; some never act. The remaining events are routine inventory
// changes across the whole fleet (OS updates, devices passed to a colleague) so that the
// total reaches --events. Exit codes: 0 ok, 1 usage or input error, 2 internal error.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "campaign/history.h"
#include "campaign/record.h"
#include "inventory/sample_org.h"
#include "inventory/sources/csv_writer.h"
#include "policy/evaluator.h"
#include "service/directive.h"
#include "service/import.h"
#include "service/workspace.h"
#include "storage/campaign_store.h"
#include "storage/connection.h"
#include "storage/repository.h"
#include "storage/open.h"

namespace {

using namespace phaseout;

// splitmix64: the same stream on every platform.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }

 private:
  std::uint64_t state_;
};

Status writeFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return invalidArgument(path.string() + ": cannot write");
  return Status::ok();
}

struct Generator {
  storage::Repository& repo;
  storage::CampaignStore store;
  std::string directive_id;
  Date first_day;
  std::int64_t recorded_ms;
  std::size_t events = 0;
  std::size_t events_in_tx = 0;
  std::unique_ptr<storage::Transaction> tx;

  storage::ChangeContext on(Date day, std::string_view source) {
    storage::ChangeContext c;
    c.effective = day;
    c.effective_given = true;
    c.recorded_ms = recorded_ms += 1000;
    c.actor = "P-00001";
    c.source = std::string(source);
    return c;
  }

  // Commits every few thousand events: one transaction per command would be a million commits.
  Status counted() {
    ++events;
    if (++events_in_tx < 5000) return Status::ok();
    PH_RETURN_IF_ERROR(tx->commit());
    events_in_tx = 0;
    PH_ASSIGN_OR_RETURN(
        tx, storage::Transaction::begin(repo.connection(), storage::Transaction::Mode::kWrite));
    return Status::ok();
  }

  Status step(const std::string& device_id, campaign::CaseStage stage, Date day) {
    campaign::CaseStep s;
    s.directive_id = directive_id;
    s.device_id = device_id;
    s.stage = stage;
    s.on = day;
    s.actor = "P-00001";
    PH_RETURN_IF_ERROR(store.recordCaseStep(s, on(day, "case step")).status());
    return counted();
  }

  Status notify(const std::string& device_id, const std::string& milestone, const std::string& what,
                const std::string& to, Date day) {
    storage::Notification n;
    n.directive_id = directive_id;
    n.device_id = device_id;
    n.milestone = milestone;
    n.step = what;
    n.recipient = to;
    n.sent_on = day;
    PH_RETURN_IF_ERROR(store.recordNotification(n, on(day, "remind")));
    return counted();
  }

  Status version(const inventory::Device& d, Date day, std::string_view kind,
                 std::string_view subject) {
    nlohmann::ordered_json detail{{"device", d.device_id}, {"holder", d.holder}};
    PH_RETURN_IF_ERROR(
        repo.recordDeviceVersion(d, on(day, kind), kind, subject, detail.dump()).status());
    return counted();
  }
};

int run(const std::string& db, const std::string& directive_path, std::size_t device_count,
        std::size_t event_target, std::uint64_t seed) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "bench_generate_campaign: %s\n", s.message().c_str());
    return 2;
  };
  std::filesystem::remove(db);
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  const auto started = std::chrono::steady_clock::now();

  // The organisation, imported as `phaseout import` does it.
  inventory::SampleOrgOptions options;
  options.people = device_count * 10 / 13;
  options.devices = device_count;
  options.seed = seed;
  const inventory::SampleOrg org = inventory::generateSampleOrg(options);
  const std::filesystem::path dir = std::filesystem::path(db).parent_path();
  const auto people_csv = (dir / "campaign-people.csv").string();
  const auto devices_csv = (dir / "campaign-devices.csv").string();
  if (auto s = writeFile(people_csv, inventory::writePeopleCsv(org.people)); !s.isOk())
    return fail(s);
  if (auto s = writeFile(devices_csv, inventory::writeDevicesCsv(org.devices)); !s.isOk())
    return fail(s);

  auto ws_or = service::Workspace::open(db);
  if (!ws_or.isOk()) return fail(ws_or.status());
  service::Workspace& ws = **ws_or;
  if (auto s = ws.init(); !s.isOk()) return fail(s);
  service::Recording baseline;
  baseline.now_ms = 1677628800000;  // 2023-03-01
  const auto op = service::Caller::localOperator("P-00001");
  for (const auto& [kind, path] : {std::pair{service::ImportKind::kPeople, people_csv},
                                   std::pair{service::ImportKind::kDevices, devices_csv}}) {
    if (auto r = service::importInventory(op, ws, {kind, path, "", baseline}); !r.isOk())
      return fail(r.status());
  }
  auto added = service::addDirectiveFile(op, ws, directive_path, baseline);
  if (!added.isOk()) return fail(added.status());
  const policy::Directive& directive = added->directive;

  // The campaign is written straight into the store (fast, one transaction) on a connection
  // of its own; the workspace is only the import and directive path.
  auto conn = storage::open(db);
  if (!conn.isOk()) return fail(conn.status());
  storage::Repository repository(**conn);
  storage::Repository& repo = repository;
  auto people = repo.loadPeople();
  auto devices = repo.loadDevices();
  if (!people.isOk()) return fail(people.status());
  if (!devices.isOk()) return fail(devices.status());
  const Date start = *Date::parse("2023-03-06");
  const Date end = *Date::parse("2023-04-30");
  const policy::Evaluation ev = policy::evaluate(directive, *people, *devices, start);

  // Waivers are approved by a security officer, as the directive's waivers policy requires.
  std::string approver = "P-00001";
  for (const auto& p : *people) {
    if (std::find(p.roles.begin(), p.roles.end(), "security-officer") != p.roles.end()) {
      approver = p.person_id;
      break;
    }
  }
  Generator g{repo, storage::CampaignStore(repo), directive.id, start, 1678060800000};
  auto tx = storage::Transaction::begin(repo.connection(), storage::Transaction::Mode::kWrite);
  if (!tx.isOk()) return fail(tx.status());
  g.tx = std::move(*tx);
  Random rnd(seed);
  const int span = start.daysUntil(end);
  std::size_t replacement_no = 0;
  std::size_t waivers = 0;
  auto must = [&](const Status& s) {
    if (!s.isOk()) {
      fail(s);
      std::exit(2);
    }
  };
  for (const auto& v : ev.verdicts) {
    if (v.status != policy::VerdictStatus::kPending) continue;
    const inventory::Device& d = *v.device;
    const std::string email = v.holder->email;
    const int fate = rnd.below(100);
    Date day = start.addDays(rnd.below(10));
    must(g.step(d.device_id, campaign::CaseStage::kNotified, day));
    for (const auto& m : directive.milestones) {
      for (int before : {14, 7, 3, 1}) {
        const Date when = m.due.addDays(-before);
        if (when >= start && fate >= 85) {  // the ones who never act get every reminder
          must(g.notify(d.device_id, m.name, "before-" + std::to_string(before), email, when));
        }
      }
    }
    if (fate >= 85) {
      for (const auto& m : directive.milestones) {
        must(g.notify(d.device_id, m.name, "escalation", "officer@pa.example", m.due.addDays(1)));
      }
      continue;
    }
    if (fate < 3 && waivers < 2000) {
      campaign::Waiver w;
      w.directive_id = directive.id;
      w.device_id = d.device_id;
      w.approver = approver;
      w.reason = "field duty abroad until the replacement arrives";
      w.from = day;
      w.until = day.addDays(20 + rnd.below(10));
      must(g.store.grantWaiver(w, g.on(day, "waiver grant")).status());
      must(g.counted());
      must(g.step(d.device_id, campaign::CaseStage::kWaived, day));
      ++waivers;
      continue;
    }
    day = day.addDays(1 + rnd.below(3));
    must(g.step(d.device_id, campaign::CaseStage::kAcknowledged, day));
    day = day.addDays(1 + rnd.below(10));
    inventory::Device phone;
    phone.device_id = "R-" + std::to_string(++replacement_no);
    phone.holder = d.holder;
    phone.kind = platform::Kind::kPhone;
    static constexpr platform::Platform kAllowed[] = {
        platform::Platform::kAndroid, platform::Platform::kHarmonyos, platform::Platform::kAurora};
    phone.platform = kAllowed[rnd.below(3)];
    phone.vendor = phone.platform == platform::Platform::kAurora ? "omp" : "huawei";
    phone.model = phone.platform == platform::Platform::kAurora ? "R-FON" : "NOH-AN00";
    phone.channel = platform::Channel::kOfficial;
    phone.ownership = platform::Ownership::kCorporate;
    must(g.version(phone, day, "replacement", d.holder));
    must(g.step(d.device_id, campaign::CaseStage::kReplacementIssued, day));
    day = day.addDays(rnd.below(8));
    if (day > end) day = end;
    static constexpr campaign::Disposition kHow[] = {
        campaign::Disposition::kReturned,    campaign::Disposition::kReturned,
        campaign::Disposition::kReturned,    campaign::Disposition::kDestroyed,
        campaign::Disposition::kTransferred, campaign::Disposition::kLost};
    const campaign::Disposition how = kHow[rnd.below(6)];
    auto next =
        campaign::dispose(d, how, how == campaign::Disposition::kTransferred ? "family" : "", day);
    if (!next.isOk()) return fail(next.status());
    must(g.version(*next, day, "disposition", d.device_id));
    must(g.step(d.device_id, campaign::CaseStage::kSurrendered, day));
    day = day.addDays(rnd.below(4));
    must(g.step(d.device_id, campaign::CaseStage::kVerified, day));
    must(g.step(d.device_id, campaign::CaseStage::kClosed, day));
  }
  // Routine changes across the fleet until the target: OS updates and hand-downs.
  std::vector<inventory::Device> fleet = *devices;
  while (g.events < event_target) {
    inventory::Device& d =
        fleet[static_cast<std::size_t>(rnd.below(static_cast<int>(fleet.size())))];
    const Date day = start.addDays(rnd.below(span + 1));
    if (rnd.below(4) == 0 && !people->empty()) {
      d.holder = (*people)[static_cast<std::size_t>(rnd.below(static_cast<int>(people->size())))]
                     .person_id;
    } else {
      d.os_version = std::to_string(10 + rnd.below(8)) + "." + std::to_string(rnd.below(6));
    }
    must(g.version(d, day, "device.update", d.device_id));
  }
  must(g.tx->commit());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "bench_generate_campaign: %zu people, %zu devices, %zu campaign events (%zu replacements, "
      "%zu waivers) in %.1f s\n",
      people->size(), devices->size(), g.events, replacement_no, waivers, seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Builds the campaign benchmark's database (see the header of this file)."};
  std::string db;
  std::string directive;
  std::size_t devices = 100000;
  std::size_t events = 1000000;
  std::uint64_t seed = 1;
  app.add_option("--db", db, "database file to create (replaced if present)")->required();
  app.add_option("--directive", directive, "the scenario directive YAML")->required();
  app.add_option("--devices", devices, "devices in the organisation")->check(CLI::PositiveNumber);
  app.add_option("--events", events, "campaign events to write")->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "seed of the organisation and the history");
  CLI11_PARSE(app, argc, argv);
  return run(db, directive, devices, events, seed);
}

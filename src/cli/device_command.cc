// phaseout device list [--source S] [--format json] | device show ID [--format json]
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/date.h"
#include "core/strings.h"
#include "service/inventory_view.h"
#include "service/workspace.h"

namespace phaseout::cli {
namespace {

struct ListOptions {
  std::string source;
  std::string format = "text";
};

struct ShowOptions {
  std::string device_id;
  std::string format = "text";
};

std::string when(std::int64_t ms) { return ms == 0 ? std::string("-") : formatUtcTimestamp(ms); }

nlohmann::ordered_json recordJson(const inventory::SourceRecord& r) {
  nlohmann::ordered_json j;
  j["source"] = r.source;
  j["record_id"] = r.record_id;
  j["file"] = r.file;
  j["location"] = r.location;
  j["exported_at"] = when(r.exported_ms);
  j["synced_at"] = when(r.synced_ms);
  j["presence"] = r.missing ? "missing-from-source" : "listed";
  j["holder_ref"] = r.holder_ref;
  j["holder_match"] = std::string(inventory::name(r.holder_match));
  return j;
}

std::string sourceList(const std::vector<inventory::SourceRecord>& sources) {
  std::vector<std::string> names;
  for (const inventory::SourceRecord& r : sources) {
    names.push_back(r.source + (r.missing ? "(missing)" : ""));
  }
  return names.empty() ? "-" : join(names, ",");
}

int runList(const CommandContext& ctx, const ListOptions& opt) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  auto entries = service::listDevices(service::Caller::localOperator(ctx.actor), **ws,
                                      service::DeviceListRequest{opt.source});
  if (!entries.isOk()) return reportError(entries.status());
  if (opt.format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const service::DeviceListEntry& e : *entries) {
      nlohmann::ordered_json j;
      j["device_id"] = e.device.device_id;
      j["holder"] = e.device.holder;
      j["unit"] = e.unit;
      j["platform"] = std::string(platform::name(e.device.platform));
      j["model"] = e.device.model;
      j["serial"] = e.device.serial;
      j["sources"] = nlohmann::ordered_json::array();
      for (const auto& r : e.sources) j["sources"].push_back(recordJson(r));
      j["needs_review"] = e.holder_unmatched;
      j["conflicts"] = e.conflicts;
      out.push_back(std::move(j));
    }
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::printf("%-24s %-12s %-10s %-20s %-14s %s\n", "DEVICE", "HOLDER", "PLATFORM", "MODEL",
              "SERIAL", "SOURCES");
  for (const service::DeviceListEntry& e : *entries) {
    std::string notes;
    if (e.holder_unmatched) notes += "  [holder to review]";
    if (e.conflicts != 0) notes += "  [source-conflict]";
    std::printf("%-24s %-12s %-10s %-20s %-14s %s%s\n", e.device.device_id.c_str(),
                e.device.holder.empty() ? "-" : e.device.holder.c_str(),
                std::string(platform::name(e.device.platform)).c_str(), e.device.model.c_str(),
                e.device.serial.empty() ? "-" : e.device.serial.c_str(),
                sourceList(e.sources).c_str(), notes.c_str());
  }
  std::printf("%zu devices\n", entries->size());
  return kExitOk;
}

int runShow(const CommandContext& ctx, const ShowOptions& opt) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  auto view = service::showDevice(service::Caller::localOperator(ctx.actor), **ws, opt.device_id);
  if (!view.isOk()) return reportError(view.status());
  if (opt.format == "json") {
    nlohmann::ordered_json j;
    j["device_id"] = view->device.device_id;
    j["unit"] = view->unit;
    j["fields"] = nlohmann::ordered_json::array();
    for (const service::FieldProvenance& f : view->fields) {
      nlohmann::ordered_json field;
      field["field"] = f.field;
      field["value"] = f.value;
      if (f.origin) {
        field["source"] = f.origin->source;
        field["record_id"] = f.origin->record_id;
        field["file"] = f.origin->file;
        field["location"] = f.origin->location;
        field["exported_at"] = when(f.origin->exported_ms);
        field["synced_at"] = when(f.origin->synced_ms);
      } else {
        field["source"] = nullptr;
      }
      j["fields"].push_back(std::move(field));
    }
    j["sources"] = nlohmann::ordered_json::array();
    for (const auto& r : view->sources) j["sources"].push_back(recordJson(r));
    j["findings"] = nlohmann::ordered_json::array();
    for (const inventory::FieldConflict& c : view->conflicts) {
      nlohmann::ordered_json finding;
      finding["kind"] = "source-conflict";
      finding["field"] = c.field;
      finding["values"] = nlohmann::ordered_json::array();
      for (const inventory::ConflictValue& v : c.values) {
        finding["values"].push_back(
            {{"source", v.source}, {"value", v.value}, {"synced_at", when(v.synced_ms)}});
      }
      finding["winner"] = c.values.back().source;
      j["findings"].push_back(std::move(finding));
    }
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  std::printf("device %s%s\n", view->device.device_id.c_str(),
              view->unit.empty() ? "" : (" (unit " + view->unit + ")").c_str());
  for (const service::FieldProvenance& f : view->fields) {
    std::string origin = "-";
    if (f.origin) {
      origin = f.origin->source + " " + f.origin->record_id + " (" + f.origin->file + ":" +
               f.origin->location + ", synchronised " + when(f.origin->synced_ms) + ", exported " +
               when(f.origin->exported_ms) + ")";
    }
    std::printf("  %-11s %-28s %s\n", f.field.c_str(), f.value.empty() ? "-" : f.value.c_str(),
                origin.c_str());
  }
  std::printf("sources:\n");
  if (view->sources.empty()) std::printf("  none (imported directly)\n");
  for (const inventory::SourceRecord& r : view->sources) {
    std::string holder;
    if (r.holder_match == inventory::HolderMatch::kUnmatched) {
      holder = ", holder \"" + r.holder_ref + "\" matches no person: to review";
    }
    std::printf("  %s %s: %s (%s:%s, synchronised %s)%s\n", r.source.c_str(), r.record_id.c_str(),
                r.missing ? "missing-from-source" : "listed", r.file.c_str(), r.location.c_str(),
                when(r.synced_ms).c_str(), holder.c_str());
  }
  for (const inventory::FieldConflict& c : view->conflicts) {
    std::vector<std::string> values;
    for (const inventory::ConflictValue& v : c.values) {
      values.push_back(v.source + " \"" + v.value + "\" (" + when(v.synced_ms) + ")");
    }
    std::printf("source-conflict: %s: %s; %s wins (synchronised last)\n", c.field.c_str(),
                join(values, ", ").c_str(), c.values.back().source.c_str());
  }
  return kExitOk;
}

}  // namespace

void registerDeviceCommands(CLI::App& app, CommandContext& ctx) {
  auto* device = app.add_subcommand(
      "device", "The devices of the merged inventory, with the sources that list them");
  device->require_subcommand(1);

  auto list_opt = std::make_shared<ListOptions>();
  auto* list =
      device->add_subcommand("list", "List devices, with their sources and what to review");
  list->add_option("--source", list_opt->source, "Only devices this import source lists");
  list->add_option("--format", list_opt->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  list->callback([&ctx, list_opt] { ctx.exit_code = runList(ctx, *list_opt); });

  auto show_opt = std::make_shared<ShowOptions>();
  auto* show = device->add_subcommand(
      "show", "One device: every field with its provenance, its sources and their conflicts");
  show->add_option("ID", show_opt->device_id, "The device id")->required();
  show->add_option("--format", show_opt->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  show->callback([&ctx, show_opt] { ctx.exit_code = runShow(ctx, *show_opt); });
}

}  // namespace phaseout::cli

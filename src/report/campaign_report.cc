#include "report/campaign_report.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "policy/evaluator.h"

namespace phaseout::report {
namespace {

using nlohmann::ordered_json;

std::string line(const ordered_json& j) { return j.dump() + "\n"; }

ordered_json waiverObject(const campaign::Waiver& w, Date at) {
  return {{"waiver_id", w.waiver_id},
          {"directive", w.directive_id},
          {"target", w.target()},
          {"approver", w.approver},
          {"reason", w.reason},
          {"from", w.from.toString()},
          {"until", w.until.toString()},
          {"revoked_from", w.revoked_from ? w.revoked_from->toString() : ""},
          {"state", campaign::name(campaign::waiverState(w, at))}};
}

ordered_json caseObject(const campaign::CaseView& c, bool with_steps) {
  ordered_json j{{"case", c.case_id},
                 {"device_id", c.device_id},
                 {"person_id", c.person_id},
                 {"unit", c.unit},
                 {"model", c.model},
                 {"first_failing_at", c.first_failing_at.toString()},
                 {"stage", campaign::name(c.stage)},
                 {"stage_since", c.stage_since.toString()},
                 {"verdict", policy::name(c.verdict)},
                 {"surrendered", c.surrendered},
                 {"replacement_held", c.replacement_held},
                 {"reason", c.reason}};
  if (with_steps) {
    auto steps = ordered_json::array();
    for (const auto& s : c.steps) {
      steps.push_back({{"stage", campaign::name(s.stage)},
                       {"on", s.on.toString()},
                       {"by", s.actor},
                       {"note", s.note}});
    }
    j["steps"] = steps;
  }
  return j;
}

}  // namespace

std::string waiverGrantedJson(const campaign::Waiver& w) { return line(waiverObject(w, w.from)); }

std::string waiverGrantedText(const campaign::Waiver& w) {
  return "granted waiver " + w.waiver_id + " for " + w.target() + " under " + w.directive_id +
         " from " + w.from.toString() + " until " + w.until.toString() + "\n";
}

std::string waiverListJson(const std::vector<campaign::Waiver>& waivers, Date at) {
  ordered_json arr = ordered_json::array();
  for (const auto& w : waivers) arr.push_back(waiverObject(w, at));
  return line(arr);
}

std::string waiverListText(const std::vector<campaign::Waiver>& waivers, Date at) {
  if (waivers.empty()) return "no waivers\n";
  std::string text;
  char buffer[512];
  for (const auto& w : waivers) {
    std::snprintf(buffer, sizeof buffer, "%-9s %-9s %-22s %s..%s  approved by %s: %s\n",
                  w.waiver_id.c_str(),
                  std::string(campaign::name(campaign::waiverState(w, at))).c_str(),
                  w.target().c_str(), w.from.toString().c_str(), w.until.toString().c_str(),
                  w.approver.c_str(), w.reason.c_str());
    text += buffer;
  }
  return text;
}

std::string waiverRevokedJson(std::string_view waiver_id, Date revoked_from) {
  return line(ordered_json{{"waiver_id", waiver_id}, {"revoked_from", revoked_from.toString()}});
}

std::string waiverRevokedText(std::string_view waiver_id, Date revoked_from) {
  return "revoked waiver " + std::string(waiver_id) + " from " + revoked_from.toString() + "\n";
}

std::string caseListJson(std::string_view directive_id, Date as_of,
                         const std::vector<campaign::CaseView>& cases,
                         const std::vector<campaign::MilestoneCheck>& milestones) {
  ordered_json case_array = ordered_json::array();
  for (const auto& c : cases) case_array.push_back(caseObject(c, false));
  ordered_json milestone_array = ordered_json::array();
  for (const auto& m : milestones) {
    milestone_array.push_back({{"name", m.name},
                               {"due", m.due.toString()},
                               {"days_left", m.days_left},
                               {"requires", m.requires_what},
                               {"met", m.met},
                               {"total", m.total}});
  }
  return line(ordered_json{{"directive", directive_id},
                           {"as_of", as_of.toString()},
                           {"milestones", milestone_array},
                           {"cases", case_array}});
}

std::string caseListText(Date as_of, const std::vector<campaign::CaseView>& cases,
                         const std::vector<campaign::MilestoneCheck>& milestones) {
  std::string text;
  char buffer[768];
  std::snprintf(buffer, sizeof buffer, "%-34s %-10s %-28s %-18s %-10s %s\n", "CASE", "HOLDER",
                "UNIT", "STAGE", "VERDICT", "FIRST FAILING");
  text += buffer;
  for (const auto& c : cases) {
    std::snprintf(buffer, sizeof buffer, "%-34s %-10s %-28s %-18s %-10s %s\n", c.case_id.c_str(),
                  c.person_id.c_str(), c.unit.c_str(), std::string(campaign::name(c.stage)).c_str(),
                  std::string(policy::name(c.verdict)).c_str(),
                  c.first_failing_at.toString().c_str());
    text += buffer;
  }
  text += std::to_string(cases.size()) + " case(s) as of " + as_of.toString() + "\n";
  for (const auto& m : milestones) {
    text += "  " + m.name + " due " + m.due.toString() + ": " + std::to_string(m.met) + " of " +
            std::to_string(m.total) + " met\n";
  }
  return text;
}

std::string caseJson(const campaign::CaseView& c) { return line(caseObject(c, true)); }

std::string caseText(const campaign::CaseView& c) {
  std::string text = "case " + c.case_id + "\n  device     " + c.device_id + " (" + c.model +
                     ")\n  holder     " + c.person_id + " in " + c.unit + "\n  first failing " +
                     c.first_failing_at.toString() + "\n  stage      " +
                     std::string(campaign::name(c.stage)) + " since " + c.stage_since.toString() +
                     "\n  verdict    " + std::string(policy::name(c.verdict)) + ": " + c.reason +
                     "\n";
  for (const auto& s : c.steps) {
    text += "  step       " + s.on.toString() + " " + std::string(campaign::name(s.stage)) +
            " by " + s.actor + (s.note.empty() ? "" : ": " + s.note) + "\n";
  }
  return text;
}

std::string caseStepJson(const campaign::CaseStep& step) {
  return line(ordered_json{{"case", step.directive_id + "/" + step.device_id},
                           {"stage", campaign::name(step.stage)},
                           {"on", step.on.toString()},
                           {"event", step.seq}});
}

std::string caseStepText(const campaign::CaseStep& step) {
  return "recorded: case " + step.directive_id + "/" + step.device_id + " " +
         std::string(campaign::name(step.stage)) + " on " + step.on.toString() + "\n";
}

std::string dispositionJson(const DispositionView& d) {
  ordered_json j{{"device_id", d.device->device_id},
                 {"state", platform::name(d.device->state)},
                 {"on", d.on.toString()},
                 {"event", d.event_seq}};
  if (!d.evidence_sha256.empty()) j["evidence_sha256"] = d.evidence_sha256;
  return line(j);
}

std::string dispositionText(const DispositionView& d) {
  std::string text = "recorded: " + d.device->device_id + " " + std::string(campaign::name(d.as)) +
                     " on " + d.on.toString() + " by " + d.by + (d.to.empty() ? "" : " to " + d.to);
  if (!d.evidence_sha256.empty()) {
    text += "; evidence " + d.evidence_name + " (sha256 " + d.evidence_sha256 + ")";
  }
  return text + "\n";
}

std::string replacementJson(const inventory::Device& device, Date on, std::int64_t event_seq) {
  return line(ordered_json{{"device_id", device.device_id},
                           {"person_id", device.holder},
                           {"platform", platform::name(device.platform)},
                           {"channel", platform::name(device.channel)},
                           {"on", on.toString()},
                           {"event", event_seq}});
}

std::string replacementText(const inventory::Device& device, Date on) {
  return "recorded: replacement " + device.device_id + " (" + device.model + ", " +
         std::string(platform::name(device.platform)) + ", " +
         std::string(platform::name(device.channel)) + ") for " + device.holder + " on " +
         on.toString() + "\n";
}

}  // namespace phaseout::report

#include "policy/directive.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <utility>

#include "core/strings.h"

namespace phaseout::policy {
namespace {

using platform::Channel;
using platform::Kind;
using platform::Platform;

constexpr std::array<std::string_view, 17> kTopKeys = {
    "id",    "title", "issued", "issuer",      "reason",  "text",      "type",      "protects",
    "scope", "ban",   "allow",  "replacement", "waivers", "reminders", "milestones"};
constexpr std::array<std::string_view, 3> kScopeKeys = {"units", "exclude_units", "roles"};
constexpr std::array<std::string_view, 5> kRuleKeys = {"platform", "vendor", "kind", "model",
                                                       "app"};
constexpr std::array<std::string_view, 1> kAllowKeys = {"platforms"};
constexpr std::array<std::string_view, 1> kReplacementKeys = {"channels"};
constexpr std::array<std::string_view, 3> kWaiverKeys = {"approver_role", "max_days", "unit_wide"};
constexpr std::array<std::string_view, 2> kReminderKeys = {"days_before", "escalate_to_role"};
constexpr std::array<std::string_view, 3> kMilestoneKeys = {"name", "due", "requires"};
constexpr std::array<std::string_view, 2> kRequirements = {kRequiresBannedDevicesSurrendered,
                                                           kRequiresAllowedReplacementHeld};

constexpr std::size_t kMaxIdLength = 64;
// Ten years: a waiver or a reminder horizon beyond that is a typo, not a policy.
constexpr int kMaxDays = 3650;
constexpr std::size_t kMaxQuotedChars = 60;

template <std::size_t N>
std::string listNames(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (i) out += ", ";
    out += names[i];
  }
  return out;
}

// The canonical names minus "unknown": a directive can neither ban nor allow "unknown".
std::string knownNames(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::string_view n : names) {
    if (n == "unknown") continue;
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// Input echoed in a message: at most kMaxQuotedChars, control characters shown as '?', so
// one problem stays one line of the message whatever the file holds.
std::string printable(std::string_view s) {
  std::string out(s.substr(0, kMaxQuotedChars));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  if (s.size() > kMaxQuotedChars) out += "...";
  return out;
}

std::string quoted(std::string_view s) { return "\"" + printable(s) + "\""; }

std::string describeNode(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      return quoted(n.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

int lineOf(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  return m.line >= 0 ? m.line + 1 : 1;
}

std::string child(std::string_view path, std::string_view key) {
  std::string out(path);
  if (!out.empty()) out += '.';
  out += key;
  return out;
}

std::string indexed(std::string_view path, std::size_t zero_based) {
  std::string out(path);
  out += '[';
  out += std::to_string(zero_based + 1);
  out += ']';
  return out;
}

bool isIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool isAllNameChars(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), isNameChar);
}

// A unit glob is a '/'-separated path of names; a segment may be '*', and only the last may be
// '**'. Returns what is wrong, or "" when the glob is well formed.
std::string unitGlobProblem(std::string_view glob) {
  if (glob.empty()) return "expected a unit path or glob; got an empty string";
  std::size_t start = 0;
  while (start <= glob.size()) {
    std::size_t end = glob.find('/', start);
    const bool last = end == std::string_view::npos;
    if (last) end = glob.size();
    const std::string_view segment = glob.substr(start, end - start);
    if (segment.empty()) return "expected a unit path without empty segments; got " + quoted(glob);
    if (segment == "**") {
      if (!last) return "expected '**' only as the last segment; got " + quoted(glob);
    } else if (segment != "*") {
      for (char c : segment) {
        if (c == '*' || c == '?') {
          return "expected each segment to be a name, '*' or a final '**'; got " + quoted(glob);
        }
        if (c == ' ' || c == '\t' || static_cast<unsigned char>(c) < 0x20) {
          return "expected a unit path without spaces or control characters; got " + quoted(glob);
        }
      }
    }
    if (last) break;
    start = end + 1;
  }
  return "";
}

// Host name or http(s) URL prefix; returns the normalised form (scheme and host lower-case) or
// "" when malformed.
std::string normaliseProtected(std::string_view value) {
  std::string out;
  std::string_view rest = value;
  if (istartsWith(rest, "https://")) {
    out = "https://";
    rest.remove_prefix(8);
  } else if (istartsWith(rest, "http://")) {
    out = "http://";
    rest.remove_prefix(7);
  } else if (rest.find("://") != std::string_view::npos) {
    return "";
  }
  std::size_t host_end = rest.find_first_of(":/");
  if (host_end == std::string_view::npos) host_end = rest.size();
  const std::string_view host = rest.substr(0, host_end);
  if (host.empty() || host.front() == '.' || host.back() == '.') return "";
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-';
    if (!ok) return "";
  }
  out += toLower(host);
  std::string_view tail = rest.substr(host_end);
  if (!tail.empty() && tail.front() == ':') {
    std::size_t digits = 1;
    while (digits < tail.size() && tail[digits] >= '0' && tail[digits] <= '9') ++digits;
    if (digits == 1 || digits > 6) return "";
    if (digits < tail.size() && tail[digits] != '/') return "";
  }
  for (char c : tail) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return "";
  }
  out.append(tail);
  return out;
}

// One key of a mapping, with the line of the key (errors about a whole value point there: the
// value of `key:` written on the next lines starts on another line).
struct Field {
  std::string key;
  int line = 1;
  YAML::Node value;
};

using Fields = std::vector<Field>;

const Field* find(const Fields& fields, std::string_view key) {
  for (const Field& f : fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

// Collects problems and builds the Directive. Every check reports and carries on, so one run
// lists every problem in the file.
class DirectiveParser {
 public:
  explicit DirectiveParser(std::string_view source_name) : source_(source_name) {}

  void problem(int line, std::string_view path, std::string_view what) {
    ++total_problems_;
    if (problems_.size() >= kMaxReportedProblems) return;
    std::string msg = source_;
    msg += ':';
    msg += std::to_string(line);
    msg += ": ";
    if (!path.empty()) {
      msg.append(path);
      msg += ": ";
    }
    msg.append(what);
    problems_.push_back(std::move(msg));
  }

  Status status() const {
    if (total_problems_ == 0) return Status::ok();
    std::string msg = join(problems_, "\n");
    if (total_problems_ > problems_.size()) {
      msg += "\n" + source_ + ": ... and " + std::to_string(total_problems_ - problems_.size()) +
             " more problems";
    }
    return invalidArgument(std::move(msg));
  }

  void parse(const YAML::Node& root, Directive& d) {
    if (!root.IsMap()) {
      problem(lineOf(root), "",
              "expected a directive (a YAML mapping with id, title, issued, scope, ban, "
              "milestones); got " +
                  describeNode(root));
      return;
    }
    const Fields top = fields(root, 1, "", kTopKeys, "directive");
    d.id = requiredText(top, 1, "", "id", "the directive's id (e.g. pa-iphone-2023)");
    if (const Field* f = find(top, "id"); f && !d.id.empty()) {
      if (d.id.size() > kMaxIdLength || !std::all_of(d.id.begin(), d.id.end(), isIdChar)) {
        problem(f->line, "id",
                "expected letters, digits, '.', '_' or '-' (at most 64); got " + quoted(d.id));
      }
    }
    d.title = requiredText(top, 1, "", "title", "the directive's title");
    if (const Field* f = find(top, "issued")) {
      if (auto date = dateValue(*f, "issued")) {
        d.issued = *date;
        issued_known_ = true;
      }
    } else {
      problem(1, "issued", "missing; expected the date of issue as YYYY-MM-DD");
    }
    d.issuer = optionalText(top, "", "issuer");
    d.reason = optionalText(top, "", "reason");
    d.text = optionalText(top, "", "text");
    parseType(top, d);
    if (const Field* f = find(top, "scope")) {
      parseScope(*f, d.scope);
    } else {
      problem(1, "scope",
              "missing; expected a mapping with units (and optionally exclude_units, "
              "roles)");
    }
    if (const Field* f = find(top, "ban")) {
      parseBan(*f, d.ban);
    } else {
      problem(1, "ban", "missing; expected a list of ban rules");
    }
    if (const Field* f = find(top, "allow")) parseAllow(*f, d);
    if (const Field* f = find(top, "replacement")) parseReplacement(*f, d);
    if (const Field* f = find(top, "waivers")) parseWaivers(*f, d);
    if (const Field* f = find(top, "reminders")) parseReminders(*f, d);
    if (const Field* f = find(top, "milestones")) {
      parseMilestones(*f, d);
    } else {
      problem(1, "milestones", "missing; expected a list of {name, due} milestones");
    }
  }

 private:
  // The keys of a mapping in document order; reports non-scalar keys, duplicates and keys not
  // in `allowed`. `node` must be a map.
  template <std::size_t N>
  Fields fields(const YAML::Node& node, int fallback_line, std::string_view path,
                const std::array<std::string_view, N>& allowed, std::string_view what) {
    Fields out;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key = it->first;
      const int line = key.Mark().line >= 0 ? key.Mark().line + 1 : fallback_line;
      if (!key.IsScalar()) {
        problem(line, path, "expected a plain key; got " + describeNode(key));
        continue;
      }
      const std::string& name = key.Scalar();
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        problem(line, child(path, printable(name)),
                "unknown key in " + std::string(what) + "; expected one of: " + listNames(allowed));
        continue;
      }
      if (const Field* first = find(out, name)) {
        problem(line, child(path, name),
                "duplicate key (first given on line " + std::to_string(first->line) + ")");
        continue;
      }
      out.push_back(Field{name, line, it->second});
    }
    return out;
  }

  // Checks that a field holds a mapping; reports otherwise.
  bool expectMap(const Field& f, std::string_view path, std::string_view what) {
    if (f.value.IsMap()) return true;
    problem(f.line, path, "expected " + std::string(what) + "; got " + describeNode(f.value));
    return false;
  }

  // A scalar value as text; reports null, lists and mappings.
  std::optional<std::string> scalarText(const Field& f, std::string_view path) {
    if (f.value.IsScalar()) return f.value.Scalar();
    problem(f.line, path, "expected text; got " + describeNode(f.value));
    return std::nullopt;
  }

  std::string requiredText(const Fields& fs, int map_line, std::string_view path,
                           std::string_view key, std::string_view what) {
    const std::string p = child(path, key);
    const Field* f = find(fs, key);
    if (!f) {
      problem(map_line, p, "missing; expected " + std::string(what));
      return "";
    }
    auto text = scalarText(*f, p);
    if (!text) return "";
    std::string value(trim(*text));
    if (value.empty()) problem(f->line, p, "expected " + std::string(what) + "; got nothing");
    return value;
  }

  std::string optionalText(const Fields& fs, std::string_view path, std::string_view key) {
    const Field* f = find(fs, key);
    if (!f) return "";
    auto text = scalarText(*f, child(path, key));
    return text ? *text : "";
  }

  // A lower-case role or vendor-like name.
  std::string nameValue(const Field& f, std::string_view path, std::string_view what) {
    auto text = scalarText(f, path);
    if (!text) return "";
    std::string value = toLower(trim(*text));
    if (!isAllNameChars(value)) {
      problem(f.line, path,
              "expected " + std::string(what) + " (letters, digits, '.', '_', '-'); got " +
                  quoted(*text));
      return "";
    }
    return value;
  }

  std::optional<Date> dateValue(const Field& f, std::string_view path) {
    if (!f.value.IsScalar()) {
      problem(f.line, path, "expected a date as YYYY-MM-DD; got " + describeNode(f.value));
      return std::nullopt;
    }
    auto date = Date::parse(trim(f.value.Scalar()));
    if (!date) {
      problem(f.line, path, "expected a real date as YYYY-MM-DD; got " + quoted(f.value.Scalar()));
    }
    return date;
  }

  std::optional<int> daysValue(const YAML::Node& node, int line, std::string_view path) {
    if (node.IsScalar()) {
      const std::string_view s = trim(node.Scalar());
      int value = 0;
      // At most five digits: the range check below cannot see an overflowed value.
      bool ok = !s.empty() && s.size() <= 5;
      for (std::size_t i = 0; ok && i < s.size(); ++i) {
        ok = s[i] >= '0' && s[i] <= '9';
        value = value * 10 + (s[i] - '0');
      }
      if (ok && value >= 1 && value <= kMaxDays) return value;
    }
    problem(line, path,
            "expected a whole number of days from 1 to " + std::to_string(kMaxDays) + "; got " +
                describeNode(node));
    return std::nullopt;
  }

  struct Item {
    std::string text;
    int line;
    std::string path;
  };

  // The scalar items of a list. When `scalar_ok`, a single scalar stands for a one-item list
  // (rule fields). An empty list is reported when `non_empty`.
  std::vector<Item> items(const Field& f, std::string_view path, bool scalar_ok, bool non_empty,
                          std::string_view what) {
    std::vector<Item> out;
    if (scalar_ok && f.value.IsScalar()) {
      out.push_back(Item{f.value.Scalar(), f.line, std::string(path)});
      return out;
    }
    if (!f.value.IsSequence()) {
      problem(f.line, path,
              "expected " + std::string(scalar_ok ? "one value or a list of " : "a list of ") +
                  std::string(what) + "; got " + describeNode(f.value));
      return out;
    }
    std::size_t i = 0;
    for (auto it = f.value.begin(); it != f.value.end(); ++it, ++i) {
      const YAML::Node item = *it;
      const std::string item_path = indexed(path, i);
      const int line = item.Mark().line >= 0 ? item.Mark().line + 1 : f.line;
      if (!item.IsScalar()) {
        problem(line, item_path,
                "expected one of " + std::string(what) + "; got " + describeNode(item));
        continue;
      }
      out.push_back(Item{item.Scalar(), line, item_path});
    }
    if (non_empty && i == 0) {
      problem(f.line, path,
              "expected at least one of " + std::string(what) + "; got an empty list");
    }
    return out;
  }

  std::vector<Platform> platforms(const Field& f, std::string_view path, bool scalar_ok) {
    std::vector<Platform> out;
    for (const Item& item : items(f, path, scalar_ok, true, "the platforms")) {
      auto p = platform::parsePlatform(trim(item.text));
      if (!p || *p == Platform::kUnknown) {
        problem(item.line, item.path,
                "expected one of: " + knownNames(platform::platformNames()) + "; got " +
                    quoted(item.text));
        continue;
      }
      out.push_back(*p);
    }
    return out;
  }

  void parseType(const Fields& top, Directive& d) {
    if (const Field* f = find(top, "type")) {
      if (auto text = scalarText(*f, "type")) {
        const std::string_view t = trim(*text);
        if (t == "device-ban") {
          d.type = DirectiveType::kDeviceBan;
        } else if (t == "usage-ban") {
          d.type = DirectiveType::kUsageBan;
        } else {
          problem(f->line, "type", "expected one of: device-ban, usage-ban; got " + quoted(*text));
        }
      }
    }
    const Field* protects = find(top, "protects");
    if (d.type == DirectiveType::kUsageBan && !protects) {
      problem(1, "protects",
              "missing; expected the host names or URL prefixes of the official services a "
              "usage-ban protects");
      return;
    }
    if (!protects) return;
    if (d.type != DirectiveType::kUsageBan) {
      problem(protects->line, "protects", "expected only with type: usage-ban");
      return;
    }
    for (const Item& item :
         items(*protects, "protects", false, true, "host names or URL prefixes")) {
      std::string normal = normaliseProtected(trim(item.text));
      if (normal.empty()) {
        problem(item.line, item.path,
                "expected a host name (mail.example.org) or an http(s) URL prefix; got " +
                    quoted(item.text));
        continue;
      }
      d.protects.push_back(std::move(normal));
    }
  }

  std::vector<std::string> unitGlobs(const Field& f, std::string_view path, bool non_empty) {
    std::vector<std::string> out;
    const char* what = "unit globs (e.g. \"pa/**\")";
    if (non_empty && f.value.IsSequence() && f.value.size() == 0) {
      problem(f.line, path,
              "expected at least one unit glob (e.g. \"pa/**\"); an empty scope covers nobody");
      return out;
    }
    for (const Item& item : items(f, path, false, non_empty, what)) {
      const std::string glob(trim(item.text));
      if (std::string why = unitGlobProblem(glob); !why.empty()) {
        problem(item.line, item.path, why);
        continue;
      }
      out.push_back(glob);
    }
    return out;
  }

  void parseScope(const Field& f, Scope& scope) {
    if (!expectMap(f, "scope", "a mapping with units (and optionally exclude_units, roles)")) {
      return;
    }
    const Fields fs = fields(f.value, f.line, "scope", kScopeKeys, "scope");
    if (const Field* units = find(fs, "units")) {
      scope.units = unitGlobs(*units, "scope.units", true);
    } else {
      problem(lineOf(f.value), "scope.units",
              "missing; expected at least one unit glob (e.g. \"pa/**\"); an empty scope covers "
              "nobody");
    }
    if (const Field* ex = find(fs, "exclude_units")) {
      scope.exclude_units = unitGlobs(*ex, "scope.exclude_units", false);
    }
    if (const Field* roles = find(fs, "roles")) {
      for (const Item& item : items(*roles, "scope.roles", false, false, "role names")) {
        std::string role = toLower(trim(item.text));
        if (!isAllNameChars(role)) {
          problem(
              item.line, item.path,
              "expected a role name (letters, digits, '.', '_', '-'); got " + quoted(item.text));
          continue;
        }
        scope.roles.push_back(std::move(role));
      }
    }
  }

  void parseRule(const YAML::Node& node, int line, const std::string& path, BanRule& rule) {
    rule.line = line;
    if (!node.IsMap()) {
      problem(line, path,
              "expected a ban rule (a mapping of " + listNames(kRuleKeys) + "); got " +
                  describeNode(node));
      return;
    }
    const Fields fs = fields(node, line, path, kRuleKeys, "a ban rule");
    if (fs.empty()) {
      problem(line, path,
              "expected at least one of: " + listNames(kRuleKeys) +
                  " (a rule with no fields would ban every device)");
      return;
    }
    if (const Field* f = find(fs, "platform")) {
      rule.platforms = platforms(*f, child(path, "platform"), true);
    }
    if (const Field* f = find(fs, "vendor")) {
      const std::string p = child(path, "vendor");
      for (const Item& item : items(*f, p, true, true, "vendor ids")) {
        std::string vendor = toLower(trim(item.text));
        if (!isAllNameChars(vendor)) {
          problem(item.line, item.path,
                  "expected a canonical vendor id (lower-case letters, digits, '.', '_', '-'; "
                  "e.g. apple, huawei); got " +
                      quoted(item.text));
          continue;
        }
        rule.vendors.push_back(std::move(vendor));
      }
    }
    if (const Field* f = find(fs, "kind")) {
      const std::string p = child(path, "kind");
      for (const Item& item : items(*f, p, true, true, "device kinds")) {
        auto kind = platform::parseKind(trim(item.text));
        if (!kind || *kind == Kind::kUnknown) {
          problem(item.line, item.path,
                  "expected one of: " + knownNames(platform::kindNames()) + "; got " +
                      quoted(item.text));
          continue;
        }
        rule.kinds.push_back(*kind);
      }
    }
    if (const Field* f = find(fs, "model")) {
      const std::string p = child(path, "model");
      for (const Item& item : items(*f, p, true, true, "model globs")) {
        std::string pattern(trim(item.text));
        if (pattern.empty()) {
          problem(item.line, item.path, "expected a model glob (e.g. \"iPhone*\"); got nothing");
          continue;
        }
        rule.model_patterns.push_back(std::move(pattern));
      }
    }
    if (const Field* f = find(fs, "app")) {
      const std::string p = child(path, "app");
      for (const Item& item : items(*f, p, true, true, "app ids")) {
        std::string app = toLower(trim(item.text));
        if (!isAllNameChars(app)) {
          problem(item.line, item.path,
                  "expected an app id (letters, digits, '.', '_', '-'; e.g. tiktok); got " +
                      quoted(item.text));
          continue;
        }
        rule.apps.push_back(std::move(app));
      }
    }
  }

  void parseBan(const Field& f, std::vector<BanRule>& ban) {
    if (!f.value.IsSequence()) {
      problem(f.line, "ban", "expected a list of ban rules; got " + describeNode(f.value));
      return;
    }
    if (f.value.size() == 0) {
      problem(f.line, "ban", "expected at least one ban rule; got an empty list");
      return;
    }
    std::size_t i = 0;
    for (auto it = f.value.begin(); it != f.value.end(); ++it, ++i) {
      const YAML::Node node = *it;
      const int line = node.Mark().line >= 0 ? node.Mark().line + 1 : f.line;
      BanRule rule;
      parseRule(node, line, indexed("ban", i), rule);
      ban.push_back(std::move(rule));
    }
  }

  void parseAllow(const Field& f, Directive& d) {
    if (!expectMap(f, "allow", "a mapping with platforms")) return;
    const Fields fs = fields(f.value, f.line, "allow", kAllowKeys, "allow");
    const Field* pf = find(fs, "platforms");
    if (!pf) {
      problem(lineOf(f.value), "allow.platforms", "missing; expected a list of allowed platforms");
      return;
    }
    d.allowed_platforms = platforms(*pf, "allow.platforms", false);
    // An allowed platform that a platform-only rule bans is a contradiction in the order.
    for (std::size_t i = 0; i < d.allowed_platforms.size(); ++i) {
      for (std::size_t r = 0; r < d.ban.size(); ++r) {
        const BanRule& rule = d.ban[r];
        const bool platform_only = rule.vendors.empty() && rule.kinds.empty() &&
                                   rule.model_patterns.empty() && rule.apps.empty();
        if (platform_only && std::find(rule.platforms.begin(), rule.platforms.end(),
                                       d.allowed_platforms[i]) != rule.platforms.end()) {
          problem(pf->line, "allow.platforms",
                  "expected platforms the ban does not cover; " +
                      std::string(platform::name(d.allowed_platforms[i])) + " is banned by rule " +
                      std::to_string(r + 1));
        }
      }
    }
  }

  void parseReplacement(const Field& f, Directive& d) {
    if (!expectMap(f, "replacement", "a mapping with channels")) return;
    const Fields fs = fields(f.value, f.line, "replacement", kReplacementKeys, "replacement");
    const Field* cf = find(fs, "channels");
    if (!cf) {
      problem(lineOf(f.value), "replacement.channels",
              "missing; expected a list of procurement channels");
      return;
    }
    ReplacementPolicy policy;
    for (const Item& item : items(*cf, "replacement.channels", false, true, "channels")) {
      auto channel = platform::parseChannel(trim(item.text));
      if (!channel || *channel == Channel::kUnknown) {
        problem(item.line, item.path,
                "expected one of: " + knownNames(platform::channelNames()) + "; got " +
                    quoted(item.text));
        continue;
      }
      policy.channels.push_back(*channel);
    }
    d.replacement = std::move(policy);
  }

  void parseWaivers(const Field& f, Directive& d) {
    if (!expectMap(f, "waivers", "a mapping with approver_role, max_days, unit_wide")) return;
    const Fields fs = fields(f.value, f.line, "waivers", kWaiverKeys, "waivers");
    const int map_line = lineOf(f.value);
    WaiverPolicy policy;
    if (const Field* rf = find(fs, "approver_role")) {
      policy.approver_role = nameValue(*rf, "waivers.approver_role", "a role name");
    } else {
      problem(map_line, "waivers.approver_role",
              "missing; expected the role that approves waivers");
    }
    if (const Field* mf = find(fs, "max_days")) {
      if (auto days = daysValue(mf->value, mf->line, "waivers.max_days")) policy.max_days = *days;
    } else {
      problem(map_line, "waivers.max_days", "missing; expected the longest waiver in days");
    }
    if (const Field* uf = find(fs, "unit_wide")) {
      const std::string_view v = uf->value.IsScalar() ? trim(uf->value.Scalar()) : "";
      if (iequals(v, "true")) {
        policy.unit_wide = true;
      } else if (iequals(v, "false")) {
        policy.unit_wide = false;
      } else {
        problem(uf->line, "waivers.unit_wide",
                "expected true or false; got " + describeNode(uf->value));
      }
    }
    d.waivers = std::move(policy);
  }

  void parseReminders(const Field& f, Directive& d) {
    if (!expectMap(f, "reminders", "a mapping with days_before, escalate_to_role")) return;
    const Fields fs = fields(f.value, f.line, "reminders", kReminderKeys, "reminders");
    ReminderPolicy policy;
    if (const Field* df = find(fs, "days_before")) {
      if (!df->value.IsSequence() || df->value.size() == 0) {
        problem(
            df->line, "reminders.days_before",
            "expected a non-empty list of whole numbers of days; got " + describeNode(df->value));
      } else {
        std::size_t i = 0;
        for (auto it = df->value.begin(); it != df->value.end(); ++it, ++i) {
          const YAML::Node node = *it;
          const int line = node.Mark().line >= 0 ? node.Mark().line + 1 : df->line;
          const std::string path = indexed("reminders.days_before", i);
          auto days = daysValue(node, line, path);
          if (!days) continue;
          if (std::find(policy.days_before.begin(), policy.days_before.end(), *days) !=
              policy.days_before.end()) {
            problem(
                line, path,
                "expected distinct numbers of days; " + std::to_string(*days) + " is listed twice");
            continue;
          }
          policy.days_before.push_back(*days);
        }
        std::sort(policy.days_before.begin(), policy.days_before.end(), std::greater<>());
      }
    } else {
      problem(lineOf(f.value), "reminders.days_before",
              "missing; expected the days before each due date to remind on (e.g. [7, 1])");
    }
    if (const Field* ef = find(fs, "escalate_to_role")) {
      policy.escalate_to_role = nameValue(*ef, "reminders.escalate_to_role", "a role name");
    }
    d.reminders = std::move(policy);
  }

  void parseMilestones(const Field& f, Directive& d) {
    if (!f.value.IsSequence()) {
      problem(f.line, "milestones",
              "expected a list of {name, due} milestones; got " + describeNode(f.value));
      return;
    }
    if (f.value.size() == 0) {
      problem(f.line, "milestones", "expected at least one milestone; got an empty list");
      return;
    }
    std::size_t i = 0;
    for (auto it = f.value.begin(); it != f.value.end(); ++it, ++i) {
      const YAML::Node node = *it;
      const int line = node.Mark().line >= 0 ? node.Mark().line + 1 : f.line;
      const std::string path = indexed("milestones", i);
      if (!node.IsMap()) {
        problem(line, path,
                "expected a milestone {name, due, requires}; got " + describeNode(node));
        continue;
      }
      const Fields fs = fields(node, line, path, kMilestoneKeys, "a milestone");
      Milestone m;
      m.name = requiredText(fs, line, path, "name", "the milestone's name (e.g. handover)");
      bool ok = !m.name.empty();
      if (ok) {
        for (const Milestone& earlier : d.milestones) {
          if (earlier.name == m.name) {
            problem(find(fs, "name")->line, child(path, "name"),
                    "expected distinct milestone names; " + quoted(m.name) + " is listed twice");
            ok = false;
          }
        }
      }
      if (const Field* due = find(fs, "due")) {
        auto date = dateValue(*due, child(path, "due"));
        if (!date) {
          ok = false;
        } else {
          m.due = *date;
          if (!d.milestones.empty() && m.due < d.milestones.back().due) {
            problem(due->line, child(path, "due"),
                    "expected milestones in date order: a date on or after " +
                        d.milestones.back().due.toString() + "; got " + m.due.toString());
            ok = false;
          }
          if (issued_known_ && m.due < d.issued) {
            problem(due->line, child(path, "due"),
                    "expected a date on or after the issue date " + d.issued.toString() + "; got " +
                        m.due.toString());
            ok = false;
          }
        }
      } else {
        problem(line, child(path, "due"), "missing; expected the due date as YYYY-MM-DD");
        ok = false;
      }
      if (const Field* req = find(fs, "requires")) {
        if (auto text = scalarText(*req, child(path, "requires"))) {
          const std::string value(trim(*text));
          if (std::find(kRequirements.begin(), kRequirements.end(), value) == kRequirements.end()) {
            problem(req->line, child(path, "requires"),
                    "expected one of: " + listNames(kRequirements) + "; got " + quoted(*text));
            ok = false;
          } else {
            m.requires_what = value;
          }
        }
      }
      if (ok) d.milestones.push_back(std::move(m));
    }
  }

  std::string source_;
  // Set once `issued` parsed, so milestone dates are compared only with a real issue date.
  bool issued_known_ = false;
  std::vector<std::string> problems_;
  std::size_t total_problems_ = 0;
};

// Records where each document starts; ignores everything else.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  std::vector<YAML::Mark> marks;
};

// The line of the first byte that is not UTF-8, or 0 when the text is valid.
int firstInvalidUtf8Line(std::string_view text) {
  if (isValidUtf8(text)) return 0;
  int line = 1;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (!isValidUtf8(text.substr(start, end - start))) return line;
    ++line;
    start = end + 1;
  }
  return 1;
}

}  // namespace

std::string_view name(DirectiveType t) {
  return t == DirectiveType::kUsageBan ? "usage-ban" : "device-ban";
}

std::vector<std::string_view> milestoneRequirementNames() {
  return {kRequirements.begin(), kRequirements.end()};
}

Result<Directive> parseDirective(std::string_view yaml_text, std::string_view source_name) {
  const std::string source(source_name.empty() ? "<directive>" : source_name);
  if (int line = firstInvalidUtf8Line(yaml_text); line != 0) {
    return invalidArgument(source + ":" + std::to_string(line) + ": expected UTF-8 text");
  }
  Directive d;
  DirectiveParser parser(source);
  // yaml-cpp reports syntax errors by exception; they stop here (no exception leaves policy).
  try {
    // YAML::LoadAll loops forever on a stray flow token (",": each call yields an empty
    // document without consuming it), so documents are counted here with a bounded loop.
    const std::string text(yaml_text);
    std::istringstream stream(text);
    YAML::Parser events(stream);
    DocumentStarts starts;
    while (starts.marks.size() < 2 && events.HandleNextDocument(starts)) {
    }
    if (starts.marks.empty()) {
      return invalidArgument(source +
                             ":1: expected a directive (a YAML mapping); the text is empty");
    }
    if (starts.marks.size() > 1) {
      const YAML::Mark& second = starts.marks[1];
      const std::string line = std::to_string(second.line >= 0 ? second.line + 1 : 1);
      if (second.pos <= starts.marks[0].pos) {
        return invalidArgument(source + ":" + line +
                               ": YAML syntax: a stray token that starts no value");
      }
      return invalidArgument(source + ":" + line +
                             ": expected one YAML document; a second one starts here");
    }
    parser.parse(YAML::Load(text), d);
  } catch (const YAML::Exception& e) {
    const int line = e.mark.line >= 0 ? e.mark.line + 1 : 1;
    std::string msg = source + ":" + std::to_string(line) + ": YAML syntax: " + e.msg;
    if (e.mark.column >= 0) msg += " (column " + std::to_string(e.mark.column + 1) + ")";
    return invalidArgument(std::move(msg));
  } catch (const std::exception& e) {
    return internalError(source + ": parsing the directive failed: " + e.what());
  }
  PH_RETURN_IF_ERROR(parser.status());
  d.source_name = source;
  d.source_text = std::string(yaml_text);
  return d;
}

Result<Directive> loadDirectiveFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return notFound(path + ": cannot read directive file: " + std::strerror(errno));
  }
  std::string text;
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxDirectiveFileBytes) {
      return invalidArgument(path + ": expected a directive file of at most " +
                             std::to_string(kMaxDirectiveFileBytes) + " bytes");
    }
  }
  if (in.bad()) return notFound(path + ": error while reading directive file");
  return parseDirective(text, path);
}

std::string describeRule(const BanRule& rule) {
  std::string out;
  auto field = [&out](std::string_view key, const auto& values, auto&& render) {
    if (values.empty()) return;
    if (!out.empty()) out += ", ";
    out += key;
    out += ' ';
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) out += " or ";
      render(values[i]);
    }
  };
  field("platform", rule.platforms, [&out](Platform p) { out += platform::name(p); });
  field("vendor", rule.vendors, [&out](const std::string& v) { out += v; });
  field("kind", rule.kinds, [&out](Kind k) { out += platform::name(k); });
  field("model", rule.model_patterns, [&out](const std::string& m) {
    out += '"';
    out += m;
    out += '"';
  });
  field("app", rule.apps, [&out](const std::string& a) { out += a; });
  return out;
}

}  // namespace phaseout::policy

// The "ldif" source: people from an LDAP or Active Directory export in LDIF (RFC 2849): entries
// separated by blank lines, "attribute: value" lines, "attribute:: base64", continuation lines
// starting with one space, comments starting with '#'. An entry without person_id attribute
// (an ou, a group) is skipped. Defaults, each changeable by the mapping (people_map.h):
//   person_id  uid, else sAMAccountName
//   name       displayName, else cn
//   email      mail
//   upn        userPrincipalName (devices' holders are matched by it as by e-mail)
//   unit       the DN's ou path, outermost first ("uid=a,ou=press,ou=pa,dc=x" -> "pa/press")
//   status     userAccountControl with ACCOUNTDISABLE (0x2) set -> left, else active
//   role       from memberOf groups, as the mapping's roles say
// Fields: https://www.rfc-editor.org/rfc/rfc2849 and
// https://learn.microsoft.com/windows/win32/adschema/a-useraccountcontrol
#include <array>
#include <charconv>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "inventory/columns.h"
#include "inventory/sources/people_map.h"
#include "inventory/sources/source.h"

namespace phaseout::inventory {
namespace {

constexpr std::string_view kName = "ldif";
constexpr std::array<std::string_view, 1> kExtensions{".ldif"};
constexpr unsigned kAccountDisable = 0x2;

std::string base64Decode(std::string_view in, bool& ok) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  ok = true;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else if (c == '=' || c == ' ') {
      continue;
    } else {
      ok = false;
      return out;
    }
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

struct Entry {
  std::size_t line = 0;
  std::vector<std::pair<std::string, std::string>> attributes;  // lower-case name, value
  const std::string* first(std::string_view name) const {
    for (const auto& [key, value] : attributes) {
      if (key == name) return &value;
    }
    return nullptr;
  }
  std::vector<std::string> all(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [key, value] : attributes) {
      if (key == name) out.push_back(value);
    }
    return out;
  }
};

// "pa/press" from "uid=a,ou=press,ou=pa,dc=example,dc=org".
std::string unitFromDn(std::string_view dn) {
  std::vector<std::string> segments;
  for (const std::string& rdn : splitList(dn, ',')) {
    const std::size_t eq = rdn.find('=');
    if (eq == std::string::npos || !iequals(trim(std::string_view(rdn).substr(0, eq)), "ou")) {
      continue;
    }
    const std::string segment = unitSegment(std::string_view(rdn).substr(eq + 1));
    if (!segment.empty()) segments.insert(segments.begin(), segment);
  }
  return join(segments, "/");
}

class LdifReader {
 public:
  LdifReader(const SourceInput& input, RecordSink& sink)
      : input_(input), sink_(sink), mapping_(input.people_map ? *input.people_map : defaults_) {
    record_.provenance.file = input.file;
    record_.provenance.source = kName;
    record_.fields.resize(input.columns.size());
  }

  void run() {
    std::string_view text = input_.text;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    Entry entry;
    std::string name, value;
    bool base64 = false, in_attr = false;
    std::size_t line_no = 0, attr_line = 0;
    const auto finish_attr = [&]() -> bool {
      if (!in_attr) return true;
      in_attr = false;
      if (base64) {
        bool ok = true;
        value = base64Decode(value, ok);
        if (!ok) {
          sink_.problem(attr_line, name, "expected base64 after \"::\"");
          return false;
        }
      }
      entry.attributes.emplace_back(toLower(name), value);
      return true;
    };
    const auto finish_entry = [&]() -> bool {
      finish_attr();
      bool go_on = true;
      if (!entry.attributes.empty()) go_on = emit(entry);
      entry = Entry();
      return go_on;
    };
    while (!text.empty()) {
      const std::size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) {
        if (!finish_entry()) return;
        continue;
      }
      if (line[0] == '#') continue;
      if (line[0] == ' ') {
        if (in_attr) value.append(line.substr(1));
        continue;
      }
      finish_attr();
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) {
        sink_.problem(line_no, "", "expected \"attribute: value\"; got " + quoteValue(line));
        continue;
      }
      name.assign(line.substr(0, colon));
      std::string_view rest = line.substr(colon + 1);
      base64 = !rest.empty() && rest[0] == ':';
      if (base64) rest.remove_prefix(1);
      if (!rest.empty() && rest[0] == '<') {
        sink_.problem(line_no, name, "values by URL (\":<\") are not read; inline the value");
        continue;
      }
      value.assign(trim(rest));
      in_attr = true;
      attr_line = line_no;
      if (entry.attributes.empty() && entry.line == 0) entry.line = line_no;
    }
    finish_entry();
  }

 private:
  static std::string quoteValue(std::string_view s) {
    return "\"" + std::string(s.substr(0, 60)) + (s.size() > 60 ? "...\"" : "\"");
  }

  bool emit(const Entry& entry) {
    if (entry.first("version") != nullptr && entry.attributes.size() == 1) return true;
    const std::string* id = nullptr;
    if (!mapping_.person_id.empty()) {
      id = entry.first(toLower(mapping_.person_id));
    } else {
      id = entry.first("uid");
      if (id == nullptr) id = entry.first("samaccountname");
    }
    if (id == nullptr) return true;  // not a person (an ou, a group)
    scratch_.clear();
    record_.clearFields();
    const auto put = [&](std::size_t column, std::string value) {
      record_.fields[column].present = true;
      record_.fields[column].text = scratch_.emplace_back(std::move(value));
    };
    put(kPersonId, *id);
    if (const std::string* v = entry.first("displayname")) {
      put(kPersonName, *v);
    } else if (const std::string* cn = entry.first("cn")) {
      put(kPersonName, *cn);
    }
    if (const std::string* v = entry.first("mail")) put(kEmail, *v);
    if (const std::string* v = entry.first("userprincipalname")) put(kUpn, *v);
    std::string unit;
    if (!mapping_.unit.empty()) {
      if (const std::string* v = entry.first(toLower(mapping_.unit))) unit = unitSegment(*v);
    } else if (const std::string* dn = entry.first("dn")) {
      unit = unitFromDn(*dn);
    }
    if (!mapping_.unit_prefix.empty() && !unit.empty()) unit = mapping_.unit_prefix + "/" + unit;
    put(kUnit, unit);
    std::string status = "active";
    if (!mapping_.status.empty()) {
      if (const std::string* v = entry.first(toLower(mapping_.status))) {
        for (const std::string& left : mapping_.left_values) {
          if (iequals(trim(*v), left)) status = "left";
        }
      }
    } else if (const std::string* uac = entry.first("useraccountcontrol")) {
      unsigned flags = 0;
      const std::string_view t = trim(*uac);
      const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), flags);
      if (ec != std::errc() || end != t.data() + t.size()) {
        sink_.problem(entry.line, "userAccountControl",
                      "expected a number (the account flags); got " + quoteValue(t));
        return true;
      }
      if ((flags & kAccountDisable) != 0) status = "left";
    }
    put(kStatus, status);
    const std::vector<std::string> roles = rolesOf(mapping_, entry.all("memberof"));
    if (!roles.empty()) {
      RawField& field = record_.fields[kRole];
      field.present = true;
      field.is_array = true;
      for (const std::string& role : roles) field.items.push_back(scratch_.emplace_back(role));
    }
    record_.provenance.line = entry.line;
    return sink_.record(record_);
  }

  const SourceInput& input_;
  RecordSink& sink_;
  PeopleMapping defaults_;
  const PeopleMapping& mapping_;
  RawRecord record_;
  std::deque<std::string> scratch_;
};

void readLdif(const SourceInput& input, RecordSink& sink) { LdifReader(input, sink).run(); }

bool recogniseLdif(std::string_view head, SourceSchema schema) {
  if (schema == SourceSchema::kDevices) return false;
  std::size_t pos = 0;
  while (pos < head.size()) {
    const std::size_t nl = head.find('\n', pos);
    const std::string_view line = head.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    if (!line.empty() && line[0] != '#' && !trim(line).empty()) {
      return line.substr(0, 3) == "dn:" || line.substr(0, 8) == "version:";
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

}  // namespace

const Source& ldifSource() {
  static const Source source{kName,
                             "LDIF (LDAP / Active Directory export): unit from the DN's ou path, "
                             "status from userAccountControl (--map changes either)",
                             kExtensions,
                             &readLdif,
                             SourceKind::kDirect,
                             SourceSchema::kPeople,
                             &recogniseLdif,
                             "https://www.rfc-editor.org/rfc/rfc2849"};
  return source;
}

}  // namespace phaseout::inventory

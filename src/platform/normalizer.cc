#include "platform/normalizer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/strings.h"

namespace phaseout::embedded {
extern const std::string_view kPlatformDeviceTables;
}  // namespace phaseout::embedded

namespace phaseout::platform {
namespace {

// Only a prefix of each field is ever matched (names, codes and the version right after an OS
// name), so scanning stops here; this bounds the cost of hostile or garbage input.
constexpr std::size_t kMaxScanBytes = 256;
constexpr std::size_t kMaxVersionBytes = 32;
// "macOS Sonoma 14.1", "Debian GNU/Linux 12": words allowed between an OS name and its number.
constexpr int kMaxWordsBeforeVersion = 2;
constexpr std::string_view kBuiltinSource = "data/platform/device_tables.txt";

// Byte classes and ASCII lower-casing, looked up once per byte on the hot path.
enum : std::uint8_t { kDigitBit = 1, kLetterBit = 2, kWordBit = 4, kSpaceBit = 8 };
struct ByteTable {
  std::array<std::uint8_t, 256> cls{};
  std::array<char, 256> lower{};
};
constexpr ByteTable makeByteTable() {
  ByteTable t;
  for (int c = 0; c < 256; ++c) {
    std::uint8_t k = 0;
    if (c >= '0' && c <= '9') k |= kDigitBit | kWordBit;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) k |= kLetterBit | kWordBit;
    // Bytes of multi-byte UTF-8 sequences count as word characters so that "Аврора" or "华为"
    // stay whole words.
    if (c >= 0x80) k |= kWordBit;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') k |= kSpaceBit;
    t.cls[static_cast<std::size_t>(c)] = k;
    t.lower[static_cast<std::size_t>(c)] = static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c);
  }
  return t;
}
constexpr ByteTable kBytes = makeByteTable();

std::uint8_t classOf(char c) { return kBytes.cls[static_cast<unsigned char>(c)]; }
bool isDigit(char c) { return (classOf(c) & kDigitBit) != 0; }
bool isAsciiLetter(char c) { return (classOf(c) & kLetterBit) != 0; }
bool isWordByte(char c) { return (classOf(c) & kWordBit) != 0; }

// A fixed buffer for normalised text: normalisation runs once per field per row and must not
// allocate. The bytes past `size` are never read, so they are left uninitialised.
struct TextBuf {
  std::array<char, kMaxScanBytes> data;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  std::size_t size = 0;

  [[nodiscard]] std::string_view view() const { return {data.data(), size}; }
  [[nodiscard]] bool full() const { return size == data.size(); }
  void push(char c) {
    if (!full()) data[size++] = c;
  }
  [[nodiscard]] char back() const { return size ? data[size - 1] : '\0'; }
};

// The non-ASCII part of pushLower(), kept out of line: rare in exports.
std::size_t pushLowerNonAscii(std::string_view s, std::size_t i, TextBuf& out) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c == 0xD0 && i + 1 < s.size()) {
    const auto d = static_cast<unsigned char>(s[i + 1]);
    if (d >= 0x90 && d <= 0x9F) {  // А-П -> а-п
      out.push(static_cast<char>(0xD0));
      out.push(static_cast<char>(d + 0x20));
      return 2;
    }
    if (d >= 0xA0 && d <= 0xAF) {  // Р-Я -> р-я
      out.push(static_cast<char>(0xD1));
      out.push(static_cast<char>(d - 0x20));
      return 2;
    }
    if (d == 0x81) {  // Ё -> ё
      out.push(static_cast<char>(0xD1));
      out.push(static_cast<char>(0x91));
      return 2;
    }
  }
  out.push(static_cast<char>(c));
  return 1;
}

// Appends the lower-cased character at s[i] to `out` and returns how many bytes it took.
// ASCII and Cyrillic А-Я/Ё (two-byte UTF-8, same length after folding) are folded: Aurora and
// Russian vendors are spelled in Cyrillic in real exports.
inline std::size_t pushLower(std::string_view s, std::size_t i, TextBuf& out) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    out.push(kBytes.lower[c]);
    return 1;
  }
  return pushLowerNonAscii(s, i, out);
}

// Model text: lower-cased, runs of white space and '_' folded to one space, trimmed.
// Punctuation is kept because codes carry it ("noh-an00", "iphone14,2").
TextBuf normalizeModel(std::string_view s) {
  TextBuf out;
  bool pending_space = false;
  for (std::size_t i = 0; i < s.size() && !out.full();) {
    if ((classOf(s[i]) & kSpaceBit) || s[i] == '_') {
      pending_space = out.size > 0;
      ++i;
      continue;
    }
    if (pending_space) {
      out.push(' ');
      pending_space = false;
    }
    i += pushLower(s, i, out);
  }
  return out;
}

// A '+' glued to the end of a word is part of a brand name ("F+"), not punctuation.
bool gluedPlus(char c, char previous) { return c == '+' && isWordByte(previous); }

// Word text (vendors, kinds, OS strings): lower-cased; every run of characters other than
// letters and digits folded to one space. Outside OS mode a '+' glued to a word is kept
// ("F+ tech" -> "f+ tech"), so the brand "F+" is not the bare letter "f". In OS mode a '.' or
// '_' between digits becomes '.' (versions: "16.4.1", "10_15_7") and a letter followed by a
// digit is split ("ios16" -> "ios 16"), so names and numbers are separate words.
TextBuf normalizeWords(std::string_view s, bool os_mode) {
  TextBuf out;
  bool pending_space = false;
  for (std::size_t i = 0; i < s.size() && !out.full();) {
    const char c = s[i];
    const std::uint8_t cls = classOf(c);
    if (!(cls & kWordBit)) {
      if (os_mode && (c == '.' || c == '_') && !pending_space && isDigit(out.back()) &&
          i + 1 < s.size() && isDigit(s[i + 1])) {
        out.push('.');
      } else if (!os_mode && !pending_space && out.size > 0 && gluedPlus(c, out.back())) {
        out.push('+');
      } else {
        pending_space = out.size > 0;
      }
      ++i;
      continue;
    }
    if (os_mode && (cls & kDigitBit) && !pending_space && isAsciiLetter(out.back())) {
      pending_space = true;
    }
    if (pending_space) {
      out.push(' ');
      pending_space = false;
    }
    i += pushLower(s, i, out);
  }
  // A truncated buffer may end in a separator; it matters for no prefix.
  while (out.size > 0 && out.back() == ' ') --out.size;
  return out;
}

// FNV-1a: inline, and incremental, so the hash of "red hat" extends the hash of "red".
constexpr std::uint64_t kFnvBasis = 0xcbf29ce484222325ULL;
std::uint64_t fnv1a(std::uint64_t hash, std::string_view s) {
  for (char c : s) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// A string-keyed open-addressing hash map. Built once from the tables, then read-only; the
// standard unordered_map costs a call to the library hash and a division per lookup, which
// the import of a million rows notices.
template <typename V>
class FlatMap {
 public:
  [[nodiscard]] const V* find(std::string_view key) const {
    return find(key, fnv1a(kFnvBasis, key));
  }
  // `hash` must be fnv1a(kFnvBasis, key).
  [[nodiscard]] const V* find(std::string_view key, std::uint64_t hash) const {
    const std::uint32_t entry = entryOf(key, hash);
    return entry == kEmpty ? nullptr : &entries_[entry].second;
  }
  [[nodiscard]] bool contains(std::string_view key) const { return find(key) != nullptr; }

  // Inserts `value` unless `key` is present. The pointer is valid until the next insertion.
  std::pair<V*, bool> tryEmplace(std::string_view key, V value) {
    const std::uint64_t hash = fnv1a(kFnvBasis, key);
    const std::uint32_t entry = entryOf(key, hash);
    if (entry != kEmpty) return {&entries_[entry].second, false};
    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    entries_.emplace_back(std::string(key), std::move(value));
    place(hash, static_cast<std::uint32_t>(entries_.size() - 1));
    return {&entries_.back().second, true};
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t entry = kEmpty;
  };

  [[nodiscard]] std::uint32_t entryOf(std::string_view key, std::uint64_t hash) const {
    if (slots_.empty()) return kEmpty;
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.entry == kEmpty) return kEmpty;
      if (slot.hash == hash && entries_[slot.entry].first == key) return slot.entry;
    }
  }
  void place(std::uint64_t hash, std::uint32_t entry) {
    std::size_t i = hash & mask_;
    while (slots_[i].entry != kEmpty) i = (i + 1) & mask_;
    slots_[i] = {hash, entry};
  }
  void grow() {
    slots_.assign(std::max<std::size_t>(16, slots_.size() * 2), Slot{});
    mask_ = slots_.size() - 1;
    for (std::uint32_t e = 0; e < entries_.size(); ++e) {
      place(fnv1a(kFnvBasis, entries_[e].first), e);
    }
  }

  std::vector<Slot> slots_;  // size a power of two, at most half full
  std::size_t mask_ = 0;
  std::vector<std::pair<std::string, V>> entries_;
};

// Keys made of words (normalised text, single spaces) looked up as the longest whole-word
// prefix of a text. Every proper word prefix of a key is stored as a marker, so a lookup walks
// the text word by word and stops at the first prefix no key continues: usually one or two
// probes, whatever the number of words in the longest key.
template <typename V>
class WordIndex {
 public:
  // The value slot of `key` and whether the key is new. Valid until the next add().
  std::pair<V*, bool> add(std::string_view key) {
    for (std::size_t i = 0; i < key.size(); ++i) {
      if (key[i] == ' ') map_.tryEmplace(key.substr(0, i), Node{}).first->continues = true;
    }
    max_key_size_ = std::max(max_key_size_, key.size());
    Node* node = map_.tryEmplace(key, Node{}).first;
    const bool fresh = !node->terminal;
    node->terminal = true;
    return {&node->value, fresh};
  }

  // The value of the longest key that is a whole-word prefix of `text`, and its length.
  [[nodiscard]] std::pair<const V*, std::size_t> longest(std::string_view text) const {
    const V* best = nullptr;
    std::size_t best_len = 0;
    std::uint64_t hash = kFnvBasis;
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = start;
      while (end < text.size() && end <= max_key_size_ && text[end] != ' ') ++end;
      if (end > max_key_size_) break;  // no key is that long: garbage costs no hashing
      hash = fnv1a(hash, text.substr(start, end - start));
      const Node* node = map_.find(text.substr(0, end), hash);
      if (!node) break;
      if (node->terminal) {
        best = &node->value;
        best_len = end;
      }
      if (!node->continues) break;
      hash = fnv1a(hash, " ");
      start = end + 1;
    }
    return {best, best_len};
  }

 private:
  struct Node {
    V value{};
    bool terminal = false;   // a key ends here
    bool continues = false;  // a longer key starts with this one and a space
  };
  FlatMap<Node> map_;
  std::size_t max_key_size_ = 0;
};

// Skips a leading separator space.
std::string_view afterWord(std::string_view text, std::size_t end) {
  text.remove_prefix(std::min(end, text.size()));
  if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  return text;
}

// The dotted number that starts `word`, without trailing dots, at most kMaxVersionBytes long.
std::string_view leadingVersion(std::string_view word) {
  std::size_t n = 0;
  while (n < word.size() && n < kMaxVersionBytes && (isDigit(word[n]) || word[n] == '.')) ++n;
  while (n > 0 && word[n - 1] == '.') --n;
  return word.substr(0, n);
}

// The first number in `rest` (normalised OS text after a name), skipping at most `max_skip`
// words that are not numbers.
std::string_view findVersion(std::string_view rest, int max_skip) {
  int skipped = 0;
  while (!rest.empty()) {
    const std::size_t end = std::min(rest.find(' '), rest.size());
    const std::string_view word = rest.substr(0, end);
    if (isDigit(word.front())) return leadingVersion(word);
    if (++skipped > max_skip) return {};
    rest = afterWord(rest, end);
  }
  return {};
}

// The major number of a dotted version; -1 when there is none.
int majorOf(std::string_view version) {
  if (version.empty() || !isDigit(version.front())) return -1;
  int major = 0;
  for (char c : version) {
    if (!isDigit(c)) break;
    major = std::min(major * 10 + (c - '0'), 1'000'000);
  }
  return major;
}

// A column of the model tables saying what a model implies and admits; see the data file.
struct Spec {
  int implied = -1;           // vendor index or Platform value; -1 when nothing is implied
  bool any = true;            // anything is admitted
  std::vector<int> admitted;  // when !any: the admitted values besides `implied`

  [[nodiscard]] bool admits(int value) const {
    return any || value == implied ||
           std::find(admitted.begin(), admitted.end(), value) != admitted.end();
  }
};

struct ModelRule {
  std::string pattern;  // normalised, without the trailing '*'
  bool prefix = false;  // pattern ended in '*': no word boundary required
  bool shared = false;  // shared=yes: other makers use the name; see matchRules()
  Spec vendor;
  Spec platform;
  Kind kind = Kind::kUnknown;
  std::string name;
  Platform older = Platform::kUnknown;  // older=<p><<N>
  int older_below = 0;
};

// A set of platforms, one bit per Platform value.
using PlatformMask = std::uint32_t;
constexpr PlatformMask kAnyPlatform = ~PlatformMask{0};
constexpr PlatformMask bitOf(Platform p) { return PlatformMask{1} << static_cast<unsigned>(p); }
static_assert(static_cast<unsigned>(Platform::kLinux) < 32, "PlatformMask holds every platform");

// The only platform of `mask`, or unknown when it holds none or several.
Platform onlyPlatform(PlatformMask mask) {
  if (mask == 0 || (mask & (mask - 1)) != 0) return Platform::kUnknown;
  unsigned index = 0;
  while ((mask >> index) != 1) ++index;
  return static_cast<Platform>(index);
}

// What a model admits: anything, or its implied platform and the listed ones.
PlatformMask admittedPlatforms(const Spec& spec) {
  if (spec.any) return kAnyPlatform;
  PlatformMask mask = spec.implied >= 0 ? bitOf(static_cast<Platform>(spec.implied)) : 0;
  for (int p : spec.admitted) mask |= bitOf(static_cast<Platform>(p));
  return mask;
}

struct OsRecord {
  // The platforms the OS may be: one ("iOS"), several the model chooses among ("iOS/iPadOS",
  // "HarmonyOS" without a version), or none of the vocabulary (0: "Tizen", "tvOS").
  PlatformMask platforms = 0;
  int since = 0;  // 0: the record without since=
  int vendor = -1;
  Kind kind = Kind::kUnknown;
  bool version_none = false;
};

struct HwId {
  Kind kind = Kind::kUnknown;
  std::string name;
};

// Whole-word matching: without '*' the pattern must end where a word of the model ends. A
// pattern ending in a number also takes letters glued to it ("nova #" matches "nova 5t", a
// suffix of the model name), never more digits ("p##" does not match "p400": another number).
bool patternMatches(const ModelRule& rule, std::string_view text) {
  const std::string& p = rule.pattern;
  if (text.size() < p.size()) return false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '#') {
      if (!isDigit(text[i])) return false;
    } else if (p[i] != text[i]) {
      return false;
    }
  }
  if (rule.prefix || text.size() == p.size()) return true;
  std::size_t end = p.size();
  if (isDigit(text[end - 1])) {
    while (end < text.size() && isAsciiLetter(text[end])) ++end;
  }
  return end == text.size() || !isWordByte(text[end]);
}

std::size_t bucketKey(char a, char b) {
  return (static_cast<std::size_t>(static_cast<unsigned char>(a)) << 8) |
         static_cast<unsigned char>(b);
}

// "<letters><digits>,<digits>" as in "iphone14,2"; returns the letters.
std::optional<std::string_view> hardwareFamily(std::string_view m) {
  std::size_t i = 0;
  while (i < m.size() && m[i] >= 'a' && m[i] <= 'z') ++i;
  if (i == 0 || i == m.size()) return std::nullopt;
  const std::size_t letters = i;
  const std::size_t major_start = i;
  while (i < m.size() && isDigit(m[i])) ++i;
  if (i == major_start || i == m.size() || m[i] != ',') return std::nullopt;
  const std::size_t minor_start = ++i;
  while (i < m.size() && isDigit(m[i])) ++i;
  if (i == minor_start || i != m.size()) return std::nullopt;
  return m.substr(0, letters);
}

}  // namespace

struct Normalizer::Tables {
  struct Vendor {
    std::string id;
    Platform platform = Platform::kUnknown;   // platform=, single-OS vendors only
    Platform publishes = Platform::kUnknown;  // publishes=: an OS publisher, not a maker
  };
  std::vector<Vendor> vendors;
  FlatMap<int> vendor_ids;
  WordIndex<int> vendor_aliases;
  FlatMap<bool> blanks;  // field values that say nothing ("unknown", "n a")
  WordIndex<Kind> kind_aliases;
  WordIndex<std::vector<OsRecord>> os_names;  // each sorted by since

  std::vector<ModelRule> rules;
  // Rules by their first two bytes: bucket_of[key] indexes `buckets` (0: no rule).
  std::vector<std::uint16_t> bucket_of = std::vector<std::uint16_t>(1 << 16, 0);
  std::vector<std::vector<std::uint32_t>> buckets = std::vector<std::vector<std::uint32_t>>(1);
  FlatMap<ModelRule> hw_families;
  FlatMap<HwId> hw_ids;

  // The vendor named by the first words of a model ("huawei noh-an00", "f(x)tec pro1"):
  // its index and the rest of the model, or -1.
  [[nodiscard]] std::pair<int, std::string_view> vendorPrefixOfModel(std::string_view model) const {
    const TextBuf words = normalizeWords(model, /*os_mode=*/false);
    const auto [vendor, len] = vendor_aliases.longest(words.view());
    if (!vendor) return {-1, {}};
    // The spelling must cover whole words of the model: "lg-h870" does not start with "lg".
    const std::string_view spelling = words.view().substr(0, len);
    const auto word_bytes = static_cast<std::size_t>(
        std::count_if(spelling.begin(), spelling.end(), [](char c) { return c != ' '; }));
    std::size_t i = 0;
    for (std::size_t seen = 0; i < model.size() && seen < word_bytes; ++i) {
      if (isWordByte(model[i]) || (i > 0 && gluedPlus(model[i], model[i - 1]))) ++seen;
    }
    if (i < model.size() && model[i] != ' ') return {-1, {}};
    return {*vendor, afterWord(model, i)};
  }

  // The first (longest) rule matching `text` that admits `vendor` (-1: any). `conflict` is set
  // when a rule matched but named another vendor. A shared name ("P40": Huawei's, but also a
  // Cubot) is only Huawei's when nothing says otherwise: it is skipped, without a conflict,
  // when `vendor` is one it does not admit or `other_maker` (the vendor field names a maker
  // the tables do not know).
  const ModelRule* matchRules(std::string_view text, int vendor, bool other_maker,
                              bool& conflict) const {
    if (text.size() < 2) return nullptr;
    const std::uint16_t bucket = bucket_of[bucketKey(text[0], text[1])];
    if (bucket == 0) return nullptr;
    for (std::uint32_t index : buckets[bucket]) {
      const ModelRule& rule = rules[index];
      if (!patternMatches(rule, text)) continue;
      const bool admitted = vendor < 0 || rule.vendor.admits(vendor);
      if (rule.shared && (other_maker || !admitted)) continue;
      if (admitted) return &rule;
      conflict = true;
    }
    return nullptr;
  }

  [[nodiscard]] const OsRecord* resolve(const std::vector<OsRecord>& records,
                                        std::string_view version) const {
    const int major = majorOf(version);
    const OsRecord* best = nullptr;
    for (const OsRecord& r : records) {
      if (major < 0 ? r.since == 0 : r.since <= major) best = &r;
    }
    return best;
  }
};

namespace {

using Tables = Normalizer::Tables;

// One parsed OS string, before version-dependent records are resolved. Holds its own copy of
// the version so it can be copied and assigned freely.
struct OsMatch {
  const std::vector<OsRecord>* records = nullptr;  // null: no OS name recognised
  std::array<char, kMaxVersionBytes> version_bytes{};
  std::size_t version_size = 0;

  [[nodiscard]] std::string_view version() const { return {version_bytes.data(), version_size}; }
  void setVersion(std::string_view v) {
    version_size = std::min(v.size(), version_bytes.size());
    std::copy_n(v.data(), version_size, version_bytes.data());
  }
};

OsMatch matchOs(const Tables& t, std::string_view raw) {
  OsMatch m;
  const TextBuf normalized = normalizeWords(raw, /*os_mode=*/true);
  std::string_view text = normalized.view();
  auto [records, len] = t.os_names.longest(text);
  if (!records) {
    // "Microsoft Windows 10", "Apple iOS 16": a vendor word before the OS name.
    const auto [vendor, vendor_len] = t.vendor_aliases.longest(text);
    if (vendor) {
      text = afterWord(text, vendor_len);
      std::tie(records, len) = t.os_names.longest(text);
    }
  }
  if (records) {
    m.records = records;
    m.setVersion(findVersion(afterWord(text, len), kMaxWordsBeforeVersion));
  } else if (!text.empty() && isDigit(text.front())) {
    m.setVersion(leadingVersion(text.substr(0, std::min(text.find(' '), text.size()))));
  }
  return m;
}

// The record of `m` for `version` (its own, or one found in another field).
const OsRecord* recordOf(const Tables& t, const OsMatch& m, std::string_view version) {
  return m.records ? t.resolve(*m.records, version) : nullptr;
}

// The version an OS string reports: none when it is a vendor skin's number ("EMUI 12").
std::string_view reportedVersion(const OsRecord* record, const OsMatch& m) {
  return (record && record->version_none) ? std::string_view() : m.version();
}

std::optional<Kind> kindOfField(const Tables& t, std::string_view field) {
  field = trim(field);
  if (field.empty()) return std::nullopt;
  if (auto k = parseKind(field)) {
    if (*k == Kind::kUnknown) return std::nullopt;
    return k;
  }
  const TextBuf n = normalizeWords(field, /*os_mode=*/false);
  const auto [kind, len] = t.kind_aliases.longest(n.view());
  if (kind) return *kind;
  return std::nullopt;
}

struct ModelMatch {
  const ModelRule* rule = nullptr;
  const HwId* hwid = nullptr;
  int prefix_vendor = -1;  // a vendor word at the start of the model
  bool conflict = false;   // a rule matched but contradicted the vendor field
};

// `vendor_field` is the maker the vendor field names (-1: none), `vendor_alias` its spelling
// there; `other_maker`: the vendor field names a maker the tables do not know.
ModelMatch matchModel(const Tables& t, std::string_view raw_model, int vendor_field,
                      std::string_view vendor_alias, bool other_maker) {
  ModelMatch out;
  const TextBuf normalized = normalizeModel(raw_model);
  const std::string_view m = normalized.view();
  if (m.empty()) return out;

  if (auto family = hardwareFamily(m)) {
    if (const ModelRule* fam = t.hw_families.find(*family)) {
      if (vendor_field >= 0 && !fam->vendor.admits(vendor_field)) {
        out.conflict = true;
        return out;
      }
      out.rule = fam;
      out.hwid = t.hw_ids.find(m);
      return out;
    }
  }

  bool conflict = false;
  // 1. The model as written: "iPhone 13 Pro", "NOH-AN00", "HUAWEI P40".
  out.rule = t.matchRules(m, vendor_field, other_maker, conflict);
  // 2. Without a leading vendor word: "Apple iPhone 13" -> "iphone 13".
  std::string_view rest = m;
  if (!out.rule) {
    const auto [vendor, after] = t.vendorPrefixOfModel(m);
    if (vendor >= 0) {
      out.prefix_vendor = vendor;
      rest = after;
      if (vendor_field >= 0 && vendor_field != vendor) {
        conflict = true;
      } else if (!rest.empty()) {
        // The model names its maker: that outranks a vendor field the tables do not know.
        out.rule = t.matchRules(rest, vendor, /*other_maker=*/false, conflict);
      }
    }
  }
  // 3. With the vendor's brand word in front: vendor "Huawei" + "P40" -> "huawei p40". The
  // vendor id is tried first, then the spelling of the vendor field ("alcatel 4044t" for vendor
  // "Alcatel", whose id is tcl).
  const int known_vendor = vendor_field >= 0 ? vendor_field : out.prefix_vendor;
  if (!out.rule && known_vendor >= 0 && !rest.empty()) {
    const std::string_view id = t.vendors[static_cast<std::size_t>(known_vendor)].id;
    const std::array<std::string_view, 2> brands{id, vendor_alias};
    const std::size_t tries = (vendor_alias.empty() || vendor_alias == id) ? 1 : 2;
    for (std::size_t i = 0; i < tries && !out.rule; ++i) {
      TextBuf joined;
      for (char c : brands[i]) joined.push(c);
      joined.push(' ');
      for (char c : rest) joined.push(c);
      out.rule = t.matchRules(joined.view(), known_vendor, other_maker, conflict);
    }
  }
  out.conflict = !out.rule && conflict;
  return out;
}

// ------------------------------------------------------------------------------------------
// Table parsing.

class TableParser {
 public:
  TableParser(Tables& tables, std::string_view source) : t_(tables), source_(source) {}

  Status parse(std::string_view text) {
    std::vector<Line> lines;
    std::size_t line_no = 0;
    while (!text.empty()) {
      ++line_no;
      const std::size_t end = std::min(text.find('\n'), text.size());
      const std::string_view line = trim(text.substr(0, end));
      text.remove_prefix(std::min(end + 1, text.size()));
      if (line.empty() || line.front() == '#') continue;
      Line parsed{line_no, {}};
      std::string_view rest = line;
      while (true) {
        const std::size_t bar = rest.find('|');
        parsed.columns.push_back(trim(rest.substr(0, bar)));
        if (bar == std::string_view::npos) break;
        rest.remove_prefix(bar + 1);
      }
      lines.push_back(std::move(parsed));
    }
    // Vendors first, so that any record may name a vendor declared further down.
    for (const Line& l : lines) {
      if (l.columns[0] == "vendor") PH_RETURN_IF_ERROR(parseVendor(l));
    }
    for (const Line& l : lines) {
      const std::string_view type = l.columns[0];
      if (type == "vendor") continue;
      if (type == "kind") {
        PH_RETURN_IF_ERROR(parseKindAlias(l));
      } else if (type == "blank") {
        PH_RETURN_IF_ERROR(parseBlank(l));
      } else if (type == "os") {
        PH_RETURN_IF_ERROR(parseOsName(l));
      } else if (type == "model") {
        PH_RETURN_IF_ERROR(parseModel(l));
      } else if (type == "hwfamily") {
        PH_RETURN_IF_ERROR(parseHwFamily(l));
      } else if (type == "hwid") {
        continue;  // after every family is known
      } else {
        return error(l, "unknown record type '" + std::string(type) +
                            "' (expected vendor, blank, kind, os, model, hwfamily or hwid)");
      }
    }
    for (const Line& l : lines) {
      if (l.columns[0] == "hwid") PH_RETURN_IF_ERROR(parseHwId(l));
    }
    finish();
    return Status::ok();
  }

 private:
  struct Line {
    std::size_t number;
    std::vector<std::string_view> columns;
  };

  Status error(const Line& l, const std::string& message) const {
    return invalidArgument(std::string(source_) + ":" + std::to_string(l.number) + ": " + message);
  }

  Status expectColumns(const Line& l, std::size_t min, std::size_t max, const char* shape) const {
    if (l.columns.size() < min || l.columns.size() > max) {
      return error(l, std::string("expected ") + shape);
    }
    for (std::size_t i = 0; i < min; ++i) {
      if (l.columns[i].empty()) return error(l, "empty column " + std::to_string(i + 1));
    }
    return Status::ok();
  }

  // Options are the columns after the fixed ones, each "key=value".
  Status options(const Line& l, std::size_t first,
                 const std::function<Status(std::string_view, std::string_view)>& take) const {
    for (std::size_t i = first; i < l.columns.size(); ++i) {
      const std::string_view opt = l.columns[i];
      const std::size_t eq = opt.find('=');
      if (eq == std::string_view::npos || eq == 0) {
        return error(l, "expected key=value, got '" + std::string(opt) + "'");
      }
      PH_RETURN_IF_ERROR(take(trim(opt.substr(0, eq)), trim(opt.substr(eq + 1))));
    }
    return Status::ok();
  }

  Result<Platform> platformName(const Line& l, std::string_view text, bool allow_unknown) const {
    auto p = parsePlatform(text);
    if (!p || (!allow_unknown && *p == Platform::kUnknown) || text != name(*p)) {
      return error(l, "unknown platform '" + std::string(text) +
                          "' (expected one of: " + join(toStrings(platformNames()), ", ") + ")");
    }
    return *p;
  }

  Result<Kind> kindName(const Line& l, std::string_view text, bool allow_dash) const {
    if (allow_dash && text == "-") return Kind::kUnknown;
    auto k = parseKind(text);
    if (!k || *k == Kind::kUnknown || text != name(*k)) {
      return error(l, "unknown kind '" + std::string(text) + "' (expected one of: " +
                          join(toStrings(kindNames()), ", ") + (allow_dash ? ", -)" : ")"));
    }
    return *k;
  }

  Result<int> vendorId(const Line& l, std::string_view id) const {
    const int* index = t_.vendor_ids.find(id);
    if (!index)
      return error(l, "vendor '" + std::string(id) + "' is not declared by a vendor record");
    return *index;
  }

  static std::vector<std::string> toStrings(const std::vector<std::string_view>& v) {
    return {v.begin(), v.end()};
  }

  // "x", "x(a,b)", "(a,b)" or "-"; `value` turns one name into an int.
  Result<Spec> spec(const Line& l, std::string_view text,
                    const std::function<Result<int>(std::string_view)>& value) const {
    Spec s;
    if (text == "-") return s;
    const std::size_t open = text.find('(');
    const std::string_view head = trim(text.substr(0, open));
    if (!head.empty()) {
      PH_ASSIGN_OR_RETURN(s.implied, value(head));
    }
    s.any = false;
    if (open != std::string_view::npos) {
      if (text.back() != ')')
        return error(l, "expected ')' at the end of '" + std::string(text) + "'");
      const std::string_view inner = text.substr(open + 1, text.size() - open - 2);
      for (const std::string& part : splitList(inner, ',')) {
        PH_ASSIGN_OR_RETURN(int v, value(part));
        s.admitted.push_back(v);
      }
      if (s.admitted.empty()) return error(l, "empty list in '" + std::string(text) + "'");
    } else if (head.empty()) {
      return error(l, "expected a name, a list or '-'");
    }
    return s;
  }

  Status parseVendor(const Line& l) {
    PH_RETURN_IF_ERROR(
        expectColumns(l, 3, 4, "vendor | <id> | <spelling> [| platform=<p> or publishes=<p>]"));
    const std::string_view id = l.columns[1];
    for (char c : id) {
      if (!((c >= 'a' && c <= 'z') || isDigit(c) || c == '-')) {
        return error(l, "vendor id '" + std::string(id) + "' must be lower-case [a-z0-9-]");
      }
    }
    const auto [slot, inserted] = t_.vendor_ids.tryEmplace(id, static_cast<int>(t_.vendors.size()));
    if (inserted) t_.vendors.push_back({std::string(id), Platform::kUnknown, Platform::kUnknown});
    const int index = *slot;
    const TextBuf spelling = normalizeWords(l.columns[2], /*os_mode=*/false);
    if (spelling.view().empty()) return error(l, "spelling has no letters or digits");
    const auto [alias, fresh] = t_.vendor_aliases.add(spelling.view());
    if (!fresh) return error(l, "duplicate vendor spelling '" + std::string(spelling.view()) + "'");
    *alias = index;
    return options(l, 3, [&](std::string_view key, std::string_view v) -> Status {
      if (key != "platform" && key != "publishes") {
        return error(l, "unknown option '" + std::string(key) + "'");
      }
      PH_ASSIGN_OR_RETURN(Platform p, platformName(l, v, /*allow_unknown=*/false));
      Tables::Vendor& vendor = t_.vendors[static_cast<std::size_t>(index)];
      Platform& current = key == "platform" ? vendor.platform : vendor.publishes;
      if (current != Platform::kUnknown && current != p) {
        return error(l, "vendor '" + std::string(id) + "' already has " + std::string(key) + "=" +
                            std::string(name(current)));
      }
      current = p;
      if (vendor.platform != Platform::kUnknown && vendor.publishes != Platform::kUnknown) {
        return error(l, "vendor '" + std::string(id) +
                            "' has both platform= and publishes= (a publisher makes no devices)");
      }
      return Status::ok();
    });
  }

  // A field value that says nothing ("Unknown", "N/A"), matched whole after folding.
  Status parseBlank(const Line& l) {
    PH_RETURN_IF_ERROR(expectColumns(l, 2, 2, "blank | <spelling>"));
    const TextBuf spelling = normalizeWords(l.columns[1], /*os_mode=*/false);
    if (spelling.view().empty()) return error(l, "spelling has no letters or digits");
    if (t_.vendor_aliases.longest(spelling.view()).first) {
      return error(l, "blank spelling '" + std::string(spelling.view()) + "' names a vendor");
    }
    if (!t_.blanks.tryEmplace(spelling.view(), true).second) {
      return error(l, "duplicate blank spelling '" + std::string(spelling.view()) + "'");
    }
    return Status::ok();
  }

  Status parseKindAlias(const Line& l) {
    PH_RETURN_IF_ERROR(expectColumns(l, 3, 3, "kind | <kind> | <spelling>"));
    PH_ASSIGN_OR_RETURN(Kind k, kindName(l, l.columns[1], /*allow_dash=*/false));
    const TextBuf spelling = normalizeWords(l.columns[2], /*os_mode=*/false);
    if (spelling.view().empty()) return error(l, "spelling has no letters or digits");
    const auto [alias, fresh] = t_.kind_aliases.add(spelling.view());
    if (!fresh) return error(l, "duplicate kind spelling '" + std::string(spelling.view()) + "'");
    *alias = k;
    return Status::ok();
  }

  Status parseOsName(const Line& l) {
    PH_RETURN_IF_ERROR(expectColumns(
        l, 3, 7,
        "os | <platform or (p,p...)> | <name> [| since=<major>] [| vendor=<id>] [| kind=<k>] "
        "[| version=none]"));
    OsRecord r;
    const std::string_view platforms = l.columns[1];
    if (platforms.front() == '(') {
      PH_ASSIGN_OR_RETURN(const Spec choices,
                          spec(l, platforms, [&](std::string_view v) -> Result<int> {
                            PH_ASSIGN_OR_RETURN(Platform p, platformName(l, v, false));
                            return static_cast<int>(p);
                          }));
      r.platforms = admittedPlatforms(choices);
      if (onlyPlatform(r.platforms) != Platform::kUnknown) {
        return error(l, "a list of platforms needs at least two");
      }
    } else {
      PH_ASSIGN_OR_RETURN(const Platform p, platformName(l, platforms, /*allow_unknown=*/true));
      r.platforms = p == Platform::kUnknown ? 0 : bitOf(p);
    }
    const TextBuf n = normalizeWords(l.columns[2], /*os_mode=*/true);
    if (n.view().empty()) return error(l, "name has no letters or digits");
    PH_RETURN_IF_ERROR(options(l, 3, [&](std::string_view key, std::string_view v) -> Status {
      if (key == "since") {
        r.since = majorOf(v);
        if (r.since <= 0 || leadingVersion(v) != v || v.find('.') != std::string_view::npos) {
          return error(l, "since= expects a positive major version, got '" + std::string(v) + "'");
        }
      } else if (key == "vendor") {
        PH_ASSIGN_OR_RETURN(r.vendor, vendorId(l, v));
      } else if (key == "kind") {
        PH_ASSIGN_OR_RETURN(r.kind, kindName(l, v, /*allow_dash=*/false));
      } else if (key == "version") {
        if (v != "none") return error(l, "version= accepts only 'none'");
        r.version_none = true;
      } else {
        return error(l, "unknown option '" + std::string(key) + "'");
      }
      return Status::ok();
    }));
    std::vector<OsRecord>& records = *t_.os_names.add(n.view()).first;
    for (const OsRecord& other : records) {
      if (other.since == r.since) {
        return error(l, "duplicate OS name '" + std::string(n.view()) + "'" +
                            (r.since ? " for since=" + std::to_string(r.since) : std::string()));
      }
    }
    records.push_back(r);
    std::sort(records.begin(), records.end(),
              [](const OsRecord& a, const OsRecord& b) { return a.since < b.since; });
    return Status::ok();
  }

  // The columns shared by model and hwfamily: vendors, platforms, kind, then options.
  Status ruleColumns(const Line& l, ModelRule& rule, bool is_model) {
    PH_ASSIGN_OR_RETURN(rule.vendor,
                        spec(l, l.columns[2], [&](std::string_view v) { return vendorId(l, v); }));
    PH_ASSIGN_OR_RETURN(rule.platform,
                        spec(l, l.columns[3], [&](std::string_view v) -> Result<int> {
                          PH_ASSIGN_OR_RETURN(Platform p, platformName(l, v, false));
                          return static_cast<int>(p);
                        }));
    PH_ASSIGN_OR_RETURN(rule.kind, kindName(l, l.columns[4], /*allow_dash=*/true));
    return options(l, 5, [&](std::string_view key, std::string_view v) -> Status {
      if (key == "name" && is_model) {
        if (v.empty()) return error(l, "name= is empty");
        rule.name = std::string(v);
      } else if (key == "shared" && is_model) {
        if (v != "yes") return error(l, "shared= accepts only 'yes'");
        rule.shared = true;
      } else if (key == "older") {
        const std::size_t lt = v.find('<');
        if (lt == std::string_view::npos) return error(l, "older= expects <platform><<major>");
        PH_ASSIGN_OR_RETURN(rule.older, platformName(l, v.substr(0, lt), false));
        const std::string_view below = v.substr(lt + 1);
        rule.older_below = majorOf(below);
        if (rule.older_below <= 0 || leadingVersion(below) != below) {
          return error(l, "older= expects <platform><<major>");
        }
      } else {
        return error(l, "unknown option '" + std::string(key) + "'");
      }
      return Status::ok();
    });
  }

  Status parseModel(const Line& l) {
    PH_RETURN_IF_ERROR(expectColumns(l, 5, 8,
                                     "model | <pattern> | <vendors> | <platforms> | <kind> "
                                     "[| name=<text>] [| older=<p><<N>] [| shared=yes]"));
    ModelRule rule;
    std::string_view raw = l.columns[1];
    rule.prefix = raw.back() == '*';
    if (rule.prefix) raw.remove_suffix(1);
    if (raw.find('*') != std::string_view::npos) return error(l, "'*' is only allowed at the end");
    const TextBuf pattern = normalizeModel(raw);
    rule.pattern = std::string(pattern.view());
    if (rule.pattern.size() < 2) return error(l, "a pattern needs at least two characters");
    if (rule.pattern.size() + 1 >= kMaxScanBytes) return error(l, "pattern too long");
    PH_RETURN_IF_ERROR(ruleColumns(l, rule, /*is_model=*/true));
    for (const ModelRule& other : t_.rules) {
      if (other.pattern == rule.pattern && other.prefix == rule.prefix) {
        return error(l, "duplicate model pattern '" + std::string(l.columns[1]) + "'");
      }
    }
    const auto index = static_cast<std::uint32_t>(t_.rules.size());
    t_.rules.push_back(std::move(rule));
    // '#' in the first two characters expands to every digit.
    const std::string& p = t_.rules.back().pattern;
    for (char a = '0'; a <= '9'; ++a) {
      for (char b = '0'; b <= '9'; ++b) {
        const char first = p[0] == '#' ? a : p[0];
        const char second = p[1] == '#' ? b : p[1];
        if ((p[0] != '#' && a != '0') || (p[1] != '#' && b != '0')) continue;
        std::uint16_t& bucket = t_.bucket_of[bucketKey(first, second)];
        if (bucket == 0) {
          if (t_.buckets.size() > 0xFFFF) return error(l, "too many distinct pattern starts");
          bucket = static_cast<std::uint16_t>(t_.buckets.size());
          t_.buckets.emplace_back();
        }
        t_.buckets[bucket].push_back(index);
      }
    }
    return Status::ok();
  }

  Status parseHwFamily(const Line& l) {
    PH_RETURN_IF_ERROR(expectColumns(
        l, 5, 6, "hwfamily | <letters> | <vendors> | <platforms> | <kind> [| older=<p><<N>]"));
    const std::string family = toLower(l.columns[1]);
    for (char c : family) {
      if (c < 'a' || c > 'z') return error(l, "a hardware family is letters only");
    }
    ModelRule rule;
    rule.pattern = family;
    PH_RETURN_IF_ERROR(ruleColumns(l, rule, /*is_model=*/false));
    if (!t_.hw_families.tryEmplace(family, std::move(rule)).second) {
      return error(l, "duplicate hardware family '" + family + "'");
    }
    return Status::ok();
  }

  Status parseHwId(const Line& l) {
    PH_RETURN_IF_ERROR(expectColumns(l, 4, 4, "hwid | <identifier> | <kind or -> | <name>"));
    const TextBuf id = normalizeModel(l.columns[1]);
    const auto family = hardwareFamily(id.view());
    if (!family) return error(l, "expected an identifier like iPhone14,2");
    if (!t_.hw_families.contains(*family)) {
      return error(l, "hardware family '" + std::string(*family) + "' is not declared");
    }
    HwId hw;
    PH_ASSIGN_OR_RETURN(hw.kind, kindName(l, l.columns[2], /*allow_dash=*/true));
    hw.name = std::string(l.columns[3]);
    if (!t_.hw_ids.tryEmplace(id.view(), std::move(hw)).second) {
      return error(l, "duplicate hardware identifier '" + std::string(l.columns[1]) + "'");
    }
    return Status::ok();
  }

  // Longest pattern first, so "galaxy tab*" is tried before "galaxy".
  void finish() {
    for (auto& bucket : t_.buckets) {
      std::stable_sort(bucket.begin(), bucket.end(), [&](std::uint32_t a, std::uint32_t b) {
        return t_.rules[a].pattern.size() > t_.rules[b].pattern.size();
      });
    }
  }

  Tables& t_;
  std::string_view source_;
};

}  // namespace

Normalizer::Normalizer(std::unique_ptr<Tables> tables) : tables_(std::move(tables)) {}
Normalizer::~Normalizer() = default;

Result<std::unique_ptr<Normalizer>> Normalizer::fromText(std::string_view text,
                                                         std::string_view source_name) {
  auto tables = std::make_unique<Tables>();
  TableParser parser(*tables, source_name);
  PH_RETURN_IF_ERROR(parser.parse(text));
  return std::unique_ptr<Normalizer>(new Normalizer(std::move(tables)));
}

const Normalizer& Normalizer::builtin() {
  // The embedded tables are part of the build and covered by tests; failing to parse them is
  // a build defect, reported loudly rather than degraded into an empty table.
  static const Normalizer* const instance = [] {
    auto result = fromText(embedded::kPlatformDeviceTables, kBuiltinSource);
    if (!result.isOk()) {
      std::fprintf(stderr, "phaseout: built-in device tables are invalid: %s\n",
                   result.status().toString().c_str());
      std::abort();
    }
    return std::move(result).value().release();
  }();
  return *instance;
}

OsInfo Normalizer::parseOs(std::string_view text) const {
  const Tables& t = *tables_;
  const OsMatch m = matchOs(t, text);
  OsInfo info;
  info.recognized = m.records != nullptr;
  const OsRecord* record = recordOf(t, m, m.version());
  if (record) {
    info.platform = onlyPlatform(record->platforms);
    info.kind = record->kind;
    if (record->vendor >= 0) info.vendor = t.vendors[static_cast<std::size_t>(record->vendor)].id;
  }
  info.version = std::string(reportedVersion(record, m));
  return info;
}

OsInfo parseOsString(std::string_view text) { return Normalizer::builtin().parseOs(text); }

NormalizedDevice Normalizer::normalize(const RawDeviceFields& raw) const {
  const Tables& t = *tables_;
  NormalizedDevice out;

  // Vendor field.
  int vendor = -1;
  std::string_view vendor_alias;
  const TextBuf vendor_text = normalizeWords(raw.vendor, /*os_mode=*/false);
  if (const auto [index, len] = t.vendor_aliases.longest(vendor_text.view()); index) {
    vendor = *index;
    vendor_alias = vendor_text.view().substr(0, len);
  }
  // The maker the field names. An OS publisher (Open Mobile Platform for Aurora) is not one:
  // registers file devices under the OS vendor, so the field says which OS the device runs and
  // the model says who made it. A field naming nothing the tables know ("Cubot") still names
  // a maker, unless it is a blank ("Unknown", "N/A").
  int maker = vendor;
  std::string_view maker_alias = vendor_alias;
  Platform published = Platform::kUnknown;
  if (vendor >= 0) {
    published = t.vendors[static_cast<std::size_t>(vendor)].publishes;
    if (published != Platform::kUnknown) {
      maker = -1;
      maker_alias = {};
    }
  }
  const bool other_maker =
      vendor < 0 && !vendor_text.view().empty() && !t.blanks.contains(vendor_text.view());

  // Platform field: a canonical name is kept; free text is an OS string.
  std::optional<Platform> explicit_platform;
  OsMatch os_field;
  const std::string_view platform_text = trim(raw.platform);
  if (!platform_text.empty()) {
    if (auto p = parsePlatform(platform_text)) {
      if (*p != Platform::kUnknown) explicit_platform = *p;
    } else {
      os_field = matchOs(t, platform_text);
    }
  }
  OsMatch os_version_field;
  if (!trim(raw.os_version).empty()) os_version_field = matchOs(t, raw.os_version);

  // "HarmonyOS" in the platform field and "4.0" in os_version: that version selects the
  // record. The version reported is the platform field's, else the os_version field's.
  const std::string_view v1 = os_field.version();
  const std::string_view v2 = os_version_field.version();
  const OsRecord* os1 = recordOf(t, os_field, v1.empty() ? v2 : v1);
  const OsRecord* os2 = recordOf(t, os_version_field, v2);
  std::string_view version = reportedVersion(os1, os_field);
  if (version.empty()) version = reportedVersion(os2, os_version_field);

  // Exports do not know phaseout's split of HarmonyOS: a platform column "HarmonyOS" with OS
  // version 5.0 is HarmonyOS NEXT. A canonical name that the OS tables split by version is
  // therefore resolved with the version; every other canonical name is kept as given.
  if (explicit_platform && !version.empty()) {
    const OsMatch canonical = matchOs(t, platform_text);
    if (canonical.records && canonical.records->back().since > 0) {
      const OsRecord* r = t.resolve(*canonical.records, version);
      if (r && onlyPlatform(r->platforms) != Platform::kUnknown) {
        explicit_platform = onlyPlatform(r->platforms);
      }
    }
  }

  // What the OS fields allow: the intersection of what each says. An OS outside the vocabulary
  // ("Tizen") or two fields that share no platform ("Android 12", "iOS 16") leave it unknown.
  PlatformMask os_platforms = kAnyPlatform;
  bool os_said = false;
  bool os_foreign = false;
  bool os_conflict = false;
  int os_vendor = -1;
  Kind os_kind = Kind::kUnknown;
  // An OS publisher in the vendor field says what a third OS field would.
  OsRecord publisher_os;
  const OsRecord* os3 = nullptr;
  if (published != Platform::kUnknown) {
    publisher_os.platforms = bitOf(published);
    os3 = &publisher_os;
  }
  for (const OsRecord* r : {os1, os2, os3}) {
    if (!r) continue;
    os_said = true;
    if (r->platforms == 0) {
      os_foreign = true;
    } else if ((os_platforms & r->platforms) == 0) {
      os_conflict = true;
    } else {
      os_platforms &= r->platforms;
    }
    if (os_vendor < 0) os_vendor = r->vendor;
    if (os_kind == Kind::kUnknown) os_kind = r->kind;
  }
  if (os_conflict) {  // neither field implies anything
    os_vendor = -1;
    os_kind = Kind::kUnknown;
  }

  // Model.
  const ModelMatch model = matchModel(t, raw.model, maker, maker_alias, other_maker);
  const ModelRule* rule = model.rule;

  // Vendor: field (a maker), model rule, vendor word in the model, the field's OS publisher, OS.
  int final_vendor = maker;
  if (final_vendor < 0 && rule) final_vendor = rule->vendor.implied;
  if (final_vendor < 0) final_vendor = model.prefix_vendor;
  if (final_vendor < 0) final_vendor = vendor;
  if (final_vendor < 0 && !model.conflict) final_vendor = os_vendor;
  if (final_vendor >= 0) out.vendor = t.vendors[static_cast<std::size_t>(final_vendor)].id;

  // Platform.
  const Platform vendor_platform = final_vendor >= 0
                                       ? t.vendors[static_cast<std::size_t>(final_vendor)].platform
                                       : Platform::kUnknown;
  if (explicit_platform) {
    out.platform = *explicit_platform;
  } else if (os_conflict || os_foreign || model.conflict) {
    out.platform = Platform::kUnknown;
  } else if (os_said) {
    if (rule) {
      const int implied = rule->platform.implied;
      if (rule->older != Platform::kUnknown && (os_platforms & bitOf(rule->older)) &&
          implied >= 0) {
        // iPad + "iOS 12.5" ran iOS; iPad + "iOS 16" or "iOS" is an MDM's family label.
        const int major = majorOf(version);
        out.platform = (major >= 0 && major < rule->older_below) ? rule->older
                                                                 : static_cast<Platform>(implied);
      } else {
        // The OS says, the model admits: one platform left is the answer; several are settled
        // by what the model implies ("iOS/iPadOS" on an iPhone); none is a contradiction.
        const PlatformMask left = os_platforms & admittedPlatforms(rule->platform);
        out.platform = onlyPlatform(left);
        if (out.platform == Platform::kUnknown && implied >= 0 &&
            (left & bitOf(static_cast<Platform>(implied)))) {
          out.platform = static_cast<Platform>(implied);
        }
      }
    } else {
      out.platform = onlyPlatform(os_platforms);
      if (out.platform == Platform::kUnknown && vendor_platform != Platform::kUnknown &&
          (os_platforms & bitOf(vendor_platform))) {
        out.platform = vendor_platform;
      }
    }
    if (os_vendor >= 0 && final_vendor >= 0 && os_vendor != final_vendor) {
      out.platform = Platform::kUnknown;  // "iOS" on a Samsung: one of the fields is wrong
    }
  } else if (rule && rule->platform.implied >= 0) {
    out.platform = static_cast<Platform>(rule->platform.implied);
  } else if (!rule) {
    out.platform = vendor_platform;
  }

  // Kind: field, model, OS.
  if (auto k = kindOfField(t, raw.kind)) {
    out.kind = *k;
  } else if (model.hwid && model.hwid->kind != Kind::kUnknown) {
    out.kind = model.hwid->kind;
  } else if (rule && rule->kind != Kind::kUnknown) {
    out.kind = rule->kind;
  } else if (!model.conflict) {
    out.kind = os_kind;
  }

  out.os_version = std::string(version);
  if (model.hwid) {
    out.model_name = model.hwid->name;
  } else if (rule && !rule->name.empty()) {
    out.model_name = rule->name;
  } else {
    out.model_name = std::string(trim(raw.model));
  }
  return out;
}

}  // namespace phaseout::platform

// SignatureSet: the platform signatures of data/signatures/*.yaml, schema-checked and compiled
// into matchers, plus the model they plug into (priors, independence groups, linking rules).
//
// A signature says: when this signal has this value, the log10 likelihood ratio of each
// platform is this much (weights; unlisted platforms 0). Evidence of one independence group
// is never summed: the scorer (scoring.h) takes, per group and platform, the strongest value.
//
// Loading: every *.yaml of a directory (sorted by name), or the copies embedded in the binary
// at build time. Each file carries `schema: 1` and a content `version`; unknown keys, unknown
// platforms, signal kinds or groups, duplicate ids and malformed patterns are InvalidArgument
// naming "<file>:<line>: <what>". Every signature cites a public `source`, or is marked
// `observed_only: true` with weights of a weak signal (kWeakSignalWeight); one with neither is
// refused, named. Nothing is partially loaded.
//
// Thread safety: immutable once loaded; share it through std::shared_ptr<const SignatureSet>
// (see SignatureStore for the live sensor's reload on SIGHUP).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "detect/pattern_matcher.h"
#include "detect/signal.h"
#include "platform/platform.h"

namespace phaseout::detect {

// Hypotheses of the classifier: every platform::Platform value; kUnknown stands for "another
// kind of device" (printers, TVs, routers...) and is written "other" in the data files.
inline constexpr std::size_t kPlatformCount = 13;
using PlatformWeights = std::array<float, kPlatformCount>;

inline std::size_t platformIndex(platform::Platform p) { return static_cast<std::size_t>(p); }
inline platform::Platform platformAt(std::size_t i) { return static_cast<platform::Platform>(i); }
// "ios", ..., and "other" for kUnknown.
std::string_view hypothesisName(platform::Platform p);
std::optional<platform::Platform> parseHypothesis(std::string_view text);

// The largest weight (log10 likelihood ratio, either sign) of a weak signal: "ten times
// likelier". A signature marked observed_only (seen in captures, backed by no public source)
// may not weigh more.
inline constexpr float kWeakSignalWeight = 1.0f;

using SignatureId = std::uint32_t;
using GroupId = std::uint16_t;

// User-Agent rules only: how the OS version is read and what else the rule requires.
struct UaRuleExtras {
  std::vector<std::string> all_tokens;                 // patterns that must all match
  std::vector<std::string> any_tokens;                 // at least one must match (when not empty)
  std::vector<std::string> none_tokens;                // none may match
  std::vector<std::uint32_t> all_of, any_of, none_of;  // the same, as ids in the UA matcher
  std::vector<std::string> version_after;              // the version follows one of these tokens
  bool darwin_version = false;         // iOS version from "Darwin/<major>.<minor>" (major - 6)
  bool refine_with_os_tables = false;  // "<token><version>" through platform::parseOsString
  bool android_model = false;  // read the device model of an Android UA ("; JKM-LX1 Build/")
  std::vector<std::string> model_vendors;  // the rule applies only to models of these vendors
  int min_major = -1;  // the rule applies only when the version's major is within these
  int max_major = -1;
  // The any: tokens count only inside the UA's system comment (its first parenthesised group,
  // "Mozilla/5.0 (Linux; Android 10; SM-T510)"), where a UA names its OS: an OS token there
  // outranks a device word elsewhere ("Outlook-iOS-Android/1.0" in an iPhone UA).
  bool os_token = false;
  // Kind by the Android convention: the device tables' kind of the model when they know it;
  // else "Tablet" -> tablet, "Mobile"/"Mobi" -> phone, and a browser UA without either ->
  // tablet (Chrome and the AOSP browser leave "Mobile" out on tablets); app UAs stay unknown.
  bool kind_by_mobile_token = false;
};

struct Signature {
  std::string id;
  SignalKind signal = SignalKind::kUserAgent;
  std::vector<std::string> patterns;  // for every signal but user_agent: any of them matches
  PlatformWeights weights{};          // log10 likelihood ratio per hypothesis
  GroupId group = 0;
  std::string source;  // citation: a public source (RFC, vendor documentation, IANA, ...)
  // True when only captures back it (no public source): its weights are weak signals and
  // detect marks its evidence "observed only".
  bool observed_only = false;
  platform::Platform platform = platform::Platform::kUnknown;  // what the signature names
  platform::Kind kind = platform::Kind::kUnknown;              // device kind it implies
  std::string vendor;                                          // vendor it implies ("apple"), or ""
  bool fallback = false;  // applies only when no other signature of its signal matched
  UaRuleExtras ua;        // user_agent rules only
  std::string file;       // where it was defined, for messages
  int line = 0;
};

struct Group {
  std::string id;
  std::string description;
};

// What links random (locally administered) MACs of one device, and what does not.
struct LinkingRules {
  std::vector<std::string> generic_hostnames;  // globs of names many devices share
  std::size_t min_name_length = 3;
  std::size_t router_min_addresses = 8;  // a MAC with this many IPv4 sources is a router
};

class SignatureSet {
 public:
  struct SourceText {
    std::string name;  // file name, for messages
    std::string text;
  };

  // All *.yaml files of `dir`, sorted by name.
  static Result<std::shared_ptr<const SignatureSet>> loadDirectory(const std::string& dir);
  // The copies of data/signatures/*.yaml embedded in the binary at build time.
  static Result<std::shared_ptr<const SignatureSet>> loadBuiltin();
  // The one way a front door loads signatures: `dir`'s files, or the built-in copies when
  // `dir` is empty (the caller resolves flags and environment into `dir`).
  static Result<std::shared_ptr<const SignatureSet>> load(const std::string& dir);
  static Result<std::shared_ptr<const SignatureSet>> fromTexts(
      const std::vector<SourceText>& files);

  // Appends the signatures whose patterns match `value` (signals other than user_agent),
  // honouring fallback signatures. ASCII case is ignored.
  void match(SignalKind signal, std::string_view value, std::vector<SignatureId>& out) const;

  // The first user_agent rule that applies to `ua`, with what it reads from the string.
  //
  // Tokens are words: a pattern "*ipad*" needs "ipad" to start a word of the UA (not preceded
  // by a letter or digit), so "OliPad" is no iPad. A UA that embeds a second UA after its own
  // ("Mozilla/5.0 (Symbian; ...) ... Mozilla/5.0 (iPhone; ...)") is classified by its own part;
  // when the embedded part names another platform, that part's rule is `embedded_rule`: the
  // string is evidence of both, and neither alone decides.
  struct UaMatch {
    std::optional<SignatureId> rule;
    std::optional<SignatureId> embedded_rule;
    platform::Platform embedded_platform = platform::Platform::kUnknown;
    platform::Platform platform = platform::Platform::kUnknown;
    platform::Kind kind = platform::Kind::kUnknown;
    std::string version;  // "10.2", "" when not given
    std::string vendor;   // "apple", "huawei", ... or ""
    std::string model;    // the device model an Android UA names, or ""
  };
  UaMatch classifyUserAgent(std::string_view ua) const;

  const Signature& signature(SignatureId id) const { return signatures_[id]; }
  std::size_t size() const { return signatures_.size(); }
  const Group& group(GroupId id) const { return groups_[id]; }
  std::size_t groupCount() const { return groups_.size(); }
  std::optional<GroupId> findGroup(std::string_view id) const;
  std::optional<SignatureId> findSignature(std::string_view id) const;

  // log10 prior probability of each hypothesis.
  const PlatformWeights& logPriors() const { return log_priors_; }
  // The kind a platform implies when no evidence names one (ios -> phone), else unknown.
  platform::Kind defaultKind(platform::Platform p) const {
    return default_kinds_[platformIndex(p)];
  }
  const LinkingRules& linking() const { return linking_; }
  // True when `name` is one many devices share ("iPhone", "android"): no evidence of identity.
  bool isGenericHostname(std::string_view name) const;
  // "device_name.yaml@2024.11.1 dhcp.yaml@2024.11.1 ...".
  const std::string& version() const { return version_; }

 private:
  friend class SignatureLoader;
  SignatureSet() = default;
  void compile();

  std::vector<Signature> signatures_;
  std::vector<Group> groups_;
  PlatformWeights log_priors_{};
  std::array<platform::Kind, kPlatformCount> default_kinds_{};
  LinkingRules linking_;
  PatternMatcher generic_hostnames_;
  std::string version_;

  // Per signal: one matcher over all patterns of its signatures; pattern id -> signature.
  struct SignalIndex {
    PatternMatcher matcher;
    std::vector<SignatureId> pattern_owner;
  };
  std::array<SignalIndex, kSignalKindCount> index_;
  PatternMatcher ua_tokens_;
  // Per UA token id: the text that must start a word of the UA, or "" (no word check).
  std::vector<std::string> ua_token_words_;
  // Per UA token id: the text of a substring token ("*android*" -> "android"), or "".
  std::vector<std::string> ua_token_texts_;
  std::vector<SignatureId> ua_rules_;  // user_agent signatures, in file order

  UaMatch classifyUaPart(std::string_view ua) const;
  void uaTokens(std::string_view text, std::vector<std::uint32_t>& present) const;
};

// Holds the signature set the live sensor uses and swaps it atomically on reload: readers take
// a snapshot (a shared_ptr) per batch and keep using it even while a reload replaces it.
// Thread safety: all members may be called concurrently.
class SignatureStore {
 public:
  explicit SignatureStore(std::shared_ptr<const SignatureSet> initial);
  std::shared_ptr<const SignatureSet> snapshot() const;
  // Loads `dir` (or the embedded set when `dir` is empty) and, only if it loads cleanly,
  // replaces the current set; on error the current set stays and the error is returned.
  Status reload(const std::string& dir);

 private:
  std::atomic<std::shared_ptr<const SignatureSet>> current_;
};

}  // namespace phaseout::detect

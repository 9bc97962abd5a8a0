// Scoring: from a device's evidence to a platform verdict.
//
//   score(p)   = log10 prior(p) + sum over independence groups g of max_{e in g} w_e(p)
//   P(p)       = 10^score(p) / sum_q 10^score(q)          (posterior over all hypotheses)
//   verdict    = argmax P;  confidence = P(verdict)
//   margin_g   = w_g(verdict) - max over hypotheses q outside the verdict's OS family of w_g(q):
//                how much group g prefers the verdict over its strongest other platform
//   confirmed  = P >= 0.99, at least two groups with margin_g >= kDiscriminatingMargin (two
//                independent signals the verdict does not share with any other platform: the
//                Apple TCP stack, OUI and captive probe say "Apple" and prefer iOS over macOS
//                by nothing, so they never count), and, when the family has several platforms,
//                at least one group preferring the verdict over each of its siblings by the
//                same margin (what says iPhone rather than iPad or Watch). Only evidence with a
//                public source makes a group specific: an observed-only signature (seen in
//                captures, often the same app as another signal) weighs in P, not here;
//   likely     = P >= 0.9;   else unknown.
// OS families: iOS, iPadOS and watchOS are one (one network stack and DHCP client; they differ
// by device), every other platform is its own.
// Within one group only the strongest evidence counts (per hypothesis), so ten Apple host
// names weigh what one does.
//
// Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "detect/signature_set.h"
#include "platform/platform.h"

namespace phaseout::detect {

enum class Level { kUnknown, kLikely, kConfirmed };
std::string_view name(Level level);

inline constexpr double kConfirmedPosterior = 0.99;
inline constexpr double kLikelyPosterior = 0.9;
inline constexpr std::size_t kConfirmedMinGroups = 2;
inline constexpr float kDiscriminatingMargin = 0.5f;

// Whether two hypotheses are one OS family (see above); a hypothesis is in its own family.
bool sameFamily(platform::Platform a, platform::Platform b);

struct Verdict {
  platform::Platform best = platform::Platform::kUnknown;  // argmax, whatever the level
  double confidence = 0;                                   // P(best)
  Level level = Level::kUnknown;
  // Groups whose sourced evidence has a margin >= kDiscriminatingMargin over every platform
  // outside best's family.
  std::size_t discriminating_groups = 0;
  // Groups preferring best over each of its family siblings by that margin (0 when none).
  std::size_t sibling_groups = 0;
  // The most probable hypothesis outside best's family: the nearest other platform.
  platform::Platform rival = platform::Platform::kUnknown;
  std::vector<double> posterior;  // per hypothesis (platformIndex)
  // The platform to report: best when level >= likely, else kUnknown.
  platform::Platform platform() const {
    return level == Level::kUnknown ? platform::Platform::kUnknown : best;
  }
};

// `signatures` are the ids of the device's distinct evidence (duplicates allowed).
Verdict score(const SignatureSet& set, std::span<const SignatureId> signatures);

// The margin of one piece of evidence for `p`: its weight for p minus its largest weight for a
// hypothesis outside p's family (log10 units; a signature that names only p has margin w(p)).
float margin(const Signature& s, platform::Platform p);

// Whether evidence `id` is the strongest of its group for `p` among `signatures` (ties: the
// first in order counts).
bool counted(const SignatureSet& set, std::span<const SignatureId> signatures, std::size_t index,
             platform::Platform p);

// The best guesses a verdict offers (shown beside "unknown"): the hypotheses whose posterior
// is at least kCandidateMinProbability, most probable first (ties: hypothesis order), at most
// kMaxCandidates of them.
inline constexpr double kCandidateMinProbability = 0.01;
inline constexpr std::size_t kMaxCandidates = 3;
struct Candidate {
  platform::Platform platform = platform::Platform::kUnknown;  // kUnknown: "other"
  double probability = 0;
};
std::vector<Candidate> candidates(const Verdict& verdict);

}  // namespace phaseout::detect

// Scoring: from a device's evidence to a platform verdict.
//
//   score(p)   = log10 prior(p) + sum over independence groups g of max_{e in g} w_e(p)
//   P(p)       = 10^score(p) / sum_q 10^score(q)          (posterior over all hypotheses)
//   verdict    = argmax P;  confidence = P(verdict)
//   confirmed  = P >= 0.99 and at least two groups each prefer the verdict, on their own, over
//                every other hypothesis by kDiscriminatingMargin (so a verdict never rests on one
//                spoofable signal, nor on signals every Apple device shares);
//   likely     = P >= 0.9;   else unknown.
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

struct Verdict {
  platform::Platform best = platform::Platform::kUnknown;  // argmax, whatever the level
  double confidence = 0;                                   // P(best)
  Level level = Level::kUnknown;
  std::size_t discriminating_groups = 0;
  std::vector<double> posterior;  // per hypothesis (platformIndex)
  // The platform to report: best when level >= likely, else kUnknown.
  platform::Platform platform() const {
    return level == Level::kUnknown ? platform::Platform::kUnknown : best;
  }
};

// `signatures` are the ids of the device's distinct evidence (duplicates allowed).
Verdict score(const SignatureSet& set, std::span<const SignatureId> signatures);

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

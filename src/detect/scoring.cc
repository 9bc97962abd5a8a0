#include "detect/scoring.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace phaseout::detect {

std::string_view name(Level level) {
  switch (level) {
    case Level::kConfirmed:
      return "confirmed";
    case Level::kLikely:
      return "likely";
    case Level::kUnknown:
      break;
  }
  return "unknown";
}

bool sameFamily(platform::Platform a, platform::Platform b) {
  if (a == b) return true;
  auto apple_mobile = [](platform::Platform p) {
    return p == platform::Platform::kIos || p == platform::Platform::kIpados ||
           p == platform::Platform::kWatchos;
  };
  return apple_mobile(a) && apple_mobile(b);
}

float margin(const Signature& s, platform::Platform p) {
  const std::size_t pi = platformIndex(p);
  float others = 0;  // unlisted hypotheses weigh 0
  for (std::size_t q = 0; q < kPlatformCount; ++q) {
    if (q != pi && !sameFamily(p, platformAt(q))) others = std::max(others, s.weights[q]);
  }
  return s.weights[pi] - others;
}

Verdict score(const SignatureSet& set, std::span<const SignatureId> signatures) {
  // Per group, per hypothesis: the strongest weight. Groups are few (a dozen), so a dense
  // table indexed by group id is cheapest.
  const std::size_t groups = set.groupCount();
  constexpr float kAbsent = -std::numeric_limits<float>::infinity();
  std::vector<PlatformWeights> best(groups);
  // The same from evidence with a public source only: observed-only signatures weigh in the
  // posterior but never make a group specific (see scoring.h).
  std::vector<PlatformWeights> sourced(groups);
  std::vector<bool> present(groups, false);
  for (SignatureId id : signatures) {
    const Signature& s = set.signature(id);
    PlatformWeights& b = best[s.group];
    if (!present[s.group]) {
      b.fill(kAbsent);
      sourced[s.group].fill(kAbsent);
      present[s.group] = true;
    }
    for (std::size_t p = 0; p < kPlatformCount; ++p) b[p] = std::max(b[p], s.weights[p]);
    if (!s.observed_only) {
      PlatformWeights& c = sourced[s.group];
      for (std::size_t p = 0; p < kPlatformCount; ++p) c[p] = std::max(c[p], s.weights[p]);
    }
  }
  std::array<double, kPlatformCount> total{};
  for (std::size_t p = 0; p < kPlatformCount; ++p) total[p] = set.logPriors()[p];
  for (std::size_t g = 0; g < groups; ++g) {
    if (!present[g]) continue;
    for (std::size_t p = 0; p < kPlatformCount; ++p) total[p] += best[g][p];
  }
  const double top = *std::max_element(total.begin(), total.end());
  Verdict v;
  v.posterior.assign(kPlatformCount, 0);
  double sum = 0;
  for (std::size_t p = 0; p < kPlatformCount; ++p) {
    v.posterior[p] = std::pow(10.0, total[p] - top);
    sum += v.posterior[p];
  }
  std::size_t arg = 0;
  for (std::size_t p = 0; p < kPlatformCount; ++p) {
    v.posterior[p] /= sum;
    if (v.posterior[p] > v.posterior[arg]) arg = p;
  }
  v.best = platformAt(arg);
  v.confidence = v.posterior[arg];
  const platform::Platform verdict = v.best;
  double rival_p = -1;
  bool has_siblings = false;
  for (std::size_t p = 0; p < kPlatformCount; ++p) {
    if (p == arg) continue;
    if (sameFamily(verdict, platformAt(p))) {
      has_siblings = true;
    } else if (v.posterior[p] > rival_p) {
      rival_p = v.posterior[p];
      v.rival = platformAt(p);
    }
  }
  for (std::size_t g = 0; g < groups; ++g) {
    if (!present[g]) continue;
    float others = kAbsent, siblings = kAbsent;
    for (std::size_t p = 0; p < kPlatformCount; ++p) {
      if (p == arg) continue;
      float& into = sameFamily(verdict, platformAt(p)) ? siblings : others;
      into = std::max(into, best[g][p]);
    }
    if (sourced[g][arg] - others >= kDiscriminatingMargin) ++v.discriminating_groups;
    if (has_siblings && sourced[g][arg] - siblings >= kDiscriminatingMargin) ++v.sibling_groups;
  }
  const bool siblings_told = !has_siblings || v.sibling_groups >= 1;
  if (v.best != platform::Platform::kUnknown && v.confidence >= kConfirmedPosterior &&
      v.discriminating_groups >= kConfirmedMinGroups && siblings_told) {
    v.level = Level::kConfirmed;
  } else if (v.best != platform::Platform::kUnknown && v.confidence >= kLikelyPosterior) {
    v.level = Level::kLikely;
  }
  return v;
}

bool counted(const SignatureSet& set, std::span<const SignatureId> signatures, std::size_t index,
             platform::Platform p) {
  const std::size_t pi = platformIndex(p);
  const Signature& mine = set.signature(signatures[index]);
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    if (i == index) continue;
    const Signature& other = set.signature(signatures[i]);
    if (other.group != mine.group) continue;
    if (other.weights[pi] > mine.weights[pi]) return false;
    if (other.weights[pi] == mine.weights[pi] && i < index) return false;
  }
  return true;
}

std::vector<Candidate> candidates(const Verdict& verdict) {
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < verdict.posterior.size(); ++i) {
    if (verdict.posterior[i] >= kCandidateMinProbability) {
      out.push_back({platformAt(i), verdict.posterior[i]});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
    return a.probability > b.probability;
  });
  if (out.size() > kMaxCandidates) out.resize(kMaxCandidates);
  return out;
}

}  // namespace phaseout::detect

#include "detect/scoring.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace phaseout::detect {
namespace {

using platform::Platform;

Verdict withPosterior(std::vector<double> posterior) {
  Verdict v;
  v.posterior = std::move(posterior);
  v.posterior.resize(kPlatformCount, 0.0);
  return v;
}

TEST(CandidatesTest, MostProbableFirstAboveTheFloorAtMostThree) {
  Verdict v = withPosterior({});
  v.posterior[platformIndex(Platform::kIos)] = 0.30;
  v.posterior[platformIndex(Platform::kAndroid)] = 0.45;
  v.posterior[platformIndex(Platform::kMacos)] = 0.15;
  v.posterior[platformIndex(Platform::kWindows)] = 0.095;
  v.posterior[platformIndex(Platform::kLinux)] = 0.005;  // under the 1 % floor
  const auto c = candidates(v);
  ASSERT_EQ(c.size(), kMaxCandidates);
  EXPECT_EQ(c[0].platform, Platform::kAndroid);
  EXPECT_DOUBLE_EQ(c[0].probability, 0.45);
  EXPECT_EQ(c[1].platform, Platform::kIos);
  EXPECT_EQ(c[2].platform, Platform::kMacos);
}

TEST(CandidatesTest, FloorIsInclusiveAndTiesKeepHypothesisOrder) {
  Verdict v = withPosterior({});
  v.posterior[platformIndex(Platform::kWindows)] = kCandidateMinProbability;
  v.posterior[platformIndex(Platform::kIos)] = kCandidateMinProbability;
  const auto c = candidates(v);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].platform,
            platformAt(std::min(platformIndex(Platform::kWindows), platformIndex(Platform::kIos))));
  EXPECT_TRUE(candidates(Verdict{}).empty());
}

}  // namespace
}  // namespace phaseout::detect

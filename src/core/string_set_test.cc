#include "core/string_set.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace phaseout {
namespace {

TEST(StringSetTest, AnswersMembershipExactly) {
  std::vector<std::string> ids;
  for (int i = 0; i < 100000; ++i) ids.push_back("P-" + std::to_string(i));
  ids.push_back("P-7");  // duplicates count once
  ids.push_back("");
  const StringSet set(ids);
  EXPECT_EQ(set.size(), 100001u);
  for (int i = 0; i < 100000; i += 7) EXPECT_TRUE(set.contains("P-" + std::to_string(i)));
  EXPECT_TRUE(set.contains(""));
  EXPECT_FALSE(set.contains("P-100000"));
  EXPECT_FALSE(set.contains("p-1"));  // case-sensitive, as ids are
  EXPECT_FALSE(set.contains("P-1 "));
}

TEST(StringSetTest, EmptySetContainsNothing) {
  const std::vector<std::string> none;
  const StringSet set(none);
  EXPECT_EQ(set.size(), 0u);
  EXPECT_FALSE(set.contains("P-1"));
  EXPECT_FALSE(set.contains(""));
}

}  // namespace
}  // namespace phaseout

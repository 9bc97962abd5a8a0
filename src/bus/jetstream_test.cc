#include "bus/jetstream.h"

#include <gtest/gtest.h>

namespace phaseout::bus {
namespace {

TEST(NatsUrl, AcceptsHostAndPort) {
  EXPECT_TRUE(checkNatsUrl("nats://127.0.0.1:4222").isOk());
  EXPECT_TRUE(checkNatsUrl("nats://bus.example.org").isOk());
  EXPECT_TRUE(checkNatsUrl("nats://sensor:secret@bus:4222/").isOk());
}

TEST(NatsUrl, RefusesOtherShapesNamingTheField) {
  for (const char* bad : {"http://x:1", "nats://", "nats://:4222", "nats://h:port",
                          "nats://h:99999", "127.0.0.1:4222", "nats://h:1/path"}) {
    const Status s = checkNatsUrl(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.field(), "url") << bad;
  }
}

TEST(SubjectToken, LettersDigitsDashUnderscore) {
  EXPECT_TRUE(isSubjectToken("hq-building_2"));
  EXPECT_FALSE(isSubjectToken(""));
  EXPECT_FALSE(isSubjectToken("a.b"));
  EXPECT_FALSE(isSubjectToken("a*"));
  EXPECT_FALSE(isSubjectToken("a>"));
  EXPECT_FALSE(isSubjectToken("a b"));
  EXPECT_FALSE(isSubjectToken(std::string(65, 'a')));
}

TEST(Publisher, AnUnreachableServerIsUnavailable) {
  // Port 1 on loopback: nothing listens there.
  auto p = Publisher::connect("nats://127.0.0.1:1", StreamConfig{}, 500);
  ASSERT_FALSE(p.isOk());
  EXPECT_EQ(p.status().code(), StatusCode::kUnavailable) << p.status().toString();
}

}  // namespace
}  // namespace phaseout::bus

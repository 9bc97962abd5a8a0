#include "report/status_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace phaseout::report {
namespace {

using inventory::Device;
using inventory::Person;

class StatusReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = policy::parseDirective(R"(id: t1
title: "Test <directive> & co"
issued: 2023-03-06
issuer: Test
reason: Testing
scope: {units: ["pa/**"], roles: [official]}
ban:
  - platform: ios
milestones:
  - {name: replace, due: 2023-04-01}
)",
                                    "t1.yaml");
    ASSERT_TRUE(d.isOk()) << d.status().toString();
    directive_ = *d;
    people_ = {person("P-1", "pa/press"), person("P-2", "pa/legal")};
    devices_ = {device("D-1", "P-1", platform::Platform::kIos, "iPhone \"13\", <b>"),
                device("D-2", "P-2", platform::Platform::kAndroid, "Pixel 7"),
                device("D-3", "P-2", platform::Platform::kUnknown, "")};
    evaluation_ = policy::evaluate(directive_, people_, devices_, *Date::parse("2023-03-20"));
  }
  static Person person(std::string id, std::string unit) {
    Person p;
    p.person_id = std::move(id);
    p.unit = std::move(unit);
    p.roles = {"official"};
    return p;
  }
  static Device device(std::string id, std::string holder, platform::Platform pl,
                       std::string model) {
    Device d;
    d.device_id = std::move(id);
    d.holder = std::move(holder);
    d.platform = pl;
    d.kind = platform::Kind::kPhone;
    d.model = std::move(model);
    return d;
  }

  policy::Directive directive_;
  std::vector<Person> people_;
  std::vector<Device> devices_;
  policy::Evaluation evaluation_;
};

TEST_F(StatusReportTest, JsonFollowsTheContract) {
  auto j = nlohmann::json::parse(statusJson(directive_, evaluation_, true));
  EXPECT_EQ(j["directive"], "t1");
  EXPECT_EQ(j["as_of"], "2023-03-20");
  EXPECT_EQ(j["totals"]["people_in_scope"], 2);
  EXPECT_EQ(j["totals"]["devices_in_scope"], 3);
  EXPECT_EQ(j["totals"]["pending"], 1);
  EXPECT_EQ(j["totals"]["compliant"], 1);
  EXPECT_EQ(j["totals"]["unknown"], 1);
  ASSERT_EQ(j["devices"].size(), 3u);
  EXPECT_EQ(j["devices"][0]["device_id"], "D-1");
  EXPECT_EQ(j["devices"][0]["status"], "pending");
  EXPECT_EQ(j["devices"][0]["rule"], 1);
  EXPECT_EQ(j["devices"][0]["unit"], "pa/press");
  EXPECT_EQ(j["milestones"][0]["days_left"], 12);
  EXPECT_FALSE(nlohmann::json::parse(statusJson(directive_, evaluation_, false)).contains("devices"));
}

TEST_F(StatusReportTest, TextTableHasEveryUnitAndTotal) {
  const std::string text = statusText(directive_, evaluation_, true);
  EXPECT_NE(text.find("pa/press"), std::string::npos);
  EXPECT_NE(text.find("pa/legal"), std::string::npos);
  EXPECT_NE(text.find("TOTAL"), std::string::npos);
  EXPECT_NE(text.find("12 days left"), std::string::npos);
  EXPECT_NE(text.find("D-1  pending"), std::string::npos);
  EXPECT_EQ(text.find("D-2  compliant"), std::string::npos);  // compliant devices not listed
}

TEST_F(StatusReportTest, CsvQuotesFields) {
  const std::string csv = statusCsv(evaluation_);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "device_id,person_id,unit,model,platform,kind,status,rule,reason");
  EXPECT_NE(csv.find("\"iPhone \"\"13\"\", <b>\""), std::string::npos);
}

TEST_F(StatusReportTest, HtmlEscapesAndIsSelfContained) {
  const std::string html = statusHtml(directive_, evaluation_);
  EXPECT_NE(html.find("Test &lt;directive&gt; &amp; co"), std::string::npos);
  EXPECT_EQ(html.find("<b>\""), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("D-3"), std::string::npos);   // unknown is listed
  EXPECT_EQ(html.find(">D-2<"), std::string::npos);  // compliant is not
}

TEST_F(StatusReportTest, SameInputsSameBytes) {
  EXPECT_EQ(statusJson(directive_, evaluation_, true), statusJson(directive_, evaluation_, true));
  EXPECT_EQ(statusHtml(directive_, evaluation_), statusHtml(directive_, evaluation_));
}

}  // namespace
}  // namespace phaseout::report

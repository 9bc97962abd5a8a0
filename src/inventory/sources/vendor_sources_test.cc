// The MDM and asset-register sources, each fed a small export written here from the shape its
// vendor documents (docs/importers.md cites each), through the real import path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "inventory/importer.h"
#include "inventory/sources/registry.h"
#include "inventory/sources/timestamp.h"

namespace phaseout::inventory {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Source& source(std::string_view name) { return *findSource(name); }

std::vector<SourcedDevice> parse(std::string_view name, std::string_view text) {
  auto parsed = parseSourcedDevices(text, "export", source(name));
  EXPECT_TRUE(parsed.isOk()) << parsed.status().message();
  return parsed.isOk() ? *parsed : std::vector<SourcedDevice>{};
}

std::string problems(std::string_view name, std::string_view text) {
  auto parsed = parseSourcedDevices(text, "export", source(name));
  return parsed.isOk() ? std::string("ok") : parsed.status().message();
}

TEST(IntuneSourceTest, ReadsGraphManagedDevicePages) {
  const std::string page1 =
      R"({"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#deviceManagement/managedDevices",
 "value":[{"id":"0a1b","deviceName":"ANNA-IPHONE","managedDeviceOwnerType":"company",
  "operatingSystem":"iOS","osVersion":"16.4.1","model":"iPhone 14","manufacturer":"Apple",
  "serialNumber":"F17XK1ABC","imei":"35 209900 176148 1","meid":"","wiFiMacAddress":"A4B1C2D3E4F5",
  "ethernetMacAddress":null,"userPrincipalName":"Anna@Example.org","emailAddress":"anna@example.org",
  "lastSyncDateTime":"2024-03-01T10:20:30.1234567Z"}],
 "@odata.nextLink":"https://graph.microsoft.com/v1.0/deviceManagement/managedDevices?$skiptoken=x"})";
  const std::string page2 =
      R"({"value":[{"id":"0c2d","deviceName":"B","managedDeviceOwnerType":"personal",
  "operatingSystem":"Android","osVersion":"13","model":"Pixel 7","manufacturer":"Google",
  "serialNumber":"","imei":"","wiFiMacAddress":"","userPrincipalName":"","lastSyncDateTime":"2024-03-02T00:00:00Z"}]})";
  const auto devices = parse("intune", page1 + "\n" + page2);
  ASSERT_EQ(devices.size(), 2u);
  const Device& d = devices[0].device;
  EXPECT_EQ(d.device_id, "0a1b");
  EXPECT_EQ(d.holder, "Anna@Example.org");
  EXPECT_EQ(d.vendor, "apple");
  EXPECT_EQ(d.platform, platform::Platform::kIos);
  EXPECT_EQ(d.os_version, "16.4.1");
  EXPECT_EQ(d.ownership, platform::Ownership::kCorporate);
  EXPECT_EQ(d.serial, "F17XK1ABC");
  EXPECT_THAT(d.macs, ElementsAre("a4:b1:c2:d3:e4:f5"));
  EXPECT_EQ(d.hostname, "ANNA-IPHONE");
  EXPECT_EQ(devices[0].location, "/0/value/0");
  EXPECT_EQ(devices[0].synced_ms, *parseTimestampMs("2024-03-01T10:20:30.123Z"));
  EXPECT_EQ(devices[1].location, "/1/value/0");
  EXPECT_EQ(devices[1].device.ownership, platform::Ownership::kPersonal);
  EXPECT_EQ(devices[1].device.platform, platform::Platform::kAndroid);
}

TEST(IntuneSourceTest, ReadsTheAdminCenterCsvExport) {
  const auto devices = parse("intune",
                             "Device ID,Device name,Managed by,Ownership,Compliance,OS,OS version,"
                             "Last check-in,Primary user UPN,Serial number,IMEI,Wi-Fi MAC,"
                             "Manufacturer,Model\n"
                             "0a1b,ANNA-IPHONE,Intune,Corporate,Compliant,iOS,16.4.1,"
                             "2024-03-01 10:20:30.0000000,anna@example.org,F17XK1ABC,"
                             "352099001761481,A4B1C2D3E4F5,Apple,iPhone 14\n");
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].device.device_id, "0a1b");
  EXPECT_EQ(devices[0].device.ownership, platform::Ownership::kCorporate);
  EXPECT_EQ(devices[0].device.imei, "352099001761481");
  EXPECT_EQ(devices[0].location, "2");
  EXPECT_NE(devices[0].synced_ms, 0);
}

TEST(IntuneSourceTest, LocatesProblemsByJsonPointerAndRefusesTheWholeFile) {
  const std::string text = R"({"value":[
 {"id":"a","wiFiMacAddress":"not-a-mac","lastSyncDateTime":"2024-03-01T10:20:30Z"},
 {"id":"b","lastSyncDateTime":"yesterday"},
 {"deviceName":"no id"},
 {"id":"a"}]})";
  const std::string message = problems("intune", text);
  EXPECT_THAT(message, HasSubstr("export:/value/0: mac: expected a MAC address"));
  EXPECT_THAT(message, HasSubstr("export:/value/1: last synchronised: expected a timestamp"));
  EXPECT_THAT(message, HasSubstr("export:/value/2: expected the record's id (id)"));
  EXPECT_THAT(message, HasSubstr("export:/value/3: device_id: expected a unique id; \"a\" is "
                                 "already at /value/0"));
  EXPECT_THAT(problems("intune", "{\"value\": [ {\"id\": } ]}"),
              HasSubstr("export:/value/0/id: expected valid JSON"));
}

TEST(JamfSourceTest, ReadsMobileDeviceDetails) {
  const auto devices = parse("jamf", R"({"totalCount":1,"results":[{"id":"17","name":"Anna's iPad",
  "serialNumber":"DMPXK2ABC","udid":"0000-1111","wifiMacAddress":"a4:b1:c2:d3:e4:f6",
  "bluetoothMacAddress":"a4:b1:c2:d3:e4:f7","osVersion":"17.1","deviceOwnershipLevel":"Institutional",
  "lastInventoryUpdateTimestamp":"2024-03-03T08:00:00Z","type":"ios",
  "location":{"username":"anna","realName":"Anna A","emailAddress":"anna@example.org"},
  "ios":{"model":"iPad Pro 11-inch","modelIdentifier":"iPad8,1","network":{"imei":"","meid":""}}}]})");
  ASSERT_EQ(devices.size(), 1u);
  const Device& d = devices[0].device;
  EXPECT_EQ(d.device_id, "17");
  EXPECT_EQ(d.holder, "anna@example.org");
  EXPECT_EQ(d.vendor, "apple");
  EXPECT_EQ(d.model, "iPad Pro 11-inch");
  EXPECT_EQ(d.ownership, platform::Ownership::kCorporate);
  EXPECT_THAT(d.macs, ElementsAre("a4:b1:c2:d3:e4:f6"));
  EXPECT_EQ(devices[0].location, "/results/0");
  // A single detail response is one device.
  EXPECT_EQ(parse("jamf", R"({"id":"18","serialNumber":"X","udid":"u"})").size(), 1u);
  EXPECT_THAT(problems("jamf", "id,serialNumber\n1,2\n"), HasSubstr("read as JSON only"));
}

TEST(GoogleSourceTest, ReadsAdminSdkMobileDevices) {
  const auto devices = parse("google", R"({"kind":"admin#directory#mobiledevices","mobiledevices":[
  {"kind":"admin#directory#mobiledevice","resourceId":"AFiQxQ8","deviceId":"x","serialNumber":"R58N",
   "email":["Boris@example.org"],"name":["Boris"],"model":"Pixel 7","os":"Android 13","type":"ANDROID",
   "status":"APPROVED","imei":"356938035643809","wifiMacAddress":"00:1a:2b:3c:4d:5e",
   "lastSync":"2024-02-28T12:00:00.000Z","manufacturer":"Google","brand":"google"}],"nextPageToken":"t"})");
  ASSERT_EQ(devices.size(), 1u);
  const Device& d = devices[0].device;
  EXPECT_EQ(d.device_id, "AFiQxQ8");
  EXPECT_EQ(d.holder, "Boris@example.org");
  EXPECT_EQ(d.platform, platform::Platform::kAndroid);
  EXPECT_EQ(d.os_version, "13");
  EXPECT_EQ(d.imei, "356938035643809");
}

TEST(FleetSourceTest, ReadsHostsJsonAndTheCsvReport) {
  const auto json = parse("fleet", R"({"hosts":[{"id":42,"hostname":"annas-mbp","platform":"darwin",
  "os_version":"macOS 14.1.1","hardware_vendor":"Apple Inc.","hardware_model":"MacBookPro18,3",
  "hardware_serial":"C02XK3ABC","primary_mac":"a4:b1:c2:d3:e4:f8","seen_time":"2024-03-04T09:00:00Z",
  "detail_updated_at":"2024-03-04T08:00:00Z","device_mapping":[{"email":"anna@example.org","source":"google_chrome_profiles"}]}]})");
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0].device.device_id, "42");
  EXPECT_EQ(json[0].device.holder, "anna@example.org");
  EXPECT_EQ(json[0].device.vendor, "apple");
  EXPECT_EQ(json[0].device.platform, platform::Platform::kMacos);
  EXPECT_EQ(json[0].synced_ms, *parseTimestampMs("2024-03-04T08:00:00Z"));
  const auto csv = parse("fleet",
                         "id,hostname,os_version,hardware_vendor,hardware_model,hardware_serial,"
                         "primary_mac,detail_updated_at\n"
                         "42,annas-mbp,macOS 14.1.1,Apple Inc.,MacBookPro18,C02XK3ABC,"
                         "a4:b1:c2:d3:e4:f8,2024-03-04T08:00:00Z\n");
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv[0].device.serial, "C02XK3ABC");
  EXPECT_EQ(csv[0].device.holder, "");
}

TEST(SnipeitSourceTest, ReadsHardwareJsonWithCustomFieldsByName) {
  const auto devices = parse("snipeit", R"({"total":1,"rows":[{"id":7,"name":"Anna phone",
  "asset_tag":"A-0007","serial":"F17XK1ABC","model":{"id":3,"name":"iPhone 14"},
  "manufacturer":{"id":1,"name":"Apple"},"category":{"id":2,"name":"Mobile Phones"},
  "status_label":{"id":1,"name":"Deployed","status_meta":"deployed"},
  "assigned_to":{"id":9,"username":"anna","name":"Anna A","type":"user"},
  "custom_fields":{"imei":{"field":"_snipeit_imei_1","value":"352099001761481"},
                   "MAC Address":{"field":"_snipeit_mac_address_2","value":"A4-B1-C2-D3-E4-F5"}},
  "updated_at":{"datetime":"2024-02-01 09:30:00","formatted":"2024-02-01 9:30AM"}}]})");
  ASSERT_EQ(devices.size(), 1u);
  const Device& d = devices[0].device;
  EXPECT_EQ(d.device_id, "7");
  EXPECT_EQ(d.holder, "anna");
  EXPECT_EQ(d.kind, platform::Kind::kPhone);
  EXPECT_EQ(d.imei, "352099001761481");
  EXPECT_THAT(d.macs, ElementsAre("a4:b1:c2:d3:e4:f5"));
  EXPECT_EQ(devices[0].location, "/rows/0");
  const auto csv =
      parse("snipeit",
            "ID,Asset Tag,Asset Name,Serial,Model,Manufacturer,Category,Status,"
            "Email,IMEI,MAC Address,Updated at\n"
            "7,A-0007,Anna phone,F17XK1ABC,iPhone 14,Apple,Mobile Phones,Lost/Stolen,"
            "anna@example.org,352099001761481,a4:b1:c2:d3:e4:f5,2024-02-01 09:30:00\n");
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv[0].device.state, platform::DeviceState::kLost);
  EXPECT_EQ(csv[0].device.holder, "anna@example.org");
  // The Custom Asset Report's header as Snipe-IT writes it (no ID: the asset tag is the id;
  // the holder by username, else employee number; the status with its meta status).
  const auto report =
      parse("snipeit",
            "Asset Name,Asset Tag,Model,Model No.,Category,Manufacturer,Serial,Checked Out To,Type,"
            "Username,Employee No.,Status,Updated at,IMEI\n"
            "Anna phone,A-0007,iPhone 14,A2882,Mobile Phones,Apple,F17XK1ABC,Anna A,user,,E-1001,"
            "Deployed (deployed),2024-02-01 09:30:00,352099001761481\n"
            "Spare,A-0008,Pixel 8,G9BQD,Mobile Phones,Google,38XYZ0001,,,,,Lost (undeployable),"
            "2024-02-01 09:30:00,\n");
  ASSERT_EQ(report.size(), 2u);
  EXPECT_EQ(report[0].device.device_id, "A-0007");
  EXPECT_EQ(report[0].device.holder, "E-1001");
  EXPECT_EQ(report[0].device.imei, "352099001761481");
  EXPECT_EQ(report[0].device.state, platform::DeviceState::kActive);
  EXPECT_EQ(report[1].device.holder, "");
  EXPECT_EQ(report[1].device.state, platform::DeviceState::kLost);
}

TEST(SourceRecognitionTest, RecognisesEachExportByItsShape) {
  const auto name = [](std::string_view head) {
    const Source* s = recogniseSource(head, SourceSchema::kDevices);
    return s == nullptr ? std::string("none") : std::string(s->name);
  };
  EXPECT_EQ(name(R"({"value":[{"id":"x","deviceName":"d","managedDeviceOwnerType":"company"}]})"),
            "intune");
  EXPECT_EQ(name("Device ID,Device name,Primary user UPN\n"), "intune");
  EXPECT_EQ(name(R"({"results":[{"id":"1","udid":"u","serialNumber":"s","wifiMacAddress":""}]})"),
            "jamf");
  EXPECT_EQ(name(R"({"kind":"admin#directory#mobiledevices","mobiledevices":[]})"), "google");
  EXPECT_EQ(name(R"({"hosts":[{"id":1,"hardware_serial":"s","primary_mac":"m"}]})"), "fleet");
  EXPECT_EQ(name("id,hostname,hardware_serial,primary_mac\n"), "fleet");
  EXPECT_EQ(name(R"({"total":1,"rows":[{"id":1,"asset_tag":"a","status_label":{}}]})"), "snipeit");
  EXPECT_EQ(name("ID,Asset Tag,Serial\n"), "snipeit");
  EXPECT_EQ(name("device_id,holder\n"), "none");
  EXPECT_EQ(name(R"([{"device_id":"d"}])"), "none");
}

// A file given in pieces of `size` bytes, as a large export is read (sources/source.h).
class PieceChunks final : public InputChunks {
 public:
  PieceChunks(std::string_view text, std::size_t size) : text_(text), size_(size) {}
  bool next(std::string_view& piece) override {
    piece = text_.substr(std::min(at_, text_.size()), size_);
    at_ += piece.size();
    return true;
  }
  bool rewind() override {
    at_ = 0;
    return true;
  }
  [[nodiscard]] std::string error() const override { return {}; }

 private:
  std::string_view text_;
  std::size_t size_;
  std::size_t at_ = 0;
};

Result<std::vector<SourcedDevice>> parseInPieces(std::string_view name, std::string_view text,
                                                 std::size_t size) {
  PieceChunks chunks(text, size);
  return parseSourcedDevices(text.substr(0, 16), "export", source(name), &chunks);
}

TEST(VendorJsonStreamTest, PiecesOfAnySizeReadLikeTheWholeFile) {
  const std::string text =
      "\xEF\xBB\xBF"
      R"({"@odata.context":"x","value":[{"id":"0a\u0031b","deviceName":"ANNA \"IPHONE\"",
  "managedDeviceOwnerType":"company","operatingSystem":"iOS","osVersion":"16.4.1",
  "serialNumber":"F17XK1ABC","imei":351260002752827,"wiFiMacAddress":"A4B1C2D3E4F5",
  "lastSyncDateTime":"2024-03-01T10:20:30Z","nested":{"value":[1,2,{"a":null}]},
  "userPrincipalName":"anna@example.org"}]}
 {"value":[{"id":"2","meid":"A0000012345678","userPrincipalName":"b@example.org"}]}
)";
  const auto whole = parse("intune", text);
  ASSERT_EQ(whole.size(), 2u);
  EXPECT_EQ(whole[0].device.device_id, "0a1b");
  EXPECT_EQ(whole[0].device.hostname, "ANNA \"IPHONE\"");
  EXPECT_EQ(whole[0].device.imei, "351260002752827");
  EXPECT_EQ(whole[0].location, "/0/value/0");
  EXPECT_EQ(whole[1].location, "/1/value/0");
  for (std::size_t size : {1u, 2u, 3u, 7u, 64u, 4096u}) {
    auto pieces = parseInPieces("intune", text, size);
    ASSERT_TRUE(pieces.isOk()) << size << ": " << pieces.status().message();
    ASSERT_EQ(pieces->size(), whole.size()) << size;
    for (std::size_t i = 0; i < whole.size(); ++i) {
      EXPECT_EQ((*pieces)[i].device, whole[i].device) << size;
      EXPECT_EQ((*pieces)[i].location, whole[i].location) << size;
      EXPECT_EQ((*pieces)[i].synced_ms, whole[i].synced_ms) << size;
    }
  }
}

TEST(VendorJsonStreamTest, ProblemsNameTheJsonPointerAndStoreNothing) {
  // A syntax error deep in the file: located by pointer, whatever the piece size.
  std::string text = R"({"value":[)";
  for (int i = 0; i < 50; ++i) text += R"({"id":")" + std::to_string(i) + R"("},)";
  text += R"({"id":"x","model":tru}]})";
  for (std::size_t size : {1u, 5u, 1u << 20}) {
    auto parsed = parseInPieces("intune", text, size);
    ASSERT_FALSE(parsed.isOk());
    EXPECT_THAT(parsed.status().message(),
                HasSubstr("export:/value/50/model: expected valid JSON"));
  }
  EXPECT_THAT(problems("intune", R"({"value":[{"id":"a"})"),
              HasSubstr("export:/value/1: expected valid JSON"));
  EXPECT_THAT(problems("intune", R"({"value":[{"id":"a"}, 3, [1]]})"),
              AllOf(HasSubstr("export:/value/1: expected an object (one device)"),
                    HasSubstr("export:/value/2: expected an object (one device)")));
  EXPECT_THAT(problems("intune", R"({"value":{"id":"a"}})"),
              HasSubstr("export:/value: expected an array of devices"));
  EXPECT_THAT(problems("intune", R"([{"id":"a"}, "b"])"),
              HasSubstr("export:/1: expected an object (one device)"));
}

TEST(VendorJsonStreamTest, AnArrayOfPagesAndASingleRecordAreLocated) {
  const auto pages = parse("snipeit", R"([{"total":1,"rows":[{"id":1,"serial":"S1"}]},
    {"total":1,"rows":[{"id":2,"serial":"S2"}]}])");
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[1].location, "/1/rows/0");
  const auto single = parse("jamf", R"({"id":"17","serialNumber":"S3"})");
  ASSERT_EQ(single.size(), 1u);
  EXPECT_EQ(single[0].location, "");
}

TEST(TimestampTest, ReadsTheFormsExportsWrite) {
  EXPECT_EQ(parseTimestampMs("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parseTimestampMs("1970-01-02"), 86'400'000);
  EXPECT_EQ(parseTimestampMs("1970-01-01T02:00:00+02:00"), 0);
  EXPECT_EQ(parseTimestampMs("1970-01-01 00:00:01.5"), 1'500);
  EXPECT_EQ(parseTimestampMs("1/2/1970 12:00:00 AM"), 86'400'000);
  EXPECT_EQ(parseTimestampMs("1/1/1970 1:00 PM"), 13 * 3'600'000);
  EXPECT_EQ(parseTimestampMs("2023-02-31T00:00:00Z"), std::nullopt);
  EXPECT_EQ(parseTimestampMs("yesterday"), std::nullopt);
  EXPECT_EQ(parseTimestampMs("2024-03-01T25:00:00Z"), std::nullopt);
}

}  // namespace
}  // namespace phaseout::inventory

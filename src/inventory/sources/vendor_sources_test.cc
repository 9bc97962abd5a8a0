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
              HasSubstr("export:1: expected valid JSON"));
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

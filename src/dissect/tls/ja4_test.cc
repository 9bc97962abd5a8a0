#include "dissect/tls/ja4.h"

#include <gtest/gtest.h>

namespace phaseout::dissect {
namespace {

// The worked example of the JA4 specification (FoxIO technical_details/JA4.md).
Ja4Input specExample() {
  Ja4Input in;
  in.legacy_version = 0x0303;
  in.ciphers = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
  in.extensions = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
                   0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
  in.signature_algorithms = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
  in.supported_versions = {0x0304, 0x0303};
  in.has_sni = true;
  in.first_alpn = "h2";
  return in;
}

TEST(Ja4Test, HashesOfTheSpecification) {
  EXPECT_EQ(ja4Hash("002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9"),
            "8daaf6152771");
  EXPECT_EQ(ja4Hash("0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_"
                    "0403,0804,0401,0503,0805,0501,0806,0601"),
            "e5627efa2ab1");
  EXPECT_EQ(ja4Hash("0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01"),
            "6d807ffa2a79");
}

TEST(Ja4Test, SpecificationExample) {
  EXPECT_EQ(ja4(specExample()), "t13d1516h2_8daaf6152771_e5627efa2ab1");
}

TEST(Ja4Test, GreaseIsIgnoredEverywhere) {
  Ja4Input in = specExample();
  in.ciphers.insert(in.ciphers.begin(), 0x0a0a);
  in.extensions.insert(in.extensions.begin(), 0x2a2a);
  in.extensions.push_back(0xfafa);
  in.signature_algorithms.insert(in.signature_algorithms.begin(), 0x5a5a);
  in.supported_versions.insert(in.supported_versions.begin(), 0x7a7a);
  EXPECT_EQ(ja4(in), "t13d1516h2_8daaf6152771_e5627efa2ab1");
}

TEST(Ja4Test, GreaseValues) {
  EXPECT_TRUE(isGrease(0x0a0a));
  EXPECT_TRUE(isGrease(0xfafa));
  EXPECT_FALSE(isGrease(0x0a1a));
  EXPECT_FALSE(isGrease(0x1301));
}

TEST(Ja4Test, NoSignatureAlgorithmsMeansNoUnderscore) {
  Ja4Input in = specExample();
  in.signature_algorithms.clear();
  EXPECT_EQ(ja4(in), "t13d1516h2_8daaf6152771_6d807ffa2a79");
}

TEST(Ja4Test, VersionFromSupportedVersionsElseLegacy) {
  Ja4Input in = specExample();
  in.supported_versions.clear();
  EXPECT_EQ(ja4(in).substr(0, 3), "t12");
  in.legacy_version = 0x0301;
  EXPECT_EQ(ja4(in).substr(0, 3), "t10");
  in.legacy_version = 0x0300;
  EXPECT_EQ(ja4(in).substr(0, 3), "ts3");
  in.legacy_version = 0x7f1c;  // a TLS 1.3 draft number
  EXPECT_EQ(ja4(in).substr(0, 3), "t00");
  in.supported_versions = {0x0302, 0x0303};  // the highest, wherever it is listed
  EXPECT_EQ(ja4(in).substr(0, 3), "t12");
  EXPECT_EQ(offeredVersion(in), 0x0303);
}

TEST(Ja4Test, NoSniIsI) {
  Ja4Input in = specExample();
  in.has_sni = false;
  in.extensions.erase(in.extensions.begin() + 1);  // drop 0x0000 as well
  // One extension fewer; the c part never included SNI, so it does not change.
  EXPECT_EQ(ja4(in), "t13i1515h2_8daaf6152771_e5627efa2ab1");
}

TEST(Ja4Test, AlpnCharacters) {
  Ja4Input in = specExample();
  auto alpn = [&](std::string value) {
    in.first_alpn = std::move(value);
    return ja4(in).substr(8, 2);
  };
  EXPECT_EQ(alpn("http/1.1"), "h1");
  EXPECT_EQ(alpn("h"), "hh");
  EXPECT_EQ(alpn(""), "00");
  // Non-alphanumeric ends: first and last character of the hex form (JA4.md examples).
  EXPECT_EQ(alpn("\xab"), "ab");
  EXPECT_EQ(alpn("\xab\xcd"), "ad");
  EXPECT_EQ(alpn("\x30\xab"), "3b");
  EXPECT_EQ(alpn("\x30\x31\xab\xcd"), "3d");
  EXPECT_EQ(alpn("\x30\xab\xcd\x31"), "01");
}

TEST(Ja4Test, EmptyListsGiveZeroHashes) {
  Ja4Input in;
  in.legacy_version = 0x0303;
  in.extensions = {0x0000, 0x0010};  // only SNI and ALPN: the sorted list is empty
  in.has_sni = true;
  EXPECT_EQ(ja4(in), "t12d000200_000000000000_000000000000");
}

TEST(Ja4Test, CountsStopAt99) {
  Ja4Input in = specExample();
  in.ciphers.clear();
  for (std::uint16_t c = 1; c <= 120; ++c) in.ciphers.push_back(c);
  EXPECT_EQ(ja4(in).substr(4, 2), "99");
}

// A small hello computed by hand (sha256 over the strings shown, first 12 hex digits):
//   ciphers 1301,c02f                   -> c1929292aa6b
//   extensions 000a,000d,002b (0000 and 0010 dropped), then _0403,0804 -> fbabbea27ee8
TEST(Ja4Test, HandComputedVector) {
  Ja4Input in;
  in.legacy_version = 0x0303;
  in.ciphers = {0xc02f, 0x1301};
  in.extensions = {0x0000, 0x000a, 0x0010, 0x000d, 0x002b};
  in.signature_algorithms = {0x0403, 0x0804};
  in.supported_versions = {0x0304};
  in.has_sni = true;
  in.first_alpn = "http/1.1";
  EXPECT_EQ(ja4(in), "t13d0205h1_c1929292aa6b_fbabbea27ee8");
}

}  // namespace
}  // namespace phaseout::dissect

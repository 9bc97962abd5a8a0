#include "dissect/tls/client_hello.h"

#include "core/byte_reader.h"
#include "dissect/text.h"
#include "dissect/tls/ja4.h"
#include "dissect/tls/tls_dissector.h"

namespace phaseout::dissect {
namespace {

constexpr std::size_t kRandomBytes = 32;

constexpr std::uint16_t kExtensionServerName = 0;            // RFC 6066 §3
constexpr std::uint16_t kExtensionSignatureAlgorithms = 13;  // RFC 8446 §4.2.3
constexpr std::uint16_t kExtensionAlpn = 16;                 // RFC 7301 §3.1
constexpr std::uint16_t kExtensionSupportedVersions = 43;    // RFC 8446 §4.2.1
constexpr std::uint8_t kServerNameTypeHostName = 0;

// Reads the parts of one ClientHello body into `tls` and `ja4_input`.
class HelloParser {
 public:
  HelloParser(TlsFields& tls, Ja4Input& ja4_input) : tls_(tls), ja4_(ja4_input) {}

  ClientHelloResult parse(ByteReader r, bool body_complete) {
    // A read that fails on a cut body means "truncated"; on a complete one, "malformed".
    const ClientHelloResult short_read =
        body_complete ? ClientHelloResult::kMalformed : ClientHelloResult::kTruncated;
    ja4_.legacy_version = r.u16be();
    r.skip(kRandomBytes);
    const std::uint8_t session_id_len = r.u8();
    r.skip(session_id_len);
    const std::uint16_t cipher_bytes = r.u16be();
    if (!r.ok()) return short_read;
    if (cipher_bytes % 2 != 0) return ClientHelloResult::kMalformed;
    ByteReader ciphers = r.sub(cipher_bytes);
    while (ciphers.ok() && !ciphers.empty()) ja4_.ciphers.push_back(ciphers.u16be());
    if (!r.ok()) return short_read;
    const std::uint8_t compression_len = r.u8();
    r.skip(compression_len);
    if (!r.ok()) return short_read;
    if (r.empty()) return ClientHelloResult::kComplete;  // no extensions (allowed before TLS 1.3)

    const std::uint16_t extensions_len = r.u16be();
    if (!r.ok()) return short_read;
    // A cut list is still read up to the cut: the SNI usually comes early.
    const bool list_complete = r.remaining() >= extensions_len;
    if (!list_complete && body_complete) return ClientHelloResult::kMalformed;
    ByteReader extensions = list_complete ? r.sub(extensions_len) : ByteReader(r.rest());
    while (!extensions.empty()) {
      const std::uint16_t type = extensions.u16be();
      const std::uint16_t len = extensions.u16be();
      ByteReader data = extensions.sub(len);
      if (!extensions.ok())
        return list_complete ? ClientHelloResult::kMalformed : ClientHelloResult::kTruncated;
      ja4_.extensions.push_back(type);
      if (!extension(type, data)) return ClientHelloResult::kMalformed;
    }
    if (!list_complete) return ClientHelloResult::kTruncated;
    return ClientHelloResult::kComplete;
  }

 private:
  // `list` readers are taken with sub() and checked through their parent `data`: a sub-reader
  // over missing bytes is empty, and the parent records the failure.
  bool extension(std::uint16_t type, ByteReader data) {
    switch (type) {
      case kExtensionServerName: {
        ja4_.has_sni = true;
        ByteReader list = data.sub(data.u16be());
        if (!data.ok()) return false;
        while (list.ok() && !list.empty()) {
          const std::uint8_t name_type = list.u8();
          const auto host = list.bytes(list.u16be());
          if (!list.ok()) return false;
          if (name_type == kServerNameTypeHostName && tls_.sni.empty()) tls_.sni = asciiText(host);
        }
        return list.ok();
      }
      case kExtensionAlpn: {
        ByteReader list = data.sub(data.u16be());
        if (!data.ok()) return false;
        while (list.ok() && !list.empty()) {
          const auto protocol = list.bytes(list.u8());
          if (!list.ok()) return false;
          if (tls_.alpn.empty() && ja4_.first_alpn.empty()) {
            ja4_.first_alpn.assign(reinterpret_cast<const char*>(protocol.data()), protocol.size());
          }
          tls_.alpn.push_back(asciiText(protocol));
        }
        return list.ok();
      }
      case kExtensionSupportedVersions: {
        ByteReader list = data.sub(data.u8());
        if (!data.ok()) return false;
        while (list.ok() && !list.empty()) ja4_.supported_versions.push_back(list.u16be());
        return list.ok();
      }
      case kExtensionSignatureAlgorithms: {
        ByteReader list = data.sub(data.u16be());
        if (!data.ok()) return false;
        while (list.ok() && !list.empty()) ja4_.signature_algorithms.push_back(list.u16be());
        return list.ok();
      }
      default:
        return true;
    }
  }

  TlsFields& tls_;
  Ja4Input& ja4_;
};

}  // namespace

ClientHelloResult parseClientHello(std::span<const std::uint8_t> message, char ja4_protocol,
                                   TlsFields& tls) {
  ByteReader hello(message);
  hello.skip(1);
  const std::uint32_t body_len = hello.u24be();
  const bool body_complete = hello.remaining() >= body_len;
  ByteReader body = body_complete ? hello.sub(body_len) : ByteReader(hello.rest());

  Ja4Input ja4_input;
  ja4_input.protocol = ja4_protocol;
  const ClientHelloResult result = HelloParser(tls, ja4_input).parse(body, body_complete);
  if (result == ClientHelloResult::kComplete && !body_complete)
    return ClientHelloResult::kTruncated;
  if (result != ClientHelloResult::kComplete) return result;
  tls.ja4 = ja4(ja4_input);
  tls.version = tlsVersionName(offeredVersion(ja4_input));
  return result;
}

}  // namespace phaseout::dissect

#include "dissect/quic/initial_protection.h"

#include <openssl/evp.h>

#include <initializer_list>
#include <memory>
#include <string>

namespace phaseout::dissect::quic {
namespace {

// RFC 9001 §5.2.
constexpr std::array<std::uint8_t, 20> kSaltV1 = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34,
                                                  0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8,
                                                  0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
// RFC 9369 §3.3.1.
constexpr std::array<std::uint8_t, 20> kSaltV2 = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6,
                                                  0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26,
                                                  0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
// draft-ietf-quic-tls-29..32 §5.2.
constexpr std::array<std::uint8_t, 20> kSaltDraft29 = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2,
                                                       0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61,
                                                       0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};
// draft-ietf-quic-tls-23..28 §5.2.
constexpr std::array<std::uint8_t, 20> kSaltDraft23 = {0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb,
                                                       0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4,
                                                       0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02};
// draft-ietf-quic-tls-22 §5.2 (also used by drafts 21 and earlier that share the scheme).
constexpr std::array<std::uint8_t, 20> kSaltDraft22 = {0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb,
                                                       0xe9, 0x19, 0x3a, 0x96, 0xcd, 0x21, 0x51,
                                                       0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a};
// Google QUIC Q050: the Initial salt of Chromium for that version (Wireshark uses it too).
constexpr std::array<std::uint8_t, 20> kSaltQ050 = {0x50, 0x45, 0x74, 0xef, 0xd0, 0x66, 0xfe,
                                                    0x2f, 0x9d, 0x94, 0x5c, 0xfc, 0xdb, 0xd3,
                                                    0xa7, 0xf0, 0xd3, 0xb5, 0x6b, 0x45};

constexpr std::uint32_t kVersion1 = 0x00000001;
constexpr std::uint32_t kVersion2 = 0x6b3343cf;
constexpr std::uint32_t kVersionQ050 = 0x51303530;  // "Q050"
constexpr std::uint32_t kDraftPrefix = 0xff000000;  // 0xff0000NN is draft-NN

struct CipherContextFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree>;
struct DigestContextFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using DigestContext = std::unique_ptr<EVP_MD_CTX, DigestContextFree>;

// The algorithms are fetched once: OpenSSL 3 otherwise looks them up by name on every call
// (HMAC() alone took 2 µs of an Initial's 23). Fetched objects are immutable and shareable
// between threads; they live as long as the process.
const EVP_MD* sha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}
const EVP_CIPHER* aes128Ecb() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr);
  return cipher != nullptr ? cipher : EVP_aes_128_ecb();
}
const EVP_CIPHER* aes128Gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  return cipher != nullptr ? cipher : EVP_aes_128_gcm();
}

constexpr std::size_t kShaBlockBytes = 64;

// HMAC-SHA256 (RFC 2104) of the concatenated `parts`. Digests of a few dozen bytes do not
// fail short of memory exhaustion; a failure leaves zeros, which only makes a tag check fail.
std::array<std::uint8_t, kSecretBytes> hmacSha256(
    std::span<const std::uint8_t> key, std::initializer_list<std::span<const std::uint8_t>> parts) {
  std::array<std::uint8_t, kSecretBytes> out{};
  DigestContext ctx(EVP_MD_CTX_new());
  if (!ctx) return out;
  std::array<std::uint8_t, kShaBlockBytes> block{};
  if (key.size() > kShaBlockBytes) {
    unsigned int len = 0;
    EVP_Digest(key.data(), key.size(), block.data(), &len, sha256(), nullptr);
  } else {
    for (std::size_t i = 0; i < key.size(); ++i) block[i] = key[i];
  }
  std::array<std::uint8_t, kShaBlockBytes> pad{};
  for (std::size_t i = 0; i < kShaBlockBytes; ++i) pad[i] = block[i] ^ 0x36;
  std::array<std::uint8_t, kSecretBytes> inner{};
  unsigned int len = 0;
  bool ok = EVP_DigestInit_ex(ctx.get(), sha256(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx.get(), pad.data(), pad.size()) == 1;
  for (const auto& part : parts)
    ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), inner.data(), &len) == 1;
  for (std::size_t i = 0; i < kShaBlockBytes; ++i) pad[i] = block[i] ^ 0x5c;
  ok = ok && EVP_DigestInit_ex(ctx.get(), sha256(), nullptr) == 1 &&
       EVP_DigestUpdate(ctx.get(), pad.data(), pad.size()) == 1 &&
       EVP_DigestUpdate(ctx.get(), inner.data(), inner.size()) == 1 &&
       EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1;
  if (!ok) out.fill(0);
  return out;
}

}  // namespace

std::optional<InitialScheme> initialScheme(std::uint32_t version) {
  if (version == kVersion1) return InitialScheme{kSaltV1, "quic "};
  if (version == kVersion2) return InitialScheme{kSaltV2, "quicv2 "};
  if (version == kVersionQ050) return InitialScheme{kSaltQ050, "quic "};
  if ((version & 0xffffff00) == kDraftPrefix) {
    const std::uint32_t draft = version & 0xff;
    if (draft >= 33 && draft <= 34) return InitialScheme{kSaltV1, "quic "};
    if (draft >= 29 && draft <= 32) return InitialScheme{kSaltDraft29, "quic "};
    if (draft >= 23 && draft <= 28) return InitialScheme{kSaltDraft23, "quic "};
    if (draft == 22) return InitialScheme{kSaltDraft22, "quic "};
  }
  return std::nullopt;
}

std::array<std::uint8_t, kSecretBytes> hkdfExtract(std::span<const std::uint8_t> salt,
                                                   std::span<const std::uint8_t> ikm) {
  return hmacSha256(salt, {ikm});
}

void hkdfExpandLabel(std::span<const std::uint8_t> secret, std::string_view label,
                     std::span<std::uint8_t> out) {
  // HkdfLabel (RFC 8446 §7.1): uint16 length, opaque label<7..255> = "tls13 " + label,
  // opaque context<0..255> = "", then HKDF-Expand's block counter 0x01 (RFC 5869 §2.3).
  static constexpr std::string_view kPrefix = "tls13 ";
  const std::array<std::uint8_t, 3> head = {
      static_cast<std::uint8_t>(out.size() >> 8), static_cast<std::uint8_t>(out.size() & 0xff),
      static_cast<std::uint8_t>(kPrefix.size() + label.size())};
  const std::array<std::uint8_t, 2> tail = {0x00, 0x01};
  const auto bytes = [](std::string_view text) {
    return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()),
                                         text.size());
  };
  const auto block = hmacSha256(secret, {head, bytes(kPrefix), bytes(label), tail});
  for (std::size_t i = 0; i < out.size() && i < block.size(); ++i) out[i] = block[i];
}

std::array<std::uint8_t, kSecretBytes> clientInitialSecret(const InitialScheme& scheme,
                                                           std::span<const std::uint8_t> dcid) {
  const auto initial_secret = hkdfExtract(scheme.salt, dcid);
  std::array<std::uint8_t, kSecretBytes> client{};
  hkdfExpandLabel(initial_secret, "client in", client);
  return client;
}

InitialKeys packetKeys(const InitialScheme& scheme,
                       std::span<const std::uint8_t, kSecretBytes> secret) {
  InitialKeys keys;
  const std::string prefix(scheme.label_prefix);
  hkdfExpandLabel(secret, prefix + "key", keys.key);
  hkdfExpandLabel(secret, prefix + "iv", keys.iv);
  hkdfExpandLabel(secret, prefix + "hp", keys.hp);
  return keys;
}

std::optional<std::array<std::uint8_t, kMaskBytes>> headerProtectionMask(
    std::span<const std::uint8_t, kKeyBytes> hp,
    std::span<const std::uint8_t, kSampleBytes> sample) {
  CipherContext ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return std::nullopt;
  std::array<std::uint8_t, kSampleBytes + 16> block{};
  int len = 0;
  if (EVP_EncryptInit_ex(ctx.get(), aes128Ecb(), nullptr, hp.data(), nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_EncryptUpdate(ctx.get(), block.data(), &len, sample.data(),
                        static_cast<int>(sample.size())) != 1 ||
      len != static_cast<int>(kSampleBytes)) {
    return std::nullopt;
  }
  std::array<std::uint8_t, kMaskBytes> mask{};
  for (std::size_t i = 0; i < kMaskBytes; ++i) mask[i] = block[i];
  return mask;
}

std::optional<std::vector<std::uint8_t>> openPayload(const InitialKeys& keys,
                                                     std::uint64_t packet_number,
                                                     std::span<const std::uint8_t> header,
                                                     std::span<const std::uint8_t> ciphertext) {
  if (ciphertext.size() < kTagBytes) return std::nullopt;
  const std::size_t text_bytes = ciphertext.size() - kTagBytes;
  std::array<std::uint8_t, kIvBytes> nonce = keys.iv;
  for (std::size_t i = 0; i < 8; ++i) {
    nonce[kIvBytes - 1 - i] ^= static_cast<std::uint8_t>(packet_number >> (8 * i));
  }
  CipherContext ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return std::nullopt;
  std::vector<std::uint8_t> plain(text_bytes + 16);
  std::array<std::uint8_t, kTagBytes> tag{};
  for (std::size_t i = 0; i < kTagBytes; ++i) tag[i] = ciphertext[text_bytes + i];
  int len = 0;
  int final_len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), aes128Gcm(), nullptr, keys.key.data(), nonce.data()) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, header.data(), static_cast<int>(header.size())) !=
          1 ||
      EVP_DecryptUpdate(ctx.get(), plain.data(), &len, ciphertext.data(),
                        static_cast<int>(text_bytes)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                          tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), plain.data() + len, &final_len) != 1) {
    return std::nullopt;
  }
  plain.resize(static_cast<std::size_t>(len + final_len));
  return plain;
}

}  // namespace phaseout::dissect::quic

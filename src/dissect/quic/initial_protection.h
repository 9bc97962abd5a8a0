// Protection of QUIC Initial packets (RFC 9001 §5): the keys a client's Initial packets are
// protected with, derived from the Destination Connection ID of its first Initial packet and a
// salt fixed by the QUIC version (§5.2), header protection (§5.4) and AEAD_AES_128_GCM packet
// protection (§5.3). Anyone on the path can derive these keys: they hide the handshake from
// middleboxes only by obscurity, which is what lets a passive observer read the ClientHello.
//
// Versions: QUIC v1 (RFC 9001), v2 (RFC 9369 §3.3: other salt and labels), the IETF drafts
// 22-34 that deployed clients sent, and Google QUIC Q050 (same scheme with Google's salt).
//
// Pure functions over OpenSSL's HMAC-SHA256 and AES (EVP); no state, safe from any thread.
// Failures (a bad tag, a packet too short) are results, never exceptions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace phaseout::dissect::quic {

inline constexpr std::size_t kSecretBytes = 32;  // SHA-256
inline constexpr std::size_t kKeyBytes = 16;     // AES-128
inline constexpr std::size_t kIvBytes = 12;      // AEAD nonce (RFC 9001 §5.3)
inline constexpr std::size_t kTagBytes = 16;     // AES-GCM tag
inline constexpr std::size_t kSampleBytes = 16;  // header protection sample (§5.4.2)
inline constexpr std::size_t kMaskBytes = 5;     // first byte + up to 4 packet number bytes

// What a version's Initial protection is made of.
struct InitialScheme {
  std::span<const std::uint8_t> salt;  // 20 bytes
  std::string_view label_prefix;       // "quic " (v1, drafts, Q050) or "quicv2 " (v2)
};

// The scheme for `version`, or nullopt for versions whose Initials this module cannot open
// (unknown versions, gQUIC before Q050, version negotiation).
std::optional<InitialScheme> initialScheme(std::uint32_t version);

struct InitialKeys {
  std::array<std::uint8_t, kKeyBytes> key{};
  std::array<std::uint8_t, kIvBytes> iv{};
  std::array<std::uint8_t, kKeyBytes> hp{};
};

// HKDF-Extract (RFC 5869 §2.2) with SHA-256.
std::array<std::uint8_t, kSecretBytes> hkdfExtract(std::span<const std::uint8_t> salt,
                                                   std::span<const std::uint8_t> ikm);

// HKDF-Expand-Label (RFC 8446 §7.1) with SHA-256, an empty context and "tls13 " + label;
// `out` must be at most 32 bytes (one HMAC block).
void hkdfExpandLabel(std::span<const std::uint8_t> secret, std::string_view label,
                     std::span<std::uint8_t> out);

// client_initial_secret = HKDF-Expand-Label(HKDF-Extract(salt, dcid), "client in", "", 32)
// (RFC 9001 §5.2).
std::array<std::uint8_t, kSecretBytes> clientInitialSecret(const InitialScheme& scheme,
                                                           std::span<const std::uint8_t> dcid);

// The key, IV and header protection key of a packet protection secret (RFC 9001 §5.1).
InitialKeys packetKeys(const InitialScheme& scheme,
                       std::span<const std::uint8_t, kSecretBytes> secret);

// The header protection mask: AES-128-ECB of the sample under the hp key (RFC 9001 §5.4.3);
// nullopt only when OpenSSL fails.
std::optional<std::array<std::uint8_t, kMaskBytes>> headerProtectionMask(
    std::span<const std::uint8_t, kKeyBytes> hp,
    std::span<const std::uint8_t, kSampleBytes> sample);

// Opens an AEAD_AES_128_GCM protected payload (RFC 9001 §5.3): the nonce is the IV XORed with
// the packet number, the associated data is the unprotected header. `ciphertext` ends with the
// 16-byte tag. Returns the plaintext, or nullopt when the tag does not verify.
std::optional<std::vector<std::uint8_t>> openPayload(const InitialKeys& keys,
                                                     std::uint64_t packet_number,
                                                     std::span<const std::uint8_t> header,
                                                     std::span<const std::uint8_t> ciphertext);

}  // namespace phaseout::dissect::quic

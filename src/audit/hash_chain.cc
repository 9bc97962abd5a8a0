#include "audit/hash_chain.h"

#include <openssl/evp.h>

#include <charconv>

namespace phaseout::audit {
namespace {

void appendField(std::string& out, std::string_view field) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, field.size());
  out.append(buf, end);
  out += ':';
  out += field;
  out += ';';
}

std::string toHex(const unsigned char* bytes, unsigned len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned i = 0; i < len; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0xF];
  }
  return out;
}

}  // namespace

std::string canonicalEncoding(const Event& e) {
  std::string out;
  out.reserve(64 + e.actor.size() + e.kind.size() + e.subject.size() + e.payload.size());
  appendField(out, std::to_string(e.seq));
  appendField(out, std::to_string(e.effective_day));
  appendField(out, std::to_string(e.recorded_ms));
  appendField(out, e.actor);
  appendField(out, e.kind);
  appendField(out, e.subject);
  appendField(out, e.payload);
  return out;
}

std::string chainHash(std::string_view prev_hash, const Event& event) {
  // prev_hash + canonicalEncoding(event) in one reused buffer, hashed with one reused context:
  // a million-entry check hashes a million small events.
  thread_local std::string buffer;
  thread_local Sha256 h;
  buffer.clear();
  buffer += prev_hash;
  char digits[24];
  auto number = [&](std::int64_t v) {
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
    appendField(buffer, std::string_view(digits, static_cast<std::size_t>(end - digits)));
  };
  number(event.seq);
  number(event.effective_day);
  number(event.recorded_ms);
  appendField(buffer, event.actor);
  appendField(buffer, event.kind);
  appendField(buffer, event.subject);
  appendField(buffer, event.payload);
  h.reset();
  h.update(buffer);
  return h.finalHex();
}

namespace {

// OpenSSL 3 looks the algorithm up on every EVP_sha256() init; fetch it once.
const EVP_MD* sha256Algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(ctx_), sha256Algorithm(), nullptr);
}

void Sha256::reset() {
  EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(ctx_), sha256Algorithm(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::update(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size());
}

void Sha256::updateField(std::string_view bytes) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, bytes.size());
  update(std::string_view(buf, static_cast<std::size_t>(end - buf)));
  update(":");
  update(bytes);
  update(";");
}

std::string Sha256::finalHex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &len);
  return toHex(md, len);
}

std::string sha256Hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.finalHex();
}

void RowSetDigest::add(std::string_view canonical_row) {
  // One fetched algorithm and one context per thread: OpenSSL 3 otherwise looks the algorithm
  // up and allocates a context for every row.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Ctx holder;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestInit_ex2(holder.ctx, sha256, nullptr);
  EVP_DigestUpdate(holder.ctx, canonical_row.data(), canonical_row.size());
  EVP_DigestFinal_ex(holder.ctx, md, &len);
  // Big-endian addition with carry.
  unsigned carry = 0;
  for (int i = 31; i >= 0; --i) {
    const unsigned v = sum_[i] + md[i] + carry;
    sum_[i] = static_cast<unsigned char>(v & 0xFF);
    carry = v >> 8;
  }
  ++rows_;
}

std::string RowSetDigest::hex() const { return toHex(sum_, 32); }

void ChainVerifier::add(const Event& event) {
  if (!check_.ok()) return;
  ++check_.checked;
  auto broken = [&](std::string problem) {
    check_.first_broken_seq = event.seq;
    check_.problem = std::move(problem);
  };
  if (event.seq != expected_seq_) {
    broken("expected entry " + std::to_string(expected_seq_) + " but found " +
           std::to_string(event.seq) + " (an entry was deleted or inserted)");
    return;
  }
  if (event.prev_hash != last_hash_) {
    broken("its previous-hash does not match the entry before it");
    return;
  }
  if (chainHash(event.prev_hash, event) != event.hash) {
    broken("its content does not match its hash (the entry was altered)");
    return;
  }
  last_hash_ = event.hash;
  ++expected_seq_;
}

}  // namespace phaseout::audit

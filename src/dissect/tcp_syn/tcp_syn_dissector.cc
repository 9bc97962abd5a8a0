#include "dissect/tcp_syn/tcp_syn_dissector.h"

#include <array>

#include "core/byte_reader.h"

namespace phaseout::dissect {
namespace {

// RFC 9293 §3.1 control bits.
constexpr std::uint8_t kFlagSyn = 0x02;
constexpr std::uint8_t kFlagRst = 0x04;
constexpr std::uint8_t kFlagAck = 0x10;
constexpr std::uint8_t kFlagEce = 0x40;  // RFC 3168 §6.1
constexpr std::uint8_t kFlagCwr = 0x80;

constexpr std::uint8_t kOptionEol = 0;
constexpr std::uint8_t kOptionNop = 1;
constexpr std::uint8_t kOptionMss = 2;
constexpr std::uint8_t kOptionWindowScale = 3;
constexpr std::uint8_t kOptionMssLength = 4;
constexpr std::uint8_t kOptionWindowScaleLength = 3;

// SYN set, ACK and RST clear.
constexpr std::array<Interest, 1> kInterests = {
    Interest::tcp().tcpFlags(kFlagSyn | kFlagAck | kFlagRst, kFlagSyn),
};

void appendOptionName(std::uint8_t kind, std::string& out) {
  switch (kind) {
    case 0:
      out += "eol";
      return;
    case 1:
      out += "nop";
      return;
    case 2:
      out += "mss";
      return;
    case 3:
      out += "ws";
      return;
    case 4:
      out += "sack";
      return;
    case 5:
      out += "sackblocks";
      return;
    case 8:
      out += "ts";
      return;
    case 19:
      out += "md5";
      return;
    case 28:
      out += "uto";
      return;
    case 29:
      out += "ao";
      return;
    case 30:
      out += "mptcp";
      return;
    case 34:
      out += "tfo";
      return;
    default:
      break;
  }
  out += "opt";
  out += std::to_string(kind);
}

}  // namespace

std::span<const Interest> TcpSynDissector::interests() const { return kInterests; }

Outcome TcpSynDissector::dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                                 AnomalyCounters& anomalies) const {
  if ((packet.tcp_flags & (kFlagSyn | kFlagAck | kFlagRst)) != kFlagSyn) return Outcome::kNotMine;
  Observation obs = makeObservation(ObservationType::kTcpSyn, packet);
  TcpSynFields& syn = obs.tcp_syn;
  syn.window = packet.tcp_window;
  syn.ttl = packet.ip_ttl;
  syn.df = packet.ip_df;
  syn.ecn = (packet.tcp_flags & (kFlagEce | kFlagCwr)) == (kFlagEce | kFlagCwr);

  Outcome outcome = Outcome::kObserved;
  ByteReader r(packet.tcp_options);
  while (!r.empty()) {
    const std::uint8_t kind = r.u8();
    if (!syn.options.empty()) syn.options.push_back(',');
    appendOptionName(kind, syn.options);
    if (kind == kOptionEol) break;
    if (kind == kOptionNop) continue;
    const std::uint8_t len = r.u8();
    if (!r.ok() || len < 2 || !r.has(len - 2u)) {
      anomalies.bump("tcp_syn.bad_option");
      outcome = Outcome::kMalformed;
      break;
    }
    ByteReader value = r.sub(len - 2u);
    if (kind == kOptionMss) {
      if (len == kOptionMssLength) {
        syn.mss = value.u16be();
      } else {
        anomalies.bump("tcp_syn.bad_option_length");
      }
    } else if (kind == kOptionWindowScale) {
      if (len == kOptionWindowScaleLength) {
        syn.wscale = value.u8();
      } else {
        anomalies.bump("tcp_syn.bad_option_length");
      }
    }
  }
  sink.onObservation(obs);
  return outcome;
}

}  // namespace phaseout::dissect

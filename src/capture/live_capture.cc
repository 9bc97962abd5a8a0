#include "capture/live_capture.h"

#include <pcap/pcap.h>
#include <poll.h>

#include <cerrno>
#include <utility>

namespace phaseout::capture {
namespace {

constexpr int kReadTimeoutMs = 100;

struct DispatchContext {
  FrameHandler* handler;
  std::uint32_t link_type;
  bool nanosecond;
  std::uint64_t* frame_number;
};

void onPacket(u_char* user, const struct pcap_pkthdr* header, const u_char* bytes) {
  auto* ctx = reinterpret_cast<DispatchContext*>(user);
  Frame frame;
  frame.data = {bytes, header->caplen};
  frame.wire_length = header->len < header->caplen ? header->caplen : header->len;
  const auto frac = static_cast<std::uint64_t>(header->ts.tv_usec);
  frame.ts_ns =
      static_cast<std::int64_t>(static_cast<std::uint64_t>(header->ts.tv_sec) * 1000000000u +
                                (ctx->nanosecond ? frac : frac * 1000u));
  frame.link_type = ctx->link_type;
  frame.number = ++*ctx->frame_number;
  ctx->handler->onFrame(frame);
}

}  // namespace

void LiveCapture::Closer::operator()(struct ::pcap* handle) const { pcap_close(handle); }

LiveCapture::LiveCapture(std::unique_ptr<struct ::pcap, Closer> handle, std::uint32_t link_type,
                         int fd, bool nanosecond)
    : handle_(std::move(handle)), link_type_(link_type), fd_(fd), nanosecond_(nanosecond) {}

LiveCapture::LiveCapture(LiveCapture&&) noexcept = default;
LiveCapture& LiveCapture::operator=(LiveCapture&&) noexcept = default;
LiveCapture::~LiveCapture() = default;

Result<LiveCapture> LiveCapture::open(const LiveOptions& options) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  const std::string& name = options.interface;
  std::unique_ptr<struct ::pcap, Closer> handle(pcap_create(name.c_str(), errbuf));
  if (handle == nullptr) return unavailable("cannot open interface " + name + ": " + errbuf);
  pcap_t* p = handle.get();
  pcap_set_snaplen(p, static_cast<int>(options.snap_length));
  pcap_set_promisc(p, options.promiscuous ? 1 : 0);
  // Not immediate mode: on Linux that means TPACKET_V2, whose ring has one snap-length slot per
  // packet (a few hundred packets in 32 MiB), so replay bursts overflow it. TPACKET_V3 packs
  // packets into blocks and hands them over at the latest after the read timeout.
  pcap_set_timeout(p, kReadTimeoutMs);
  pcap_set_buffer_size(p, static_cast<int>(options.buffer_bytes));
  const bool nanosecond = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;
  const int activated = pcap_activate(p);
  if (activated < 0) {
    const std::string detail =
        activated == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(activated);
    const std::string message = "cannot capture on " + name + ": " + detail;
    if (activated == PCAP_ERROR_NO_SUCH_DEVICE) return notFound(message);
    if (activated == PCAP_ERROR_PERM_DENIED) {
      return failedPrecondition(message + " (needs root or CAP_NET_RAW)");
    }
    return unavailable(message);
  }
  if (!options.filter.empty()) {
    struct bpf_program program {};
    if (pcap_compile(p, &program, options.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return invalidArgument("bad capture filter '" + options.filter + "': " + pcap_geterr(p));
    }
    const int set = pcap_setfilter(p, &program);
    pcap_freecode(&program);
    if (set != 0) {
      return unavailable("cannot apply capture filter on " + name + ": " + pcap_geterr(p));
    }
  }
  if (pcap_setnonblock(p, 1, errbuf) != 0) {
    return unavailable("cannot make the capture on " + name + " non-blocking: " + errbuf);
  }
  const int fd = pcap_get_selectable_fd(p);
  const auto link_type = static_cast<std::uint32_t>(pcap_datalink(p));
  return LiveCapture(std::move(handle), link_type, fd, nanosecond);
}

Result<std::size_t> LiveCapture::poll(int timeout_ms, FrameHandler& handler,
                                      std::size_t max_frames) {
  if (max_frames == 0) return std::size_t{0};
  if (fd_ >= 0) {
    struct pollfd pfd {};
    pfd.fd = fd_;
    pfd.events = POLLIN;
    const int ready = ::poll(&pfd, 1, timeout_ms);
    if (ready < 0 && errno != EINTR) return unavailable("waiting for packets failed");
    if (ready <= 0) return std::size_t{0};
    if ((pfd.revents & (POLLERR | POLLNVAL)) != 0 && (pfd.revents & POLLIN) == 0) {
      return unavailable("the capture device reported an error (interface down?)");
    }
  }
  DispatchContext ctx{&handler, link_type_, nanosecond_, &frame_number_};
  const int limit = max_frames > 1000000 ? 1000000 : static_cast<int>(max_frames);
  const int n = pcap_dispatch(handle_.get(), limit, onPacket, reinterpret_cast<u_char*>(&ctx));
  if (n == PCAP_ERROR)
    return unavailable(std::string("capture failed: ") + pcap_geterr(handle_.get()));
  return static_cast<std::size_t>(n < 0 ? 0 : n);
}

LiveCapture::Stats LiveCapture::stats() const {
  struct pcap_stat s {};
  Stats out;
  if (pcap_stats(handle_.get(), &s) == 0) {
    out.received = s.ps_recv;
    out.dropped = s.ps_drop;
    out.if_dropped = s.ps_ifdrop;
  }
  return out;
}

}  // namespace phaseout::capture

#include "bus/jetstream.h"

#include <nats/nats.h>

#include <cctype>
#include <string>

namespace phaseout::bus {
namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;
constexpr int kStreamNotFound = 10059;   // JSStreamNotFoundErr
constexpr int kStreamNameInUse = 10058;  // JSStreamNameExistErr (created meanwhile)

bool unreachable(natsStatus s) {
  return s == NATS_NO_SERVER || s == NATS_TIMEOUT || s == NATS_CONNECTION_CLOSED ||
         s == NATS_CONNECTION_DISCONNECTED || s == NATS_STALE_CONNECTION || s == NATS_IO_ERROR ||
         s == NATS_NO_RESPONDERS || s == NATS_CONNECTION_AUTH_FAILED;
}

Status fromNats(natsStatus s, const std::string& what,
                jsErrCode js_err = static_cast<jsErrCode>(0)) {
  std::string text = what + ": " + natsStatus_GetText(s);
  if (js_err != 0) text += " (JetStream error " + std::to_string(static_cast<int>(js_err)) + ")";
  if (unreachable(s)) return unavailable(text);
  return internalError(text);
}

// Owns a natsOptions for the length of a connect.
struct Options {
  natsOptions* opts = nullptr;
  ~Options() { natsOptions_Destroy(opts); }
};

Result<natsConnection*> connectTo(const std::string& url, std::int64_t timeout_ms, bool reconnect) {
  PH_RETURN_IF_ERROR(checkNatsUrl(url));
  Options o;
  natsStatus s = natsOptions_Create(&o.opts);
  if (s == NATS_OK) s = natsOptions_SetURL(o.opts, url.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(o.opts, timeout_ms);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(o.opts, reconnect ? -1 : 0);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(o.opts, 250);
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(o.opts, reconnect);
  if (s != NATS_OK) return fromNats(s, "NATS options");
  natsConnection* conn = nullptr;
  s = natsConnection_Connect(&conn, o.opts);
  if (s != NATS_OK) return fromNats(s, "cannot reach the NATS server");
  return conn;
}

Result<jsCtx*> jetStreamOf(natsConnection* conn, std::int64_t timeout_ms) {
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = timeout_ms;
  jsCtx* js = nullptr;
  const natsStatus s = natsConnection_JetStream(&js, conn, &jo);
  if (s != NATS_OK) return fromNats(s, "JetStream context");
  return js;
}

Status ensureStream(jsCtx* js, const StreamConfig& config) {
  jsErrCode err = static_cast<jsErrCode>(0);
  jsStreamInfo* info = nullptr;
  natsStatus s = js_GetStreamInfo(&info, js, config.name.c_str(), nullptr, &err);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return Status::ok();
  }
  if (s != NATS_NOT_FOUND && static_cast<int>(err) != kStreamNotFound) {
    return fromNats(s, "stream " + config.name, err);
  }
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = config.name.c_str();
  const char* subjects[] = {config.subjects.c_str()};
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Retention = js_LimitsPolicy;
  cfg.Duplicates = config.duplicate_window_ms * kNsPerMs;
  cfg.MaxAge = config.max_age_ms * kNsPerMs;
  err = static_cast<jsErrCode>(0);
  s = js_AddStream(&info, js, &cfg, nullptr, &err);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return Status::ok();
  }
  if (static_cast<int>(err) == kStreamNameInUse) return Status::ok();  // another process won
  return fromNats(s, "cannot create stream " + config.name, err);
}

}  // namespace

Status checkNatsUrl(std::string_view url) {
  constexpr std::string_view kScheme = "nats://";
  if (!url.starts_with(kScheme)) {
    return invalidField("url", "expected nats://HOST:PORT, got \"" + std::string(url) + "\"");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  const std::size_t at = rest.rfind('@');  // user:password@ is passed on to libnats
  std::string_view host_port = at == std::string_view::npos ? rest : rest.substr(at + 1);
  const std::size_t colon = host_port.rfind(':');
  std::string_view host = colon == std::string_view::npos ? host_port : host_port.substr(0, colon);
  if (host.empty() || host_port.find('/') != std::string_view::npos) {
    return invalidField("url", "expected nats://HOST:PORT, got a URL without a host");
  }
  if (colon != std::string_view::npos) {
    const std::string_view port = host_port.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoi(std::string(port)) > 65535) {
      return invalidField("url",
                          "expected nats://HOST:PORT, the port is not a number up to "
                          "65535");
    }
  }
  return Status::ok();
}

bool isSubjectToken(std::string_view token) {
  if (token.empty() || token.size() > 64) return false;
  for (char c : token) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_') return false;
  }
  return true;
}

// --- Publisher -----------------------------------------------------------------------------

Result<std::unique_ptr<Publisher>> Publisher::connect(const std::string& url,
                                                      const StreamConfig& stream,
                                                      std::int64_t timeout_ms) {
  std::unique_ptr<Publisher> p(new Publisher());
  p->timeout_ms_ = timeout_ms;
  p->stream_ = stream.name;
  PH_ASSIGN_OR_RETURN(p->conn_, connectTo(url, timeout_ms, false));
  PH_ASSIGN_OR_RETURN(p->js_, jetStreamOf(p->conn_, timeout_ms));
  PH_RETURN_IF_ERROR(ensureStream(p->js_, stream));
  return p;
}

Publisher::~Publisher() {
  jsCtx_Destroy(js_);
  natsConnection_Destroy(conn_);
}

Result<PublishAck> Publisher::publish(const std::string& subject, const std::string& message_id,
                                      std::string_view data) {
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MsgId = message_id.c_str();
  po.ExpectStream = stream_.c_str();
  po.MaxWait = timeout_ms_;
  jsPubAck* ack = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_Publish(&ack, js_, subject.c_str(), data.data(), static_cast<int>(data.size()), &po, &err);
  if (s != NATS_OK) return fromNats(s, "publish to " + subject + " was not acknowledged", err);
  PublishAck out{ack->Sequence, ack->Duplicate};
  jsPubAck_Destroy(ack);
  return out;
}

// --- Delivery ------------------------------------------------------------------------------

Delivery::~Delivery() { natsMsg_Destroy(msg_); }

std::string Delivery::subject() const {
  const char* s = natsMsg_GetSubject(msg_);
  return s != nullptr ? std::string(s) : std::string();
}

std::string Delivery::messageId() const {
  const char* v = nullptr;
  if (natsMsgHeader_Get(msg_, "Nats-Msg-Id", &v) != NATS_OK || v == nullptr) return "";
  return v;
}

std::string_view Delivery::data() const {
  return {natsMsg_GetData(msg_), static_cast<std::size_t>(natsMsg_GetDataLength(msg_))};
}

std::uint64_t Delivery::deliveries() const {
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg_) != NATS_OK) return 1;
  const std::uint64_t n = meta->NumDelivered;
  jsMsgMetaData_Destroy(meta);
  return n;
}

Status Delivery::ack() {
  const natsStatus s = natsMsg_Ack(msg_, nullptr);
  return s == NATS_OK ? Status::ok() : fromNats(s, "ack");
}

Status Delivery::nak() {
  const natsStatus s = natsMsg_NakWithDelay(msg_, 1000, nullptr);
  return s == NATS_OK ? Status::ok() : fromNats(s, "nak");
}

Status Delivery::terminate() {
  const natsStatus s = natsMsg_Term(msg_, nullptr);
  return s == NATS_OK ? Status::ok() : fromNats(s, "term");
}

// --- Consumer ------------------------------------------------------------------------------

Result<std::unique_ptr<Consumer>> Consumer::connect(const std::string& url,
                                                    const StreamConfig& stream,
                                                    const std::string& durable,
                                                    std::int64_t ack_wait_ms,
                                                    std::int64_t timeout_ms) {
  if (!isSubjectToken(durable)) {
    return invalidField("durable",
                        "\"" + durable + "\" is not a consumer name (letters, digits, '-', '_')");
  }
  std::unique_ptr<Consumer> c(new Consumer());
  PH_ASSIGN_OR_RETURN(c->conn_, connectTo(url, timeout_ms, true));
  PH_ASSIGN_OR_RETURN(c->js_, jetStreamOf(c->conn_, timeout_ms));
  PH_RETURN_IF_ERROR(ensureStream(c->js_, stream));
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.name.c_str();
  so.Config.Durable = durable.c_str();
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.AckWait = ack_wait_ms * kNsPerMs;
  so.Config.MaxDeliver = -1;
  so.Config.DeliverPolicy = js_DeliverAll;
  jsErrCode err = static_cast<jsErrCode>(0);
  const natsStatus s = js_PullSubscribe(&c->sub_, c->js_, stream.subjects.c_str(), durable.c_str(),
                                        nullptr, &so, &err);
  if (s != NATS_OK) return fromNats(s, "durable consumer " + durable, err);
  return c;
}

Consumer::~Consumer() {
  natsSubscription_Destroy(sub_);  // leaves the durable consumer on the server
  jsCtx_Destroy(js_);
  natsConnection_Destroy(conn_);
}

Result<std::vector<Delivery>> Consumer::fetch(int batch, std::int64_t timeout_ms) {
  natsMsgList list{};
  jsErrCode err = static_cast<jsErrCode>(0);
  const natsStatus s = natsSubscription_Fetch(&list, sub_, batch, timeout_ms, &err);
  std::vector<Delivery> out;
  if (s == NATS_TIMEOUT) return out;
  // Whatever a fetch fails with (the connection lost, the pull request dropped by a restarted
  // server) is the bus's state, not the caller's mistake: try again later.
  if (s != NATS_OK) return unavailable(fromNats(s, "fetch", err).message());
  out.reserve(static_cast<std::size_t>(list.Count));
  for (int i = 0; i < list.Count; ++i) {
    out.emplace_back(list.Msgs[i]);
    list.Msgs[i] = nullptr;  // owned by the Delivery now
  }
  natsMsgList_Destroy(&list);
  return out;
}

}  // namespace phaseout::bus

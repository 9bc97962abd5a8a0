#include "service/remind.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <unordered_set>

#include "core/strings.h"
#include "service/workspace_access.h"
#include "storage/campaign_store.h"
#include "storage/connection.h"
#include "storage/language_store.h"

namespace phaseout::service {
namespace {

constexpr std::size_t kHeaderLineLimit = 78;  // RFC 5322 section 2.1.1 (SHOULD)
// RFC 2047 section 2: an encoded word is at most 75 characters; 45 bytes of text make 60 of
// base64, plus the 12 of "=?UTF-8?B?" and "?=".
constexpr std::size_t kEncodedWordBytes = 45;

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                            std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (rest == 2) v |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool printableAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7F;
  });
}

// Header values come from names and models in the inventory: control characters (CR, LF
// above all) would let a value start a header of its own, so they become spaces.
std::string headerSafe(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = ' ';
  }
  return out;
}

// Folds an ASCII header ("Subject: ...") at spaces so lines stay under kHeaderLineLimit
// where the words allow (RFC 5322 section 2.2.3).
std::string foldHeader(std::string_view line) {
  std::string out;
  std::size_t start = 0;
  while (line.size() - start > kHeaderLineLimit) {
    const std::size_t limit = start + kHeaderLineLimit;
    std::size_t cut = line.rfind(' ', limit);
    if (cut == std::string_view::npos || cut <= start + 1) {
      cut = line.find(' ', limit);
      if (cut == std::string_view::npos) break;
    }
    out.append(line.substr(start, cut - start));
    out += "\r\n";
    start = cut;  // the space begins the continuation line
  }
  out.append(line.substr(start));
  return out;
}

// "Ivan Petrov" as a quoted-string, or encoded words when it is not ASCII.
std::string displayName(std::string_view name) {
  const std::string safe = headerSafe(name);
  if (!printableAscii(safe)) return encodeHeaderText(safe);
  std::string out = "\"";
  for (char c : safe) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// RFC 5322 atext, for the left part of a Message-ID.
std::string atext(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool ok = std::isalnum(u) || std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
    out += (ok && u < 0x80) ? c : '-';
  }
  return out;
}

std::string domainOf(std::string_view address) {
  const auto at = address.rfind('@');
  std::string domain = at == std::string_view::npos ? "" : std::string(address.substr(at + 1));
  bool ok = !domain.empty();
  for (char c : domain) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '.' || c == '-') || u >= 0x80) ok = false;
  }
  return ok ? domain : "phaseout.invalid";
}

std::string crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

// --- SMTP through libcurl ---------------------------------------------------------------

struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t readUpload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, up->data.size() - up->offset);
  std::memcpy(buffer, up->data.data() + up->offset, n);
  up->offset += n;
  return n;
}

class SmtpTransport final : public MailTransport {
 public:
  SmtpTransport(std::string url, int timeout_ms, int connect_timeout_ms)
      : url_(std::move(url)), timeout_ms_(timeout_ms), connect_timeout_ms_(connect_timeout_ms) {
    static std::once_flag init;
    std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_ = curl_easy_init();
  }
  ~SmtpTransport() override {
    if (curl_) curl_easy_cleanup(curl_);
  }
  SmtpTransport(const SmtpTransport&) = delete;
  SmtpTransport& operator=(const SmtpTransport&) = delete;

  Status send(const MailMessage& message) override {
    if (!curl_) return internalError("cannot initialise libcurl");
    Upload upload{message.data, 0};
    curl_slist* recipients = nullptr;
    for (const auto& to : message.to) {
      recipients = curl_slist_append(recipients, ("<" + to + ">").c_str());
    }
    const std::string mail_from = "<" + message.from + ">";
    std::array<char, CURL_ERROR_SIZE> error{};
    // The handle is reused so that libcurl keeps the SMTP connection open between messages.
    curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl_, CURLOPT_READFUNCTION, &readUpload);
    curl_easy_setopt(curl_, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.data.size()));
    curl_easy_setopt(curl_, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms_));
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_ms_));
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error.data());
    const CURLcode rc = curl_easy_perform(curl_);
    long response = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response);
    // The list is freed below: the handle must not keep pointing at it.
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, static_cast<curl_slist*>(nullptr));
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));
    curl_slist_free_all(recipients);
    if (rc == CURLE_OK) return Status::ok();

    std::string detail = error[0] != '\0' ? std::string(error.data()) : curl_easy_strerror(rc);
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
    // A 4xx/5xx reply to MAIL, RCPT or DATA is the server refusing this message; anything
    // else (no connection, TLS, timeout, a dropped connection) stops the run.
    const bool refused = response >= 400 && response < 600 &&
                         (rc == CURLE_SEND_ERROR || rc == CURLE_WEIRD_SERVER_REPLY ||
                          rc == CURLE_RECV_ERROR || rc == CURLE_UPLOAD_FAILED);
    if (refused) {
      return failedPrecondition("SMTP server " + redactUrl(url_) + " refused the message (reply " +
                                std::to_string(response) + "): " + detail);
    }
    return unavailable("cannot send mail through " + redactUrl(url_) + ": " + detail);
  }

 private:
  std::string url_;
  int timeout_ms_;
  int connect_timeout_ms_;
  CURL* curl_ = nullptr;
};

std::string recipientList(const campaign::ReminderMessage& m) {
  std::vector<std::string> emails;
  for (const auto& r : m.to) emails.push_back(r.email);
  return join(emails, ", ");
}

}  // namespace

std::string redactUrl(std::string_view url) {
  const auto scheme = url.find("://");
  const auto at = url.find('@', scheme == std::string_view::npos ? 0 : scheme + 3);
  const auto slash = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  if (scheme == std::string_view::npos || at == std::string_view::npos || at > slash) {
    return std::string(url);
  }
  return std::string(url.substr(0, scheme + 3)) + "***@" + std::string(url.substr(at + 1));
}

std::unique_ptr<MailTransport> makeSmtpTransport(const std::string& url, int timeout_ms,
                                                 int connect_timeout_ms) {
  return std::make_unique<SmtpTransport>(url, timeout_ms, connect_timeout_ms);
}

Status checkSmtpUrl(std::string_view url) {
  std::string_view rest;
  if (istartsWith(url, "smtp://")) {
    rest = url.substr(7);
  } else if (istartsWith(url, "smtps://")) {
    rest = url.substr(8);
  } else {
    return invalidField("smtp",
                        "expected an smtp:// or smtps:// URL, got \"" + redactUrl(url) + "\"");
  }
  const auto at = rest.find('@');
  const auto slash = rest.find('/');
  if (at != std::string_view::npos && at < slash) rest = rest.substr(at + 1);
  if (rest.empty() || rest.front() == '/' || rest.front() == ':') {
    return invalidField("smtp", "the URL names no host: \"" + redactUrl(url) + "\"");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20) {
      return invalidField("smtp", "the URL contains a space or control character");
    }
  }
  return Status::ok();
}

std::string rfc5322Date(std::int64_t epoch_ms) {
  static constexpr std::array<const char*, 7> kWeekdays = {"Thu", "Fri", "Sat", "Sun",
                                                           "Mon", "Tue", "Wed"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::int64_t seconds = epoch_ms / 1000;
  if (epoch_ms < 0 && epoch_ms % 1000 != 0) --seconds;
  std::int64_t days = seconds / 86'400;
  std::int64_t secs = seconds % 86'400;
  if (secs < 0) {
    secs += 86'400;
    --days;
  }
  const Date d = Date::fromDays(static_cast<std::int32_t>(days));
  const int weekday = static_cast<int>(((days % 7) + 7) % 7);  // 1970-01-01 was a Thursday
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000", kWeekdays[weekday],
                d.day(), kMonths[d.month() - 1], d.year(), static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return buf;
}

std::string encodeHeaderText(std::string_view text) {
  if (printableAscii(text)) return std::string(text);
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = std::min(text.size(), i + kEncodedWordBytes);
    // Never split a UTF-8 sequence across two words (RFC 2047 section 5, rule 3).
    while (end < text.size() && end > i + 1 &&
           (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(text.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

MailMessage formatMail(const campaign::ReminderMessage& m, std::string_view from,
                       std::int64_t now_ms) {
  MailMessage mail;
  mail.from = std::string(from);
  for (const auto& r : m.to) mail.to.push_back(r.email);
  mail.message_id = "<" + std::to_string(now_ms) + "." + atext(m.directive_id) + "." +
                    atext(m.device_id) + "." + atext(m.milestone) + "." + atext(m.step) + "@" +
                    domainOf(from) + ">";
  std::string to;
  for (const auto& r : m.to) {
    if (!to.empty()) to += ",\r\n ";
    to += r.name.empty() ? "<" + r.email + ">" : displayName(r.name) + " <" + r.email + ">";
  }
  const std::string subject = headerSafe(m.subject);
  std::string& d = mail.data;
  d += "Date: " + rfc5322Date(now_ms) + "\r\n";
  d += "From: " + std::string(from) + "\r\n";
  d += "To: " + to + "\r\n";
  d += printableAscii(subject) ? foldHeader("Subject: " + subject)
                               : "Subject: " + encodeHeaderText(subject);
  d += "\r\n";
  d += "Message-ID: " + mail.message_id + "\r\n";
  d += "MIME-Version: 1.0\r\n";
  d += "Content-Type: text/plain; charset=utf-8\r\n";
  d += "Content-Transfer-Encoding: 8bit\r\n";
  d += "Content-Language: " + atext(m.language) + "\r\n";  // RFC 3282
  d += "Auto-Submitted: auto-generated\r\n";               // RFC 3834: no auto-replies to reminders
  d += "X-Phaseout-Case: " + atext(m.case_id) + "\r\n";
  d += "X-Phaseout-Step: " + atext(m.milestone) + "/" + atext(m.step) + "\r\n";
  d += "\r\n";
  d += crlf(m.body);
  return mail;
}

std::string_view name(DeliveryOutcome outcome) {
  switch (outcome) {
    case DeliveryOutcome::kSent:
      return "sent";
    case DeliveryOutcome::kWouldSend:
      return "would-send";
    case DeliveryOutcome::kFailed:
      return "failed";
    case DeliveryOutcome::kNotAttempted:
      return "not-attempted";
    case DeliveryOutcome::kSentMeanwhile:
      return "sent-meanwhile";
  }
  return "not-attempted";
}

std::size_t RemindResult::count(DeliveryOutcome outcome) const {
  return static_cast<std::size_t>(
      std::count_if(deliveries.begin(), deliveries.end(),
                    [&](const Delivery& d) { return d.outcome == outcome; }));
}

std::size_t RemindResult::escalations() const {
  return static_cast<std::size_t>(
      std::count_if(deliveries.begin(), deliveries.end(), [](const Delivery& d) {
        return d.message.kind == campaign::MessageKind::kEscalation &&
               (d.outcome == DeliveryOutcome::kSent || d.outcome == DeliveryOutcome::kWouldSend);
      }));
}

Result<RemindResult> remind(const Caller& caller, Workspace& workspace,
                            const RemindOptions& options, MailTransport& transport) {
  PH_RETURN_IF_ERROR(caller.mayAdminister("send reminders"));
  if (!campaign::plausibleEmail(options.from)) {
    return invalidField("from", "expected a bare e-mail address such as " +
                                    std::string(kDefaultMailFrom) + ", got \"" + options.from +
                                    "\"");
  }
  const Date on = dayOrToday(options.on, options.now_ms);
  storage::Repository& repo = WorkspaceAccess::repository(workspace);
  PH_RETURN_IF_ERROR(repo.checkReady());
  storage::CampaignStore store(repo);
  storage::Connection& conn = repo.connection();

  campaign::History history;
  campaign::SentNotifications sent;
  campaign::Languages languages;  // each recipient's, for the text of their message
  {
    // One snapshot for the history and the notifications it is compared with.
    PH_ASSIGN_OR_RETURN(auto tx,
                        storage::Transaction::begin(conn, storage::Transaction::Mode::kRead));
    PH_ASSIGN_OR_RETURN(history, store.loadHistory(options.directive_id));
    PH_ASSIGN_OR_RETURN(auto notifications, store.loadNotifications(options.directive_id));
    for (auto& n : notifications) {
      sent.insert({std::move(n.device_id), std::move(n.milestone), std::move(n.step)});
    }
    PH_ASSIGN_OR_RETURN(auto stored, storage::LanguageStore(repo).languages());
    languages.insert(stored.begin(), stored.end());
  }
  PH_ASSIGN_OR_RETURN(auto plan, campaign::planReminders(history, on, sent, languages));

  RemindResult result;
  result.directive_id = plan.directive_id;
  result.on = on;
  result.dry_run = options.dry_run;
  result.undeliverable = std::move(plan.undeliverable);
  result.already_sent = std::move(plan.already_sent);
  for (auto& m : plan.messages) {
    Delivery d;
    d.mail = formatMail(m, options.from, options.now_ms);
    d.message = std::move(m);
    d.outcome = options.dry_run ? DeliveryOutcome::kWouldSend : DeliveryOutcome::kNotAttempted;
    result.deliveries.push_back(std::move(d));
  }
  if (options.dry_run) return result;

  Recording recording;
  recording.now_ms = options.now_ms;
  const storage::ChangeContext change = changeContext(caller, recording, "remind", on);
  // Cases whose holder has never been told: the first reminder accepted for each records
  // the "notified" step (not merely the first planned, which the server might refuse).
  std::unordered_set<std::string> to_notify;
  for (const auto& d : result.deliveries) {
    if (d.message.first_notice) to_notify.insert(d.message.device_id);
  }

  for (auto& d : result.deliveries) {
    const campaign::ReminderMessage& m = d.message;
    auto tx = storage::Transaction::begin(conn, storage::Transaction::Mode::kWrite);
    if (!tx.isOk()) {
      result.stopped = tx.status();
      break;
    }
    auto already = store.notificationSent(m.directive_id, m.device_id, m.milestone, m.step);
    if (!already.isOk()) {
      result.stopped = already.status();
      break;
    }
    if (*already) {
      d.outcome = DeliveryOutcome::kSentMeanwhile;
      continue;  // the transaction rolls back: nothing was written
    }
    Status sent_status = transport.send(d.mail);
    if (!sent_status.isOk()) {
      d.outcome = DeliveryOutcome::kFailed;
      d.error = sent_status.message();
      if (sent_status.code() == StatusCode::kFailedPrecondition) continue;
      result.stopped = sent_status;
      break;
    }
    // Accepted by the server: record it before anything else can go wrong.
    auto record = [&]() -> Status {
      storage::Notification n{m.directive_id, m.device_id,      m.milestone,
                              m.step,         recipientList(m), on};
      PH_RETURN_IF_ERROR(store.recordNotification(n, change));
      if (m.kind == campaign::MessageKind::kReminder && to_notify.count(m.device_id)) {
        campaign::CaseStep step;
        step.directive_id = m.directive_id;
        step.device_id = m.device_id;
        step.stage = campaign::CaseStage::kNotified;
        step.on = on;
        step.actor = caller.actor;
        step.note =
            "reminded by e-mail (" + m.milestone + ", " + m.step + ") at " + recipientList(m);
        PH_ASSIGN_OR_RETURN(std::int64_t seq, store.recordCaseStep(step, change));
        (void)seq;
      }
      return (*tx)->commit();
    };
    Status recorded = record();
    if (!recorded.isOk()) {
      d.outcome = DeliveryOutcome::kSent;
      d.error = "sent but not recorded; it may be sent again: " + recorded.message();
      result.stopped =
          Status(recorded.code(), "message " + d.mail.message_id + " to " + recipientList(m) +
                                      " was sent but could not be recorded (it "
                                      "may be sent again on the next run): " +
                                      recorded.message());
      break;
    }
    to_notify.erase(m.device_id);
    d.outcome = DeliveryOutcome::kSent;
  }
  return result;
}

Result<RemindResult> remind(const Caller& caller, const RemindRequest& request) {
  if (request.options.directive_id.empty()) return invalidField("directive", "required");
  PH_RETURN_IF_ERROR(checkSmtpUrl(request.smtp_url));
  PH_RETURN_IF_ERROR(caller.mayAdminister("send reminders"));
  PH_ASSIGN_OR_RETURN(auto workspace, Workspace::open(request.db_path));
  const auto transport = makeSmtpTransport(request.smtp_url);
  return remind(caller, *workspace, request.options, *transport);
}

}  // namespace phaseout::service

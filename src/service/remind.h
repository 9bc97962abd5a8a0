// Remind: the use case behind `phaseout remind` — work out which reminders and escalations a
// directive's campaign owes on a day (campaign/reminders.h), send each by e-mail, and record
// each one sent so that no step goes out twice.
//
// Delivery and records (why it is safe to run again, and what a crash costs):
// - Each message is handled in its own write transaction: the store is asked again whether
//   the step was sent (another process may have sent it meanwhile), the message goes to the
//   SMTP server, and only once the server has accepted it are the notification and, for a
//   holder's first reminder on a case, the case step "notified" recorded and committed. A
//   message that was not accepted is never recorded, so the next run sends it.
// - The one accepted failure: a crash (or a failed commit) after the server accepted a
//   message and before the commit leaves it unrecorded, and the next run sends it again. A
//   duplicate reminder is preferred to a lost one.
// - Holding the write lock while talking to the server serialises concurrent `remind` runs on
//   one database, so two of them never send the same step; other writers wait at most about
//   the transport's timeout (kept below the database's busy timeout).
// - The server being unreachable stops the run with Unavailable (what was sent so far stays
//   recorded); a server refusing one message (e.g. an unknown recipient) marks that message
//   failed and the run goes on.
// - The notification and the case step take effect on the day asked (`on`), as every record
//   of a campaign does; the audit event keeps the real recording time.
// Not thread-safe (one Workspace per thread).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/reminders.h"
#include "core/date.h"
#include "core/status.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

inline constexpr std::string_view kDefaultSmtpUrl = "smtp://localhost:25";
inline constexpr std::string_view kDefaultMailFrom = "phaseout@localhost";
// Per message; below the SQLite busy timeout (30 s) so waiting writers do not give up.
inline constexpr int kSmtpTimeoutMs = 20'000;
inline constexpr int kSmtpConnectTimeoutMs = 10'000;

// One e-mail: the SMTP envelope and the RFC 5322 text (CRLF line ends).
struct MailMessage {
  std::string from;             // envelope sender, a bare address
  std::vector<std::string> to;  // envelope recipients, bare addresses
  std::string message_id;       // "<...>", as in the header
  std::string data;
};

// Sends mail. send() returns Ok once the server accepted the message, Unavailable when the
// server cannot be reached or the conversation broke (the caller stops), FailedPrecondition
// when the server refused this message (the caller may go on with the next).
class MailTransport {
 public:
  virtual ~MailTransport() = default;
  virtual Status send(const MailMessage& message) = 0;
};

// SMTP through libcurl. `url`: smtp://host[:port] (smtps:// for TLS from the start;
// user:password@ in the URL to authenticate); STARTTLS is used when the server offers it.
// The connection is kept open across messages. Never throws.
std::unique_ptr<MailTransport> makeSmtpTransport(const std::string& url,
                                                 int timeout_ms = kSmtpTimeoutMs,
                                                 int connect_timeout_ms = kSmtpConnectTimeoutMs);

// InvalidArgument on the field "smtp" unless `url` is an smtp:// or smtps:// URL with a host.
Status checkSmtpUrl(std::string_view url);
// The URL with any user:password@ replaced by ***@, for messages and output.
std::string redactUrl(std::string_view url);

// The RFC 5322 message for one reminder: Date (from now_ms, UTC), From, To (display names
// encoded per RFC 2047 when not ASCII), Subject (likewise, folded), Message-ID,
// MIME-Version, Content-Type text/plain; charset=utf-8, Content-Transfer-Encoding 8bit,
// Content-Language (the message's catalog language),
// X-Phaseout-Case / X-Phaseout-Step, then the body with CRLF line ends.
MailMessage formatMail(const campaign::ReminderMessage& message, std::string_view from,
                       std::int64_t now_ms);
// "Thu, 16 Mar 2023 09:05:00 +0000" (RFC 5322 section 3.3).
std::string rfc5322Date(std::int64_t epoch_ms);
// The text unchanged when it is printable ASCII, else RFC 2047 "=?UTF-8?B?...?=" words of at
// most 75 characters, separated by CRLF SP (a header fold).
std::string encodeHeaderText(std::string_view text);

struct RemindOptions {
  std::string directive_id;
  std::optional<Date> on;  // the day to remind as of; default today (the UTC day of now_ms)
  bool dry_run = false;    // plan and format only: nothing sent, nothing recorded
  std::string from = std::string(kDefaultMailFrom);  // a bare address
  std::int64_t now_ms = 0;                           // for the Date header and the recording time
};

enum class DeliveryOutcome {
  kSent,           // accepted by the server and recorded
  kWouldSend,      // dry run
  kFailed,         // refused by the server, or the run stopped on it; not recorded
  kNotAttempted,   // the run stopped before it
  kSentMeanwhile,  // another run sent and recorded it after this one planned it; skipped
};
std::string_view name(DeliveryOutcome outcome);  // "sent", "would-send", "failed", ...

struct Delivery {
  campaign::ReminderMessage message;
  MailMessage mail;
  DeliveryOutcome outcome = DeliveryOutcome::kNotAttempted;
  std::string error;
};

struct RemindResult {
  std::string directive_id;
  Date on;
  bool dry_run = false;
  std::vector<Delivery> deliveries;  // in plan order
  std::vector<campaign::UndeliverableMessage> undeliverable;
  std::vector<campaign::NotificationKey> already_sent;  // due today, sent on an earlier run
  // Not ok when the run stopped early: the server was unreachable (Unavailable) or a sent
  // message could not be recorded (it may be sent again).
  Status stopped;

  std::size_t count(DeliveryOutcome outcome) const;
  std::size_t escalations() const;  // escalations sent (or, in a dry run, that would be)
};

// Plans the day's messages for the directive and (unless dry_run) sends and records them
// through `transport`. Errors (returned): the caller may not administer (PermissionDenied),
// the store is not ready, the directive is unknown (NotFound) or not in force on the day
// (FailedPrecondition), `from` is not an address (InvalidArgument on "from"). Delivery
// problems are in the result (see RemindResult::stopped).
Result<RemindResult> remind(const Caller& caller, Workspace& workspace,
                            const RemindOptions& options, MailTransport& transport);

// `phaseout remind` from the database's location: the request is checked first — the
// directive is named (InvalidArgument on "directive"), the SMTP URL is one (checkSmtpUrl, on
// "smtp"), the caller may administer — and only then is the database opened
// (Workspace::open, which may create it) and remind() run through SMTP (makeSmtpTransport).
// A refused request opens and creates nothing.
struct RemindRequest {
  std::string db_path;  // a path or URL (storage/open.h)
  std::string smtp_url = std::string(kDefaultSmtpUrl);
  RemindOptions options;
};
Result<RemindResult> remind(const Caller& caller, const RemindRequest& request);

// The result as the CLI prints it: text (a line per message, or each message in full for a
// dry run, then a summary; `smtp_url` is shown redacted) and JSON (indented by 2).
std::string remindText(const RemindResult& result, std::string_view smtp_url);
std::string remindJson(const RemindResult& result);

}  // namespace phaseout::service

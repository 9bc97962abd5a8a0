// Repository: the one place that turns records into rows and back.
//
// History is the source of truth. Every change is stored as a new *version* of a person,
// device or directive, valid from an effective day, and is bound to one *event* of the
// hash-chained audit log (audit/hash_chain.h) written in the same transaction. Nothing is
// updated in place, so the world can be read as it was on any day (`load*(as_of)`), and an
// event's rows carry a digest that `verifyAudit()` recomputes.
//
// The repository speaks the Connection interface only, so a second engine needs no change
// here. Every mutating call runs in one write transaction: it applies whole or not at all.
// Not thread-safe (one Repository per Connection); separate processes may write the same
// database at once (writers queue on the engine's lock).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "audit/hash_chain.h"
#include "core/date.h"
#include "core/status.h"
#include "inventory/model.h"
#include "storage/connection.h"

namespace phaseout::storage {

// valid_from of a record's first version when no effective date was given: the record is
// taken to have existed before any date phaseout is asked about.
inline constexpr std::int32_t kBaselineDay = -1'000'000;

// Who records a change, when, and from when it takes effect.
struct ChangeContext {
  Date effective;                // the day the change takes effect
  bool effective_given = false;  // false: records new to the store get kBaselineDay
  std::int64_t recorded_ms = 0;
  std::string actor;
  std::string source;  // a file name or a command, kept in the event
};

// The audit event of a change: its day, time and actor from `change`, and the payload
// {"detail": ..., "rows": n, "rows_digest": hex} over the rows the change wrote.
audit::Event changeEvent(const ChangeContext& change, std::string kind, std::string subject,
                         const nlohmann::ordered_json& detail,
                         const audit::RowSetDigest& digest = audit::RowSetDigest());

struct UpsertCounts {
  std::size_t added = 0;
  std::size_t updated = 0;
  std::size_t unchanged = 0;
};

struct DirectiveRecord {
  std::string directive_id;
  std::int64_t version = 0;
  Date valid_from;
  std::string title;
  std::string source_text;  // the YAML as added
  std::int64_t recorded_ms = 0;
  std::string actor;
};

struct AddDirectiveOutcome {
  std::int64_t version = 0;
  bool created = false;  // false when the text equals the latest version (nothing stored)
};

struct AuditVerification {
  std::int64_t events = 0;
  std::int64_t rows = 0;
  std::optional<std::int64_t> first_broken_seq;
  std::string problem;
  std::vector<std::string> altered_evidence;  // SHA-256 keys whose stored bytes no longer match
  bool ok() const { return !first_broken_seq.has_value() && altered_evidence.empty(); }
};

// The seq of the last event (0 when there is none). Every write appends one, so two read
// transactions that see the same last seq read the same snapshot (parallel readers check it).
Result<std::int64_t> lastEventSeq(Connection& conn);

class Repository {
 public:
  explicit Repository(Connection& connection) : connection_(connection) {}

  // Creates or upgrades the schema.
  Status migrate();
  // Ok when the schema is current; FailedPrecondition (with "run phaseout init") otherwise.
  Status checkReady();

  // Called every few thousand records during an upsert: (records done, records total).
  using RowProgress = std::function<void(std::size_t done, std::size_t total)>;

  // Writes a new version of every record that is new or differs from its latest version;
  // records equal to their latest version are counted unchanged. One event ("import.people" /
  // "import.devices") covers the whole batch. One transaction.
  Result<UpsertCounts> upsertPeople(const std::vector<inventory::Person>& people,
                                    const ChangeContext& change, const RowProgress& progress = {});
  Result<UpsertCounts> upsertDevices(const std::vector<inventory::Device>& devices,
                                     const ChangeContext& change, const RowProgress& progress = {});

  // Streaming forms: `produce` hands the records over in batches, in order, through the sink
  // it is given (each span valid only during the call), and returns its own status. Records
  // are written as they arrive; if `produce` or a write fails, nothing is kept (the
  // transaction is rolled back) and that error is returned. `progress` gets total 0 (unknown).
  template <typename Record>
  using BatchSink = std::function<Status(std::span<const Record>)>;
  template <typename Record>
  using BatchProducer = std::function<Status(const BatchSink<Record>&)>;
  Result<UpsertCounts> upsertPeople(const BatchProducer<inventory::Person>& produce,
                                    const ChangeContext& change, const RowProgress& progress = {});
  Result<UpsertCounts> upsertDevices(const BatchProducer<inventory::Device>& produce,
                                     const ChangeContext& change, const RowProgress& progress = {});

  // The records as they were on `as_of` (their latest version valid on or before it), or
  // their latest versions when as_of is empty. Ordered by id; records not yet valid are absent.
  // With `fields` kEvaluation only what evaluation and reports read is filled (ids, holder,
  // unit, roles, status; kind, vendor, model, platform, os_version, state): a faster load for
  // status over millions of records. kCounting is the same less a device's os_version, which
  // the rules never read (the status counts; people are read as for kEvaluation).
  enum class Fields { kAll, kEvaluation, kCounting };
  Result<std::vector<inventory::Person>> loadPeople(std::optional<Date> as_of = std::nullopt,
                                                    Fields fields = Fields::kAll);
  // A range of record ids, [from, to); an empty bound is open.
  struct IdRange {
    std::string from;
    std::string to;
  };
  // `ids` limits the devices read to a range of device ids (two threads can each read a part);
  // `reserve` is room to make in the result up front (e.g. for parts appended later).
  Result<std::vector<inventory::Device>> loadDevices(std::optional<Date> as_of = std::nullopt,
                                                     Fields fields = Fields::kAll,
                                                     const IdRange& ids = {},
                                                     std::size_t reserve = 0);
  // The records as loadPeople / loadDevices give them for `as_of`, handed to `fn` one at a
  // time in id order and not kept (each reference is valid during its call only): memory
  // stays flat in the number of records. Stops at, and returns, the first error of `fn`.
  // `ids` limits the people to a range of ids (Fields::kEvaluation only; not both bounds).
  Status forEachPerson(Date as_of, Fields fields,
                       const std::function<Status(const inventory::Person&)>& fn,
                       const IdRange& ids = {});
  // `ids` limits the devices to a range of ids, as for loadDevices.
  Status forEachDevice(Date as_of, Fields fields,
                       const std::function<Status(const inventory::Device&)>& fn,
                       const IdRange& ids = {});
  // The device id found `fraction` (0..1) of the way through the stored device versions in id
  // order, to split a load in parts of about that size ("" when there are fewer than two
  // versions), and the number of versions stored.
  struct DeviceSplit {
    std::string device_id;
    std::size_t versions = 0;
  };
  Result<DeviceSplit> deviceIdAt(double fraction);
  // An id about `fraction` (0..1) of the way through the stored versions of people or devices
  // in id order, to split a read in parts of about that size: from a sample of the table
  // where the engine samples (PostgreSQL), else exactly. "" when there is nothing to split.
  enum class Records { kPeople, kDevices };
  Result<std::string> splitPoint(Records records, double fraction);
  // One record as it was on `as_of`; NotFound when it did not exist then.
  Result<inventory::Person> loadPerson(const std::string& person_id, Date as_of);
  Result<inventory::Device> loadDevice(const std::string& device_id, Date as_of);
  // True when a device with this id was ever stored.
  Result<bool> deviceExists(const std::string& device_id);
  // Every person id ever stored, ordered.
  Result<std::vector<std::string>> loadPersonIds();

  // Stores a new version when the text differs from the latest version of the same id.
  Result<AddDirectiveOutcome> addDirective(const std::string& directive_id,
                                           const std::string& title, const std::string& source_text,
                                           Date valid_from, const ChangeContext& change);
  // Latest version of each directive, ordered by id.
  Result<std::vector<DirectiveRecord>> listDirectives();
  // version 0 means the latest. NotFound when absent.
  Result<DirectiveRecord> getDirective(const std::string& directive_id, std::int64_t version = 0);
  // The version in force on `as_of`: the greatest valid_from on or before it (then the highest
  // version). NotFound when the directive is unknown; FailedPrecondition when it was not yet
  // in force.
  Result<DirectiveRecord> directiveInForce(const std::string& directive_id, Date as_of);

  // Appends one event to the chain (seq, prev_hash and hash are filled in). Must run inside a
  // write transaction. Returns the event's seq.
  Result<std::int64_t> appendEvent(audit::Event event);
  // Writes one device version valid from change.effective, bound to a new event of `kind`
  // whose payload is {"detail": <detail_json>, "rows": 1, "rows_digest": ...}. `detail_json`
  // must be a canonical JSON value. Must run inside a write transaction; returns the seq.
  Result<std::int64_t> recordDeviceVersion(const inventory::Device& device,
                                           const ChangeContext& change, std::string_view kind,
                                           std::string_view subject, std::string_view detail_json);
  // Every event in seq order.
  Status forEachEvent(const std::function<Status(const audit::Event&)>& fn);
  // The events after `after_seq`, in seq order, at most `limit` of them (an index range, not
  // a scan of the trail).
  Status forEachEventAfter(std::int64_t after_seq, std::size_t limit,
                           const std::function<Status(const audit::Event&)>& fn);
  // The events whose subject is `subject`, and the case steps of the device `subject`
  // (whose events name "<directive>/<device>"), in seq order: every event about one device
  // (or person), read through indexes. The caller filters by kind as it needs.
  Status forEachEventAbout(const std::string& subject,
                           const std::function<Status(const audit::Event&)>& fn);
  // Walks the chain and recomputes each event's row digest; names the first broken entry.
  // With `rows_connection` (a second connection to the same database, used by no one else
  // meanwhile) the stored rows are digested on a second thread while this one walks the chain;
  // if the two read different snapshots (a write committed in between), the rows are read
  // again on this connection.
  Result<AuditVerification> verifyAudit(Connection* rows_connection = nullptr);

  Connection& connection() { return connection_; }

 private:
  Connection& connection_;
};

}  // namespace phaseout::storage

#include "storage/connection.h"

#include <utility>

namespace phaseout::storage {
namespace {

// A bulk insert that is one prepared INSERT run per row.
class PreparedBulkInsert final : public BulkInsert {
 public:
  explicit PreparedBulkInsert(std::unique_ptr<Statement> insert) : insert_(std::move(insert)) {}
  void bind(std::string_view name, std::string_view text) override { insert_->bind(name, text); }
  void bindView(std::string_view name, std::string_view text) override {
    insert_->bindView(name, text);
  }
  void bind(std::string_view name, std::int64_t value) override { insert_->bind(name, value); }
  void bindNull(std::string_view name) override { insert_->bindNull(name); }
  void bindBlob(std::string_view name, std::string_view bytes) override {
    insert_->bindBlob(name, bytes);
  }
  Result<bool> step() override { return insert_->step(); }
  std::string_view text(int column) override { return insert_->text(column); }
  std::int64_t integer(int column) override { return insert_->integer(column); }
  bool isNull(int column) override { return insert_->isNull(column); }
  std::string_view blob(int column) override { return insert_->blob(column); }
  void reset() override { insert_->reset(); }
  Status finish() override { return Status::ok(); }

 private:
  std::unique_ptr<Statement> insert_;
};

}  // namespace

Result<std::unique_ptr<BulkInsert>> Connection::bulkInsert(const BulkTable& target) {
  PH_ASSIGN_OR_RETURN(auto insert, prepare(target.insert_sql));
  return std::unique_ptr<BulkInsert>(new PreparedBulkInsert(std::move(insert)));
}

Status Statement::execute() {
  while (true) {
    auto row = step();
    if (!row.isOk()) return row.status();
    if (!*row) return Status::ok();
  }
}

Result<std::unique_ptr<Transaction>> Transaction::begin(Connection& connection, Mode mode) {
  PH_RETURN_IF_ERROR(mode == Mode::kWrite ? connection.beginWrite() : connection.beginRead());
  return std::unique_ptr<Transaction>(new Transaction(connection));
}

Transaction::~Transaction() {
  if (!done_) (void)connection_.rollback();
}

Status Transaction::commit() {
  done_ = true;
  return connection_.commit();
}

}  // namespace phaseout::storage

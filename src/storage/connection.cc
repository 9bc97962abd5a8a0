#include "storage/connection.h"

namespace phaseout::storage {

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

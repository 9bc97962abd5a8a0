// Tests only: the throw-away PostgreSQL cluster that ctest starts (tests/postgres/pg_cluster.py,
// fixture postgres_cluster) and names in $PHASEOUT_TEST_POSTGRES (a JSON state file holding
// "url", or "unavailable" with the reason). Hands out one fresh database per test.
#pragma once

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "core/status.h"
#include "storage/open.h"

namespace phaseout::storage {

class TestCluster {
 public:
  TestCluster() {
    const char* path = std::getenv("PHASEOUT_TEST_POSTGRES");
    if (path == nullptr || *path == '\0') {
      reason_ = "PHASEOUT_TEST_POSTGRES is not set (ctest starts a cluster: tests/postgres)";
      return;
    }
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const auto state = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (!in || !state.is_object()) {
      reason_ = std::string("no PostgreSQL cluster state in ") + path;
    } else if (state.contains("unavailable")) {
      reason_ = state["unavailable"].get<std::string>();
    } else {
      url_ = state.value("url", "");
      const std::size_t slash = url_.rfind('/');
      base_ = url_.substr(0, slash + 1);
    }
  }

  // The cluster's administrative database (postgres), or Unavailable with the reason.
  Result<std::string> adminUrl() const {
    if (url_.empty()) return unavailable("PostgreSQL cluster unavailable: " + reason_);
    return url_;
  }

  // A new, empty database named after `hint`; its URL.
  Result<std::string> createDatabase(const std::string& hint) {
    PH_ASSIGN_OR_RETURN(std::string admin, adminUrl());
    std::string name = "ph";
    for (char c : hint) {
      if (name.size() >= 40) break;
      name += std::isalnum(static_cast<unsigned char>(c))
                  ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                  : '_';
    }
    name += "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter_);
    PH_ASSIGN_OR_RETURN(auto conn, open(admin));
    (void)conn->exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    PH_RETURN_IF_ERROR(conn->exec("CREATE DATABASE " + name));
    return base_ + name;
  }

  void dropDatabase(const std::string& url) {
    auto admin = adminUrl();
    if (!admin.isOk()) return;
    auto conn = open(*admin);
    if (!conn.isOk()) return;
    (void)(*conn)->exec("DROP DATABASE IF EXISTS " + url.substr(url.rfind('/') + 1) +
                        " WITH (FORCE)");
  }

 private:
  std::string url_;
  std::string base_;
  std::string reason_;
  int counter_ = 0;
};

inline TestCluster& testCluster() {
  static TestCluster cluster;
  return cluster;
}

}  // namespace phaseout::storage

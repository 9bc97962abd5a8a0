// loadServerConfig: the YAML server config, read strictly (unknown keys and bad values are
// refused with file:line), so a typo never silently falls back to a default.
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "server/app.h"
#include "server/transport.h"
#include "server/webhooks.h"

namespace phaseout::server {
namespace {

constexpr std::size_t kMaxBodyLimit = std::size_t{1} << 30;  // 1 GiB
constexpr std::size_t kMinHeaderLimit = 1024;
constexpr std::size_t kMaxHeaderLimit = std::size_t{1} << 20;  // 1 MiB
constexpr std::int64_t kMaxTimeoutMs = 24LL * 3600 * 1000;
constexpr int kMaxThreads = 256;
constexpr std::size_t kMinSecretBytes = 16;
constexpr std::int64_t kMaxAttempts = 1000;

class ConfigReader {
 public:
  explicit ConfigReader(std::string path) : path_(std::move(path)) {}

  Status error(const YAML::Node& node, std::string_view key, std::string_view what) const {
    return invalidArgument(path_ + ":" + std::to_string(node.Mark().line + 1) + ": " +
                           std::string(key) + ": " + std::string(what));
  }

  Result<std::string> text(const YAML::Node& value, std::string_view key) const {
    if (!value.IsScalar()) return error(value, key, "expected a string");
    return value.Scalar();
  }

  Result<std::int64_t> number(const YAML::Node& value, std::string_view key, std::int64_t min,
                              std::int64_t max, std::string_view unit) const {
    const std::string range = "expected a whole number of " + std::string(unit) + " from " +
                              std::to_string(min) + " to " + std::to_string(max);
    if (!value.IsScalar()) return error(value, key, range);
    const std::string& s = value.Scalar();
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < min || v > max) {
      return error(value, key, range + ", not '" + s + "'");
    }
    return v;
  }

  Status read(const YAML::Node& root, ServerConfig& config) {
    if (root.IsNull()) return Status::ok();
    if (!root.IsMap()) return error(root, "config", "expected a mapping of keys to values");
    std::set<std::string> seen;
    for (auto it = root.begin(); it != root.end(); ++it) {
      const YAML::Node key_node = it->first;
      const YAML::Node value = it->second;
      if (!key_node.IsScalar()) return error(key_node, "config", "expected a key");
      const std::string key = key_node.Scalar();
      if (!seen.insert(key).second) return error(key_node, key, "given twice");
      lines_[key] = key_node.Mark().line + 1;
      PH_RETURN_IF_ERROR(readKey(key, key_node, value, config));
    }
    if (config.tls_cert.empty() != config.tls_key.empty()) {
      const std::string key = seen.count("tls_cert") ? "tls_cert" : "tls_key";
      return lineError(key, "tls_cert and tls_key go together: give both or neither");
    }
    if (config.oidc_issuer.empty() != config.oidc_client_id.empty()) {
      const std::string key = seen.count("oidc_issuer") ? "oidc_issuer" : "oidc_client_id";
      return lineError(key, "oidc_issuer and oidc_client_id go together: give both or neither");
    }
    return Status::ok();
  }

 private:
  Status lineError(const std::string& key, std::string_view what) const {
    const auto it = lines_.find(key);
    const int line = it == lines_.end() ? 1 : it->second;
    return invalidArgument(path_ + ":" + std::to_string(line) + ": " + key + ": " +
                           std::string(what));
  }

  Status readKey(const std::string& key, const YAML::Node& key_node, const YAML::Node& value,
                 ServerConfig& config) {
    auto setText = [&](std::string& field) -> Status {
      auto v = text(value, key);
      if (!v) return v.status();
      if (v->empty()) return error(value, key, "must not be empty");
      field = std::move(*v);
      return Status::ok();
    };
    if (key == "listen") {
      auto v = text(value, key);
      if (!v) return v.status();
      auto address = parseListenAddress(*v);
      if (!address) return error(value, key, address.status().message());
      config.listen = *v;
      return Status::ok();
    }
    if (key == "tls_cert") return setText(config.tls_cert);
    if (key == "tls_key") return setText(config.tls_key);
    if (key == "oidc_issuer") return setText(config.oidc_issuer);
    if (key == "oidc_client_id") return setText(config.oidc_client_id);
    if (key == "public_url") return setText(config.public_url);
    if (key == "body_limit") {
      auto v = number(value, key, 1, static_cast<std::int64_t>(kMaxBodyLimit), "bytes");
      if (!v) return v.status();
      config.body_limit = static_cast<std::size_t>(*v);
      return Status::ok();
    }
    if (key == "header_limit") {
      auto v = number(value, key, kMinHeaderLimit, kMaxHeaderLimit, "bytes");
      if (!v) return v.status();
      config.header_limit = static_cast<std::size_t>(*v);
      return Status::ok();
    }
    if (key == "read_timeout_ms" || key == "idle_timeout_ms") {
      auto v = number(value, key, 1, kMaxTimeoutMs, "milliseconds");
      if (!v) return v.status();
      (key == "read_timeout_ms" ? config.read_timeout_ms : config.idle_timeout_ms) = *v;
      return Status::ok();
    }
    if (key == "threads") {
      auto v = number(value, key, 0, kMaxThreads, "threads (0: one per core)");
      if (!v) return v.status();
      config.threads = static_cast<int>(*v);
      return Status::ok();
    }
    if (key == "roles") {
      if (!value.IsMap()) {
        return error(value, key, "expected a mapping: security_officer, unit_officer, auditor");
      }
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!it->first.IsScalar()) return error(it->first, key, "expected a key");
        const std::string role = it->first.Scalar();
        const std::string qualified = "roles." + role;
        std::string* field = role == "security_officer" ? &config.roles.security_officer
                             : role == "unit_officer"   ? &config.roles.unit_officer
                             : role == "auditor"        ? &config.roles.auditor
                                                        : nullptr;
        if (!field) {
          return error(it->first, qualified,
                       "unknown role; expected security_officer, unit_officer or auditor");
        }
        auto v = text(it->second, qualified);
        if (!v) return v.status();
        if (v->empty()) return error(it->second, qualified, "must not be empty");
        *field = std::move(*v);
      }
      return Status::ok();
    }
    if (key == "webhooks") return readWebhooks(value, config);
    if (key == "webhook_poll_ms") {
      auto v = number(value, key, 10, kMaxTimeoutMs, "milliseconds");
      if (!v) return v.status();
      config.webhook_poll_ms = *v;
      return Status::ok();
    }
    return error(key_node, key,
                 "unknown key; expected listen, tls_cert, tls_key, body_limit, header_limit, "
                 "read_timeout_ms, idle_timeout_ms, threads, roles, oidc_issuer, "
                 "oidc_client_id, public_url, webhooks or webhook_poll_ms");
  }

  // A secret from its file or environment variable: surrounding whitespace (a final newline)
  // is not part of it. The secret itself never appears in a message.
  Result<std::string> secret(const YAML::Node& value, const std::string& key, bool from_file) {
    auto name = text(value, key);
    if (!name) return name.status();
    if (name->empty()) return error(value, key, "must not be empty");
    std::string bytes;
    if (from_file) {
      std::filesystem::path file(*name);
      if (file.is_relative()) file = std::filesystem::path(path_).parent_path() / file;
      std::ifstream in(file, std::ios::binary);
      if (!in) return error(value, key, "cannot read " + file.string());
      std::stringstream buffer;
      buffer << in.rdbuf();
      bytes = buffer.str();
    } else {
      const char* env = std::getenv(name->c_str());
      if (env == nullptr) return error(value, key, "the environment variable is not set");
      bytes = env;
    }
    const auto first = bytes.find_first_not_of(" \t\r\n");
    const auto last = bytes.find_last_not_of(" \t\r\n");
    bytes = first == std::string::npos ? "" : bytes.substr(first, last - first + 1);
    if (bytes.size() < kMinSecretBytes) {
      return error(value, key,
                   "the secret must be at least " + std::to_string(kMinSecretBytes) + " bytes");
    }
    return bytes;
  }

  Status readWebhook(const YAML::Node& item, const std::string& at, WebhookConfig& hook) {
    if (!item.IsMap()) return error(item, at, "expected a mapping with url and secret_file");
    std::set<std::string> seen;
    for (auto it = item.begin(); it != item.end(); ++it) {
      if (!it->first.IsScalar()) return error(it->first, at, "expected a key");
      const std::string name = it->first.Scalar();
      const std::string key = at + "." + name;
      const YAML::Node value = it->second;
      if (!seen.insert(name).second) return error(it->first, key, "given twice");
      if (name == "url") {
        auto v = text(value, key);
        if (!v) return v.status();
        if (Status s = checkWebhookUrl(*v); !s.isOk()) return error(value, key, s.message());
        hook.url = *v;
      } else if (name == "secret_file" || name == "secret_env") {
        if (seen.count("secret_file") + seen.count("secret_env") > 1) {
          return error(it->first, key, "give secret_file or secret_env, not both");
        }
        auto v = secret(value, key, name == "secret_file");
        if (!v) return v.status();
        hook.secret = std::move(*v);
      } else if (name == "directives") {
        if (!value.IsSequence()) return error(value, key, "expected a list of directive ids");
        for (const auto& d : value) {
          auto v = text(d, key);
          if (!v) return v.status();
          if (v->empty()) return error(d, key, "a directive id must not be empty");
          hook.directives.push_back(std::move(*v));
        }
      } else if (name == "timeout_ms") {
        auto v = number(value, key, 1, kMaxTimeoutMs, "milliseconds");
        if (!v) return v.status();
        hook.timeout_ms = *v;
      } else if (name == "max_attempts") {
        auto v = number(value, key, 1, kMaxAttempts, "attempts");
        if (!v) return v.status();
        hook.max_attempts = *v;
      } else if (name == "backoff_initial_ms" || name == "backoff_max_ms") {
        auto v = number(value, key, 1, kMaxTimeoutMs, "milliseconds");
        if (!v) return v.status();
        (name == "backoff_initial_ms" ? hook.backoff_initial_ms : hook.backoff_max_ms) = *v;
      } else if (name == "secret") {
        return error(it->first, key,
                     "a secret is not written in the config; give secret_file or secret_env");
      } else {
        return error(it->first, key,
                     "unknown key; expected url, secret_file, secret_env, directives, "
                     "timeout_ms, max_attempts, backoff_initial_ms or backoff_max_ms");
      }
    }
    if (hook.url.empty()) return error(item, at, "url is required");
    if (hook.secret.empty()) return error(item, at, "secret_file or secret_env is required");
    if (hook.backoff_max_ms < hook.backoff_initial_ms) {
      return error(item, at + ".backoff_max_ms", "must not be less than backoff_initial_ms");
    }
    return Status::ok();
  }

  Status readWebhooks(const YAML::Node& value, ServerConfig& config) {
    if (!value.IsSequence()) return error(value, "webhooks", "expected a list of webhooks");
    std::set<std::string> urls;
    std::size_t index = 0;
    for (const auto& item : value) {
      const std::string at = "webhooks[" + std::to_string(index++) + "]";
      WebhookConfig hook;
      PH_RETURN_IF_ERROR(readWebhook(item, at, hook));
      if (!urls.insert(hook.url).second) {
        return error(item, at + ".url", "the same URL is given twice");
      }
      config.webhooks.push_back(std::move(hook));
    }
    return Status::ok();
  }

  std::string path_;
  std::map<std::string, int> lines_;
};

}  // namespace

Result<ServerConfig> loadServerConfig(const std::string& path, ServerConfig defaults) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalidArgument(path + ": cannot read the server config");
  std::stringstream buffer;
  buffer << in.rdbuf();
  ConfigReader reader(path);
  try {
    const YAML::Node root = YAML::Load(buffer.str());
    PH_RETURN_IF_ERROR(reader.read(root, defaults));
  } catch (const YAML::Exception& e) {
    return invalidArgument(path + ":" + std::to_string(e.mark.line + 1) +
                           ": not valid YAML: " + e.msg);
  }
  return defaults;
}

}  // namespace phaseout::server

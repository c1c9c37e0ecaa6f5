#include "server/auth.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mnemo::server {

Result<std::vector<Credential>> ParsePasswordFile(std::string_view text, std::string_view path) {
  std::vector<Credential> entries;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    const std::size_t colon = line.find(':');
    if (line.empty() || colon == std::string_view::npos ||
        line.find('\r') != std::string_view::npos) {
      return Error{"Authfile [" + std::string(path) +
                   "] has a malformed entry. Should be 'user:password'"};
    }
    entries.push_back({std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
  }
  return entries;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  // Every byte of the longer one is read whatever the contents; a length difference makes
  // the result false without an early return.
  const std::size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff = static_cast<unsigned char>(diff | (x ^ y));
  }
  // Read through a volatile so the compiler cannot turn the loop into an early-exit compare.
  volatile unsigned char result = diff;
  return result == 0;
}

Result<std::unique_ptr<FileAuthenticator>> FileAuthenticator::Open(std::string path) {
  std::unique_ptr<FileAuthenticator> authenticator(new FileAuthenticator(std::move(path)));
  if (Result<void> loaded = authenticator->Reload(); !loaded) return loaded.error();
  return authenticator;
}

Result<void> FileAuthenticator::Reload() {
  std::ifstream file(path_, std::ios::binary);
  if (!file) {
    const int error = errno;
    return Error{"Could not open authfile [" + path_ + "] for reading, error " +
                 std::strerror(error) + ": " + std::strerror(error)};
  }
  std::ostringstream text;
  text << file.rdbuf();
  Result<std::vector<Credential>> parsed = ParsePasswordFile(text.str(), path_);
  if (!parsed) return parsed.error();
  auto table = std::make_shared<const Table>(std::move(*parsed));
  std::lock_guard lock(mu_);
  table_ = std::move(table);
  return {};
}

bool FileAuthenticator::Check(std::string_view user, std::string_view password) const {
  std::shared_ptr<const Table> table;
  {
    std::lock_guard lock(mu_);
    table = table_;
  }
  // Every entry is compared, so the time taken does not depend on where a user is listed.
  bool found = false;
  for (const Credential& entry : *table) {
    const bool user_matches = ConstantTimeEqual(entry.user, user);
    const bool password_matches = ConstantTimeEqual(entry.password, password);
    found |= user_matches & password_matches;
  }
  return found;
}

std::string SaslPasswordFile(const std::string& configured) {
  if (!configured.empty()) return configured;
  const char* from_env = std::getenv("MEMCACHED_SASL_PWDB");
  return from_env == nullptr ? std::string() : std::string(from_env);
}

Result<std::unique_ptr<FileAuthenticator>> OpenAuthenticator(const ServerConfig& config) {
  if (!config.auth_file.empty()) return FileAuthenticator::Open(config.auth_file);
  if (!config.sasl) return std::unique_ptr<FileAuthenticator>();
  const std::string pwdb = SaslPasswordFile(config.sasl_pwdb);
  if (pwdb.empty()) {
    return Error{"-S needs a password file: -o sasl_pwdb=FILE or MEMCACHED_SASL_PWDB=FILE"};
  }
  return FileAuthenticator::Open(pwdb);
}

}  // namespace mnemo::server

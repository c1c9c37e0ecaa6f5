// The password files behind -S (SASL PLAIN; the file named by MEMCACHED_SASL_PWDB or
// -o sasl_pwdb) and -Y (ASCII auth): one `user:password` line each, split at the first colon,
// as memcached reads them. A blank line or one without a colon (or with a \r: memcached
// rejects CRLF files too) makes the file malformed, with memcached's message for -Y; the
// message never quotes the file's content.
//
// FileAuthenticator checks every entry with a constant-time comparison, so the time a check
// takes does not tell how much of a guess was right. Reload() (SIGHUP) swaps the table in
// whole; a failed reload keeps the old one.
//
// Thread safety: Check() may run on any number of threads at once, also during Reload().
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "mnemo/auth.h"
#include "mnemo/result.h"
#include "server/config.h"

namespace mnemo::server {

struct Credential {
  std::string user;
  std::string password;
};

// Parses a password file's text. `path` only names the file in the error.
Result<std::vector<Credential>> ParsePasswordFile(std::string_view text, std::string_view path);

// True when a and b are equal; the time taken depends only on their lengths.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

class FileAuthenticator final : public Authenticator {
 public:
  static Result<std::unique_ptr<FileAuthenticator>> Open(std::string path);

  bool Check(std::string_view user, std::string_view password) const override;
  // Reads the file again; on error the previous entries stay in force.
  Result<void> Reload();
  const std::string& path() const { return path_; }

 private:
  using Table = std::vector<Credential>;
  explicit FileAuthenticator(std::string path) : path_(std::move(path)) {}

  const std::string path_;
  mutable std::mutex mu_;
  std::shared_ptr<const Table> table_;  // guarded by mu_; the pointee is immutable
};

// The SASL password file: -o sasl_pwdb, else the MEMCACHED_SASL_PWDB environment variable,
// else "" (mnemod then refuses -S: it has no other password source).
std::string SaslPasswordFile(const std::string& configured);

// The authenticator -S or -Y asks for (null when neither is on): the -Y file, or the SASL
// password file, which -S cannot do without.
Result<std::unique_ptr<FileAuthenticator>> OpenAuthenticator(const ServerConfig& config);

}  // namespace mnemo::server

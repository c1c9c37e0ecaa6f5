// ToSessionConfig and the error wording shared by the option tables.

#include "server/config.h"

#include <string>

#include "server/config_tables.h"
#include "server/value_parse.h"

namespace mnemo::server {

SessionConfig ToSessionConfig(const ServerConfig& config) {
  SessionConfig session;
  session.protocol = config.protocol;
  session.version = kCompatibleVersion;
  session.item_size_max = static_cast<std::size_t>(config.item_size_max);
  session.cas_enabled = config.cas_enabled;
  session.flush_enabled = config.flush_enabled;
  session.dump_enabled = config.dump_enabled;
  session.watch_enabled = config.watch_enabled;
  session.shutdown_enabled = config.shutdown_enabled;
  session.sasl_required = config.sasl;
  session.ascii_auth_required = !config.auth_file.empty();
  session.max_requests_per_call = static_cast<std::size_t>(config.reqs_per_event);
  return session;
}

Error Missing(std::string_view key) { return Error{"Missing " + std::string(key) + " argument"}; }

Error CouldNotParse(std::string_view key) {
  return Error{"could not parse argument to " + std::string(key)};
}

Error BadFlagValue(std::string_view flag, std::string_view value, std::string_view expected) {
  return Error{"Invalid value \"" + std::string(value) + "\" for " + std::string(flag) +
               ": expected " + std::string(expected)};
}

Result<void> ReadUint32(std::string_view key, OptionValue value, std::uint32_t& out,
                        std::uint32_t scale) {
  std::optional<std::uint32_t> number = ParseUint32(*value, scale);
  if (!number) return CouldNotParse(key);
  out = *number;
  return {};
}

}  // namespace mnemo::server

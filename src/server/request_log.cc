#include "server/request_log.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

#include "mnemo/protocol/ascii.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::server {
namespace {

constexpr std::size_t kBinaryHeader = 24;

std::uint32_t BigEndian32(std::string_view bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<std::uint8_t>(bytes[at + i]);
  return value;
}

// Returns the bytes the binary request at the front of `bytes` takes.
std::size_t LogBinary(const Logger& log, const std::string& prefix, std::string_view bytes) {
  if (bytes.size() < kBinaryHeader) return bytes.size();
  char line[64];
  std::snprintf(line, sizeof(line), "binary opcode 0x%02x, key length %u",
                static_cast<std::uint8_t>(bytes[1]),
                static_cast<unsigned>(static_cast<std::uint8_t>(bytes[2]) << 8 |
                                      static_cast<std::uint8_t>(bytes[3])));
  log.Log(kLogEvents, prefix + line);
  return kBinaryHeader + BigEndian32(bytes, 8);
}

// Returns the bytes the text request at the front of `bytes` takes (its data block included).
std::size_t LogText(const Logger& log, const std::string& prefix, std::string_view bytes,
                    const ParserLimits& limits) {
  std::string_view line = bytes.substr(0, bytes.find('\n'));
  if (line.ends_with('\r')) line.remove_suffix(1);
  log.Log(kLogEvents, prefix + std::string(line));
  Request request;
  ParseResult result = meta::IsMetaCommand(bytes) ? meta::ParseRequest(bytes, limits, request)
                                                  : ascii::ParseRequest(bytes, limits, request);
  if (result.status == ParseStatus::kIncomplete || result.consumed == 0) return bytes.size();
  return result.consumed + (request.oversize ? request.skip_bytes : 0);
}

}  // namespace

void LogRequests(const Logger& log, int fd, Protocol protocol, std::string_view bytes,
                 std::size_t item_size_max) {
  if (!log.enabled(kLogEvents)) return;
  const std::string prefix = "<" + std::to_string(fd) + " ";
  ParserLimits limits;
  limits.max_value_bytes = item_size_max;
  while (!bytes.empty()) {
    const std::size_t used = protocol == Protocol::kBinary ? LogBinary(log, prefix, bytes)
                                                           : LogText(log, prefix, bytes, limits);
    bytes.remove_prefix(std::min(used, bytes.size()));
  }
}

}  // namespace mnemo::server

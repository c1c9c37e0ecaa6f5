#include "server/request_log.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>

#include "mnemo/protocol/ascii.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::server {
namespace {

constexpr std::size_t kBinaryHeader = 24;

std::uint32_t BigEndian(std::string_view bytes, std::size_t at, std::size_t width) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < width; ++i)
    value = value << 8 | static_cast<std::uint8_t>(bytes[at + i]);
  return value;
}

// Where one exchange is logged: the two prefixes, and what is left of the replies.
struct LogCursor {
  const Logger& log;
  std::string in;   // "<FD "
  std::string out;  // ">FD "
  std::string_view replies;

  // Takes the first `n` bytes of the replies (all that is left if fewer).
  std::string_view Take(std::size_t n) {
    std::string_view taken = replies.substr(0, n);
    replies.remove_prefix(taken.size());
    return taken;
  }
  // Takes the reply line at the front, without its \r\n; empty when there is none.
  std::string_view TakeLine() {
    const std::size_t end = replies.find('\n');
    std::string_view line = Take(end == std::string_view::npos ? replies.size() : end + 1);
    if (line.ends_with('\n')) line.remove_suffix(1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    return line;
  }
  void Out(std::string_view line) const { log.Log(kLogEvents, out + std::string(line)); }
};

// memcached's dump of a binary header: four bytes a line, each " 0x%02x", indented by two
// spaces more in requests than in responses.
void LogHeader(const Logger& log, const std::string& prefix, std::string_view header,
               const char* indent) {
  for (std::size_t line = 0; line + 4 <= header.size(); line += 4) {
    char text[48];
    std::snprintf(
        text, sizeof(text), "%s0x%02x 0x%02x 0x%02x 0x%02x", indent,
        static_cast<std::uint8_t>(header[line]), static_cast<std::uint8_t>(header[line + 1]),
        static_cast<std::uint8_t>(header[line + 2]), static_cast<std::uint8_t>(header[line + 3]));
    log.Log(kLogEvents, prefix + text);
  }
}

// The line memcached prints after the dump for the commands it describes.
void LogBinaryCommand(LogCursor& cursor, std::string_view request) {
  const std::uint8_t opcode = static_cast<std::uint8_t>(request[1]);
  const std::size_t key_length = BigEndian(request, 2, 2);
  const std::size_t extras = static_cast<std::uint8_t>(request[4]);
  const std::size_t body = BigEndian(request, 8, 4);
  if (kBinaryHeader + extras + key_length > request.size()) return;
  const std::string key(request.substr(kBinaryHeader + extras, key_length));
  switch (opcode) {
    case 0x00:
    case 0x09:
    case 0x0c:
    case 0x0d:  // get, getq, getk, getkq
      cursor.log.Log(kLogEvents, cursor.in + "GET " + key);
      return;
    case 0x1c:
    case 0x1d:
    case 0x23:
    case 0x24:  // touch, gat, gatq, gatk(q)
      cursor.log.Log(kLogEvents, cursor.in + "TOUCH " + key);
      return;
    case 0x01:
    case 0x02:
    case 0x03:
    case 0x11:
    case 0x12:
    case 0x13: {
      static constexpr const char* kNames[] = {"SET", "ADD", "REPLACE"};
      const std::size_t value = body >= extras + key_length ? body - extras - key_length : 0;
      cursor.log.Log(kLogEvents, cursor.in + kNames[(opcode & 0x0f) - 1] + " " + key +
                                     " Value len is " + std::to_string(value));
      return;
    }
    default:
      return;
  }
}

// Logs the binary request at the front of `bytes` and its response; returns its length.
std::size_t LogBinary(LogCursor& cursor, std::string_view bytes) {
  if (bytes.size() < kBinaryHeader) return bytes.size();
  const std::size_t length = kBinaryHeader + BigEndian(bytes, 8, 4);
  cursor.log.Log(kLogEvents, cursor.in + "Read binary protocol data:");
  LogHeader(cursor.log, cursor.in, bytes.substr(0, kBinaryHeader), "   ");
  LogBinaryCommand(cursor, bytes.substr(0, length));
  // A quiet request may have no response: the one at the front is then another request's.
  const std::string_view replies = cursor.replies;
  if (replies.size() < kBinaryHeader || replies[1] != bytes[1]) return length;
  const std::string_view response = cursor.Take(kBinaryHeader + BigEndian(replies, 8, 4));
  if (BigEndian(response, 6, 2) != 0) {
    const std::size_t skip = std::min(response.size(), kBinaryHeader + BigEndian(response, 2, 2) +
                                                           static_cast<std::uint8_t>(response[4]));
    cursor.Out("Writing an error: " + std::string(response.substr(skip)));
  }
  cursor.Out("Writing bin response:");
  LogHeader(cursor.log, cursor.out, response.substr(0, kBinaryHeader), "  ");
  return length;
}

bool IsRetrieval(Command command) {
  return command == Command::kGet || command == Command::kGets || command == Command::kGat ||
         command == Command::kGats;
}

bool IsErrorLine(std::string_view replies) {
  return replies.starts_with("ERROR") || replies.starts_with("CLIENT_ERROR") ||
         replies.starts_with("SERVER_ERROR");
}

// A get's reply: "sending key K" for each VALUE block, then its END (or error) line.
void LogRetrievalReply(LogCursor& cursor) {
  while (cursor.replies.starts_with("VALUE ")) {
    const std::string_view line = cursor.TakeLine();
    std::string_view fields = line.substr(6);
    const std::string_view key = fields.substr(0, fields.find(' '));
    cursor.Out("sending key " + std::string(key));
    // The data block's length is the third field (key, flags, bytes[, cas]).
    for (int skip = 0; skip < 2 && fields.find(' ') != std::string_view::npos; ++skip) {
      fields.remove_prefix(fields.find(' ') + 1);
    }
    std::size_t length = 0;
    std::from_chars(fields.data(), fields.data() + fields.size(), length);
    cursor.Take(length + 2);
  }
  if (!cursor.replies.empty()) cursor.Out(cursor.TakeLine());
}

// A meta reply: memcached prints only MN and errors; the rest is skipped (VA's data included).
void LogMetaReply(LogCursor& cursor, const Request& request, bool ok) {
  if (cursor.replies.empty()) return;
  if (ok && request.quiet && !IsErrorLine(cursor.replies)) {
    // q hides the common outcome; a reply that is there could as well be the next request's.
    if (request.command != Command::kMetaGet || cursor.replies.starts_with("MN")) return;
    if (!cursor.replies.starts_with("VA ") && !cursor.replies.starts_with("HD")) return;
  }
  const std::string_view line = cursor.TakeLine();
  if (line.starts_with("VA ")) {
    std::size_t length = 0;
    std::from_chars(line.data() + 3, line.data() + line.size(), length);
    cursor.Take(length + 2);
    return;
  }
  if (line == "MN" || IsErrorLine(line)) cursor.Out(line);
}

void LogTextReply(LogCursor& cursor, const Request& request, bool ok, bool is_meta) {
  if (is_meta) return LogMetaReply(cursor, request, ok);
  if (cursor.replies.empty() || (ok && request.quiet)) return;
  if (ok && IsRetrieval(request.command)) return LogRetrievalReply(cursor);
  if (cursor.replies.starts_with("STAT ")) {  // stats groups: memcached prints none of it
    const std::size_t end = cursor.replies.find("END\r\n");
    cursor.Take(end == std::string_view::npos ? cursor.replies.size() : end + 5);
    return;
  }
  cursor.Out(cursor.TakeLine());
}

// Logs the text request at the front of `bytes` and its reply; returns the bytes it takes
// (its data block included).
std::size_t LogText(LogCursor& cursor, std::string_view bytes, const ParserLimits& limits) {
  std::string_view line = bytes.substr(0, bytes.find('\n'));
  if (line.ends_with('\r')) line.remove_suffix(1);
  cursor.log.Log(kLogEvents, cursor.in + std::string(line));
  Request request;
  const bool is_meta = meta::IsMetaCommand(bytes);
  ParseResult result = is_meta ? meta::ParseRequest(bytes, limits, request)
                               : ascii::ParseRequest(bytes, limits, request);
  LogTextReply(cursor, request, result.status == ParseStatus::kOk, is_meta);
  if (result.status == ParseStatus::kIncomplete || result.consumed == 0) return bytes.size();
  return result.consumed + (request.oversize ? request.skip_bytes : 0);
}

}  // namespace

void LogExchange(const Logger& log, int fd, Protocol protocol, std::string_view requests,
                 std::string_view replies, std::size_t item_size_max) {
  if (!log.enabled(kLogEvents)) return;
  const std::string id = std::to_string(fd);
  LogCursor cursor{log, "<" + id + " ", ">" + id + " ", replies};
  ParserLimits limits;
  limits.max_value_bytes = item_size_max;
  while (!requests.empty()) {
    const std::size_t used = protocol == Protocol::kBinary ? LogBinary(cursor, requests)
                                                           : LogText(cursor, requests, limits);
    requests.remove_prefix(std::min(used, requests.size()));
  }
}

}  // namespace mnemo::server

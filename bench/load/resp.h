// RESP2, the protocol of Redis, as much as mnemo-bench needs to send the same load to Redis
// that it sends to memcached-protocol servers: GET and SET requests, and the replies to them.
// Measuring Redis with its own redis-benchmark would change the client along with the server.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mnemo::bench::resp {

// Appends `GET key` / `SET key value` as RESP arrays of bulk strings.
void AppendGet(std::string_view key, std::string& out);
void AppendSet(std::string_view key, std::string_view value, std::string& out);

enum class ReplyKind : std::uint8_t {
  kSimple,   // +OK
  kError,    // -ERR ...
  kInteger,  // :5
  kBulk,     // $3 abc
  kNil,      // $-1
};

struct Reply {
  ReplyKind kind = ReplyKind::kNil;
  std::string_view text;  // the simple string, error or bulk bytes: a view into the input
};

enum class ParseStatus : std::uint8_t { kOk, kIncomplete, kInvalid };

struct ParseResult {
  ParseStatus status = ParseStatus::kIncomplete;
  std::size_t consumed = 0;  // with kOk: the reply's bytes
};

// Parses the reply at the start of `in`. Arrays are invalid here: GET and SET never get one.
ParseResult ParseReply(std::string_view in, Reply& reply);

}  // namespace mnemo::bench::resp

// memcached's classic ASCII protocol (get, set, delete, incr, stats, ...) in both directions,
// sans I/O. The meta commands (mg, ms, ...) live in mnemo/protocol/meta.h.
//
// Server side: ParseRequest() turns bytes into a Request, with every error line memcached 1.6.18
// gives; the Encode*() functions render reply bytes. Client side: Encode*Request() build
// request lines and ParseReply() reads replies incrementally.
//
// Deliberate differences from 1.6.18: none in the bytes accepted or rejected. exptime and the
// data length are read as memcached does (64-bit strtol, then truncated to 32 bits), so
// `set k 0 0 4294967297` announces a 1-byte value there as here.
//
// Thread safety: pure functions over caller-owned buffers; parsers allocate nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mnemo/engine.h"
#include "mnemo/protocol/request.h"
#include "mnemo/protocol/response.h"

namespace mnemo::ascii {

// ---- Server direction: requests in ----

// A get/gets line may exceed limits.max_line_bytes (large multigets); past this many bytes
// without a newline the connection is closed anyway, so a client cannot make us buffer forever.
inline constexpr std::size_t kMaxMultigetLineBytes = 1024 * 1024 + 2048;

// Parses the classic request at the front of `in` (one line; for storage commands also the data
// block). Views in `out` point into `in`.
//
// kOk: `out` holds the request, protocol kAscii, `quiet` set by a trailing noreply.
//   get/gets/gat/gats: `keys` is the rest of the line (space-separated keys, not yet checked
//     for length: a long key mid-list is the handler's error, after the earlier lookups);
//     gat/gats also `exptime`.
//   Storage: key, client_flags, exptime, value (cas: cas). A value larger than
//     limits.max_value_bytes is not buffered: `oversize` is set, only the line is consumed and
//     the caller swallows `skip_bytes` (the data and its \r\n).
//   delete: key. incr/decr: key, delta. touch: key, exptime.
//   flush_all: `args` is the delay token if one was given; `has_number`/`number` the delay when
//     it parsed (the handler answers a bad one, after checking that flush_all is allowed).
//   stats: `verb` is the group ("" for plain stats), `args` the rest of the line.
//   verbosity, cache_memlimit: `number`. shutdown: `args` is the rest of the line.
//   kAdmin (slabs, lru, lru_crawler, watch, refresh_certs, misbehave, debugtime, debugitem,
//     extstore): `verb` is the command word, `args` the rest of the line.
// kIncomplete: nothing consumed; call again with more bytes.
// kError: `error` is the reply line without \r\n; `consumed` bytes are dropped. `quiet` is set
//   when memcached hides that error because the line ended in noreply. A rejected storage line
//   consumes only the line: 1.6.18 then reads the data block as a command.
// kFatal: the line is too long without a newline, or an HTTP request; close without a reply.
ParseResult ParseRequest(std::string_view in, const ParserLimits& limits, Request& out);

// ---- Server direction: replies out ----

// Appends the error of a kError/kFatal parse (`request.error` + \r\n), or nothing when the
// error is empty or noreply hides it.
void AppendError(const Request& request, std::string& out);

// "VALUE <key> <flags> <bytes>[ <cas>]\r\n<data>\r\n".
void EncodeValue(std::string_view key, std::uint32_t client_flags, std::string_view data,
                 std::string& out);
void EncodeValue(std::string_view key, std::uint32_t client_flags, std::string_view data,
                 std::uint64_t cas, std::string& out);
void EncodeEnd(std::string& out);                           // "END\r\n"
void EncodeLine(std::string_view line, std::string& out);   // line + "\r\n"
void EncodeNumber(std::uint64_t number, std::string& out);  // incr/decr result
void EncodeStat(std::string_view name, std::string_view value, std::string& out);
void EncodeVersion(std::string_view version, std::string& out);  // "VERSION <v>\r\n"
void EncodeClientError(std::string_view message, std::string& out);
void EncodeServerError(std::string_view message, std::string& out);

// The reply line (without \r\n) memcached sends for each engine outcome. An engine's kError
// reads as kBackendFailureLine (mnemo/protocol/response.h says why).
inline constexpr std::string_view kBackendFailureLine = "SERVER_ERROR backend failure";
std::string_view StoreReplyText(StoreStatus status);
std::string_view DeleteReplyText(DeleteStatus status);
std::string_view TouchReplyText(TouchStatus status);
std::string_view ArithReplyText(ArithStatus status);  // kOk has no fixed text: ""

// ---- Client direction: requests out ----
// Each appends one request. Keys must be 1..250 bytes without spaces or control characters;
// values may hold any bytes.

enum class GetKind : std::uint8_t { kGet, kGets };

void EncodeGetRequest(GetKind kind, std::span<const std::string_view> keys, std::string& out);
// gat/gats.
void EncodeGatRequest(GetKind kind, std::int64_t exptime, std::span<const std::string_view> keys,
                      std::string& out);
// set/add/replace/append/prepend, or cas when mode is kCas (then `cas` is sent).
void EncodeStoreRequest(StoreMode mode, std::string_view key, std::uint32_t client_flags,
                        std::int64_t exptime, std::string_view value, std::uint64_t cas,
                        bool noreply, std::string& out);
void EncodeDeleteRequest(std::string_view key, bool noreply, std::string& out);
void EncodeArithmeticRequest(bool increment, std::string_view key, std::uint64_t delta,
                             bool noreply, std::string& out);
void EncodeTouchRequest(std::string_view key, std::int64_t exptime, bool noreply, std::string& out);
void EncodeFlushAllRequest(std::optional<std::int64_t> delay, bool noreply, std::string& out);
// "stats" or "stats <args>", e.g. "items" or "cachedump 1 10".
void EncodeStatsRequest(std::string_view args, std::string& out);
void EncodeVersionRequest(std::string& out);
void EncodeVerbosityRequest(std::uint32_t level, bool noreply, std::string& out);
void EncodeQuitRequest(std::string& out);

inline void EncodeGetRequest(GetKind kind, std::initializer_list<std::string_view> keys,
                             std::string& out) {
  EncodeGetRequest(kind, std::span<const std::string_view>(keys.begin(), keys.size()), out);
}
inline void EncodeGatRequest(GetKind kind, std::int64_t exptime,
                             std::initializer_list<std::string_view> keys, std::string& out) {
  EncodeGatRequest(kind, exptime, std::span<const std::string_view>(keys.begin(), keys.size()),
                   out);
}

// ---- Client direction: replies in ----

enum class ReplyKind : std::uint8_t {
  kValue,  // VALUE block: key, client_flags, data, cas (has_cas for gets/gats)
  kEnd,    // END
  kStored,
  kNotStored,
  kExists,
  kNotFound,
  kDeleted,
  kTouched,
  kNumber,  // incr/decr result: number
  kStat,    // STAT <name> <value>: name, value (value may contain spaces)
  kOk,
  kVersion,      // message = the version
  kReset,        // stats reset
  kError,        // ERROR, or "ERROR <msg>" / "ERROR: <msg>": message
  kClientError,  // CLIENT_ERROR <msg>: message
  kServerError,  // SERVER_ERROR <msg>: message
  kOther,        // any other line (ITEM, BUSY, MEMLIMIT_..., metadump lines): message = line
};

// One parsed reply. Views point into the parser's input and stay valid while it is unchanged.
struct Reply {
  ReplyKind kind = ReplyKind::kOther;
  std::string_view key;
  std::uint32_t client_flags = 0;
  std::uint64_t cas = 0;
  bool has_cas = false;
  std::string_view data;
  std::uint64_t number = 0;
  std::string_view name;
  std::string_view value;
  std::string_view message;
};

// A reply line longer than this without a newline is a broken stream.
inline constexpr std::size_t kMaxReplyLineBytes = 8192;

// Parses the reply at the front of `in`. kOk: `out` holds it and `consumed` bytes were used.
// kIncomplete: more bytes needed (a VALUE reply is complete only with its data block).
// kFatal: the stream cannot be followed any more (a malformed VALUE line, a data block not
// ending in \r\n, an over-long line); the connection must be dropped.
ParseResult ParseReply(std::string_view in, Reply& out);

}  // namespace mnemo::ascii

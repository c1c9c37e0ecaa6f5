// The typed request shared by the classic ASCII, meta and binary parsers (and produced by
// them for the session), plus the parse status every parser returns.
//
// A Request is a plain struct of views into the parser's input buffer: it allocates nothing and
// stays valid only while the bytes it was parsed from are unchanged (until the caller drops the
// consumed prefix). The one exception is a base64 meta key, decoded into key_storage.
// Thread safety: value type, no shared state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mnemo/key.h"

namespace mnemo {

enum class Protocol : std::uint8_t { kAscii, kMeta, kBinary };

enum class Command : std::uint8_t {
  kNone,
  // Retrieval. ASCII forms carry several keys in `keys`; binary and meta forms one `key`.
  kGet,
  kGets,
  kGat,
  kGats,
  // Storage.
  kSet,
  kAdd,
  kReplace,
  kAppend,
  kPrepend,
  kCas,
  // Other item commands.
  kDelete,
  kIncr,
  kDecr,
  kTouch,
  // Meta.
  kMetaGet,
  kMetaSet,
  kMetaDelete,
  kMetaArithmetic,
  kMetaNoop,
  kMetaDebug,
  // Administrative.
  kFlushAll,
  kStats,
  kVersion,
  kVerbosity,
  kQuit,
  kShutdown,
  kCacheMemlimit,
  kNoop,  // binary noop
  kSaslListMechs,
  kSaslAuth,
  kSaslStep,
  // Admin verbs a drop-in must answer (slabs, lru, lru_crawler, watch, refresh_certs, ...).
  // `verb` holds the command word and `args` the rest of the line.
  kAdmin,
  // Domains (mnemo/protocol/domains.h): the fields are in Request::domain.
  kServers,
  kDomainUpdate,
  kClients,
};

// How a parser ended.
enum class ParseStatus : std::uint8_t {
  kOk,          // `request` holds a complete request; `consumed` bytes were used.
  kIncomplete,  // More input is needed; nothing was consumed.
  kError,       // Bad input: reply `error` (unless suppressed), drop `consumed`, go on.
  kFatal,       // Reply `error` if not empty, then close the connection.
};

struct ParseResult {
  ParseStatus status = ParseStatus::kIncomplete;
  std::size_t consumed = 0;  // bytes of input used by this request or error
};

// Meta flags of one mg/ms/md/ma/me request. Letters are single ASCII characters; a flag's
// token, if any, follows the letter. `tokens` keeps the raw flag list, in request order,
// because return flags are echoed in the order the client asked for them.
struct MetaFlags {
  std::uint64_t present = 0;  // bit (letter - 'A') for every flag letter given
  std::string_view tokens;    // raw flags text after the key (and datalen for ms)
  std::string_view opaque;    // O token, at most 32 bytes
  std::uint64_t compare_cas = 0;  // C
  std::uint64_t new_cas = 0;      // E
  std::uint64_t delta = 1;        // D (ma)
  std::uint64_t initial = 0;      // J (ma)
  std::int64_t ttl = 0;           // T
  std::int64_t vivify_ttl = 0;    // N
  std::int64_t recache_ttl = 0;   // R
  std::uint32_t client_flags = 0; // F (ms)
  char mode = 0;                  // M token's first character, 0 if absent

  static constexpr std::uint64_t Bit(char letter) {
    return std::uint64_t{1} << static_cast<unsigned>(letter - 'A');
  }
  bool Has(char letter) const { return (present & Bit(letter)) != 0; }
};

struct Request {
  Command command = Command::kNone;
  Protocol protocol = Protocol::kAscii;

  // noreply (ASCII), q (meta) or a quiet opcode (binary): replies are suppressed as the
  // protocol says; the session decides which in one place.
  bool quiet = false;
  // Binary GetK/GetKQ/GATK/GATKQ: the response carries the key.
  bool return_key = false;
  // Storage command whose announced value is larger than the parser's limit: the value was
  // not buffered; the session swallows `skip_bytes` more bytes and answers "too large".
  bool oversize = false;
  std::size_t skip_bytes = 0;

  std::string_view key;   // decoded key (meta b flag: decoded into key_storage)
  std::string_view raw_key;  // key as sent (base64 text for meta b keys)
  std::string_view keys;  // ASCII get/gets/gat/gats: the space-separated key tokens
  std::string_view value; // storage data block, without its trailing \r\n

  std::uint32_t client_flags = 0;
  std::int64_t exptime = 0;  // as on the wire: 0 never, <= 30 days relative, else absolute
  std::uint64_t cas = 0;     // cas unique (ASCII cas), header CAS (binary)
  std::uint64_t delta = 0;   // incr/decr
  std::uint64_t initial = 0; // binary incr/decr initial value
  bool create_on_miss = false;  // binary incr/decr with exptime != 0xffffffff

  // Binary only: echoed in the response.
  std::uint8_t opcode = 0;
  std::uint32_t opaque = 0;

  // Admin commands, stats groups, verbosity levels, flush delays, shutdown modes: the verb and
  // the unparsed rest of the line. `has_number` tells whether `number` was given.
  std::string_view verb;
  std::string_view args;
  std::int64_t number = 0;
  bool has_number = false;

  MetaFlags meta;

  // servers / domain_update: the domain's name; `notify` for `servers NAME notify`; for an
  // update the new version and its `count` change lines (raw, each ending in \n).
  struct Domain {
    std::string_view name;
    std::uint64_t version = 0;
    std::uint32_t count = 0;
    std::string_view lines;
    bool notify = false;
  } domain;

  // Set when ParseStatus is kError or kFatal: the exact reply line, without \r\n (for binary:
  // the status text), and the binary status code.
  std::string_view error;
  std::uint16_t binary_status = 0;
  // With kError: a storage command (classic or ms) whose data block was read but did not end
  // in \r\n ("bad data chunk"). memcached has counted the command in cmd_set by then.
  bool bad_chunk = false;

  std::array<char, kMaxKeyLength> key_storage{};
};

// Limits a parser enforces so that bad input cannot make it buffer without bound.
struct ParserLimits {
  // Largest value buffered whole; a larger one is flagged `oversize` and skipped.
  std::size_t max_value_bytes = 1024 * 1024;
  // A line longer than this without a newline closes the connection (except get/gets).
  std::size_t max_line_bytes = 2048;
};

}  // namespace mnemo

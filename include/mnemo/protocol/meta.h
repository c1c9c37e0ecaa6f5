// memcached's meta protocol (mg, ms, md, ma, mn, me) in both directions, sans I/O.
//
// Server side: IsMetaCommand() routes a text line, ParseRequest() turns bytes into a Request
// with every error memcached 1.6.18 gives, and the Encode*Reply() functions render reply bytes
// with return flags echoed in request order. Client side: Encode*Request() build request lines
// and ParseReply() reads replies incrementally.
//
// Deliberate differences from 1.6.18, each a superset: the E flag (explicit new CAS, from later
// memcached) is accepted instead of rejected as an invalid flag, and ms N autovivifies in append
// and prepend modes.
//
// Thread safety: pure functions over caller-owned buffers; parsers allocate nothing.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "mnemo/protocol/request.h"

namespace mnemo::meta {

// ---- Server direction: requests in ----

// True when `in` starts with a meta verb (mg, ms, md, ma, mn, me) followed by a space, \r or
// \n. Needs the first three bytes to decide; a line is routed here on true, to the classic
// parser otherwise.
bool IsMetaCommand(std::string_view in);

// Parses the meta request at the front of `in` (one line; for ms also its data block) into a
// freshly constructed `out`.
//
// kOk: `out` holds the request; its views point into `in`, except that a `b` key is decoded
// into out.key_storage. An ms whose value exceeds limits.max_value_bytes is kOk with
// out.oversize set: only the line was consumed and the caller swallows out.skip_bytes. When
// such an ms also has a bad line, out.error carries the error reply, which Execute() sends
// instead of "too large" (memcached swallows the data block of a rejected ms).
// kError: out.error is the reply line (without \r\n); errors are never quiet. A rejected ms
// with a buffered-size data block consumes the block too.
// kFatal: more than limits.max_line_bytes arrived without a newline; close silently.
ParseResult ParseRequest(std::string_view in, const ParserLimits& limits, Request& out);

// ---- Server direction: replies out ----

enum class ReplyCode : std::uint8_t {
  kNone,
  kHd,           // success without a value
  kVa,           // success with a value block
  kEn,           // miss (mg, me)
  kNs,           // not stored
  kEx,           // exists: CAS mismatch
  kNf,           // not found
  kMn,           // mn
  kMe,           // me
  kError,        // ERROR line (client side only)
  kClientError,  // CLIENT_ERROR line (client side only)
  kServerError,  // SERVER_ERROR line (client side only)
};

// The two letters of a code, "" for the error kinds.
std::string_view ReplyCodeText(ReplyCode code);

// What return flags report about an item.
struct ItemFacts {
  std::uint64_t cas = 0;           // c (0 when CAS is disabled)
  std::uint32_t client_flags = 0;  // f
  std::int64_t ttl = -1;           // t: seconds left as of the flag's place, -1 = never expires
  std::int64_t idle = 0;           // l: seconds since the access before this request
  bool fetched = false;            // h: fetched before this request
  bool stale = false;              // X
  bool win = false;                // W
  bool lost = false;               // Z
  // k: the item was stored through a base64 (b) key, so its key is shown encoded, with ` b`,
  // however this request wrote it (1.6.18 remembers the encoding on the item).
  bool binary_key = false;
};

// Whether `q` hides this reply: mg hides EN, ms and md hide HD, ma hides the HD/VA of an
// existing counter (a counter autovivified by N is always answered, as in 1.6.18). Everything
// else, errors included, is sent. `created` is for ma only.
bool QuietHides(const Request& request, ReplyCode code, bool created = false);

// mg hit: "VA <size> <flags>\r\n<value>\r\n" with v, else "HD <flags>\r\n". Flags s, t, c, f,
// l, h, O, k in request order, then Z, X, W. The key comes from the request, encoded as
// item.binary_key says.
void EncodeGetHit(const Request& request, const ItemFacts& item, std::string_view value,
                  std::string& out);

// A reply without an item (mg EN, md HD/NF/EX, ma NF/NS/EX): the code and the O and k flags
// in request order, as 1.6.18 reflects them even on a miss.
void EncodeStatus(const Request& request, ReplyCode code, std::string& out);

// ms: the code and O, k, c in request order; `cas` is the stored item's (0 when not stored).
// Like EncodeStatus it renders the key as the request wrote it, as 1.6.18 does for ms, md and
// ma.
void EncodeStoreReply(const Request& request, ReplyCode code, std::uint64_t cas, std::string& out);

// ma success: "VA <len> <flags>\r\n<number>\r\n" with v, else "HD <flags>\r\n"; flags c, t,
// O, k in request order.
void EncodeArithmeticReply(const Request& request, std::uint64_t number, std::uint64_t cas,
                           std::int64_t ttl, std::string& out);

// me hit: "ME <key> exp=<n> la=<n> cas=<n> fetch=yes|no cls=<n> size=<n>\r\n". `exp` is
// memcached's "now - expiry" (-1 when the item never expires); the key is base64 when the
// item was stored through a `b` key, whether or not this request used `b`.
struct DebugFacts {
  std::int64_t exp = -1;
  std::int64_t la = 0;
  std::uint64_t cas = 0;
  bool fetched = false;
  std::uint32_t slab_class = 1;
  std::size_t size = 0;
  bool binary_key = false;
};
void EncodeDebugReply(const Request& request, const DebugFacts& facts, std::string& out);

void EncodeNoopReply(std::string& out);  // "MN\r\n"

// ---- Client direction: requests out ----

// One request flag: a letter and an optional token ("v", "T30", "Oabc").
class Flag {
 public:
  constexpr Flag(char letter) : letter_(letter) {}  // NOLINT: implicit, {'v', 'k'} reads well
  constexpr Flag(char letter, std::string_view token) : letter_(letter), token_(token) {}
  // A one-character token, as in M modes: Flag('M', 'E') is "ME".
  Flag(char letter, char token) : letter_(letter), digits_(1) { text_[0] = token; }
  // A decimal token: Flag('T', 30) is "T30".
  template <std::integral T>
  Flag(char letter, T number) : letter_(letter) {
    if constexpr (std::is_signed_v<T>) {
      const bool negative = number < 0;
      const auto magnitude = static_cast<std::uint64_t>(number);
      SetNumber(negative ? 0 - magnitude : magnitude, negative);
    } else {
      SetNumber(static_cast<std::uint64_t>(number), false);
    }
  }

  char letter() const { return letter_; }
  // Valid while this Flag lives.
  std::string_view token() const {
    return digits_ > 0 ? std::string_view(text_.data(), digits_) : token_;
  }

 private:
  void SetNumber(std::uint64_t magnitude, bool negative);

  char letter_;
  std::string_view token_;
  std::uint8_t digits_ = 0;  // > 0: the token is text_, not token_
  std::array<char, 21> text_{};
};

// How a key goes on the wire: as is, or base64 with a `b` flag (binary keys).
enum class KeyEncoding : std::uint8_t { kText, kBase64 };

// Each appends one request. Keys must be at most 250 bytes (before base64) and text keys must
// not contain spaces or control characters; values may hold any bytes.
void EncodeGetRequest(std::string_view key, std::span<const Flag> flags, std::string& out,
                      KeyEncoding encoding = KeyEncoding::kText);
void EncodeSetRequest(std::string_view key, std::string_view value, std::span<const Flag> flags,
                      std::string& out, KeyEncoding encoding = KeyEncoding::kText);
void EncodeDeleteRequest(std::string_view key, std::span<const Flag> flags, std::string& out,
                         KeyEncoding encoding = KeyEncoding::kText);
void EncodeArithmeticRequest(std::string_view key, std::span<const Flag> flags, std::string& out,
                             KeyEncoding encoding = KeyEncoding::kText);
void EncodeDebugRequest(std::string_view key, std::string& out,
                        KeyEncoding encoding = KeyEncoding::kText);
void EncodeNoopRequest(std::string& out);

inline void EncodeGetRequest(std::string_view key, std::initializer_list<Flag> flags,
                             std::string& out, KeyEncoding encoding = KeyEncoding::kText) {
  EncodeGetRequest(key, std::span<const Flag>(flags.begin(), flags.size()), out, encoding);
}
inline void EncodeSetRequest(std::string_view key, std::string_view value,
                             std::initializer_list<Flag> flags, std::string& out,
                             KeyEncoding encoding = KeyEncoding::kText) {
  EncodeSetRequest(key, value, std::span<const Flag>(flags.begin(), flags.size()), out, encoding);
}
inline void EncodeDeleteRequest(std::string_view key, std::initializer_list<Flag> flags,
                                std::string& out, KeyEncoding encoding = KeyEncoding::kText) {
  EncodeDeleteRequest(key, std::span<const Flag>(flags.begin(), flags.size()), out, encoding);
}
inline void EncodeArithmeticRequest(std::string_view key, std::initializer_list<Flag> flags,
                                    std::string& out, KeyEncoding encoding = KeyEncoding::kText) {
  EncodeArithmeticRequest(key, std::span<const Flag>(flags.begin(), flags.size()), out, encoding);
}

// ---- Client direction: replies in ----

struct ReturnFlag {
  char letter = 0;
  std::string_view token;
};

// One parsed reply. Views point into the parser's input (the decoded key into key_storage)
// and stay valid while those bytes do.
struct Reply {
  static constexpr std::size_t kMaxFlags = 32;

  ReplyCode code = ReplyCode::kNone;
  std::string_view line;   // the status line without \r\n
  std::string_view value;  // VA data block without its \r\n (also ma's number)
  std::array<ReturnFlag, kMaxFlags> flags{};
  std::size_t flag_count = 0;
  // The `k` key, decoded when the reply also carries `b`; for ME the key after the code.
  std::string_view key;
  std::string_view debug;  // ME: "exp=.. la=.. ..." after the key
  std::string_view error;  // error kinds: the message after the error word (may be empty)
  std::array<char, kMaxKeyLength> key_storage{};

  // The token of return flag `letter`, or nullopt when the reply does not carry it.
  std::optional<std::string_view> Find(char letter) const;
  // An ME field ("exp", "la", "cas", "fetch", "cls", "size"), or nullopt.
  std::optional<std::string_view> DebugField(std::string_view name) const;
};

// Longest status line accepted before the stream is declared broken.
inline constexpr std::size_t kMaxReplyLineBytes = 8192;

// Parses the reply at the front of `in`. kOk: `out` is complete, `consumed` bytes used (the
// value block included). kIncomplete: wait for more. kFatal: the bytes are not a meta reply
// (unknown code, bad size, more than kMaxReplyLineBytes without a newline, more than kMaxFlags
// flags, undecodable key); the stream cannot be resynchronised.
ParseResult ParseReply(std::string_view in, Reply& out);

}  // namespace mnemo::meta

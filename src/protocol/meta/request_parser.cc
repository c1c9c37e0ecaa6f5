// The server-direction meta parser. Checks run in the order memcached 1.6.18 runs them, because
// a line with several faults must get the same error line from both servers.
#include <climits>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/text.h"
#include "mnemo/protocol/base64.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::meta {
namespace {

// Tokens from the verb on; memcached answers "options flags too long" from the 20th.
constexpr std::size_t kMaxTokens = 19;
// The O token, letter included.
constexpr std::size_t kMaxOpaqueToken = 32;
// memcached reads datalen into an int and adds 2 for the \r\n.
constexpr std::int64_t kMaxDataLength = INT_MAX - 2;

constexpr std::string_view kError = "ERROR";
constexpr std::string_view kBadFormat = "CLIENT_ERROR bad command line format";
constexpr std::string_view kBadToken = "CLIENT_ERROR bad token in command line format";
constexpr std::string_view kInvalidFlag = "CLIENT_ERROR invalid flag";
constexpr std::string_view kDuplicateFlag = "CLIENT_ERROR duplicate flag";
constexpr std::string_view kFlagsTooLong = "CLIENT_ERROR options flags too long";
constexpr std::string_view kGetFlagsTooLong = "CLIENT_ERROR options flags are too long";
constexpr std::string_view kOpaqueTooLong = "CLIENT_ERROR opaque token too long";
constexpr std::string_view kBadKey = "CLIENT_ERROR error decoding key";
constexpr std::string_view kBadModeLength = "CLIENT_ERROR incorrect length for M token";
constexpr std::string_view kBadInitial = "CLIENT_ERROR invalid numeric initial value";
constexpr std::string_view kBadDelta = "CLIENT_ERROR invalid numeric delta value";
constexpr std::string_view kBadSetMode = "CLIENT_ERROR invalid mode for ms M token";
constexpr std::string_view kBadArithMode = "CLIENT_ERROR invalid mode for ma M token";
constexpr std::string_view kBadFlagMd = "CLIENT_ERROR invalid or duplicate flag";
constexpr std::string_view kBadChunk = "CLIENT_ERROR bad data chunk";

ParseResult Fail(Request& out, std::string_view error, std::size_t consumed) {
  out.error = error;
  out.quiet = false;  // meta errors are always answered
  return {ParseStatus::kError, consumed};
}

Command VerbCommand(std::string_view verb) {
  if (verb.size() != 2 || verb[0] != 'm') return Command::kNone;
  switch (verb[1]) {
    case 'g':
      return Command::kMetaGet;
    case 's':
      return Command::kMetaSet;
    case 'd':
      return Command::kMetaDelete;
    case 'a':
      return Command::kMetaArithmetic;
    case 'n':
      return Command::kMetaNoop;
    case 'e':
      return Command::kMetaDebug;
    default:
      return Command::kNone;
  }
}

bool DecodeKey(Request& out) {
  auto size = base64::DecodeLenient(out.raw_key, out.key_storage);
  if (!size) return false;
  out.key = std::string_view(out.key_storage.data(), *size);
  return true;
}

// Keeps a parsed token in `field`. On failure records `message` as the error unless it is
// empty: a bad F token leaves memcached's previous message in place.
template <class Field, class Value>
bool Keep(std::optional<Value> value, Field& field, std::string_view message,
          std::string_view& error) {
  if (!value) {
    if (!message.empty()) error = message;
    return false;
  }
  field = *value;
  return true;
}

// One flag of the preparse pass. Returns false when its token is unusable, with `error` set
// as described at Keep(). T, N and R wrap to 32 bits as in 1.6.18: "T4294967326" means 30.
bool ApplyFlag(std::string_view token, Request& out, std::string_view& error) {
  MetaFlags& m = out.meta;
  const std::string_view arg = token.substr(1);
  switch (token[0]) {
    case 'b':
      if (DecodeKey(out)) return true;
      error = kBadKey;
      return false;
    case 'N':
      return Keep(text::ParseI32(arg), m.vivify_ttl, kBadToken, error);
    case 'T':
      return Keep(text::ParseI32(arg), m.ttl, kBadToken, error);
    case 'R':
      return Keep(text::ParseI32(arg), m.recache_ttl, kBadToken, error);
    case 'C':
      return Keep(text::ParseU64(arg), m.compare_cas, kBadToken, error);
    case 'E':
      return Keep(text::ParseU64(arg), m.new_cas, kBadToken, error);
    case 'J':
      return Keep(text::ParseU64(arg), m.initial, kBadInitial, error);
    case 'D':
      return Keep(text::ParseU64(arg), m.delta, kBadDelta, error);
    case 'F':
      return Keep(text::ParseU32(arg), m.client_flags, {}, error);
    case 'M': {
      std::optional<char> mode;
      if (token.size() == 2) mode = token[1];
      return Keep(mode, m.mode, kBadModeLength, error);
    }
    case 'O':
      m.opaque = arg;
      return true;
    case 'q':
      out.quiet = true;
      return true;
    default:
      return true;
  }
}

bool IsKnownFlag(char c) {
  constexpr std::string_view kKnown = "bNTRlOPLkstcfvhuqFCMJDIE";
  return kKnown.find(c) != std::string_view::npos;
}

// memcached's flag preparse: an unknown or repeated letter stops at once; a bad token is
// remembered and scanning goes on, so the last bad token names the error. Returns the error
// line, or "" when every flag is fine.
std::string_view ParseFlags(std::string_view flags, Request& out) {
  out.meta.tokens = flags;
  std::string_view error;
  bool failed = false;
  text::Tokenizer tokens(flags);
  for (std::string_view token = tokens.Next(); !token.empty(); token = tokens.Next()) {
    const auto letter = static_cast<unsigned char>(token[0]);
    if (letter >= 127) return kDuplicateFlag;
    if (!IsKnownFlag(static_cast<char>(letter))) return kInvalidFlag;
    if (out.meta.Has(static_cast<char>(letter))) return kDuplicateFlag;
    out.meta.present |= MetaFlags::Bit(static_cast<char>(letter));
    if (!ApplyFlag(token, out, error)) failed = true;
  }
  if (failed) return error.empty() ? kBadFormat : error;
  return {};
}

bool OpaqueTooLong(const Request& out) {
  return out.meta.Has('O') && out.meta.opaque.size() + 1 > kMaxOpaqueToken;
}

// Copies the meta tokens into the fields the other protocols use, for generic session code.
void FillCommonFields(Request& out) {
  out.exptime = out.meta.ttl;
  out.client_flags = out.meta.client_flags;
  out.cas = out.meta.compare_cas;
  out.delta = out.meta.delta;
  out.initial = out.meta.initial;
}

ParseResult ParseDebug(std::string_view key, text::Tokenizer& rest, std::size_t length,
                       Request& out) {
  if (key.empty() || key.size() > kMaxKeyLength) return Fail(out, kBadFormat, length);
  out.key = out.raw_key = key;
  // Only a `b` right after the key counts; me ignores every other token.
  std::string_view flags = rest.Rest();
  out.meta.tokens = flags;
  if (rest.Next() == "b") {
    out.meta.present |= MetaFlags::Bit('b');
    if (!DecodeKey(out)) return Fail(out, kBadFormat, length);
  }
  return {ParseStatus::kOk, length};
}

// mg, md and ma after the key checks.
ParseResult ParseKeyCommand(std::string_view flags, std::size_t length, Request& out) {
  std::string_view error = ParseFlags(flags, out);
  if (!error.empty()) {
    const bool generic = out.command == Command::kMetaGet;
    return Fail(out, generic ? error : kBadFlagMd, length);
  }
  if (out.command == Command::kMetaArithmetic) {
    const char mode = out.meta.mode;
    if (mode != 0 && mode != 'I' && mode != '+' && mode != 'D' && mode != '-') {
      return Fail(out, kBadArithMode, length);
    }
  }
  if (OpaqueTooLong(out)) return Fail(out, kOpaqueTooLong, length);
  FillCommonFields(out);
  return {ParseStatus::kOk, length};
}

// An ms rejected after its datalen was read: memcached swallows the data block as well.
ParseResult RejectSet(std::string_view in, const ParserLimits& limits, std::size_t length,
                      std::size_t body, std::string_view error, Request& out) {
  if (body - 2 > limits.max_value_bytes) {
    out.error = error;
    out.quiet = false;
    out.oversize = true;
    out.skip_bytes = body;
    return {ParseStatus::kOk, length};
  }
  if (in.size() - length < body) return {ParseStatus::kIncomplete, 0};
  return Fail(out, error, length + body);
}

std::string_view CheckSetFlags(std::string_view flags, Request& out) {
  std::string_view error = ParseFlags(flags, out);
  if (!error.empty()) return error;
  const char mode = out.meta.mode;
  if (mode != 0 && mode != 'E' && mode != 'A' && mode != 'P' && mode != 'R' && mode != 'S') {
    return kBadSetMode;
  }
  if (OpaqueTooLong(out)) return kOpaqueTooLong;
  return {};
}

ParseResult ParseSet(std::string_view in, const ParserLimits& limits, text::Tokenizer& rest,
                     std::size_t length, Request& out) {
  const std::string_view datalen = rest.Next();
  if (datalen.empty()) return Fail(out, kBadFormat, length);
  const std::string_view flags = rest.Rest();
  if (3 + text::CountTokens(flags) > kMaxTokens) return Fail(out, kFlagsTooLong, length);
  auto size = text::ParseI32(datalen);  // wraps to 32 bits too: "4294967298" means 2
  if (!size || *size < 0 || *size > kMaxDataLength) return Fail(out, kBadFormat, length);
  const std::size_t body = static_cast<std::size_t>(*size) + 2;

  std::string_view error = CheckSetFlags(flags, out);
  if (!error.empty()) return RejectSet(in, limits, length, body, error, out);
  FillCommonFields(out);
  if (body - 2 > limits.max_value_bytes) {
    out.oversize = true;
    out.skip_bytes = body;
    return {ParseStatus::kOk, length};
  }
  if (in.size() - length < body) return {ParseStatus::kIncomplete, 0};
  if (in.substr(length + body - 2, 2) != "\r\n") {
    out.bad_chunk = true;
    return Fail(out, kBadChunk, length + body);
  }
  out.value = in.substr(length, body - 2);
  return {ParseStatus::kOk, length + body};
}

}  // namespace

bool IsMetaCommand(std::string_view in) {
  if (in.size() < 3 || in[0] != 'm') return false;
  if (std::string_view("gsdane").find(in[1]) == std::string_view::npos) return false;
  return in[2] == ' ' || in[2] == '\r' || in[2] == '\n';
}

ParseResult ParseRequest(std::string_view in, const ParserLimits& limits, Request& out) {
  auto line = text::FindLine(in);
  if (!line) {
    if (in.size() > limits.max_line_bytes) return {ParseStatus::kFatal, 0};
    return {ParseStatus::kIncomplete, 0};
  }
  out.protocol = Protocol::kMeta;
  text::Tokenizer tokens(line->line);
  out.command = VerbCommand(tokens.Next());
  if (out.command == Command::kNone) return Fail(out, kError, line->length);
  if (out.command == Command::kMetaNoop) return {ParseStatus::kOk, line->length};

  const std::string_view key = tokens.Next();
  if (out.command == Command::kMetaDebug) return ParseDebug(key, tokens, line->length, out);
  if (key.empty()) return Fail(out, kError, line->length);
  if (key.size() > kMaxKeyLength) return Fail(out, kBadFormat, line->length);
  out.key = out.raw_key = key;
  if (out.command == Command::kMetaSet) return ParseSet(in, limits, tokens, line->length, out);

  const std::string_view flags = tokens.Rest();
  if (2 + text::CountTokens(flags) > kMaxTokens) {
    const bool get = out.command == Command::kMetaGet;
    return Fail(out, get ? kGetFlagsTooLong : kFlagsTooLong, line->length);
  }
  return ParseKeyCommand(flags, line->length, out);
}

}  // namespace mnemo::meta

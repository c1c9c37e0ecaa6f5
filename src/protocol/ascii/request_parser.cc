// The classic ASCII request parser. Token-count rules, the order of checks and every error
// line follow memcached 1.6.18 as observed on the wire; in particular a command that takes
// noreply recognises it before validating anything else, so noreply also hides its errors.
#include <array>
#include <cstdint>
#include <limits>
#include <optional>

#include "ascii/domain_internal.h"
#include "core/text.h"
#include "mnemo/protocol/ascii.h"

namespace mnemo::ascii {
namespace {

constexpr std::string_view kErrorLine = "ERROR";
constexpr std::string_view kBadFormat = "CLIENT_ERROR bad command line format";
constexpr std::string_view kBadDataChunk = "CLIENT_ERROR bad data chunk";
constexpr std::string_view kBadExptime = "CLIENT_ERROR invalid exptime argument";
constexpr std::string_view kBadDelta = "CLIENT_ERROR invalid numeric delta argument";
constexpr std::string_view kDeleteUsage =
    "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]";

// memcached lets a multiget line grow only if it starts with get/gets after at most this many
// spaces.
constexpr std::size_t kMaxLeadingSpaces = 100;

// The command line, split on spaces. Commands look at their first few tokens only; `count` is
// the total, which decides between ERROR and the command's own checks.
class Tokens {
 public:
  static constexpr std::size_t kKept = 8;

  Tokens(std::string_view line, std::size_t length) : line_(line), length_(length) {
    text::Tokenizer tokenizer(line);
    for (std::string_view t = tokenizer.Next(); !t.empty(); t = tokenizer.Next()) {
      if (count_ < kKept) kept_[count_] = t;
      last_ = t;
      ++count_;
    }
  }

  std::size_t count() const { return count_; }
  std::size_t length() const { return length_; }  // the line with its terminator
  std::string_view operator[](std::size_t i) const { return i < count_ ? kept_[i] : ""; }
  // noreply counts only as the last token, as in memcached's set_noreply_maybe().
  bool NoReply() const { return count_ >= 2 && last_ == "noreply"; }
  std::string_view last() const { return last_; }

  // The line from token i on, without trailing spaces; "" when there are not that many.
  std::string_view RestFrom(std::size_t i) const {
    if (i >= count_ || i >= kKept) return {};
    std::string_view rest = line_.substr(static_cast<std::size_t>(kept_[i].data() - line_.data()));
    return rest.substr(0, rest.find_last_not_of(' ') + 1);
  }

 private:
  std::string_view line_;
  std::size_t length_;
  std::array<std::string_view, kKept> kept_{};
  std::string_view last_;
  std::size_t count_ = 0;
};

// memcached 1.6.18 reads exptime and data lengths with strtol into a 64-bit long and stores it
// in a 32-bit int without a range check, so 4294967296 reads as 0.
std::optional<std::int32_t> ParseWrappedI32(std::string_view token) {
  std::optional<std::int64_t> v = text::ParseI64(token);
  if (!v) return std::nullopt;
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(*v));
}

ParseResult Ok(std::size_t consumed) { return {ParseStatus::kOk, consumed}; }

ParseResult Fail(Request& out, std::string_view error, std::size_t consumed, bool quiet = false) {
  out.error = error;
  out.quiet = quiet;
  return {ParseStatus::kError, consumed};
}

enum class Form : std::uint8_t {
  kRetrieval,
  kStorage,
  kDelete,
  kArithmetic,
  kTouch,
  kFlushAll,
  kStats,
  kVerbosity,
  kMemlimit,
  kShutdown,
  kBare,
  kAdmin,
};

struct Verb {
  std::string_view name;
  Command command;
  Form form;
};

constexpr Verb kVerbs[] = {
    {"get", Command::kGet, Form::kRetrieval},
    {"gets", Command::kGets, Form::kRetrieval},
    {"gat", Command::kGat, Form::kRetrieval},
    {"gats", Command::kGats, Form::kRetrieval},
    {"set", Command::kSet, Form::kStorage},
    {"add", Command::kAdd, Form::kStorage},
    {"replace", Command::kReplace, Form::kStorage},
    {"append", Command::kAppend, Form::kStorage},
    {"prepend", Command::kPrepend, Form::kStorage},
    {"cas", Command::kCas, Form::kStorage},
    {"delete", Command::kDelete, Form::kDelete},
    {"incr", Command::kIncr, Form::kArithmetic},
    {"decr", Command::kDecr, Form::kArithmetic},
    {"touch", Command::kTouch, Form::kTouch},
    {"flush_all", Command::kFlushAll, Form::kFlushAll},
    {"stats", Command::kStats, Form::kStats},
    {"version", Command::kVersion, Form::kBare},
    {"quit", Command::kQuit, Form::kBare},
    {"verbosity", Command::kVerbosity, Form::kVerbosity},
    {"cache_memlimit", Command::kCacheMemlimit, Form::kMemlimit},
    {"shutdown", Command::kShutdown, Form::kShutdown},
    {"slabs", Command::kAdmin, Form::kAdmin},
    {"lru", Command::kAdmin, Form::kAdmin},
    {"lru_crawler", Command::kAdmin, Form::kAdmin},
    {"watch", Command::kAdmin, Form::kAdmin},
    {"refresh_certs", Command::kAdmin, Form::kAdmin},
    {"misbehave", Command::kAdmin, Form::kAdmin},
    {"debugtime", Command::kAdmin, Form::kAdmin},
    {"debugitem", Command::kAdmin, Form::kAdmin},
    {"extstore", Command::kAdmin, Form::kAdmin},
};

ParseResult ParseRetrieval(const Tokens& t, Request& out) {
  if (t.count() < 2) return Fail(out, kErrorLine, t.length());
  std::size_t first_key = 1;
  if (out.command == Command::kGat || out.command == Command::kGats) {
    std::optional<std::int32_t> exptime = ParseWrappedI32(t[1]);
    if (!exptime) return Fail(out, kBadExptime, t.length());
    out.exptime = *exptime;
    first_key = 2;
  }
  out.keys = t.RestFrom(first_key);
  return Ok(t.length());
}

ParseResult ParseStorage(const Tokens& t, std::string_view in, const ParserLimits& limits,
                         Request& out) {
  const bool is_cas = out.command == Command::kCas;
  const std::size_t base = is_cas ? 6 : 5;
  if (t.count() != base && t.count() != base + 1) return Fail(out, kErrorLine, t.length());
  const bool quiet = t.NoReply();
  out.quiet = quiet;
  out.key = out.raw_key = t[1];
  if (out.key.size() > kMaxKeyLength) return Fail(out, kBadFormat, t.length(), quiet);
  std::optional<std::uint32_t> flags = text::ParseU32(t[2]);
  std::optional<std::int32_t> exptime = ParseWrappedI32(t[3]);
  std::optional<std::int32_t> bytes = ParseWrappedI32(t[4]);
  if (!flags || !exptime || !bytes) return Fail(out, kBadFormat, t.length(), quiet);
  if (is_cas) {
    std::optional<std::uint64_t> cas = text::ParseU64(t[5]);
    if (!cas) return Fail(out, kBadFormat, t.length(), quiet);
    out.cas = *cas;
  }
  if (*bytes < 0 || *bytes > std::numeric_limits<std::int32_t>::max() - 2) {
    return Fail(out, kBadFormat, t.length(), quiet);
  }
  out.client_flags = *flags;
  out.exptime = *exptime;
  const auto length = static_cast<std::size_t>(*bytes);
  if (length > limits.max_value_bytes) {
    out.oversize = true;
    out.skip_bytes = length + 2;
    return Ok(t.length());
  }
  const std::size_t total = t.length() + length + 2;
  if (in.size() < total) return {ParseStatus::kIncomplete, 0};
  std::string_view block = in.substr(t.length(), length + 2);
  if (block[length] != '\r' || block[length + 1] != '\n') {
    out.bad_chunk = true;
    return Fail(out, kBadDataChunk, total, quiet);
  }
  out.value = block.substr(0, length);
  return Ok(total);
}

ParseResult ParseDelete(const Tokens& t, Request& out) {
  if (t.count() < 2 || t.count() > 4) return Fail(out, kErrorLine, t.length());
  if (t.count() > 2) {
    // The legacy "delete <key> 0" form survives; any other third token is a usage error.
    const bool hold_is_zero = t[2] == "0";
    out.quiet = t.NoReply();
    const bool valid = (t.count() == 3 && (hold_is_zero || out.quiet)) ||
                       (t.count() == 4 && hold_is_zero && out.quiet);
    if (!valid) return Fail(out, kDeleteUsage, t.length(), out.quiet);
  }
  out.key = out.raw_key = t[1];
  if (out.key.size() > kMaxKeyLength) return Fail(out, kBadFormat, t.length(), out.quiet);
  return Ok(t.length());
}

// incr/decr and touch: "<cmd> <key> <number> [noreply]".
ParseResult ParseKeyAndNumber(const Tokens& t, Request& out) {
  if (t.count() != 3 && t.count() != 4) return Fail(out, kErrorLine, t.length());
  out.quiet = t.NoReply();
  out.key = out.raw_key = t[1];
  if (out.key.size() > kMaxKeyLength) return Fail(out, kBadFormat, t.length(), out.quiet);
  if (out.command == Command::kTouch) {
    std::optional<std::int32_t> exptime = ParseWrappedI32(t[2]);
    if (!exptime) return Fail(out, kBadExptime, t.length(), out.quiet);
    out.exptime = *exptime;
  } else {
    std::optional<std::uint64_t> delta = text::ParseU64(t[2]);
    if (!delta) return Fail(out, kBadDelta, t.length(), out.quiet);
    out.delta = *delta;
  }
  return Ok(t.length());
}

ParseResult ParseFlushAll(const Tokens& t, Request& out) {
  if (t.count() > 3) return Fail(out, kErrorLine, t.length());
  out.quiet = t.NoReply();
  if (t.count() != (out.quiet ? 2u : 1u)) {
    out.args = t[1];
    std::optional<std::int32_t> delay = ParseWrappedI32(t[1]);
    out.has_number = delay.has_value();
    out.number = delay.value_or(0);
  }
  return Ok(t.length());
}

// verbosity and cache_memlimit: "<cmd> <n> [noreply]"; they differ only in the error line.
ParseResult ParseLevel(const Tokens& t, std::string_view bad_number, Request& out) {
  if (t.count() != 2 && t.count() != 3) return Fail(out, kErrorLine, t.length());
  out.quiet = t.NoReply();
  std::optional<std::uint32_t> n = text::ParseU32(t[1]);
  if (!n) return Fail(out, bad_number, t.length(), out.quiet);
  out.number = *n;
  out.has_number = true;
  return Ok(t.length());
}

ParseResult ParseTokens(const Tokens& t, const Verb& verb, std::string_view in,
                        const ParserLimits& limits, Request& out) {
  out.command = verb.command;
  switch (verb.form) {
    case Form::kRetrieval: return ParseRetrieval(t, out);
    case Form::kStorage: return ParseStorage(t, in, limits, out);
    case Form::kDelete: return ParseDelete(t, out);
    case Form::kArithmetic:
    case Form::kTouch: return ParseKeyAndNumber(t, out);
    case Form::kFlushAll: return ParseFlushAll(t, out);
    case Form::kVerbosity: return ParseLevel(t, kBadFormat, out);
    case Form::kMemlimit: return ParseLevel(t, kErrorLine, out);
    case Form::kStats:
      out.verb = t[1];
      out.args = t.RestFrom(2);
      return Ok(t.length());
    case Form::kShutdown: out.args = t.RestFrom(1); return Ok(t.length());
    case Form::kAdmin:
      out.verb = t[0];
      out.args = t.RestFrom(1);
      return Ok(t.length());
    case Form::kBare: return Ok(t.length());
  }
  return Fail(out, kErrorLine, t.length());
}

// No newline yet: wait, unless the line is already too long to be a command. Only a multiget
// may grow past limits.max_line_bytes, and only up to kMaxMultigetLineBytes.
ParseResult NoNewline(std::string_view in, const ParserLimits& limits) {
  if (in.size() <= limits.max_line_bytes) return {ParseStatus::kIncomplete, 0};
  std::size_t spaces = in.find_first_not_of(' ');
  std::string_view start = in.substr(spaces == std::string_view::npos ? in.size() : spaces);
  const bool multiget = start.starts_with("get ") || start.starts_with("gets ");
  if (spaces <= kMaxLeadingSpaces && multiget && in.size() <= kMaxMultigetLineBytes) {
    return {ParseStatus::kIncomplete, 0};
  }
  return {ParseStatus::kFatal, 0};
}

}  // namespace

ParseResult ParseRequest(std::string_view in, const ParserLimits& limits, Request& out) {
  out.protocol = Protocol::kAscii;
  std::optional<text::Line> line = text::FindLine(in);
  if (!line) return NoNewline(in, limits);
  // memcached reads the line as a C string: a NUL byte ends the command there.
  std::string_view command = line->line.substr(0, line->line.find('\0'));
  const Tokens tokens(command, line->length);
  const std::string_view word = tokens[0];
  // memcached has no command shorter than two bytes and answers them before looking further.
  if (word.size() < 2) return Fail(out, kErrorLine, line->length);
  for (const Verb& verb : kVerbs) {
    if (verb.name == word) return ParseTokens(tokens, verb, in, limits, out);
  }
  if (internal::IsDomainVerb(word)) {
    return internal::ParseDomainRequest(in, command, line->length, limits, out);
  }
  // A browser or HTTP probe: memcached drops the connection without a word.
  if (tokens.last().starts_with("HTTP/")) {
    return {ParseStatus::kFatal, line->length};
  }
  return Fail(out, kErrorLine, line->length);
}

}  // namespace mnemo::ascii

#include "session/ascii_auth.h"

#include <charconv>
#include <cstdint>
#include <vector>

#include "mnemo/protocol/ascii.h"

namespace mnemo {
namespace {

constexpr std::string_view kUnauthenticated = "CLIENT_ERROR unauthenticated";
constexpr std::string_view kBadTermination = "CLIENT_ERROR bad command line termination";
constexpr std::string_view kBadFormat = "CLIENT_ERROR bad authentication token format";
constexpr std::string_view kFailure = "CLIENT_ERROR authentication failure";
constexpr std::string_view kStored = "STORED";
// memcached tokenizes at most this many words (the rest stays in the last one).
constexpr std::size_t kMaxTokens = 24;

// Words separated by spaces (only spaces, as memcached's tokenizer).
std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (start < text.size() && words.size() < kMaxTokens) {
    const std::size_t end = text.find(' ', start);
    const std::size_t stop = end == std::string_view::npos ? text.size() : end;
    if (stop > start) words.push_back(text.substr(start, stop - start));
    start = stop + 1;
  }
  return words;
}

// The data length of an auth `set` line (the \r, when present, is still on the line), or
// nullopt when the line is not one.
std::optional<std::uint64_t> AuthDataLength(std::string_view line) {
  const std::vector<std::string_view> words = Words(line);
  if (words.size() < 5 || words[0] != "set") return std::nullopt;
  std::string_view digits = words[4];
  if (digits.ends_with('\r')) digits.remove_suffix(1);
  std::uint64_t length = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return length;
}

// The reply to a complete data block (its \r\n included).
std::string_view CheckData(std::string_view data, SessionContext& context, AuthState& auth) {
  if (!data.ends_with("\r\n")) return kBadTermination;
  const std::vector<std::string_view> words = Words(data.substr(0, data.size() - 2));
  if (words.size() < 2) return kBadFormat;
  ++context.counters.auth_cmds;
  const Authenticator* authenticator = context.config.authenticator;
  if (authenticator != nullptr && authenticator->Check(words[0], words[1])) {
    auth.authenticated = true;
    return kStored;
  }
  ++context.counters.auth_errors;
  return kFailure;
}

std::optional<std::size_t> Step(std::string_view in, SessionContext& context, AuthState& auth,
                                std::string& out) {
  const std::size_t newline = in.find('\n');
  if (newline == std::string_view::npos) {
    if (in.size() <= kMaxAuthLine) return std::nullopt;
    context.close = true;
    return in.size();
  }
  const std::size_t line_size = newline + 1;
  const std::optional<std::uint64_t> length = AuthDataLength(in.substr(0, newline));
  if (!length) {
    ascii::EncodeLine(kUnauthenticated, out);
    return line_size;
  }
  if (*length > kMaxAuthData - 2) {
    context.close = true;
    return in.size();
  }
  const std::size_t data_size = static_cast<std::size_t>(*length) + 2;
  if (in.size() - line_size < data_size) return std::nullopt;
  ascii::EncodeLine(CheckData(in.substr(line_size, data_size), context, auth), out);
  return line_size + data_size;
}

}  // namespace

std::optional<std::size_t> AsciiSignIn(std::string_view in, SessionContext& context,
                                       AuthState& auth, std::string& out) {
  const std::size_t mark = out.size();
  const std::optional<std::size_t> used = Step(in, context, auth, out);
  if (used) {
    context.counters.bytes_read += *used;
    context.counters.bytes_written += out.size() - mark;
  }
  return used;
}

}  // namespace mnemo

// Parsing of the domain verbs: servers, domain_update (a line plus COUNT change lines) and
// clients. Allocation-free like the rest of the parser; the change lines are checked by the
// handler (domains::ParseChanges), which answers a bad one after every line was consumed.
#include "ascii/domain_internal.h"
#include "core/text.h"
#include "mnemo/protocol/domains.h"

namespace mnemo::ascii::internal {
namespace {

constexpr std::string_view kErrorLine = "ERROR";
constexpr std::string_view kBadFormat = "CLIENT_ERROR bad command line format";
constexpr std::string_view kTooManyLines = "CLIENT_ERROR too many domain update lines";

ParseResult Fail(Request& out, std::string_view error, std::size_t consumed,
                 ParseStatus status = ParseStatus::kError) {
  out.error = error;
  return {status, consumed};
}

ParseResult ParseServers(std::string_view line, std::size_t length, Request& out) {
  text::Tokenizer tokens(line);
  tokens.Next();
  const std::string_view name = tokens.Next();
  const std::string_view option = tokens.Next();
  if (name.empty() || !tokens.Done()) return Fail(out, kErrorLine, length);
  if (!domains::ValidName(name) || (!option.empty() && option != "notify")) {
    return Fail(out, kBadFormat, length);
  }
  out.command = Command::kServers;
  out.domain.name = name;
  out.domain.notify = !option.empty();
  return {ParseStatus::kOk, length};
}

// Where the `count` change lines after the command line end: kOk with the bytes they take,
// kIncomplete, or kFatal for a line over the limit.
ParseResult FindChangeLines(std::string_view body, std::uint32_t count,
                            const ParserLimits& limits) {
  std::size_t used = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::optional<text::Line> line = text::FindLine(body.substr(used));
    if (!line) {
      const bool too_long = body.size() - used > limits.max_line_bytes;
      return {too_long ? ParseStatus::kFatal : ParseStatus::kIncomplete, 0};
    }
    if (line->length > limits.max_line_bytes) return {ParseStatus::kFatal, 0};
    used += line->length;
  }
  return {ParseStatus::kOk, used};
}

ParseResult ParseUpdate(std::string_view in, std::string_view line, std::size_t length,
                        const ParserLimits& limits, Request& out) {
  if (text::CountTokens(line) != 4) return Fail(out, kErrorLine, length);
  text::Tokenizer tokens(line);
  tokens.Next();
  const std::string_view name = tokens.Next();
  const std::optional<std::uint64_t> version = text::ParseU64(tokens.Next());
  const std::optional<std::uint64_t> count = text::ParseU64(tokens.Next());
  // Without a count the change lines cannot be told from commands; only the line goes.
  if (!count) return Fail(out, kBadFormat, length);
  if (*count > domains::kMaxUpdateLines) {
    return Fail(out, kTooManyLines, length, ParseStatus::kFatal);
  }
  const auto lines = static_cast<std::uint32_t>(*count);
  const ParseResult body = FindChangeLines(in.substr(length), lines, limits);
  if (body.status == ParseStatus::kIncomplete) return body;
  if (body.status == ParseStatus::kFatal) return Fail(out, "", 0, ParseStatus::kFatal);
  const std::size_t total = length + body.consumed;
  if (!domains::ValidName(name) || !version || *version == 0) {
    return Fail(out, kBadFormat, total);
  }
  out.command = Command::kDomainUpdate;
  out.domain.name = name;
  out.domain.version = *version;
  out.domain.count = lines;
  out.domain.lines = in.substr(length, body.consumed);
  return {ParseStatus::kOk, total};
}

}  // namespace

bool IsDomainVerb(std::string_view word) {
  return word == "servers" || word == "domain_update" || word == "clients";
}

ParseResult ParseDomainRequest(std::string_view in, std::string_view line, std::size_t line_length,
                               const ParserLimits& limits, Request& out) {
  text::Tokenizer tokens(line);
  const std::string_view word = tokens.Next();
  if (word == "servers") return ParseServers(line, line_length, out);
  if (word == "domain_update") return ParseUpdate(in, line, line_length, limits, out);
  if (!tokens.Done()) return Fail(out, kErrorLine, line_length);
  out.command = Command::kClients;
  return {ParseStatus::kOk, line_length};
}

}  // namespace mnemo::ascii::internal

// Client-side reply parser of the classic ASCII protocol. Replies carry no request id, so the
// caller pairs them with its requests in order; this only frames and classifies them.
#include <limits>
#include <optional>
#include <utility>

#include "core/text.h"
#include "mnemo/protocol/ascii.h"

namespace mnemo::ascii {
namespace {

struct FixedReply {
  std::string_view line;
  ReplyKind kind;
};

constexpr FixedReply kFixedReplies[] = {
    {"END", ReplyKind::kEnd},
    {"STORED", ReplyKind::kStored},
    {"NOT_STORED", ReplyKind::kNotStored},
    {"EXISTS", ReplyKind::kExists},
    {"NOT_FOUND", ReplyKind::kNotFound},
    {"DELETED", ReplyKind::kDeleted},
    {"TOUCHED", ReplyKind::kTouched},
    {"OK", ReplyKind::kOk},
    {"RESET", ReplyKind::kReset},
};

constexpr ParseResult kFatal{ParseStatus::kFatal, 0};

// "VALUE <key> <flags> <bytes>[ <cas>]" and its data block.
ParseResult ParseValue(std::string_view in, const text::Line& line, Reply& out) {
  text::Tokenizer tokens(line.line);
  tokens.Next();  // VALUE
  std::string_view key = tokens.Next();
  std::optional<std::uint32_t> flags = text::ParseU32(tokens.Next());
  std::optional<std::uint64_t> bytes = text::ParseU64(tokens.Next());
  std::string_view cas_token = tokens.Next();
  std::optional<std::uint64_t> cas = text::ParseU64(cas_token);
  if (key.empty() || !flags || !bytes || (!cas_token.empty() && !cas) || !tokens.Done()) {
    return kFatal;
  }
  if (*bytes > std::numeric_limits<std::size_t>::max() - line.length - 2) return kFatal;
  const std::size_t total = line.length + static_cast<std::size_t>(*bytes) + 2;
  if (in.size() < total) return {ParseStatus::kIncomplete, 0};
  std::string_view block = in.substr(line.length, total - line.length);
  if (!block.ends_with("\r\n")) return kFatal;
  out.kind = ReplyKind::kValue;
  out.key = key;
  out.client_flags = *flags;
  out.has_cas = cas.has_value();
  out.cas = cas.value_or(0);
  out.data = block.substr(0, block.size() - 2);
  return {ParseStatus::kOk, total};
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// The text after an error word: "ERROR", "ERROR <msg>" or, for shutdown, "ERROR: <msg>".
std::optional<std::string_view> ErrorMessage(std::string_view line, std::string_view word) {
  if (!line.starts_with(word)) return std::nullopt;
  std::string_view rest = line.substr(word.size());
  if (rest.empty()) return rest;
  if (rest.front() != ' ' && rest.front() != ':') return std::nullopt;
  std::size_t start = rest.find_first_not_of(": ");
  return start == std::string_view::npos ? std::string_view{} : rest.substr(start);
}

void ClassifyLine(std::string_view line, Reply& out) {
  for (const FixedReply& fixed : kFixedReplies) {
    if (line == fixed.line) {
      out.kind = fixed.kind;
      return;
    }
  }
  if (line.starts_with("STAT ")) {
    std::string_view rest = line.substr(5);
    std::size_t space = rest.find(' ');
    out.kind = ReplyKind::kStat;
    out.name = rest.substr(0, space);
    out.value = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
    return;
  }
  if (line.starts_with("VERSION ")) {
    out.kind = ReplyKind::kVersion;
    out.message = line.substr(8);
    return;
  }
  if (AllDigits(line)) {
    if (std::optional<std::uint64_t> n = text::ParseU64(line)) {
      out.kind = ReplyKind::kNumber;
      out.number = *n;
      return;
    }
  }
  constexpr std::pair<std::string_view, ReplyKind> kErrors[] = {
      {"ERROR", ReplyKind::kError},
      {"CLIENT_ERROR", ReplyKind::kClientError},
      {"SERVER_ERROR", ReplyKind::kServerError},
  };
  for (const auto& [word, kind] : kErrors) {
    if (std::optional<std::string_view> message = ErrorMessage(line, word)) {
      out.kind = kind;
      out.message = *message;
      return;
    }
  }
  out.kind = ReplyKind::kOther;
  out.message = line;
}

}  // namespace

ParseResult ParseReply(std::string_view in, Reply& out) {
  std::optional<text::Line> line = text::FindLine(in);
  if (!line) {
    return in.size() > kMaxReplyLineBytes ? kFatal : ParseResult{ParseStatus::kIncomplete, 0};
  }
  out = Reply{};
  if (line->line.starts_with("VALUE ")) return ParseValue(in, *line, out);
  ClassifyLine(line->line, out);
  return {ParseStatus::kOk, line->length};
}

}  // namespace mnemo::ascii

// Client-direction reply parsing: one status line, plus the data block after VA.
#include <string_view>

#include "core/text.h"
#include "mnemo/protocol/base64.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::meta {
namespace {

constexpr ParseResult kFatal{ParseStatus::kFatal, 0};
// memcached's -I tops out at 1 GB; anything far beyond is a broken stream, not a value.
constexpr std::uint64_t kMaxValueBytes = std::uint64_t{1} << 40;

ReplyCode CodeOf(std::string_view word) {
  static constexpr ReplyCode kCodes[] = {ReplyCode::kHd, ReplyCode::kVa, ReplyCode::kEn,
                                         ReplyCode::kNs, ReplyCode::kEx, ReplyCode::kNf,
                                         ReplyCode::kMn, ReplyCode::kMe};
  for (ReplyCode code : kCodes) {
    if (word == ReplyCodeText(code)) return code;
  }
  if (word == "ERROR") return ReplyCode::kError;
  if (word == "CLIENT_ERROR") return ReplyCode::kClientError;
  if (word == "SERVER_ERROR") return ReplyCode::kServerError;
  return ReplyCode::kNone;
}

// Splits the return flags; decodes the `k` key when `b` says it is base64.
bool ParseFlags(text::Tokenizer& tokens, Reply& out) {
  for (std::string_view token = tokens.Next(); !token.empty(); token = tokens.Next()) {
    if (out.flag_count == Reply::kMaxFlags) return false;
    out.flags[out.flag_count++] = ReturnFlag{token[0], token.substr(1)};
  }
  auto key = out.Find('k');
  if (!key) return true;
  out.key = *key;
  if (!out.Find('b')) return true;
  auto size = base64::Decode(*key, out.key_storage);
  if (!size) return false;
  out.key = std::string_view(out.key_storage.data(), *size);
  return true;
}

}  // namespace

std::optional<std::string_view> Reply::Find(char letter) const {
  for (std::size_t i = 0; i < flag_count; ++i) {
    if (flags[i].letter == letter) return flags[i].token;
  }
  return std::nullopt;
}

std::optional<std::string_view> Reply::DebugField(std::string_view name) const {
  text::Tokenizer tokens(debug);
  for (std::string_view token = tokens.Next(); !token.empty(); token = tokens.Next()) {
    if (token.size() > name.size() && token.substr(0, name.size()) == name &&
        token[name.size()] == '=') {
      return token.substr(name.size() + 1);
    }
  }
  return std::nullopt;
}

ParseResult ParseReply(std::string_view in, Reply& out) {
  auto line = text::FindLine(in);
  if (!line) return in.size() > kMaxReplyLineBytes ? kFatal : ParseResult{};
  // A caller may reuse `out` after kIncomplete; start clean.
  out.flag_count = 0;
  out.value = out.key = out.debug = out.error = {};
  out.line = line->line;
  text::Tokenizer tokens(line->line);
  out.code = CodeOf(tokens.Next());
  switch (out.code) {
    case ReplyCode::kNone:
      return kFatal;
    case ReplyCode::kError:
    case ReplyCode::kClientError:
    case ReplyCode::kServerError:
      out.error = tokens.Rest();
      return {ParseStatus::kOk, line->length};
    case ReplyCode::kMe:
      out.key = tokens.Next();
      out.debug = tokens.Rest();
      return out.key.empty() ? kFatal : ParseResult{ParseStatus::kOk, line->length};
    case ReplyCode::kVa:
      break;
    default:
      return ParseFlags(tokens, out) ? ParseResult{ParseStatus::kOk, line->length} : kFatal;
  }
  auto size = text::ParseU64(tokens.Next());
  if (!size || *size > kMaxValueBytes) return kFatal;
  if (!ParseFlags(tokens, out)) return kFatal;
  const std::size_t body = static_cast<std::size_t>(*size) + 2;
  if (in.size() - line->length < body) return {};
  if (in.substr(line->length + body - 2, 2) != "\r\n") return kFatal;
  out.value = in.substr(line->length, body - 2);
  return {ParseStatus::kOk, line->length + body};
}

}  // namespace mnemo::meta

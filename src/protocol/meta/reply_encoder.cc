// Server-direction reply rendering. Return flags are written while walking the request's flag
// tokens, so they come back in the order the client sent them, as memcached does.
#include <charconv>
#include <string>

#include "core/text.h"
#include "mnemo/protocol/base64.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::meta {
namespace {

constexpr std::string_view kCrlf = "\r\n";

template <class Number>
void AppendNumber(std::string& out, Number number) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), number);
  (void)ec;  // 24 bytes hold any 64-bit number
  out.append(buffer, static_cast<std::size_t>(end - buffer));
}

template <class Number>
void AppendFlag(std::string& out, char letter, Number number) {
  out += ' ';
  out += letter;
  AppendNumber(out, number);
}

// The decoded key, raw or base64-encoded. Re-encoding (rather than echoing the request's text)
// brings a key sent with trailing junk back canonical, as from memcached.
void AppendKeyText(std::string_view key, bool binary, std::string& out) {
  if (!binary) {
    out += key;
    return;
  }
  char encoded[base64::EncodedSize(kMaxKeyLength)];
  auto size = base64::Encode(key, encoded);
  out.append(encoded, size.value_or(0));
}

// " k<key>", or " k<base64> b" for a binary key.
void AppendKey(std::string_view key, bool binary, std::string& out) {
  out += " k";
  AppendKeyText(key, binary, out);
  if (binary) out += " b";
}

// The flags every reply reflects, item or not: O and k, the key as the request wrote it.
bool AppendReflected(const Request& request, std::string_view token, std::string& out) {
  switch (token[0]) {
    case 'O':
      out += ' ';
      out += token;
      return true;
    case 'k':
      AppendKey(request.key, request.meta.Has('b'), out);
      return true;
    default:
      return false;
  }
}

template <class Visit>
void ForEachToken(const Request& request, Visit visit) {
  text::Tokenizer tokens(request.meta.tokens);
  for (std::string_view token = tokens.Next(); !token.empty(); token = tokens.Next()) {
    visit(token);
  }
}

}  // namespace

std::string_view ReplyCodeText(ReplyCode code) {
  switch (code) {
    case ReplyCode::kHd:
      return "HD";
    case ReplyCode::kVa:
      return "VA";
    case ReplyCode::kEn:
      return "EN";
    case ReplyCode::kNs:
      return "NS";
    case ReplyCode::kEx:
      return "EX";
    case ReplyCode::kNf:
      return "NF";
    case ReplyCode::kMn:
      return "MN";
    case ReplyCode::kMe:
      return "ME";
    default:
      return "";
  }
}

bool QuietHides(const Request& request, ReplyCode code, bool created) {
  if (!request.quiet) return false;
  switch (request.command) {
    case Command::kMetaGet:
      return code == ReplyCode::kEn;
    case Command::kMetaSet:
    case Command::kMetaDelete:
      return code == ReplyCode::kHd;
    case Command::kMetaArithmetic:
      return (code == ReplyCode::kHd || code == ReplyCode::kVa) && !created;
    default:
      return false;
  }
}

void EncodeGetHit(const Request& request, const ItemFacts& item, std::string_view value,
                  std::string& out) {
  const bool with_value = request.meta.Has('v');
  if (with_value) {
    out += "VA ";
    AppendNumber(out, value.size());
  } else {
    out += "HD";
  }
  ForEachToken(request, [&](std::string_view token) {
    switch (token[0]) {
      case 's':
        AppendFlag(out, 's', value.size());
        break;
      case 't':
        AppendFlag(out, 't', item.ttl);
        break;
      case 'c':
        AppendFlag(out, 'c', item.cas);
        break;
      case 'f':
        AppendFlag(out, 'f', item.client_flags);
        break;
      case 'l':
        AppendFlag(out, 'l', item.idle);
        break;
      case 'h':
        AppendFlag(out, 'h', item.fetched ? 1 : 0);
        break;
      case 'k':
        AppendKey(request.key, item.binary_key, out);
        break;
      default:
        AppendReflected(request, token, out);
        break;
    }
  });
  // Z before X before W, and never W with Z: memcached's order.
  if (item.lost) out += " Z";
  if (item.stale) out += " X";
  if (item.win && !item.lost) out += " W";
  out += kCrlf;
  if (with_value) {
    out += value;
    out += kCrlf;
  }
}

void EncodeStatus(const Request& request, ReplyCode code, std::string& out) {
  out += ReplyCodeText(code);
  ForEachToken(request, [&](std::string_view token) { AppendReflected(request, token, out); });
  out += kCrlf;
}

void EncodeStoreReply(const Request& request, ReplyCode code, std::uint64_t cas, std::string& out) {
  out += ReplyCodeText(code);
  ForEachToken(request, [&](std::string_view token) {
    if (token[0] == 'c') {
      AppendFlag(out, 'c', cas);
    } else {
      AppendReflected(request, token, out);
    }
  });
  out += kCrlf;
}

void EncodeArithmeticReply(const Request& request, std::uint64_t number, std::uint64_t cas,
                           std::int64_t ttl, std::string& out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), number);
  (void)ec;
  const std::string_view text(digits, static_cast<std::size_t>(end - digits));
  const bool with_value = request.meta.Has('v');
  if (with_value) {
    out += "VA ";
    AppendNumber(out, text.size());
  } else {
    out += "HD";
  }
  ForEachToken(request, [&](std::string_view token) {
    switch (token[0]) {
      case 'c':
        AppendFlag(out, 'c', cas);
        break;
      case 't':
        AppendFlag(out, 't', ttl);
        break;
      default:
        AppendReflected(request, token, out);
        break;
    }
  });
  out += kCrlf;
  if (with_value) {
    out += text;
    out += kCrlf;
  }
}

void EncodeDebugReply(const Request& request, const DebugFacts& facts, std::string& out) {
  out += "ME ";
  AppendKeyText(request.key, facts.binary_key, out);
  out += " exp=";
  AppendNumber(out, facts.exp);
  out += " la=";
  AppendNumber(out, facts.la);
  out += " cas=";
  AppendNumber(out, facts.cas);
  out += facts.fetched ? " fetch=yes" : " fetch=no";
  out += " cls=";
  AppendNumber(out, facts.slab_class);
  out += " size=";
  AppendNumber(out, facts.size);
  out += kCrlf;
}

void EncodeNoopReply(std::string& out) { out += "MN\r\n"; }

}  // namespace mnemo::meta

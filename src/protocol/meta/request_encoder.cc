// Client-direction request encoding: "<verb> <key> [<datalen>] <flags>*\r\n[<data>\r\n]".
#include <charconv>
#include <string>

#include "mnemo/protocol/base64.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::meta {
namespace {

bool HasLetter(std::span<const Flag> flags, char letter) {
  for (const Flag& flag : flags) {
    if (flag.letter() == letter) return true;
  }
  return false;
}

void AppendKey(std::string_view key, KeyEncoding encoding, std::string& out) {
  if (encoding == KeyEncoding::kText) {
    out += key;
    return;
  }
  char encoded[base64::EncodedSize(kMaxKeyLength)];
  // Longer keys are the caller's error; encode what fits so the server rejects the line.
  auto size = base64::Encode(key.substr(0, kMaxKeyLength), encoded);
  out.append(encoded, size.value_or(0));
}

// The flags, plus the `b` a base64 key needs unless the caller already gave it.
void AppendFlags(std::span<const Flag> flags, KeyEncoding encoding, std::string& out) {
  for (const Flag& flag : flags) {
    out += ' ';
    out += flag.letter();
    out += flag.token();
  }
  if (encoding == KeyEncoding::kBase64 && !HasLetter(flags, 'b')) out += " b";
}

void EncodeKeyCommand(std::string_view verb, std::string_view key, std::span<const Flag> flags,
                      std::string& out, KeyEncoding encoding) {
  out += verb;
  out += ' ';
  AppendKey(key, encoding, out);
  AppendFlags(flags, encoding, out);
  out += "\r\n";
}

}  // namespace

void Flag::SetNumber(std::uint64_t magnitude, bool negative) {
  char* begin = text_.data();
  if (negative) *begin++ = '-';
  auto [end, ec] = std::to_chars(begin, text_.data() + text_.size(), magnitude);
  (void)ec;  // 21 bytes hold a sign and 20 digits
  digits_ = static_cast<std::uint8_t>(end - text_.data());
}

void EncodeGetRequest(std::string_view key, std::span<const Flag> flags, std::string& out,
                      KeyEncoding encoding) {
  EncodeKeyCommand("mg", key, flags, out, encoding);
}

void EncodeSetRequest(std::string_view key, std::string_view value, std::span<const Flag> flags,
                      std::string& out, KeyEncoding encoding) {
  out += "ms ";
  AppendKey(key, encoding, out);
  out += ' ';
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value.size());
  (void)ec;
  out.append(digits, static_cast<std::size_t>(end - digits));
  AppendFlags(flags, encoding, out);
  out += "\r\n";
  out += value;
  out += "\r\n";
}

void EncodeDeleteRequest(std::string_view key, std::span<const Flag> flags, std::string& out,
                         KeyEncoding encoding) {
  EncodeKeyCommand("md", key, flags, out, encoding);
}

void EncodeArithmeticRequest(std::string_view key, std::span<const Flag> flags, std::string& out,
                             KeyEncoding encoding) {
  EncodeKeyCommand("ma", key, flags, out, encoding);
}

void EncodeDebugRequest(std::string_view key, std::string& out, KeyEncoding encoding) {
  // me looks for `b` only right after the key.
  EncodeKeyCommand("me", key, {}, out, encoding);
}

void EncodeNoopRequest(std::string& out) { out += "mn\r\n"; }

}  // namespace mnemo::meta

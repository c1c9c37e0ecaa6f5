// Base64 fuzzer (mnemo/protocol/base64.h), the input used both as bytes to encode and as text
// to decode:
//   - Encode writes exactly EncodedSize(n) alphabet/'=' characters, refuses a buffer one byte
//     short, and Decode (strict) and DecodeLenient both give the original bytes back;
//   - strict Decode of arbitrary text: a success has a length a multiple of 4 and as many
//     bytes as it says, and re-encoding those bytes decodes to them again (the text itself may
//     differ only in the unused bits of the last character);
//   - DecodeLenient of arbitrary text into a buffer of fuzzer-chosen size never writes past
//     that size (the span ends 16 canary bytes before the end of its heap block: a write into
//     those shows as a changed canary, one further as an ASan overflow), and its result
//     matches a model written from the header's description: non-alphabet bytes skipped, a
//     positive multiple of 4 remaining, groups of 4 with '=' as zero, the first group with '='
//     ends decoding, 1 or 2 '=' drop as many bytes and more are an error, an empty result is
//     an error.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "mnemo/protocol/base64.h"

namespace {

namespace base64 = mnemo::base64;

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kCanary = '\x5a';

int Sextet(char c) {
  const std::size_t at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

// The lenient decoder as base64.h describes it, written independently of base64.cc.
std::optional<std::string> ModelLenient(std::string_view in, std::size_t room) {
  std::string chars;
  for (char c : in) {
    if (c == '=' || Sextet(c) >= 0) chars += c;
  }
  if (chars.empty() || chars.size() % 4 != 0) return std::nullopt;
  if (base64::MaxDecodedSize(chars.size()) > room) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < chars.size(); i += 4) {
    std::uint32_t bits = 0;
    std::size_t pads = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = chars[i + j];
      pads += c == '=' ? 1 : 0;
      bits = bits << 6 | static_cast<std::uint32_t>(c == '=' ? 0 : Sextet(c));
    }
    if (pads > 2) return std::nullopt;
    const char group[3] = {static_cast<char>(bits >> 16), static_cast<char>(bits >> 8),
                           static_cast<char>(bits)};
    out.append(group, 3 - pads);
    if (pads > 0) break;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

void CheckEncode(std::string_view bytes) {
  const std::size_t need = base64::EncodedSize(bytes.size());
  std::string text(need + 1, kCanary);
  if (need > 0) FUZZ_CHECK(!base64::Encode(bytes, std::span<char>(text.data(), need - 1)));
  const std::optional<std::size_t> written = base64::Encode(bytes, std::span<char>(text));
  FUZZ_CHECK(written == need && text[need] == kCanary);
  text.resize(need);
  for (char c : text) FUZZ_CHECK(c == '=' || Sextet(c) >= 0);

  std::string back(bytes.size(), '\0');
  FUZZ_CHECK(base64::Decode(text, std::span<char>(back)) == bytes.size() && back == bytes);
  if (bytes.empty()) return;
  std::string lenient(base64::MaxDecodedSize(need), '\0');
  const std::optional<std::size_t> size = base64::DecodeLenient(text, std::span<char>(lenient));
  FUZZ_CHECK(size == bytes.size() && lenient.substr(0, *size) == bytes);
}

void CheckStrictDecode(std::string_view text) {
  std::string out(base64::MaxDecodedSize(text.size()), '\0');
  const std::optional<std::size_t> size = base64::Decode(text, std::span<char>(out));
  if (!size) return;
  FUZZ_CHECK(text.size() % 4 == 0 && base64::EncodedSize(*size) == text.size());
  out.resize(*size);
  std::string again(text.size(), '\0');
  FUZZ_CHECK(base64::Encode(out, std::span<char>(again)) == text.size());
  std::string back(out.size(), '\0');
  FUZZ_CHECK(base64::Decode(again, std::span<char>(back)) == out.size() && back == out);
  FUZZ_CHECK(again.substr(0, again.size() - (again.empty() ? 0 : 4)) ==
             text.substr(0, text.size() - (text.empty() ? 0 : 4)));
}

void CheckLenientDecode(std::string_view text, std::size_t room) {
  constexpr std::size_t kTail = 16;
  std::unique_ptr<char[]> block(new char[room + kTail]);
  std::memset(block.get(), kCanary, room + kTail);
  const std::optional<std::size_t> size =
      base64::DecodeLenient(text, std::span<char>(block.get(), room));
  for (std::size_t i = room; i < room + kTail; ++i) FUZZ_CHECK(block[i] == kCanary);
  const std::optional<std::string> model = ModelLenient(text, room);
  FUZZ_CHECK(size.has_value() == model.has_value());
  if (!size) return;
  FUZZ_CHECK(*size <= room && std::string_view(block.get(), *size) == *model);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the lenient decoder's buffer size around what the text needs.
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  CheckEncode(input);
  CheckStrictDecode(input);
  std::size_t characters = 0;
  for (char c : input) characters += c == '=' || Sextet(c) >= 0 ? 1 : 0;
  const std::size_t need = base64::MaxDecodedSize(characters);
  const std::size_t shifted = need + data[0] % 8;  // need - 4 .. need + 3 bytes of room
  const std::size_t room = shifted >= 4 ? shifted - 4 : 0;
  CheckLenientDecode(input, room);
  return 0;
}

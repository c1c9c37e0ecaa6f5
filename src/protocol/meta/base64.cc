#include "mnemo/protocol/base64.h"

#include <array>
#include <cstdint>

namespace mnemo::base64 {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t kInvalid = 0xff;
constexpr std::uint8_t kPad = 0xfe;

// Maps a character to its 6-bit value, kPad for '=' and kInvalid for anything else.
constexpr std::array<std::uint8_t, 256> MakeTable() {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  }
  table['='] = kPad;
  return table;
}

constexpr std::array<std::uint8_t, 256> kTable = MakeTable();

std::uint8_t Lookup(char c) { return kTable[static_cast<unsigned char>(c)]; }

// Writes the three bytes of one 4-character group (values already 6-bit).
void EmitGroup(const std::uint8_t (&v)[4], char* out) {
  out[0] = static_cast<char>((v[0] << 2) | (v[1] >> 4));
  out[1] = static_cast<char>(((v[1] & 0x0f) << 4) | (v[2] >> 2));
  out[2] = static_cast<char>(((v[2] & 0x03) << 6) | v[3]);
}

}  // namespace

std::optional<std::size_t> Encode(std::string_view in, std::span<char> out) {
  const std::size_t need = EncodedSize(in.size());
  if (out.size() < need) return std::nullopt;
  auto byte = [&in](std::size_t i) { return static_cast<unsigned char>(in[i]); };
  std::size_t o = 0;
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    out[o++] = kAlphabet[byte(i) >> 2];
    out[o++] = kAlphabet[((byte(i) & 0x03) << 4) | (byte(i + 1) >> 4)];
    out[o++] = kAlphabet[((byte(i + 1) & 0x0f) << 2) | (byte(i + 2) >> 6)];
    out[o++] = kAlphabet[byte(i + 2) & 0x3f];
  }
  const std::size_t rest = in.size() - i;
  if (rest > 0) {
    const unsigned second = rest == 2 ? byte(i + 1) : 0;
    out[o++] = kAlphabet[byte(i) >> 2];
    out[o++] = kAlphabet[((byte(i) & 0x03) << 4) | (second >> 4)];
    out[o++] = rest == 2 ? kAlphabet[(second & 0x0f) << 2] : '=';
    out[o++] = '=';
  }
  return o;
}

std::optional<std::size_t> Decode(std::string_view in, std::span<char> out) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  if (!in.empty() && in.back() == '=') pad = in.size() >= 2 && in[in.size() - 2] == '=' ? 2 : 1;
  const std::size_t decoded = in.size() / 4 * 3 - pad;
  if (out.size() < decoded) return std::nullopt;
  char group[3];
  std::size_t o = 0;
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    std::uint8_t v[4];
    for (std::size_t j = 0; j < 4; ++j) {
      v[j] = Lookup(in[i + j]);
      const bool padding_slot = last && j >= 4 - pad;
      if (v[j] == kPad && padding_slot) {
        v[j] = 0;
      } else if (v[j] == kPad || v[j] == kInvalid) {
        return std::nullopt;
      }
    }
    EmitGroup(v, group);
    const std::size_t keep = last ? 3 - pad : 3;
    for (std::size_t j = 0; j < keep; ++j) out[o++] = group[j];
  }
  return o;
}

std::optional<std::size_t> DecodeLenient(std::string_view in, std::span<char> out) {
  std::size_t count = 0;
  for (char c : in) count += Lookup(c) != kInvalid ? 1 : 0;
  if (count == 0 || count % 4 != 0 || MaxDecodedSize(count) > out.size()) return std::nullopt;
  std::uint8_t v[4];
  std::size_t filled = 0;
  std::size_t pad = 0;
  std::size_t o = 0;
  for (char c : in) {
    std::uint8_t value = Lookup(c);
    if (value == kInvalid) continue;
    if (value == kPad) {
      ++pad;
      value = 0;
    }
    v[filled++] = value;
    if (filled < 4) continue;
    EmitGroup(v, out.data() + o);
    o += 3;
    filled = 0;
    if (pad == 0) continue;
    if (pad > 2) return std::nullopt;
    o -= pad;
    break;
  }
  if (o == 0) return std::nullopt;
  return o;
}

}  // namespace mnemo::base64

// CRC-32 (IEEE, reflected polynomial 0xEDB88320) folded as libhashkit folds it: the top half of
// the final value, 15 bits. twemproxy's "crc32" is the same; its "crc32a" (the full value) is
// not offered.
#include <array>

#include "hashing/hashing.h"

namespace mnemo::client::hashing {
namespace {

constexpr std::array<std::uint32_t, 256> MakeTable() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<std::uint32_t, 256> kTable = MakeTable();

}  // namespace

std::uint32_t Crc32(std::string_view key) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (char c : key) crc = kTable[(crc ^ static_cast<unsigned char>(c)) & 0xFF] ^ (crc >> 8);
  return ((~crc) >> 16) & 0x7FFF;
}

}  // namespace mnemo::client::hashing

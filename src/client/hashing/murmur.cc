// MurmurHash2 (32-bit) with the seed libhashkit and twemproxy derive from the key length. Bytes
// are read unsigned here, little-endian four at a time.
#include <cstddef>

#include "hashing/hashing.h"

namespace mnemo::client::hashing {

std::uint32_t Murmur(std::string_view key) {
  constexpr std::uint32_t kM = 0x5BD1E995u;
  const auto length = static_cast<std::uint32_t>(key.size());
  std::uint32_t h = (0xDEADBEEFu * length) ^ length;
  const auto* p = reinterpret_cast<const unsigned char*>(key.data());
  std::size_t left = key.size();
  for (; left >= 4; left -= 4, p += 4) {
    std::uint32_t k = p[0] | static_cast<std::uint32_t>(p[1]) << 8 |
                      static_cast<std::uint32_t>(p[2]) << 16 |
                      static_cast<std::uint32_t>(p[3]) << 24;
    k *= kM;
    k ^= k >> 24;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  switch (left) {
    case 3:
      h ^= static_cast<std::uint32_t>(p[2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<std::uint32_t>(p[1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= p[0];
      h *= kM;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return h;
}

}  // namespace mnemo::client::hashing

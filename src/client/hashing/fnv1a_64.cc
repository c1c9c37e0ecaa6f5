// "fnv1a_64" as libhashkit and twemproxy compute it: FNV-1a in 32-bit arithmetic with the low
// halves of the 64-bit offset basis and prime. It is not real FNV-1a/64 and spreads keys badly,
// but matching the originals is the point.
#include "hashing/hashing.h"

namespace mnemo::client::hashing {

std::uint32_t Fnv1a_64(std::string_view key) {
  std::uint32_t h = 0x84222325u;
  for (char c : key) {
    h ^= SignedByte(c);
    h *= 0x000001B3u;
  }
  return h;
}

}  // namespace mnemo::client::hashing

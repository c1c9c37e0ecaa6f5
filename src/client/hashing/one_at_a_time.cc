// Bob Jenkins' one-at-a-time hash, libmemcached's default key hash. Each byte enters as a
// sign-extended char, which is what moves non-ASCII keys in the originals.
#include "hashing/hashing.h"

namespace mnemo::client::hashing {

std::uint32_t OneAtATime(std::string_view key) {
  std::uint32_t h = 0;
  for (char c : key) {
    h += SignedByte(c);
    h += h << 10;
    h ^= h >> 6;
  }
  h += h << 3;
  h ^= h >> 11;
  h += h << 15;
  return h;
}

}  // namespace mnemo::client::hashing

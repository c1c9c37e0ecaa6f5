// FNV-1a, 32 bits: xor the (sign-extended) byte, then multiply.
#include "hashing/hashing.h"

namespace mnemo::client::hashing {

std::uint32_t Fnv1a_32(std::string_view key) {
  std::uint32_t h = 0x811C9DC5u;
  for (char c : key) {
    h ^= SignedByte(c);
    h *= 0x01000193u;
  }
  return h;
}

}  // namespace mnemo::client::hashing

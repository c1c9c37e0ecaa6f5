// FNV-1, 32 bits: multiply, then xor the (sign-extended) byte.
#include "hashing/hashing.h"

namespace mnemo::client::hashing {

std::uint32_t Fnv1_32(std::string_view key) {
  std::uint32_t h = 0x811C9DC5u;
  for (char c : key) {
    h *= 0x01000193u;
    h ^= SignedByte(c);
  }
  return h;
}

}  // namespace mnemo::client::hashing

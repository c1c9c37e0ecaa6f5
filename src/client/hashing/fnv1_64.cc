// FNV-1 in 64-bit arithmetic, returning the low 32 bits. Only the low 32 bits of the state
// reach the result, so the sign extension of a byte matters only there.
#include "hashing/hashing.h"

namespace mnemo::client::hashing {

std::uint32_t Fnv1_64(std::string_view key) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (char c : key) {
    h *= 0x00000100000001B3ull;
    h ^= static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<signed char>(c)));
  }
  return static_cast<std::uint32_t>(h);
}

}  // namespace mnemo::client::hashing

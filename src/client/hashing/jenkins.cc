// Bob Jenkins' lookup3 "hashlittle" with the initial value 13 that libhashkit and twemproxy use.
// On little-endian machines its word-at-a-time and byte-at-a-time paths agree, so the key is
// read as zero-padded little-endian words. An empty key skips the final mix, as in lookup3.
#include <cstddef>

#include "hashing/hashing.h"

namespace mnemo::client::hashing {
namespace {

constexpr std::uint32_t kInitValue = 13;

constexpr std::uint32_t Rot(std::uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

// One line of lookup3's mix(): x -= z; x ^= rot(z, r); z += y.
void MixStep(std::uint32_t& x, std::uint32_t& z, std::uint32_t y, int r) {
  x -= z;
  x ^= Rot(z, r);
  z += y;
}

void Mix(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c) {
  MixStep(a, c, b, 4);
  MixStep(b, a, c, 6);
  MixStep(c, b, a, 8);
  MixStep(a, c, b, 16);
  MixStep(b, a, c, 19);
  MixStep(c, b, a, 4);
}

// One line of lookup3's final(): x ^= y; x -= rot(y, r).
void FinalStep(std::uint32_t& x, std::uint32_t y, int r) {
  x ^= y;
  x -= Rot(y, r);
}

void Final(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c) {
  FinalStep(c, b, 14);
  FinalStep(a, c, 11);
  FinalStep(b, a, 25);
  FinalStep(c, b, 16);
  FinalStep(a, c, 4);
  FinalStep(b, a, 14);
  FinalStep(c, b, 24);
}

// Little-endian word at byte `offset` of `block`, zero past its end.
std::uint32_t Word(std::string_view block, std::size_t offset) {
  std::uint32_t w = 0;
  for (std::size_t i = 0; i < 4 && offset + i < block.size(); ++i) {
    w |= static_cast<std::uint32_t>(static_cast<unsigned char>(block[offset + i])) << (8 * i);
  }
  return w;
}

}  // namespace

std::uint32_t Jenkins(std::string_view key) {
  std::uint32_t a = 0xDEADBEEFu + static_cast<std::uint32_t>(key.size()) + kInitValue;
  std::uint32_t b = a;
  std::uint32_t c = a;
  while (key.size() > 12) {
    a += Word(key, 0);
    b += Word(key, 4);
    c += Word(key, 8);
    Mix(a, b, c);
    key.remove_prefix(12);
  }
  if (key.empty()) return c;
  a += Word(key, 0);
  b += Word(key, 4);
  c += Word(key, 8);
  Final(a, b, c);
  return c;
}

}  // namespace mnemo::client::hashing

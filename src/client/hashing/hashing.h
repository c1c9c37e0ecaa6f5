// The key hashes libmemcached (libhashkit) and twemproxy offer, each reproducing the original's
// 32-bit result bit for bit, quirks included: one_at_a_time and the fnv family read bytes as
// signed char (x86), so bytes >= 0x80 are sign-extended before mixing; fnv1a_64 runs in 32-bit
// arithmetic; crc32 keeps 15 bits. ../../../shared/hashing.md describes them; the vectors in
// tests/data/hashes_libhashkit.tsv pin them. One algorithm per .cc file.
// Thread safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "mnemo/client/options.h"

namespace mnemo::client::hashing {

std::uint32_t OneAtATime(std::string_view key);
std::uint32_t Md5(std::string_view key);  // digest bytes 0..3, little-endian
std::uint32_t Crc32(std::string_view key);
std::uint32_t Fnv1_32(std::string_view key);
std::uint32_t Fnv1a_32(std::string_view key);
std::uint32_t Fnv1_64(std::string_view key);
std::uint32_t Fnv1a_64(std::string_view key);
std::uint32_t Murmur(std::string_view key);
std::uint32_t Jenkins(std::string_view key);

// The whole MD5 digest as four little-endian words (word k = bytes 4k..4k+3): ketama's points.
std::array<std::uint32_t, 4> Md5Words(std::string_view text);

// Dispatches on `hash`.
std::uint32_t HashKey(Hash hash, std::string_view key);

// A byte as the originals see it through a (signed) `char`: sign-extended to 32 bits.
inline std::uint32_t SignedByte(char c) {
  return static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<signed char>(c)));
}

}  // namespace mnemo::client::hashing

// Base64 (RFC 4648, standard alphabet, '=' padding) for meta-protocol keys: a client sends a
// binary key base64-encoded with the `b` flag and the server echoes keys back the same way.
// Every function writes into a caller-owned buffer and never allocates.
//
// Two decoders exist because memcached's own is lenient and a compatible server must accept
// (and reject) exactly the keys memcached does; clients decoding server replies use the strict
// one. Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace mnemo::base64 {

// Characters Encode() produces for `n` input bytes (padding included).
constexpr std::size_t EncodedSize(std::size_t n) { return (n + 2) / 3 * 4; }

// Upper bound of the bytes `n` base64 characters decode to.
constexpr std::size_t MaxDecodedSize(std::size_t n) { return n / 4 * 3; }

// Encodes `in` into the front of `out`. Returns the characters written, or nullopt when `out`
// is shorter than EncodedSize(in.size()).
std::optional<std::size_t> Encode(std::string_view in, std::span<char> out);

// Strict RFC 4648 decoding: the length is a multiple of 4, every character is in the alphabet
// and '=' appears only as the last one or two characters. Returns the bytes written to `out`,
// or nullopt for malformed input or when `out` is too small. "" decodes to 0 bytes.
std::optional<std::size_t> Decode(std::string_view in, std::span<char> out);

// memcached 1.6's key decoder, reproduced for compatibility: bytes outside the alphabet are
// skipped; the remaining characters ('=' included) must be a positive multiple of 4; they are
// decoded four at a time, '=' counting as zero, and the first group holding '=' ends decoding
// (one '=' drops one output byte, two drop two, more are an error). So "Zm9v!YmFy" decodes
// like "Zm9vYmFy", and "Zm9vYg==Zm9v" to "foob". Returns the bytes written, or nullopt on an
// error, an empty result, or when `out` has less than MaxDecodedSize(characters) room.
std::optional<std::size_t> DecodeLenient(std::string_view in, std::span<char> out);

}  // namespace mnemo::base64

// Keys: memcached keys are at most 250 bytes. HashedKey carries the key's hash so that it is
// computed once per request and passed down to every engine layer.
// Thread safety: value types; a HashedKey borrows the key bytes for as long as the request lives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace mnemo {

inline constexpr std::size_t kMaxKeyLength = 250;

class HashedKey {
 public:
  explicit HashedKey(std::string_view key)
      : key_(key), hash_(std::hash<std::string_view>{}(key)) {}
  HashedKey(std::string_view key, std::uint64_t hash) : key_(key), hash_(hash) {}

  std::string_view key() const { return key_; }
  std::uint64_t hash() const { return hash_; }

 private:
  std::string_view key_;
  std::uint64_t hash_;
};

}  // namespace mnemo

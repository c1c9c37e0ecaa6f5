// Maps by key for the SQLite engine's in-memory state: a hash that looks up std::string keys
// by string_view without a copy, and a map split into mutex-guarded shards so that threads
// working on different keys rarely meet. The maps are Abseil's open-addressing tables: a lookup
// costs about two cache misses where std::unordered_map's node chains cost four or five, and
// these lookups were the largest part of the writer's and the cached gets' own CPU time
// (docs/BENCHMARKS.md, section 5).
//
// Thread safety: KeyedShards only hands out shards; callers hold a shard's mutex while they
// use its map.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace mnemo::sqlite {

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

template <class Value>
using KeyMap = absl::flat_hash_map<std::string, Value, KeyHash, std::equal_to<>>;

// The shard of a key among `shards` (at most 256): from the hash's top bits, since the tables
// place keys by its low bits and a shard's keys would otherwise share them.
inline std::size_t ShardOf(std::string_view key, std::size_t shards) {
  return (KeyHash{}(key) >> 56) % shards;
}

template <class Value, std::size_t kShards = 16>
class KeyedShards {
 public:
  struct Shard {
    mutable std::mutex mu;
    KeyMap<Value> entries;  // guarded by mu
  };

  Shard& For(std::string_view key) { return shards_[ShardOf(key, kShards)]; }
  const Shard& For(std::string_view key) const { return shards_[ShardOf(key, kShards)]; }
  Shard& at(std::size_t i) { return shards_[i]; }
  const Shard& at(std::size_t i) const { return shards_[i]; }
  static constexpr std::size_t size() { return kShards; }

 private:
  std::array<Shard, kShards> shards_;
};

}  // namespace mnemo::sqlite

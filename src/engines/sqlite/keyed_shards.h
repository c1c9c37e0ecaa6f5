// Maps by key for the SQLite engine's in-memory state: a hash that looks up std::string keys
// by string_view without a copy, and a map split into mutex-guarded shards so that threads
// working on different keys rarely meet.
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
#include <unordered_map>

namespace mnemo::sqlite {

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

template <class Value>
using KeyMap = std::unordered_map<std::string, Value, KeyHash, std::equal_to<>>;

template <class Value, std::size_t kShards = 16>
class KeyedShards {
 public:
  struct Shard {
    mutable std::mutex mu;
    KeyMap<Value> entries;  // guarded by mu
  };

  Shard& For(std::string_view key) { return shards_[KeyHash{}(key) % kShards]; }
  const Shard& For(std::string_view key) const { return shards_[KeyHash{}(key) % kShards]; }
  Shard& at(std::size_t i) { return shards_[i]; }
  const Shard& at(std::size_t i) const { return shards_[i]; }
  static constexpr std::size_t size() { return kShards; }

 private:
  std::array<Shard, kShards> shards_;
};

}  // namespace mnemo::sqlite

#include "engines/sqlite/access_overlay.h"

#include <algorithm>

namespace mnemo::sqlite {

void AccessOverlay::Bump(std::string_view key, std::int64_t seq, std::int64_t now) {
  Shard& shard = shards_.For(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end()) {
    if (size() >= kMaxEntries) return;
    shard.entries.emplace(std::string(key), Access{seq, now, true});
    size_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  Access& access = it->second;
  if (access.seq > seq) return;  // the caller read an older version of the row
  if (access.seq < seq) access = Access{seq, now, true};
  access.last_access = std::max(access.last_access, now);
  access.fetched = true;
}

bool AccessOverlay::Merge(std::string_view key, Row& row) const {
  std::optional<Access> access = Find(key, row.seq);
  if (!access) return false;
  row.last_access = std::max(row.last_access, access->last_access);
  row.fetched = row.fetched || access->fetched;
  return true;
}

std::optional<AccessOverlay::Access> AccessOverlay::Find(std::string_view key,
                                                         std::int64_t seq) const {
  const Shard& shard = shards_.For(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end() || it->second.seq != seq) return std::nullopt;
  return it->second;
}

std::vector<AccessOverlay::Entry> AccessOverlay::Take(std::size_t limit) {
  std::vector<Entry> taken;
  for (std::size_t visited = 0; visited < Shards::size() && taken.size() < limit; ++visited) {
    Shard& shard = shards_.at(cursor_);
    {
      std::lock_guard lock(shard.mu);
      for (const auto& [key, access] : shard.entries) {
        if (taken.size() >= limit) break;
        taken.push_back(Entry{key, access});
      }
    }
    // Stay on a shard that had more than fit, so that no shard starves.
    if (taken.size() < limit) cursor_ = (cursor_ + 1) % Shards::size();
  }
  return taken;
}

void AccessOverlay::Forget(const std::vector<Entry>& absorbed) {
  for (const Entry& entry : absorbed) {
    Shard& shard = shards_.For(entry.key);
    std::lock_guard lock(shard.mu);
    auto it = shard.entries.find(entry.key);
    if (it == shard.entries.end() || !(it->second == entry.access)) continue;
    shard.entries.erase(it);
    size_.fetch_sub(1, std::memory_order_relaxed);
  }
}

}  // namespace mnemo::sqlite

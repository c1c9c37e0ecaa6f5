#include "server/engine_factory.h"

#include "common/system_clock.h"
#include "engines/memory/memory_engine.h"
#include "engines/proxy/proxy_engine.h"
#include "engines/sqlite/sqlite_engine.h"

namespace mnemo::server {
namespace {

Durability ToDurability(DurabilityMode mode) {
  switch (mode) {
    case DurabilityMode::kFull:
      return Durability::kFull;
    case DurabilityMode::kOff:
      return Durability::kOff;
    case DurabilityMode::kNormal:
      break;
  }
  return Durability::kNormal;
}

Result<void> CreateMemory(const ServerConfig& config, EngineHandle& handle) {
  if (config.cache_mb.value_or(0) != 0) {
    return Error{"--cache-mb: only the sqlite engine has a memory cache"};
  }
  MemoryEngineConfig memory;
  memory.memory_limit_bytes = static_cast<std::size_t>(config.max_bytes);
  memory.item_size_max = static_cast<std::size_t>(config.item_size_max);
  memory.evict = config.evictions;
  auto engine = std::make_unique<MemoryEngine>(*handle.clock, memory);
  MemoryEngine* raw = engine.get();
  handle.set_memory_limit = [raw](std::uint64_t bytes) {
    raw->SetMemoryLimit(static_cast<std::size_t>(bytes));
  };
  handle.save_snapshot = [raw](const std::string& path) { return SaveSnapshot(*raw, path); };
  handle.load_snapshot = [raw](const std::string& path) { return LoadSnapshot(*raw, path); };
  handle.engine = std::move(engine);
  return {};
}

Result<void> CreateSqlite(const ServerConfig& config, EngineHandle& handle) {
  SqliteEngineConfig sqlite;
  sqlite.path = config.engine.target;
  sqlite.durability = ToDurability(config.durability);
  sqlite.size_limit_bytes = static_cast<std::size_t>(config.max_bytes);
  sqlite.evict = config.evictions;
  sqlite.item_size_max = static_cast<std::size_t>(config.item_size_max);
  sqlite.cache_mb = static_cast<std::size_t>(
      config.cache_mb.value_or(sqlite.path == ":memory:" ? 0 : kDefaultCacheMb));
  if (sqlite.cache_mb != 0 && sqlite.path == ":memory:") {
    return Error{"--cache-mb: a :memory: database is in memory already; give a file"};
  }
  Result<std::unique_ptr<SqliteEngine>> opened = SqliteEngine::Open(*handle.clock, sqlite);
  if (!opened) return opened.error();
  SqliteEngine* engine = opened->get();
  handle.async_calls_for = [engine](asio::io_context& loop) { return engine->ForLoop(loop); };
  handle.engine = std::move(*opened);
  // Still needed: flush_all, stats and the other requests sessions do not capture run there.
  handle.offload = std::make_unique<OffloadPool>();
  return {};
}

// The engine's calls wait for upstreams. What sessions capture goes out from the network
// workers through each worker's ForLoop links (async_calls_for); the offload pool stays for
// what is never captured (flush_all, stats), as with sqlite.
Result<void> CreateProxy(const ServerConfig& config, EngineHandle& handle) {
  Result<std::unique_ptr<proxy::ProxyEngine>> created =
      proxy::ProxyEngine::Create(*handle.clock, config.engine.target);
  if (!created) return Error{"--engine " + created.error().message};
  proxy::ProxyEngine* engine = created->get();
  handle.engine = std::move(*created);
  handle.async_calls_for = [engine](asio::io_context& io) { return engine->ForLoop(io); };
  handle.offload = std::make_unique<OffloadPool>();
  return {};
}

}  // namespace

Result<EngineHandle> CreateEngine(const ServerConfig& config) {
  EngineHandle handle;
  handle.clock = std::make_unique<SystemClock>();
  Result<void> created;
  switch (config.engine.kind) {
    case EngineKind::kMemory:
      created = CreateMemory(config, handle);
      break;
    case EngineKind::kSqlite:
      created = CreateSqlite(config, handle);
      break;
    case EngineKind::kProxy:
      created = CreateProxy(config, handle);
      break;
  }
  if (!created) return created.error();
  return handle;
}

}  // namespace mnemo::server

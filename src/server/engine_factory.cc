#include "server/engine_factory.h"

#include "common/system_clock.h"
#include "engines/memory/memory_engine.h"

namespace mnemo::server {

Result<EngineHandle> CreateEngine(const ServerConfig& config) {
  EngineHandle handle;
  handle.clock = std::make_unique<SystemClock>();
  switch (config.engine.kind) {
    case EngineKind::kMemory: {
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
      return handle;
    }
    case EngineKind::kSqlite:
      return Error{"--engine sqlite: this build of mnemod has no sqlite engine"};
    case EngineKind::kProxy:
      return Error{"--engine proxy: this build of mnemod has no proxy engine"};
  }
  return Error{"unknown engine"};
}

}  // namespace mnemo::server

// The engines the conformance suite runs against. A new engine joins with one line here (and
// its library in CMakeLists.txt).
#include <memory>

#include "engine_test.h"
#include "engines/map/map_engine.h"
#include "engines/memory/memory_engine.h"
#include "engines/sqlite/testing/temp_sqlite.h"

namespace mnemo::conformance {

const std::vector<EngineFactory>& AllEngines() {
  static const std::vector<EngineFactory> engines = {
      {"Map", [](const Clock& clock) { return std::make_unique<MapEngine>(clock); }},
      {"Memory",
       [](const Clock& clock) {
         return std::make_unique<MemoryEngine>(clock, MemoryEngineConfig{});
       }},
      {"SqliteMemory",
       [](const Clock& c) { return OpenScratchEngine(c, sqlite::testing::Scratch::kMemory); }},
      {"SqliteFile",
       [](const Clock& c) { return OpenScratchEngine(c, sqlite::testing::Scratch::kFile); }},
      {"SqliteFileCache",
       [](const Clock& c) { return OpenScratchEngine(c, sqlite::testing::Scratch::kFileCache); }},
  };
  return engines;
}

std::string EngineName(const ::testing::TestParamInfo<EngineFactory>& info) {
  return info.param.name;
}

void PrintTo(const EngineFactory& factory, std::ostream* os) { *os << factory.name; }

}  // namespace mnemo::conformance

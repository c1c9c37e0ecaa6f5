// Logger: mnemod's diagnostics on stderr, gated by memcached's verbosity levels (-v: errors
// and warnings, -vv: connection events and the commands clients send, -vvv: more detail). The
// level changes at run time through the `verbosity` command.
//
// Thread safety: every method may be called from any thread; a line is written whole (one
// write(2) per line), so lines of different workers never interleave.
#pragma once

#include <atomic>
#include <string_view>

namespace mnemo::server {

inline constexpr int kLogWarnings = 1;  // -v
inline constexpr int kLogEvents = 2;    // -vv
inline constexpr int kLogDetail = 3;    // -vvv

class Logger {
 public:
  explicit Logger(int level) : level_(level) {}

  int level() const { return level_.load(std::memory_order_relaxed); }
  void set_level(int level) { level_.store(level, std::memory_order_relaxed); }
  // Cheap enough for hot paths: callers test it before formatting a message.
  bool enabled(int level) const { return this->level() >= level; }

  // Writes `line` and a newline to stderr when the level is at least `level`.
  void Log(int level, std::string_view line) const;

 private:
  std::atomic<int> level_;
};

}  // namespace mnemo::server

// Session: the sans-I/O driver of one client connection. Bytes in, engine calls, reply bytes
// out; it owns no socket, thread or timer, so the same code runs in mnemod, in the examples and
// in tests. It detects the protocol from the first byte (0x80 = binary), handles pipelining
// (every complete request in the input is executed, replies appended in order) and gives every
// request exactly one reply, or none where noreply/quiet says so.
//
// Thread safety: a Session is used by one thread at a time. The Engine it drives must be safe
// for the number of sessions sharing it; CommandCounters may be shared by the sessions of one
// thread only (the server keeps one per worker and sums them on read).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mnemo/engine.h"
#include "mnemo/protocol/request.h"

namespace mnemo {

enum class ProtocolMode : std::uint8_t { kAuto, kAscii, kBinary };

struct SessionConfig {
  ProtocolMode protocol = ProtocolMode::kAuto;
  std::string version = "1.6.18";  // what `version` answers
  std::size_t item_size_max = 1024 * 1024;  // -I
  bool cas_enabled = true;        // -C turns it off: every CAS reads as 0
  bool flush_enabled = true;      // -F turns it off
  bool dump_enabled = true;       // -X turns off cachedump and metadump
  bool shutdown_enabled = false;  // -A
  bool sasl_required = false;     // -S: binary only, every command after auth
};

// Per-connection-thread command counters behind `stats` (memcached's names).
struct CommandCounters {
  std::uint64_t cmd_get = 0, cmd_set = 0, cmd_flush = 0, cmd_touch = 0, cmd_meta = 0;
  std::uint64_t get_hits = 0, get_misses = 0, get_expired = 0, get_flushed = 0;
  std::uint64_t delete_hits = 0, delete_misses = 0;
  std::uint64_t incr_hits = 0, incr_misses = 0, decr_hits = 0, decr_misses = 0;
  std::uint64_t cas_hits = 0, cas_misses = 0, cas_badval = 0;
  std::uint64_t touch_hits = 0, touch_misses = 0;
  std::uint64_t store_too_large = 0, store_no_memory = 0;
  std::uint64_t auth_cmds = 0, auth_errors = 0;
  std::uint64_t bytes_read = 0, bytes_written = 0;

  void Add(const CommandCounters& other);
};

// What the process around a session provides: server-level stats, shutdown, verbosity.
// Every method has a default so a minimal server needs none of them.
class SessionHooks {
 public:
  virtual ~SessionHooks() = default;
  // Server-level fields for a stats group: for "" the ones memcached prints before its command
  // counters (pid, uptime, time, version, ..., connections); "settings", "conns" and others.
  // Returns false for a group the server does not know.
  virtual bool Stats(std::string_view group, StatSink sink);
  // The command counters to report: by default this session's own.
  virtual CommandCounters TotalCounters(const CommandCounters& own) { return own; }
  virtual void ResetStats() {}
  virtual void Verbosity(int /*level*/) {}
  // `shutdown` when enabled: the server stops (graceful: after saving a snapshot).
  virtual void Shutdown(bool /*graceful*/) {}
  // `cache_memlimit`: returns false if the engine cannot change its limit.
  virtual bool SetMemoryLimit(std::uint64_t /*megabytes*/) { return true; }
};

class Session {
 public:
  // engine, config, counters and hooks must outlive the session; hooks may be null.
  Session(Engine& engine, const SessionConfig& config, CommandCounters& counters,
          SessionHooks* hooks = nullptr);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Executes every complete request at the front of `input`, appending replies to `output`.
  // Returns how many bytes were consumed; the caller drops them and calls again with the rest
  // plus new bytes. Once closing() is true, the caller sends `output` and closes.
  std::size_t Process(std::string_view input, std::string& output);

  bool closing() const { return closing_; }
  Protocol protocol() const { return protocol_; }

 private:
  Engine& engine_;
  const SessionConfig& config_;
  CommandCounters& counters_;
  SessionHooks* hooks_;
  SessionHooks default_hooks_;
  ProtocolMode mode_;
  Protocol protocol_ = Protocol::kAscii;
  bool protocol_known_ = false;
  bool closing_ = false;
  std::size_t skip_bytes_ = 0;  // rest of an oversize value still to swallow
};

}  // namespace mnemo

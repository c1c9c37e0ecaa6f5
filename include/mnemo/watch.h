// Live log streams (memcached's `watch`): the events a session reports while someone watches,
// and the flags a watcher asks for. libmnemo only reports what its requests did; keeping
// watchers, formatting their lines and writing them to sockets is the host's business
// (mnemod's is src/server/watch_bus.h).
//
// Cost when nobody watches: a session asks SessionHooks::Watching() once per Process call and
// reports nothing when it returns null, so a host answers with one relaxed atomic load.
//
// Thread safety: a WatchSink is called by every session that drives requests, on whatever
// threads those run, at once; implementations must be safe for that. Events hold views into
// the session's request or the engine's item and are valid only during the call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mnemo/protocol/response.h"

namespace mnemo {

// What `watch` asks for; several may be combined. The names are memcached's arguments.
enum WatchFlag : std::uint32_t {
  kWatchFetchers = 1u << 0,   // item_get: every lookup (gets, touches, incr/decr, deletes)
  kWatchMutations = 1u << 1,  // item_store: every store attempt and its outcome
  kWatchEvictions = 1u << 2,  // eviction: an item pushed out for room
  // Accepted as memcached 1.6.18 accepts them; mnemod reports none of these events.
  kWatchConnEvents = 1u << 3,
  kWatchProxyReqs = 1u << 4,
  kWatchProxyEvents = 1u << 5,
  kWatchProxyUser = 1u << 6,
  kWatchRawCmds = 1u << 7,
  kWatchSysEvents = 1u << 8,
};

// The host's answer to a valid `watch` request.
enum class WatchStart : std::uint8_t {
  kStarted,   // OK; the connection is now a stream and its input is no longer read
  kNoStream,  // OK, but the host streams nothing: the connection stays an ordinary one
  kDisabled,  // -W: "CLIENT_ERROR watch commands not allowed"
  kTooMany,   // "WATCHER_TOO_MANY log watcher limit reached"
};

// memcached's item_get statuses.
enum class FetchStatus : std::uint8_t { kNotFound, kFound, kFlushed, kExpired };

// memcached's item_store command names (cas: any store that compared a CAS).
enum class StoreCommand : std::uint8_t { kAdd, kSet, kReplace, kAppend, kPrepend, kCas };

struct FetchEvent {
  std::string_view key;
  FetchStatus status = FetchStatus::kNotFound;
  std::uint32_t slab_class = 0;  // memcached's clsid: 0 on a miss
  std::uint32_t value_size = 0;  // 0 on a miss
  int client_fd = -1;            // Session::set_client_fd
};

struct StoreEvent {
  std::string_view key;
  StoreStatus status = StoreStatus::kNotStored;
  StoreCommand command = StoreCommand::kSet;
  std::uint32_t ttl = 0;  // seconds left (wrapping as memcached's unsigned field); 0 = never
  std::uint32_t slab_class = 0;
  std::uint32_t value_size = 0;
  int client_fd = -1;
};

class WatchSink {
 public:
  virtual ~WatchSink() = default;
  virtual void ItemGet(const FetchEvent& event) = 0;
  virtual void ItemStore(const StoreEvent& event) = 0;
};

// memcached's slab class (clsid in watch lines) of an item of this key, value size and flags.
std::uint32_t MemcachedSlabClass(std::string_view key, std::size_t value_size,
                                 std::uint32_t client_flags);

// Parses the arguments of `watch` (after the verb). No argument means fetchers, as in
// memcached. Returns 0 for an unknown name (the reply is ERROR).
std::uint32_t ParseWatchFlags(std::string_view args);

}  // namespace mnemo

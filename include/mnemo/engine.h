// The storage engine interface: one method per operation, shared by the classic ASCII, meta
// and binary protocols. Everything protocol-specific (parsing, reply bytes, noreply/quiet)
// stays in the session; an engine only stores items.
//
// Time: requests carry exptime as on the wire (0 = never, 1..2592000 relative seconds, larger
// absolute unix time, negative = already expired); engines convert with ToDeadline() from
// mnemo/item_rules.h using their Clock, so that tests can drive time without sleeping.
//
// Thread safety: every method may be called concurrently from any number of threads unless an
// engine documents otherwise (the map engine serialises with one mutex). Visitor callbacks run
// while the engine may hold internal locks: they must not call back into the engine.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "mnemo/function_ref.h"
#include "mnemo/key.h"
#include "mnemo/protocol/response.h"

namespace mnemo {

// Seconds since the unix epoch. Engines read time only through this, never from the system.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t Now() const = 0;
};

// A read-only view of one item, valid only during the visitor call that receives it.
struct ItemView {
  std::string_view key;
  std::string_view value;
  std::uint32_t client_flags = 0;
  std::uint64_t cas = 0;
  std::int64_t deadline = 0;     // absolute expiry in unix seconds; 0 = never
  std::int64_t last_access = 0;  // unix seconds of the access before this request
  bool fetched = false;          // fetched before this request
  bool stale = false;            // invalidated (meta I); served but marked X
  bool win = false;              // this caller won the right to recache (meta W)
  bool lost = false;             // another caller already won (meta Z)
  // The deadline before this request's touch_exptime (equal to `deadline` without one, and on
  // a stub this request vivified): meta renders a `t` that precedes `T` from it, as 1.6.18.
  std::int64_t deadline_before = 0;
  bool binary_key = false;  // stored through a meta base64 (b) key: mg k and me show it encoded
  bool vivified = false;    // created by this request's vivify_exptime
};

using ItemVisitor = FunctionRef<void(const ItemView&)>;
using StatSink = FunctionRef<void(std::string_view name, std::string_view value)>;

struct GetRequest {
  HashedKey key;
  std::optional<std::int64_t> touch_exptime;  // gat/gats/mg T: set a new exptime on a hit
  std::optional<std::int64_t> vivify_exptime; // mg N: on miss create an empty stub, caller wins
  std::optional<std::int64_t> recache_ttl;    // mg R: win when remaining TTL is below this
  bool bump = true;    // false for mg u: no LRU bump, access time and fetched bit untouched
  bool peek = false;   // me: inspect without any side effect
};

enum class StoreMode : std::uint8_t { kSet, kAdd, kReplace, kAppend, kPrepend, kCas };

struct StoreRequest {
  HashedKey key;
  StoreMode mode = StoreMode::kSet;
  std::string_view value;
  std::uint32_t client_flags = 0;
  std::int64_t exptime = 0;
  std::uint64_t compare_cas = 0;  // kCas, or any mode with meta C / binary header CAS; 0 = none
  std::uint64_t new_cas = 0;      // meta E: use as the item's CAS; 0 = engine assigns
  bool invalidate = false;        // meta I: with compare_cas, an older CAS stores a stale item
  std::optional<std::int64_t> vivify_exptime;  // meta N for append/prepend: create on miss
  // meta b: the item remembers that its key came base64-encoded (see ItemView::binary_key).
  bool binary_key = false;
};

struct StoreResult {
  StoreStatus status = StoreStatus::kNotStored;
  std::uint64_t cas = 0;  // CAS of the stored item when kStored
};

struct DeleteRequest {
  HashedKey key;
  std::uint64_t compare_cas = 0;  // 0 = none
  std::uint64_t new_cas = 0;      // meta E with I
  bool invalidate = false;        // meta I: mark stale and bump CAS instead of removing
  std::optional<std::int64_t> invalidate_exptime;  // meta T with I
};

struct ArithRequest {
  HashedKey key;
  bool increment = true;
  std::uint64_t delta = 1;
  std::uint64_t compare_cas = 0;
  std::uint64_t new_cas = 0;
  std::optional<std::int64_t> create_exptime;  // create with `initial` on miss
  std::uint64_t initial = 0;
  std::optional<std::int64_t> touch_exptime;   // meta T
};

struct ArithResult {
  ArithStatus status = ArithStatus::kNotFound;
  std::uint64_t value = 0;
  std::uint64_t cas = 0;
  std::int64_t deadline = 0;
  std::int64_t deadline_before = 0;  // before touch_exptime applied (meta t ahead of T)
};

// An item the engine pushed out to make room (memcached's `watch evictions`). Views are valid
// only during the call.
struct EvictedItem {
  std::string_view key;
  std::uint32_t value_size = 0;
  std::uint32_t client_flags = 0;
  bool fetched = false;      // read since it was stored
  std::int64_t ttl = -1;     // seconds it had left; -1: no expiry
  std::int64_t idle = 0;     // seconds since its last access
};

// Told of every eviction while set (Engine::SetEvictionListener). Called on the evicting thread,
// possibly with the engine's locks held: it must be quick and must not call the engine.
class EvictionListener {
 public:
  virtual ~EvictionListener() = default;
  virtual void Evicted(const EvictedItem& item) = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // Looks up an item. On a hit calls on_hit exactly once, with the item as it is after this
  // request's side effects (touch, vivify) and the access state from before it; returns kHit.
  // On a miss returns kMiss, kExpired or kFlushed without calling on_hit, unless
  // vivify_exptime creates a stub, which counts as a hit with win and vivified set (and, as in
  // 1.6.18, without binary_key whatever the request's key encoding was).
  virtual GetStatus Get(const GetRequest& request, ItemVisitor on_hit) = 0;

  // Get, but only if it can be answered without blocking the calling thread (no wait for a
  // lock held across I/O, a commit or another thread). Returns nullopt, having done nothing
  // (no side effect, on_hit not called), when it cannot: the caller then calls Get from a
  // thread that may block. A server whose network threads must never wait (mnemod with the
  // sqlite engine) serves what this answers on those threads and offloads only the rest.
  // Default: Get, for engines whose calls never block.
  virtual std::optional<GetStatus> TryGet(const GetRequest& request, ItemVisitor on_hit) {
    return Get(request, on_hit);
  }

  // Stores according to mode. kSet and kCas with compare_cas; kAdd fails on a live item (and
  // bumps it); kReplace/kAppend/kPrepend fail on a missing one. append/prepend keep the
  // stored flags and exptime. Every successful store assigns a new CAS. The stored item takes
  // binary_key from the request, except that append/prepend onto an existing item leave it
  // false: 1.6.18 builds the joined item afresh and does not carry the bit over.
  virtual StoreResult Store(const StoreRequest& request) = 0;

  virtual DeleteStatus Delete(const DeleteRequest& request) = 0;

  // incr/decr on a decimal unsigned 64-bit value: incr wraps modulo 2^64, decr floors at 0; a
  // shorter result is space-padded to the old length as memcached does. A result of the old
  // length is rewritten in place and keeps binary_key; a longer one, like a created counter,
  // is a new item without it (1.6.18).
  virtual ArithResult Arithmetic(const ArithRequest& request) = 0;

  // Sets a new exptime on a live item; keeps its CAS (and binary_key, as every in-place change
  // does: touch, gat, meta T, md I).
  virtual TouchStatus Touch(const HashedKey& key, std::int64_t exptime) = 0;

  // Invalidates every item stored before now + delay (memcached flush_all semantics: with a
  // delay, items stored before that moment vanish once it arrives).
  virtual void FlushAll(std::int64_t delay) = 0;

  // Calls visit for every live item, in no particular order, until it returns false.
  virtual void ForEach(FunctionRef<bool(const ItemView&)> visit) = 0;

  // Emits the engine's counters for a stats group: "" for the general group (curr_items,
  // bytes, total_items, evictions, ...), or "items", "slabs", "sizes". Returns false for a
  // group the engine does not know.
  virtual bool Stats(std::string_view group, StatSink sink) = 0;

  // The engine's current time (its Clock, unix seconds). Meta replies report times relative to
  // it (mg t and l, ma t, me exp and la), so they must use the clock the deadlines came from.
  // Engines with a Clock override it; the default 0 only suits engines whose items never expire.
  virtual std::int64_t Now() const { return 0; }

  // Reports evictions to `listener` from now on (nullptr: to nobody). The listener must outlive
  // its registration. Engines that never evict, or cannot tell, ignore it.
  virtual void SetEvictionListener(EvictionListener* /*listener*/) {}
};

}  // namespace mnemo

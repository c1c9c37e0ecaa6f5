// MapEngine: the reference Engine, a std::unordered_map from key to item, with memcached 1.6.18
// item semantics (CAS, lazy expiry, flush_all with a delay, incr/decr, meta stale/win/vivify).
// It has no memory limit and never evicts; it exists to define behaviour for the conformance
// suite, the protocol tests and the examples, not to be fast.
//
// Thread safety: every public method is safe to call concurrently. One std::mutex (mu_)
// serialises all of them, and visitor/sink callbacks run while it is held, so a callback must
// not call back into the engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "mnemo/engine.h"

namespace mnemo {

struct MapEngineConfig {
  // memcached -I: the largest item (header + key + value) accepted, see ItemFits().
  std::size_t item_size_max = 1024 * 1024;
};

class MapEngine final : public Engine {
 public:
  // `clock` must outlive the engine.
  explicit MapEngine(const Clock& clock, MapEngineConfig config = {});
  ~MapEngine() override;

  MapEngine(const MapEngine&) = delete;
  MapEngine& operator=(const MapEngine&) = delete;

  GetStatus Get(const GetRequest& request, ItemVisitor on_hit) override;
  StoreResult Store(const StoreRequest& request) override;
  DeleteStatus Delete(const DeleteRequest& request) override;
  ArithResult Arithmetic(const ArithRequest& request) override;
  TouchStatus Touch(const HashedKey& key, std::int64_t exptime) override;
  void FlushAll(std::int64_t delay) override;
  void ForEach(FunctionRef<bool(const ItemView&)> visit) override;
  bool Stats(std::string_view group, StatSink sink) override;
  std::int64_t Now() const override { return clock_.Now(); }

 private:
  struct Item {
    std::string value;
    std::uint32_t client_flags = 0;
    std::uint64_t cas = 0;
    std::int64_t deadline = 0;     // absolute unix seconds; 0 = never
    std::int64_t last_access = 0;  // unix seconds of the last store or bump
    std::int64_t stored_at = 0;    // unix seconds of the last store; decides delayed flushes
    bool fetched = false;          // fetched since stored
    bool stale = false;            // meta I: served with X until replaced
    bool token_sent = false;       // a meta fetcher holds the recache token (W given)
    bool flushed = false;          // invalidated by an earlier flush_all
    bool binary_key = false;       // stored through a meta b key (mg k and me encode it)
  };

  // Heterogeneous lookup so a std::string_view key needs no allocation.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const {
      return std::hash<std::string_view>{}(key);
    }
  };
  using Map = std::unordered_map<std::string, Item, KeyHash, std::equal_to<>>;

  // Engine-side counters behind `stats`, `stats items` and `stats slabs`.
  struct Counters {
    std::uint64_t total_items = 0;
    std::uint64_t reclaimed = 0;
    std::uint64_t expired_unfetched = 0;
    std::uint64_t get_hits = 0, cmd_set = 0, delete_hits = 0, incr_hits = 0, decr_hits = 0;
    std::uint64_t cas_hits = 0, cas_badval = 0, touch_hits = 0;
  };

  // Why a stored entry is not live; kLive when it is.
  enum class Liveness : std::uint8_t { kLive, kExpired, kFlushed };

  // The remaining helpers REQUIRE: mu_ held.
  Liveness Check(const Item& item, std::int64_t now) const;
  // Returns the live item under key, or items_.end(). A dead entry is erased (and counted as
  // reclaimed); `miss`, when given, says why nothing was found.
  Map::iterator FindLive(std::string_view key, std::int64_t now, GetStatus* miss = nullptr);
  // Stores `item` under key as a freshly linked memcached item: new CAS, new access state.
  Item& Link(std::string_view key, Item item, std::uint64_t new_cas, std::int64_t now);
  std::uint64_t NextCas(std::uint64_t requested);
  // Marks entries caught by a delayed flush whose moment has passed as flushed for good, so a
  // later flush_all cannot bring them back.
  void SettlePendingFlush(std::int64_t now);
  ItemView View(std::string_view key, const Item& item) const;

  GetStatus Vivify(const GetRequest& request, std::int64_t now, ItemVisitor on_hit);
  StoreResult StoreExisting(const StoreRequest& request, StoreMode mode, Item& old,
                            std::int64_t now);
  StoreResult StoreMissing(const StoreRequest& request, StoreMode mode, std::int64_t now);
  ArithResult CreateCounter(const ArithRequest& request, std::int64_t now);
  ArithResult ApplyDelta(const ArithRequest& request, Item& item, std::int64_t now);
  // A fetch or touch: sets the fetched bit and the access time.
  static void Bump(Item& item, std::int64_t now);

  void GeneralStats(std::int64_t now, StatSink sink);
  void ItemStats(std::int64_t now, StatSink sink);
  void SlabStats(std::int64_t now, StatSink sink);

  const Clock& clock_;
  const MapEngineConfig config_;

  std::mutex mu_;
  Map items_;                                 // guarded by mu_
  std::uint64_t last_cas_ = 0;                // guarded by mu_; the first CAS handed out is 1
  std::optional<std::int64_t> flush_moment_;  // guarded by mu_; pending delayed flush_all
  Counters counters_;                         // guarded by mu_
};

}  // namespace mnemo

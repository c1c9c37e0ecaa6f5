// WatchingEngine: an Engine that forwards every call to another and reports what each did to a
// WatchSink, in the events memcached 1.6.18 logs for `watch fetchers mutations`. The session
// drives requests through it only for a Process call during which someone watches, so the
// handlers of all three protocols report without a line of their own and cost nothing
// otherwise.
//
// What memcached logs, reproduced here: every lookup, touch, incr/decr and delete is an
// item_get (found, not_found, expired, flushed); a store is an item_get of the key as it was,
// then an item_store with its outcome. The old item's state comes from a side-effect-free
// peek, done only while watching.
//
// Thread safety: as the session that owns it (one thread at a time); the sink must be safe
// for concurrent calls from many sessions.
#pragma once

#include "mnemo/engine.h"
#include "mnemo/watch.h"

namespace mnemo {

class WatchingEngine final : public Engine {
 public:
  // `inner` and `sink` must outlive this object; `client_fd` is reported as cfd.
  WatchingEngine(Engine& inner, WatchSink& sink, int client_fd)
      : inner_(inner), sink_(sink), client_fd_(client_fd) {}

  GetStatus Get(const GetRequest& request, ItemVisitor on_hit) override;
  StoreResult Store(const StoreRequest& request) override;
  DeleteStatus Delete(const DeleteRequest& request) override;
  ArithResult Arithmetic(const ArithRequest& request) override;
  TouchStatus Touch(const HashedKey& key, std::int64_t exptime) override;
  void FlushAll(std::int64_t delay) override { inner_.FlushAll(delay); }
  void ForEach(FunctionRef<bool(const ItemView&)> visit) override { inner_.ForEach(visit); }
  bool Stats(std::string_view group, StatSink sink) override { return inner_.Stats(group, sink); }
  std::int64_t Now() const override { return inner_.Now(); }

 private:
  struct Peeked {
    FetchEvent fetch;
    std::int64_t deadline = 0;
  };
  // The item under `key` now, without touching it (no LRU bump, no fetched bit).
  Peeked Peek(const HashedKey& key);

  Engine& inner_;
  WatchSink& sink_;
  int client_fd_;
};

}  // namespace mnemo

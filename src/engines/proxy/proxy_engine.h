// An engine that stores nothing itself: every call is forwarded to upstream memcached-compatible
// servers through mnemo_client, which picks the upstream of each key (its distribution and hash,
// see proxy_spec.h), keeps a pool of connections per upstream and ejects failing ones. This is
// what `mnemod --engine proxy:SERVERS` runs on, making mnemod a memcached proxy.
//
// Each engine call maps to the classic command that keeps memcached's meaning: Get -> gets (gats
// with a touch), so the item's flags and CAS come back; Store -> set/add/replace/append/prepend/
// cas; Arithmetic -> incr/decr (plus an add when the request creates on a miss); Touch -> touch;
// Delete -> delete; FlushAll -> flush_all to every upstream; Stats("") -> the upstreams' item and
// memory counters summed. A delete with a CAS compares with a gets first (not atomically). A
// store, incr/decr or delete needing what no classic command carries (meta I/E/N, a CAS on
// add/append/prepend/incr/decr, meta ma T) is refused with the call's error status and counted
// (proxy_unsupported) rather than answered wrongly; a get drops meta N/R/u and reads no deadline
// or access time: see README.md.
//
// An upstream that fails answers that key's request with the engine interface's error status:
// kError for get, delete and touch (SERVER_ERROR backend failure, memcached's proxy's words);
// store and incr/decr have no kError yet and report no memory (SERVER_ERROR out of memory
// storing object / out of memory). Each failure is counted (proxy_upstream_errors in stats).
//
// ForLoop() makes the same calls without blocking, on an event loop: mnemod's network workers
// send the calls their sessions capture (mnemo/pending_call.h) through it (async_calls.h).
//
// Thread safety: all methods may be called concurrently (mnemo_client's Client is shared); the
// Engine calls block on the network, so mnemod runs them on its offload pool. Each ForLoop
// object belongs to the thread that runs its io_context.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "engines/proxy/classic_rules.h"
#include "mnemo/client/client.h"
#include "mnemo/client/domain.h"
#include "mnemo/engine.h"
#include "mnemo/pending_call.h"
#include "mnemo/result.h"

namespace asio {
class io_context;
}  // namespace asio

namespace mnemo::proxy {

class ProxyEngine final : public Engine {
 public:
  // Parses `spec` (proxy_spec.h) and creates the client; connects lazily. With a domain, its
  // list is read from the seeds first: an error when none of them has it.
  static Result<std::unique_ptr<ProxyEngine>> Create(const Clock& clock, std::string_view spec);
  ProxyEngine(const Clock& clock, std::unique_ptr<client::Client> upstreams);
  ProxyEngine(const Clock& clock, std::unique_ptr<client::DomainClient> domain);

  GetStatus Get(const GetRequest& request, ItemVisitor on_hit) override;
  // Every call waits for an upstream, so nothing is answered on a network thread.
  std::optional<GetStatus> TryGet(const GetRequest& /*request*/, ItemVisitor /*on_hit*/) override {
    return std::nullopt;
  }
  StoreResult Store(const StoreRequest& request) override;
  DeleteStatus Delete(const DeleteRequest& request) override;
  ArithResult Arithmetic(const ArithRequest& request) override;
  TouchStatus Touch(const HashedKey& key, std::int64_t exptime) override;
  void FlushAll(std::int64_t delay) override;
  // A proxy cannot list its upstreams' items: visits nothing.
  void ForEach(FunctionRef<bool(const ItemView&)> visit) override;
  bool Stats(std::string_view group, StatSink sink) override;
  std::int64_t Now() const override { return clock_.Now(); }

  // The calls of one event loop, made without blocking it: one pipelined connection per
  // upstream on `io` (which must outlive the result), routed as the calls above route them.
  // Refuses what they refuse and fails what they fail, with the same statuses, counters and
  // auto-eject accounting. Used only on the thread that runs `io`.
  std::unique_ptr<AsyncCalls> ForLoop(asio::io_context& io);

  // The client over the upstreams now: keep it for one call only, since a domain's moves
  // replace it (calls already made finish on the one they started with).
  std::shared_ptr<client::Client> upstreams() const {
    return domain_ != nullptr ? domain_->current() : fixed_;
  }

 private:
  const Clock& clock_;
  std::shared_ptr<client::Client> fixed_;          // a fixed server list, or
  std::unique_ptr<client::DomainClient> domain_;  // a domain followed live
  ProxyCounters counters_;  // shared with the ForLoop objects
};

}  // namespace mnemo::proxy

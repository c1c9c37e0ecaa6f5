// ProxyAsyncCalls: the proxy engine's AsyncCalls (mnemo/pending_call.h) for one event loop, what
// ProxyEngine::ForLoop returns. It keeps one UpstreamLink per upstream server on that loop and
// routes each call with the client's own distribution (Client::ServerFor), so both of the
// engine's paths agree on the server of every key. A Submit queues its calls' commands on their
// links -- consecutive gets for one upstream as one multi-key gets -- and then flushes each
// link once: one write per link per Submit, while calls of later Submits join a link's next
// write. Replies complete the calls in order; a batch's Done comes
// with its last result.
//
// The links belong to the client they were made for. When the engine's client changes (a
// domain moved: proxy_spec.h), the next Submit makes links for the new one, and the old links
// stay until the calls in flight on them are answered.
//
// Failures answer as the blocking ProxyEngine does (call_steps.h) and count the same: a failed
// exchange is a failure of that server for the client's auto-eject, a reply a success; calls
// to an ejected server, with a key the protocol cannot carry, or with every server ejected fail
// at once. Destroying the object fails what is in flight, synchronously.
//
// Thread safety: used only on the thread that runs its io_context; the Clients and counters it
// shares with the engine are thread-safe.
#pragma once

#include <asio/io_context.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "engines/proxy/classic_rules.h"
#include "engines/proxy/upstream_link.h"
#include "mnemo/client/client.h"
#include "mnemo/pending_call.h"

namespace mnemo::proxy {

// The engine's client over its upstreams at the moment of asking.
using UpstreamsSource = std::function<std::shared_ptr<client::Client>()>;

class ProxyAsyncCalls final : public AsyncCalls {
 public:
  // `io` and `counters` must outlive this object.
  ProxyAsyncCalls(asio::io_context& io, UpstreamsSource source, ProxyCounters& counters);
  ~ProxyAsyncCalls() override;
  ProxyAsyncCalls(const ProxyAsyncCalls&) = delete;
  ProxyAsyncCalls& operator=(const ProxyAsyncCalls&) = delete;

  void Submit(std::span<PendingCall* const> calls, CallsDone& done) override;

  // The link to server `index` (in the current client's list), for tests.
  const UpstreamLink& link(std::size_t index) const;
  // How many earlier clients' links still answer calls in flight, for tests.
  std::size_t retired() const { return retired_.size(); }

 private:
  class Generation;  // the links over one client's list (async_calls.cc)

  // The generation of the engine's current client, made anew when that client changed.
  Generation& Current();

  asio::io_context& io_;
  const UpstreamsSource source_;
  ProxyCounters& counters_;
  std::unique_ptr<Generation> current_;
  std::vector<std::unique_ptr<Generation>> retired_;
};

}  // namespace mnemo::proxy

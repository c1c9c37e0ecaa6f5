// ProxyAsyncCalls: the proxy engine's AsyncCalls (mnemo/pending_call.h) for one event loop, what
// ProxyEngine::ForLoop returns. It keeps one UpstreamLink per upstream server on that loop and
// routes each call with the client's own distribution (Client::ServerFor), so both of the
// engine's paths agree on the server of every key. A Submit queues its calls' commands on their
// links -- consecutive gets for one upstream as one multi-key gets -- and then flushes each
// link once: one write per link per Submit, while calls of later Submits join a link's next
// write. Replies complete the calls in order; a batch's Done comes
// with its last result.
//
// Failures answer as the blocking ProxyEngine does (call_steps.h) and count the same: a failed
// exchange is a failure of that server for the client's auto-eject, a reply a success; calls
// to an ejected server, with a key the protocol cannot carry, or with every server ejected fail
// at once. Destroying the object fails what is in flight, synchronously.
//
// Thread safety: used only on the thread that runs its io_context; the Client and counters it
// shares with the engine are thread-safe.
#pragma once

#include <asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engines/proxy/call_steps.h"
#include "engines/proxy/classic_rules.h"
#include "engines/proxy/upstream_link.h"
#include "mnemo/client/client.h"
#include "mnemo/pending_call.h"

namespace mnemo::proxy {

class ProxyAsyncCalls final : public AsyncCalls, private LinkSink {
 public:
  // `io`, `upstreams` and `counters` must outlive this object.
  ProxyAsyncCalls(asio::io_context& io, client::Client& upstreams, ProxyCounters& counters);
  ~ProxyAsyncCalls() override;
  ProxyAsyncCalls(const ProxyAsyncCalls&) = delete;
  ProxyAsyncCalls& operator=(const ProxyAsyncCalls&) = delete;

  void Submit(std::span<PendingCall* const> calls, CallsDone& done) override;

  // The link to server `index` (in the client's configured list), for tests.
  const UpstreamLink& link(std::size_t index) const { return *links_[index]; }

 private:
  // Adds the step to its key's link's share of the running Submit (joining the get before it
  // when it can), or answers it as failed at once.
  void Route(std::unique_ptr<CallStep> step);
  void Finish(CallStep& step, StepResult result);
  void Replied(UpstreamLink& link, std::unique_ptr<LinkStep> step) override;
  void Failed(UpstreamLink& link, std::unique_ptr<LinkStep> step, const std::string& why) override;

  client::Client& upstreams_;
  ProxyCounters& counters_;
  const Protocol protocol_;
  std::vector<std::shared_ptr<UpstreamLink>> links_;
  // Per link, the steps of the running Submit, queued on the link at its end.
  std::vector<std::vector<std::unique_ptr<CallStep>>> shares_;
};

}  // namespace mnemo::proxy

#include "engines/proxy/async_calls.h"

#include <utility>

namespace mnemo::proxy {

ProxyAsyncCalls::ProxyAsyncCalls(asio::io_context& io, client::Client& upstreams,
                                 ProxyCounters& counters)
    : upstreams_(upstreams), counters_(counters), protocol_(upstreams.options().protocol) {
  const client::Options& options = upstreams.options();
  const LinkTimeouts timeouts{options.connect_timeout, options.io_timeout};
  const client::Codec& codec = client::CodecFor(options.protocol);
  LinkSink& sink = *this;
  for (std::size_t i = 0; i < options.servers.size(); ++i) {
    links_.push_back(
        std::make_shared<UpstreamLink>(io, i, options.servers[i], codec, timeouts, sink));
  }
  shares_.resize(links_.size());
}

ProxyAsyncCalls::~ProxyAsyncCalls() {
  for (const std::shared_ptr<UpstreamLink>& link : links_) link->Shutdown();
}

void ProxyAsyncCalls::Submit(std::span<PendingCall* const> calls, CallsDone& done) {
  auto batch = std::make_shared<Batch>(done, calls.size() + 1);
  for (PendingCall* call : calls) {
    auto step = std::make_unique<CallStep>();
    step->call = call;
    step->batch = batch;
    if (!PlanFirst(*step, counters_)) {
      batch->Finished();  // refused: answered already
      continue;
    }
    Route(std::move(step));
  }
  for (std::size_t i = 0; i < links_.size(); ++i) {
    if (shares_[i].empty()) continue;
    for (std::unique_ptr<CallStep>& step : shares_[i]) links_[i]->Enqueue(std::move(step));
    shares_[i].clear();
    links_[i]->Flush();
  }
  batch->Finished();
}

void ProxyAsyncCalls::Route(std::unique_ptr<CallStep> step) {
  // The blocking path's checks, in its order (ClientCore::RunOnKey, then Run).
  const std::string_view key = step->call->key();
  std::optional<std::size_t> server;
  if (client::KeyIsValid(protocol_, key)) server = upstreams_.ServerFor(key);
  if (!server || upstreams_.EjectedFor(*server)) {
    Finish(*step, StepResult::kFailed);
    return;
  }
  std::vector<std::unique_ptr<CallStep>>& share = shares_[*server];
  if (!share.empty() && CanJoinGet(*share.back(), *step)) {
    JoinGet(*share.back(), *step);
    return;
  }
  share.push_back(std::move(step));
}

void ProxyAsyncCalls::Finish(CallStep& step, StepResult result) {
  for (PendingCall* call : step.calls()) {
    if (result == StepResult::kFailed) {
      counters_.Failed();
      AnswerFailure(*call);
    }
    step.batch->Finished();
  }
}

void ProxyAsyncCalls::Replied(UpstreamLink& link, std::unique_ptr<LinkStep> step) {
  upstreams_.CountSuccess(link.server());
  auto& call_step = static_cast<CallStep&>(*step);
  const StepResult result = Advance(call_step);
  if (result == StepResult::kNext) {
    link.Enqueue(std::move(step));  // written once the replies in hand are folded
    return;
  }
  Finish(call_step, result);
}

void ProxyAsyncCalls::Failed(UpstreamLink& link, std::unique_ptr<LinkStep> step,
                             const std::string& /*why*/) {
  auto& call_step = static_cast<CallStep&>(*step);
  // One failure per call, as the blocking path counts one per engine call.
  for (std::size_t i = 0; i < call_step.calls().size(); ++i) upstreams_.CountFailure(link.server());
  Finish(call_step, StepResult::kFailed);
}

}  // namespace mnemo::proxy

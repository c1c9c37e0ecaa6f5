#include "engines/proxy/async_calls.h"

#include <algorithm>
#include <string>
#include <utility>

#include "engines/proxy/call_steps.h"

namespace mnemo::proxy {

class ProxyAsyncCalls::Generation final : private LinkSink {
 public:
  Generation(asio::io_context& io, std::shared_ptr<client::Client> upstreams,
             ProxyCounters& counters)
      : upstreams_(std::move(upstreams)),
        counters_(counters),
        protocol_(upstreams_->options().protocol) {
    const client::Options& options = upstreams_->options();
    const LinkTimeouts timeouts{options.connect_timeout, options.io_timeout};
    const client::Codec& codec = client::CodecFor(options.protocol);
    LinkSink& sink = *this;
    for (std::size_t i = 0; i < options.servers.size(); ++i) {
      links_.push_back(
          std::make_shared<UpstreamLink>(io, i, options.servers[i], codec, timeouts, sink));
    }
    shares_.resize(links_.size());
  }
  ~Generation() override {
    for (const std::shared_ptr<UpstreamLink>& link : links_) link->Shutdown();
  }
  Generation(const Generation&) = delete;
  Generation& operator=(const Generation&) = delete;

  const client::Client* client() const { return upstreams_.get(); }
  const UpstreamLink& link(std::size_t index) const { return *links_[index]; }
  bool Busy() const {
    return std::any_of(links_.begin(), links_.end(),
                       [](const std::shared_ptr<UpstreamLink>& link) { return link->in_flight(); });
  }

  // Adds the step to its key's link's share of the running Submit (joining the get before it
  // when it can), or answers it as failed at once.
  void Route(std::unique_ptr<CallStep> step) {
    // The blocking path's checks, in its order (ClientCore::RunOnKey, then Run).
    const std::string_view key = step->call->key();
    std::optional<std::size_t> server;
    if (client::KeyIsValid(protocol_, key)) server = upstreams_->ServerFor(key);
    if (!server || upstreams_->EjectedFor(*server)) {
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

  // Queues each link's share of the Submit and writes it.
  void Flush() {
    for (std::size_t i = 0; i < links_.size(); ++i) {
      if (shares_[i].empty()) continue;
      for (std::unique_ptr<CallStep>& step : shares_[i]) links_[i]->Enqueue(std::move(step));
      shares_[i].clear();
      links_[i]->Flush();
    }
  }

 private:
  void Finish(CallStep& step, StepResult result) {
    for (PendingCall* call : step.calls()) {
      if (result == StepResult::kFailed) {
        counters_.Failed();
        AnswerFailure(*call);
      }
      step.batch->Finished();
    }
  }

  void Replied(UpstreamLink& link, std::unique_ptr<LinkStep> step) override {
    upstreams_->CountSuccess(link.server());
    auto& call_step = static_cast<CallStep&>(*step);
    const StepResult result = Advance(call_step);
    if (result == StepResult::kNext) {
      link.Enqueue(std::move(step));  // written once the replies in hand are folded
      return;
    }
    Finish(call_step, result);
  }

  void Failed(UpstreamLink& link, std::unique_ptr<LinkStep> step,
              const std::string& /*why*/) override {
    auto& call_step = static_cast<CallStep&>(*step);
    // One failure per call, as the blocking path counts one per engine call.
    for (std::size_t i = 0; i < call_step.calls().size(); ++i) {
      upstreams_->CountFailure(link.server());
    }
    Finish(call_step, StepResult::kFailed);
  }

  const std::shared_ptr<client::Client> upstreams_;
  ProxyCounters& counters_;
  const Protocol protocol_;
  std::vector<std::shared_ptr<UpstreamLink>> links_;
  // Per link, the steps of the running Submit, queued on the link at its end.
  std::vector<std::vector<std::unique_ptr<CallStep>>> shares_;
};

ProxyAsyncCalls::ProxyAsyncCalls(asio::io_context& io, UpstreamsSource source,
                                 ProxyCounters& counters)
    : io_(io), source_(std::move(source)), counters_(counters) {
  Current();
}

ProxyAsyncCalls::~ProxyAsyncCalls() = default;

const UpstreamLink& ProxyAsyncCalls::link(std::size_t index) const {
  return current_->link(index);
}

ProxyAsyncCalls::Generation& ProxyAsyncCalls::Current() {
  std::erase_if(retired_, [](const std::unique_ptr<Generation>& old) { return !old->Busy(); });
  std::shared_ptr<client::Client> upstreams = source_();
  if (current_ == nullptr || current_->client() != upstreams.get()) {
    if (current_ != nullptr) retired_.push_back(std::move(current_));
    current_ = std::make_unique<Generation>(io_, std::move(upstreams), counters_);
  }
  return *current_;
}

void ProxyAsyncCalls::Submit(std::span<PendingCall* const> calls, CallsDone& done) {
  Generation& generation = Current();
  auto batch = std::make_shared<Batch>(done, calls.size() + 1);
  for (PendingCall* call : calls) {
    auto step = std::make_unique<CallStep>();
    step->call = call;
    step->batch = batch;
    if (!PlanFirst(*step, counters_)) {
      batch->Finished();  // refused: answered already
      continue;
    }
    generation.Route(std::move(step));
  }
  generation.Flush();
  batch->Finished();
}

}  // namespace mnemo::proxy

// Drives a Session the way a host with an engine's AsyncCalls does (mnemod's connection.cc):
// Process(kNonBlocking), make the calls it captured (PendingCall::RunOn here, where an engine
// would Submit them), Process(kNonBlocking) again on the unconsumed input; a stop without
// captures continues with kMayBlock. NoTryEngine declines every TryGet, so every engine call
// goes through a capture, and it counts any blocking call made during a kNonBlocking Process,
// which must be none. Session tests and the session fuzzer compare what this gives with a
// session that calls the engine directly. Test-only; single-threaded.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "mnemo/engine.h"
#include "mnemo/pending_call.h"
#include "mnemo/session.h"

namespace mnemo::testing {

// `inner`, except that TryGet declines everything.
class NoTryEngine final : public Engine {
 public:
  explicit NoTryEngine(Engine& inner) : inner_(inner) {}

  Engine& inner() { return inner_; }
  // Set by the driver while a kNonBlocking Process runs; any blocking call then counts.
  bool non_blocking = false;
  int blocking_calls_while_non_blocking = 0;

  GetStatus Get(const GetRequest& request, ItemVisitor on_hit) override {
    Note();
    return inner_.Get(request, on_hit);
  }
  std::optional<GetStatus> TryGet(const GetRequest& /*request*/, ItemVisitor /*on_hit*/) override {
    return std::nullopt;
  }
  StoreResult Store(const StoreRequest& request) override {
    Note();
    return inner_.Store(request);
  }
  DeleteStatus Delete(const DeleteRequest& request) override {
    Note();
    return inner_.Delete(request);
  }
  ArithResult Arithmetic(const ArithRequest& request) override {
    Note();
    return inner_.Arithmetic(request);
  }
  TouchStatus Touch(const HashedKey& key, std::int64_t exptime) override {
    Note();
    return inner_.Touch(key, exptime);
  }
  void FlushAll(std::int64_t delay) override {
    Note();
    inner_.FlushAll(delay);
  }
  void ForEach(FunctionRef<bool(const ItemView&)> visit) override {
    Note();
    inner_.ForEach(visit);
  }
  bool Stats(std::string_view group, StatSink sink) override {
    Note();
    return inner_.Stats(group, sink);
  }
  std::int64_t Now() const override { return inner_.Now(); }

 private:
  void Note() {
    if (non_blocking) ++blocking_calls_while_non_blocking;
  }

  Engine& inner_;
};

struct DeferredStats {
  int rounds = 0;         // Process calls that returned captures
  int calls = 0;          // captures made
  int blocking_runs = 0;  // kMayBlock continuations
  bool runaway = false;   // a read needed an absurd number of rounds (a replay that never ends)
};

// Runs what `buffer` holds completely, dropping consumed bytes; replies go to `output`.
inline void RunDeferred(Session& session, NoTryEngine& engine, std::string& buffer,
                        std::string& output, DeferredStats& stats) {
  for (int steps = 0; !buffer.empty() && !session.closing(); ++steps) {
    if (steps > 100000) {
      stats.runaway = true;
      return;
    }
    engine.non_blocking = true;
    std::size_t used = session.Process(buffer, output, EngineCalls::kNonBlocking);
    engine.non_blocking = false;
    buffer.erase(0, used);
    if (session.blocked() && !session.pending_calls().empty()) {
      ++stats.rounds;
      for (PendingCall* call : session.pending_calls()) {
        call->RunOn(engine.inner());
        ++stats.calls;
      }
      continue;
    }
    if (session.blocked()) {
      ++stats.blocking_runs;
      const std::size_t more = session.Process(buffer, output);
      buffer.erase(0, more);
      used += more;
    }
    if (used == 0) return;  // an incomplete request waits for more input
  }
}

// Feeds `input` in `fragment`-byte reads (0 = all at once), running each as RunDeferred does.
inline std::string FeedDeferred(Session& session, NoTryEngine& engine, std::string_view input,
                                std::size_t fragment, DeferredStats& stats) {
  std::string buffer, output;
  if (fragment == 0) fragment = std::max<std::size_t>(1, input.size());
  for (std::size_t fed = 0; fed < input.size() && !session.closing();) {
    const std::size_t n = std::min(fragment, input.size() - fed);
    buffer.append(input.substr(fed, n));
    fed += n;
    RunDeferred(session, engine, buffer, output, stats);
    if (stats.runaway) break;
  }
  return output;
}

}  // namespace mnemo::testing

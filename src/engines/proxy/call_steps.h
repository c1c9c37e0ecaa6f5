// How one PendingCall becomes the classic commands the blocking ProxyEngine sends for it, and
// how their replies become the call's result: a small state machine per call, driven by
// ProxyAsyncCalls (async_calls.h) one reply at a time. Most calls are one command; a delete
// with a CAS is a gets and then the delete, an incr/decr that creates on a miss is the incr, an
// add of the initial value on NOT_FOUND, and one more incr when another client's add won.
// Consecutive gets of one Submit for one upstream (with the same touch) are joined into one
// step: one `gets k1 k2 ...` (gats), as a multi-get, whose hits are handed to each call.
// Every rule mirrors proxy_engine.cc (classic_rules.h holds the ones both share), so the two
// paths answer alike.
//
// Thread safety: a CallStep belongs to the thread of its event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engines/proxy/classic_rules.h"
#include "engines/proxy/upstream_link.h"
#include "mnemo/pending_call.h"

namespace mnemo::proxy {

// The calls of one Submit: Done() once the last of them has its result.
class Batch {
 public:
  // `remaining`: the calls, plus one that Submit itself releases once it has started them all,
  // so that calls answered at once cannot finish the batch while it is still being submitted.
  Batch(CallsDone& done, std::size_t remaining) : done_(done), remaining_(remaining) {}
  void Finished() {
    if (--remaining_ == 0) done_.Done();
  }

 private:
  CallsDone& done_;
  std::size_t remaining_;
};

struct CallStep final : LinkStep {
  enum class Phase : std::uint8_t {
    kGet,
    kGetGroup,  // the gets of several calls (`group`), one command
    kStore,
    kCasCheck,  // the gets before a delete with a CAS
    kDelete,
    kArithmetic,
    kCreate,  // the add after an incr/decr that creates on a miss found nothing
    kTouch,
  };

  PendingCall* call = nullptr;
  std::shared_ptr<Batch> batch;
  Phase phase = Phase::kGet;
  int round = 0;                    // incr/decr rounds made (two at most, as the blocking path)
  std::string_view get_key[1];      // op.keys of a get
  std::string initial;              // the value an incr/decr's create adds
  std::vector<PendingCall*> group;  // kGetGroup: the calls, `call` the first of them
  std::vector<std::string_view> group_keys;

  // The calls this step answers: `group`, or `call` alone.
  std::span<PendingCall* const> calls() const {
    return group.empty() ? std::span<PendingCall* const>(&call, 1) : group;
  }
};

enum class StepResult : std::uint8_t {
  kAnswered,  // the call has its result
  kNext,      // step.op is the next command, to send on the same link
  kFailed,    // the upstream's answer is an error: answer with AnswerFailure
};

// Sets the first command of step.call. Returns false when no classic command carries the call:
// it then already has the blocking path's error result, and the refusal is counted.
bool PlanFirst(CallStep& step, ProxyCounters& counters);
// Whether `next`, a get planned after `step` for the same upstream, can join it (JoinGet).
bool CanJoinGet(const CallStep& step, const CallStep& next);
// Makes `step` a get of its calls and next's call too.
void JoinGet(CallStep& step, const CallStep& next);
// Reads step.outcome, complete: answers the call, or makes step.op the next command.
StepResult Advance(CallStep& step);
// Answers `call` as the blocking path answers a failed upstream call: kError.
void AnswerFailure(PendingCall& call);

}  // namespace mnemo::proxy

#include "engines/proxy/call_steps.h"

#include <optional>
#include <utility>

namespace mnemo::proxy {
namespace {

using client::Code;
using client::OpKind;
using Phase = CallStep::Phase;

// Makes the step's next command `kind` on the call's key, with a fresh outcome.
void Next(CallStep& step, Phase phase, OpKind kind) {
  step.phase = phase;
  step.op = client::Op{kind};
  step.op.key = step.call->key();
  step.outcome = client::Outcome{};
}

void NextGet(CallStep& step, Phase phase, std::optional<std::int64_t> touch) {
  Next(step, phase, OpKind::kGet);
  step.get_key[0] = step.call->key();
  step.op.keys = step.get_key;
  step.op.get.with_cas = true;  // gets/gats: the session may render the CAS
  step.op.get.touch = touch;
}

void NextArithmetic(CallStep& step) {
  Next(step, Phase::kArithmetic, OpKind::kArithmetic);
  step.op.increment = step.call->arithmetic().increment;
  step.op.delta = step.call->arithmetic().delta;
}

void NextCreate(CallStep& step) {
  const ArithRequest& request = step.call->arithmetic();
  Next(step, Phase::kCreate, OpKind::kStore);
  step.initial = std::to_string(request.initial);
  step.op.mode = StoreMode::kAdd;
  step.op.value = step.initial;
  step.op.store.exptime = *request.create_exptime;
}

// The hit for the call's key among the items a gets returned.
const client::Item* Hit(const CallStep& step) {
  for (const client::Item& item : step.outcome.items) {
    if (item.key == step.call->key()) return &item;
  }
  return nullptr;
}


StepResult AnswerGet(CallStep& step) {
  if (step.outcome.code == Code::kServerError) return StepResult::kFailed;
  const client::Item* hit = Hit(step);
  if (hit == nullptr) {
    step.call->SetGet(GetStatus::kMiss);
    return StepResult::kAnswered;
  }
  OwnedItem item;
  item.key = hit->key;
  item.value = hit->value;
  item.client_flags = hit->flags;
  item.cas = hit->cas;
  step.call->SetGet(GetStatus::kHit, std::move(item));
  return StepResult::kAnswered;
}

// A multi-get: each call gets its own key's hit (a key asked twice gets the same item twice).
StepResult AnswerGroup(CallStep& step) {
  if (step.outcome.code == Code::kServerError) return StepResult::kFailed;
  for (PendingCall* call : step.group) {
    step.call = call;
    AnswerGet(step);
  }
  step.call = step.group.front();
  return StepResult::kAnswered;
}

// The gets before a delete with a CAS: compared here, not atomically with the delete (the
// classic delete has no CAS; README.md).
StepResult CheckCas(CallStep& step) {
  if (step.outcome.code == Code::kServerError) return StepResult::kFailed;
  const client::Item* hit = Hit(step);
  if (hit == nullptr) {
    step.call->SetDelete(DeleteStatus::kNotFound);
    return StepResult::kAnswered;
  }
  if (hit->cas != step.call->del().compare_cas) {
    step.call->SetDelete(DeleteStatus::kExists);
    return StepResult::kAnswered;
  }
  Next(step, Phase::kDelete, OpKind::kDelete);
  return StepResult::kNext;
}

StepResult AnswerDelete(CallStep& step) {
  switch (step.outcome.code) {
    case Code::kOk:
      step.call->SetDelete(DeleteStatus::kDeleted);
      return StepResult::kAnswered;
    case Code::kNotFound:
      step.call->SetDelete(DeleteStatus::kNotFound);
      return StepResult::kAnswered;
    case Code::kExists:
      step.call->SetDelete(DeleteStatus::kExists);
      return StepResult::kAnswered;
    default:
      return StepResult::kFailed;
  }
}

StepResult AnswerArithmetic(CallStep& step) {
  ArithResult result;
  switch (step.outcome.code) {
    case Code::kOk:
      result.status = ArithStatus::kOk;
      result.value = step.outcome.number;
      break;
    case Code::kNotFound:
      if (step.call->arithmetic().create_exptime) {
        NextCreate(step);
        return StepResult::kNext;
      }
      result.status = ArithStatus::kNotFound;
      break;
    case Code::kNonNumeric:
      result.status = ArithStatus::kNonNumeric;
      break;
    default:
      return StepResult::kFailed;
  }
  step.call->SetArithmetic(result);
  return StepResult::kAnswered;
}

// The add of an incr/decr's initial value. Another client's add may win the race: then the
// incr is made once more, on the item that client stored.
StepResult AnswerCreate(CallStep& step) {
  const std::optional<StoreStatus> added = client::StoreStatusOf(step.outcome);
  if (!added) return StepResult::kFailed;
  ArithResult result;
  result.status = ArithStatus::kNotStored;
  if (*added == StoreStatus::kStored) {
    result.status = ArithStatus::kOk;
    result.value = step.call->arithmetic().initial;
  } else if (*added == StoreStatus::kNotStored && ++step.round < 2) {
    NextArithmetic(step);
    return StepResult::kNext;
  }
  step.call->SetArithmetic(result);
  return StepResult::kAnswered;
}

StepResult AnswerTouch(CallStep& step) {
  switch (step.outcome.code) {
    case Code::kOk:
      step.call->SetTouch(TouchStatus::kTouched);
      return StepResult::kAnswered;
    case Code::kNotFound:
      step.call->SetTouch(TouchStatus::kNotFound);
      return StepResult::kAnswered;
    default:
      return StepResult::kFailed;
  }
}

bool PlanStore(CallStep& step, ProxyCounters& counters) {
  const StoreRequest& request = step.call->store();
  const std::optional<StoreMode> mode = ClassicStoreMode(request);
  if (!mode) {
    counters.Refused();
    step.call->SetStore({StoreStatus::kError, 0});
    return false;
  }
  Next(step, Phase::kStore, OpKind::kStore);
  step.op.mode = *mode;
  step.op.value = request.value;
  step.op.store.flags = request.client_flags;
  step.op.store.exptime = request.exptime;
  step.op.cas = request.compare_cas;
  return true;
}

bool PlanDelete(CallStep& step, ProxyCounters& counters) {
  if (DeleteIsRefused(step.call->del())) {
    counters.Refused();
    step.call->SetDelete(DeleteStatus::kError);
    return false;
  }
  if (step.call->del().compare_cas != 0) {
    NextGet(step, Phase::kCasCheck, std::nullopt);
  } else {
    Next(step, Phase::kDelete, OpKind::kDelete);
  }
  return true;
}

bool PlanArithmetic(CallStep& step, ProxyCounters& counters) {
  if (ArithmeticIsRefused(step.call->arithmetic())) {
    counters.Refused();
    ArithResult refused;
    refused.status = ArithStatus::kError;
    step.call->SetArithmetic(refused);
    return false;
  }
  NextArithmetic(step);
  return true;
}

}  // namespace

bool CanJoinGet(const CallStep& step, const CallStep& next) {
  return (step.phase == Phase::kGet || step.phase == Phase::kGetGroup) &&
         next.phase == Phase::kGet &&
         step.call->get().touch_exptime == next.call->get().touch_exptime;
}

void JoinGet(CallStep& step, const CallStep& next) {
  if (step.group.empty()) {
    step.phase = Phase::kGetGroup;
    step.group.push_back(step.call);
    step.group_keys.push_back(step.call->key());
  }
  step.group.push_back(next.call);
  step.group_keys.push_back(next.call->key());
  step.op.keys = step.group_keys;  // the vector may have moved
}

bool PlanFirst(CallStep& step, ProxyCounters& counters) {
  switch (step.call->kind()) {
    case PendingCall::Kind::kGet:
      NextGet(step, Phase::kGet, step.call->get().touch_exptime);
      return true;
    case PendingCall::Kind::kStore:
      return PlanStore(step, counters);
    case PendingCall::Kind::kDelete:
      return PlanDelete(step, counters);
    case PendingCall::Kind::kArithmetic:
      return PlanArithmetic(step, counters);
    case PendingCall::Kind::kTouch:
      Next(step, Phase::kTouch, OpKind::kTouch);
      step.op.exptime = step.call->touch_exptime();
      return true;
  }
  return true;
}

StepResult Advance(CallStep& step) {
  switch (step.phase) {
    case Phase::kGet:
      return AnswerGet(step);
    case Phase::kGetGroup:
      return AnswerGroup(step);
    case Phase::kStore: {
      const std::optional<StoreStatus> stored = client::StoreStatusOf(step.outcome);
      if (!stored) return StepResult::kFailed;
      step.call->SetStore({*stored, 0});  // classic stores do not return the new CAS
      return StepResult::kAnswered;
    }
    case Phase::kCasCheck:
      return CheckCas(step);
    case Phase::kDelete:
      return AnswerDelete(step);
    case Phase::kArithmetic:
      return AnswerArithmetic(step);
    case Phase::kCreate:
      return AnswerCreate(step);
    case Phase::kTouch:
      return AnswerTouch(step);
  }
  return StepResult::kFailed;
}

void AnswerFailure(PendingCall& call) {
  switch (call.kind()) {
    case PendingCall::Kind::kGet:
      call.SetGet(GetStatus::kError);
      return;
    case PendingCall::Kind::kStore:
      call.SetStore({StoreStatus::kError, 0});
      return;
    case PendingCall::Kind::kDelete:
      call.SetDelete(DeleteStatus::kError);
      return;
    case PendingCall::Kind::kArithmetic: {
      ArithResult failed;
      failed.status = ArithStatus::kError;
      call.SetArithmetic(failed);
      return;
    }
    case PendingCall::Kind::kTouch:
      call.SetTouch(TouchStatus::kError);
      return;
  }
}

}  // namespace mnemo::proxy

// PendingCall (mnemo/pending_call.h) for as long as libmnemo has no implementation of its own:
// the engine's non-blocking path (call_steps.cc) records its results through it, so without
// one nothing that links this engine (mnemod included) would link. The constructors copy the
// arguments, the setters record a result (a second one for the same call aborts: the bug the
// tests look for), and RunOn makes the blocking call. CMakeLists.txt leaves this file out as
// soon as src/protocol has a pending_call.cc.
#include <cstdlib>
#include <utility>

#include "mnemo/pending_call.h"

namespace mnemo {
namespace {

// A second result for one call is the bug these tests look for: stop right there.
void MarkDone(bool& done) {
  if (done) std::abort();
  done = true;
}

}  // namespace

OwnedItem OwnedItem::From(const ItemView& view) {
  OwnedItem item;
  item.key = view.key;
  item.value = view.value;
  item.client_flags = view.client_flags;
  item.cas = view.cas;
  item.deadline = view.deadline;
  return item;
}

ItemView OwnedItem::View() const {
  ItemView view;
  view.key = key;
  view.value = value;
  view.client_flags = client_flags;
  view.cas = cas;
  view.deadline = deadline;
  return view;
}

PendingCall::PendingCall(const GetRequest& request)
    : kind_(Kind::kGet), key_(request.key.key()), request_(request) {
  hashed_key_ = HashedKey(key_, request.key.hash());
  std::get<GetRequest>(request_).key = hashed_key_;
}

PendingCall::PendingCall(const StoreRequest& request)
    : kind_(Kind::kStore), key_(request.key.key()), value_(request.value), request_(request) {
  hashed_key_ = HashedKey(key_, request.key.hash());
  std::get<StoreRequest>(request_).key = hashed_key_;
  std::get<StoreRequest>(request_).value = value_;
}

PendingCall::PendingCall(const DeleteRequest& request)
    : kind_(Kind::kDelete), key_(request.key.key()), request_(request) {
  hashed_key_ = HashedKey(key_, request.key.hash());
  std::get<DeleteRequest>(request_).key = hashed_key_;
}

PendingCall::PendingCall(const ArithRequest& request)
    : kind_(Kind::kArithmetic), key_(request.key.key()), request_(request) {
  hashed_key_ = HashedKey(key_, request.key.hash());
  std::get<ArithRequest>(request_).key = hashed_key_;
}

PendingCall::PendingCall(const HashedKey& key, std::int64_t touch_exptime)
    : kind_(Kind::kTouch), key_(key.key()), request_(touch_exptime) {
  hashed_key_ = HashedKey(key_, key.hash());
}

void PendingCall::RunOn(Engine& engine) {
  switch (kind_) {
    case Kind::kGet: {
      std::optional<OwnedItem> hit;
      const GetStatus status =
          engine.Get(get(), [&hit](const ItemView& view) { hit = OwnedItem::From(view); });
      SetGet(status, std::move(hit));
      return;
    }
    case Kind::kStore:
      SetStore(engine.Store(store()));
      return;
    case Kind::kDelete:
      SetDelete(engine.Delete(del()));
      return;
    case Kind::kArithmetic:
      SetArithmetic(engine.Arithmetic(arithmetic()));
      return;
    case Kind::kTouch:
      SetTouch(engine.Touch(hashed_key_, touch_exptime()));
      return;
  }
}

void PendingCall::SetGet(GetStatus status, std::optional<OwnedItem> item) {
  MarkDone(done_);
  get_status_ = status;
  item_ = std::move(item);
}

void PendingCall::SetStore(StoreResult result) {
  MarkDone(done_);
  store_result_ = result;
}

void PendingCall::SetDelete(DeleteStatus status) {
  MarkDone(done_);
  delete_status_ = status;
}

void PendingCall::SetArithmetic(ArithResult result) {
  MarkDone(done_);
  arith_result_ = result;
}

void PendingCall::SetTouch(TouchStatus status) {
  MarkDone(done_);
  touch_status_ = status;
}

}  // namespace mnemo

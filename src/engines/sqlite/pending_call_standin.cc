// A stand-in for libmnemo's PendingCall and OwnedItem (mnemo/pending_call.h) while their real
// definitions are written on another branch (src/protocol/session/pending_call.cc, wip/async):
// CMake builds this file only when no pending_call.cc exists under src/protocol, so it drops
// out by itself once that branch is merged, and should then be deleted. It does what the
// header promises, simply, so that the engine's AsyncCalls can be linked and tested.
#include <utility>

#include "mnemo/pending_call.h"

namespace mnemo {

OwnedItem OwnedItem::From(const ItemView& view) {
  return OwnedItem{std::string(view.key),
                   std::string(view.value),
                   view.client_flags,
                   view.cas,
                   view.deadline,
                   view.last_access,
                   view.fetched,
                   view.stale,
                   view.win,
                   view.lost,
                   view.deadline_before,
                   view.binary_key,
                   view.vivified};
}

ItemView OwnedItem::View() const {
  return ItemView{key, value, client_flags,    cas,        deadline, last_access, fetched, stale,
                  win, lost,  deadline_before, binary_key, vivified};
}

PendingCall::PendingCall(const GetRequest& request)
    : kind_(Kind::kGet), key_(request.key.key()), request_(request) {
  hashed_key_ = HashedKey(key_, request.key.hash());
  std::get<GetRequest>(request_).key = hashed_key_;
}

PendingCall::PendingCall(const StoreRequest& request)
    : kind_(Kind::kStore), key_(request.key.key()), value_(request.value), request_(request) {
  hashed_key_ = HashedKey(key_, request.key.hash());
  StoreRequest& own = std::get<StoreRequest>(request_);
  own.key = hashed_key_;
  own.value = value_;
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
      std::optional<OwnedItem> item;
      const GetStatus status =
          engine.Get(get(), [&](const ItemView& view) { item = OwnedItem::From(view); });
      SetGet(status, std::move(item));
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
  get_status_ = status;
  item_ = std::move(item);
  done_ = true;
}

void PendingCall::SetStore(StoreResult result) {
  store_result_ = result;
  done_ = true;
}

void PendingCall::SetDelete(DeleteStatus status) {
  delete_status_ = status;
  done_ = true;
}

void PendingCall::SetArithmetic(ArithResult result) {
  arith_result_ = result;
  done_ = true;
}

void PendingCall::SetTouch(TouchStatus status) {
  touch_status_ = status;
  done_ = true;
}

}  // namespace mnemo

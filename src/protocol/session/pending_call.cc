// PendingCall and OwnedItem (mnemo/pending_call.h). Part of libmnemo's core object library,
// not the session's: engines link only the core, and their AsyncCalls record results here.
#include "mnemo/pending_call.h"

#include <cassert>
#include <utility>

namespace mnemo {

OwnedItem OwnedItem::From(const ItemView& view) {
  OwnedItem item;
  item.key = std::string(view.key);
  item.value = std::string(view.value);
  item.client_flags = view.client_flags;
  item.cas = view.cas;
  item.deadline = view.deadline;
  item.last_access = view.last_access;
  item.fetched = view.fetched;
  item.stale = view.stale;
  item.win = view.win;
  item.lost = view.lost;
  item.deadline_before = view.deadline_before;
  item.binary_key = view.binary_key;
  item.vivified = view.vivified;
  return item;
}

ItemView OwnedItem::View() const {
  ItemView view;
  view.key = key;
  view.value = value;
  view.client_flags = client_flags;
  view.cas = cas;
  view.deadline = deadline;
  view.last_access = last_access;
  view.fetched = fetched;
  view.stale = stale;
  view.win = win;
  view.lost = lost;
  view.deadline_before = deadline_before;
  view.binary_key = binary_key;
  view.vivified = vivified;
  return view;
}

// Each constructor copies the key (and value) first, then points the stored request at the
// copies; the hash travels along, so no layer below hashes the key again.
PendingCall::PendingCall(const GetRequest& request)
    : kind_(Kind::kGet),
      key_(request.key.key()),
      hashed_key_(key_, request.key.hash()),
      request_(request) {
  std::get<GetRequest>(request_).key = hashed_key_;
}

PendingCall::PendingCall(const StoreRequest& request)
    : kind_(Kind::kStore),
      key_(request.key.key()),
      value_(request.value),
      hashed_key_(key_, request.key.hash()),
      request_(request) {
  StoreRequest& stored = std::get<StoreRequest>(request_);
  stored.key = hashed_key_;
  stored.value = value_;
}

PendingCall::PendingCall(const DeleteRequest& request)
    : kind_(Kind::kDelete),
      key_(request.key.key()),
      hashed_key_(key_, request.key.hash()),
      request_(request) {
  std::get<DeleteRequest>(request_).key = hashed_key_;
}

PendingCall::PendingCall(const ArithRequest& request)
    : kind_(Kind::kArithmetic),
      key_(request.key.key()),
      hashed_key_(key_, request.key.hash()),
      request_(request) {
  std::get<ArithRequest>(request_).key = hashed_key_;
}

PendingCall::PendingCall(const HashedKey& key, std::int64_t touch_exptime)
    : kind_(Kind::kTouch),
      key_(key.key()),
      hashed_key_(key_, key.hash()),
      request_(touch_exptime) {}

void PendingCall::RunOn(Engine& engine) {
  switch (kind_) {
    case Kind::kGet: {
      std::optional<OwnedItem> item;
      const GetStatus status =
          engine.Get(get(), [&item](const ItemView& view) { item = OwnedItem::From(view); });
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
  assert(kind_ == Kind::kGet && !done_);
  // A hit carries its item; anything else none (the contract of Engine::Get's on_hit).
  assert((status == GetStatus::kHit) == item.has_value());
  get_status_ = status;
  item_ = std::move(item);
  done_ = true;
}

void PendingCall::SetStore(StoreResult result) {
  assert(kind_ == Kind::kStore && !done_);
  store_result_ = result;
  done_ = true;
}

void PendingCall::SetDelete(DeleteStatus status) {
  assert(kind_ == Kind::kDelete && !done_);
  delete_status_ = status;
  done_ = true;
}

void PendingCall::SetArithmetic(ArithResult result) {
  assert(kind_ == Kind::kArithmetic && !done_);
  arith_result_ = result;
  done_ = true;
}

void PendingCall::SetTouch(TouchStatus status) {
  assert(kind_ == Kind::kTouch && !done_);
  touch_status_ = status;
  done_ = true;
}

}  // namespace mnemo

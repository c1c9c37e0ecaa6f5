// PendingCall and OwnedItem: the arguments are owned copies that keep the caller's hash, RunOn
// makes the call on an engine (the map engine here) and records what it answered, and each
// Set* records a result made elsewhere.
#include "mnemo/pending_call.h"

#include <gtest/gtest.h>

#include <string>

#include "engines/map/map_engine.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

StoreRequest SetOf(std::string_view key, std::string_view value) {
  StoreRequest request{HashedKey(key)};
  request.value = value;
  return request;
}

TEST(OwnedItemTest, FromAndViewKeepEveryField) {
  const std::string key = "k", value = "v1";
  ItemView view{key, value, 7, 99, 1000, 900, true, true, true, true, 800, true, true};
  const OwnedItem item = OwnedItem::From(view);
  const ItemView back = item.View();
  EXPECT_EQ(back.key, "k");
  EXPECT_EQ(back.value, "v1");
  EXPECT_NE(back.value.data(), value.data());  // the item's own bytes
  EXPECT_EQ(back.client_flags, 7u);
  EXPECT_EQ(back.cas, 99u);
  EXPECT_EQ(back.deadline, 1000);
  EXPECT_EQ(back.last_access, 900);
  EXPECT_TRUE(back.fetched && back.stale && back.win && back.lost);
  EXPECT_EQ(back.deadline_before, 800);
  EXPECT_TRUE(back.binary_key && back.vivified);
}

TEST(PendingCallTest, CopiesTheKeyAndKeepsTheHash) {
  std::string key = "abc";
  GetRequest request{HashedKey(key, 42)};
  request.touch_exptime = 30;
  request.bump = false;
  const PendingCall call(request);
  key = "zzz";  // the request's bytes change or go away; the call has its own
  EXPECT_EQ(call.kind(), PendingCall::Kind::kGet);
  EXPECT_EQ(call.key(), "abc");
  EXPECT_EQ(call.get().key.key(), "abc");
  EXPECT_EQ(call.get().key.key().data(), call.key().data());
  EXPECT_EQ(call.get().key.hash(), 42u);
  EXPECT_EQ(call.hashed_key().hash(), 42u);
  EXPECT_EQ(call.get().touch_exptime, 30);
  EXPECT_FALSE(call.get().bump);
  EXPECT_FALSE(call.done());
}

TEST(PendingCallTest, AStoreCopiesItsValue) {
  std::string key = "k", value = "value";
  StoreRequest request = SetOf(key, value);
  request.mode = StoreMode::kCas;
  request.compare_cas = 5;
  request.client_flags = 3;
  const PendingCall call(request);
  key = "x";
  value = "gone!";
  EXPECT_EQ(call.kind(), PendingCall::Kind::kStore);
  EXPECT_EQ(call.store().key.key(), "k");
  EXPECT_EQ(call.store().value, "value");
  EXPECT_EQ(call.store().mode, StoreMode::kCas);
  EXPECT_EQ(call.store().compare_cas, 5u);
  EXPECT_EQ(call.store().client_flags, 3u);
}

TEST(PendingCallTest, DeleteArithmeticAndTouchCopyTheirArguments) {
  std::string key = "n";
  DeleteRequest del{HashedKey(key, 1)};
  del.invalidate = true;
  ArithRequest arith{HashedKey(key, 2)};
  arith.increment = false;
  arith.delta = 9;
  const PendingCall d(del), a(arith), t(HashedKey(key, 3), 60);
  key = "m";
  EXPECT_EQ(d.kind(), PendingCall::Kind::kDelete);
  EXPECT_EQ(d.del().key.key(), "n");
  EXPECT_TRUE(d.del().invalidate);
  EXPECT_EQ(a.kind(), PendingCall::Kind::kArithmetic);
  EXPECT_EQ(a.arithmetic().key.key(), "n");
  EXPECT_EQ(a.arithmetic().key.hash(), 2u);
  EXPECT_FALSE(a.arithmetic().increment);
  EXPECT_EQ(a.arithmetic().delta, 9u);
  EXPECT_EQ(t.kind(), PendingCall::Kind::kTouch);
  EXPECT_EQ(t.hashed_key().key(), "n");
  EXPECT_EQ(t.hashed_key().hash(), 3u);
  EXPECT_EQ(t.touch_exptime(), 60);
}

TEST(PendingCallTest, RunOnMakesEachKindOfCall) {
  testing::ManualClock clock;
  MapEngine engine(clock);
  PendingCall store(SetOf("k", "12"));
  store.RunOn(engine);
  ASSERT_TRUE(store.done());
  EXPECT_EQ(store.store_result().status, StoreStatus::kStored);

  PendingCall hit(GetRequest{HashedKey("k")}), miss(GetRequest{HashedKey("no")});
  hit.RunOn(engine);
  miss.RunOn(engine);
  EXPECT_EQ(hit.get_status(), GetStatus::kHit);
  ASSERT_TRUE(hit.item().has_value());
  EXPECT_EQ(hit.item()->value, "12");
  EXPECT_EQ(hit.item()->cas, store.store_result().cas);
  EXPECT_EQ(miss.get_status(), GetStatus::kMiss);
  EXPECT_FALSE(miss.item().has_value());

  ArithRequest incr{HashedKey("k")};
  incr.delta = 5;
  PendingCall arith(incr), touch(HashedKey("k"), 100), touch_miss(HashedKey("no"), 100);
  arith.RunOn(engine);
  touch.RunOn(engine);
  touch_miss.RunOn(engine);
  EXPECT_EQ(arith.arith_result().status, ArithStatus::kOk);
  EXPECT_EQ(arith.arith_result().value, 17u);
  EXPECT_EQ(touch.touch_status(), TouchStatus::kTouched);
  EXPECT_EQ(touch_miss.touch_status(), TouchStatus::kNotFound);

  PendingCall del(DeleteRequest{HashedKey("k")}), again(DeleteRequest{HashedKey("k")});
  del.RunOn(engine);
  again.RunOn(engine);
  EXPECT_EQ(del.delete_status(), DeleteStatus::kDeleted);
  EXPECT_EQ(again.delete_status(), DeleteStatus::kNotFound);
}

TEST(PendingCallTest, SetRecordsAResultMadeElsewhere) {
  PendingCall get(GetRequest{HashedKey("k")}), error(GetRequest{HashedKey("e")});
  OwnedItem item;
  item.key = "k";
  item.value = "v";
  get.SetGet(GetStatus::kHit, item);
  error.SetGet(GetStatus::kError);
  EXPECT_TRUE(get.done());
  EXPECT_EQ(get.item()->value, "v");
  EXPECT_EQ(error.get_status(), GetStatus::kError);
  EXPECT_FALSE(error.item().has_value());

  PendingCall store(SetOf("k", "v")), del(DeleteRequest{HashedKey("k")});
  PendingCall arith(ArithRequest{HashedKey("k")}), touch(HashedKey("k"), 0);
  store.SetStore({StoreStatus::kNoMemory, 0});
  del.SetDelete(DeleteStatus::kError);
  arith.SetArithmetic({ArithStatus::kNotStored});
  touch.SetTouch(TouchStatus::kError);
  for (const PendingCall* call : {&store, &del, &arith, &touch}) EXPECT_TRUE(call->done());
  EXPECT_EQ(store.store_result().status, StoreStatus::kNoMemory);
  EXPECT_EQ(del.delete_status(), DeleteStatus::kError);
  EXPECT_EQ(arith.arith_result().status, ArithStatus::kNotStored);
  EXPECT_EQ(touch.touch_status(), TouchStatus::kError);
}

}  // namespace
}  // namespace mnemo

// Exptime conversion, lazy expiry, touch/gat and flush_all (immediate and delayed).
#include "engine_test.h"

namespace mnemo::conformance {
namespace {

class ExpiryTest : public EngineTest {};

// Meta replies compute TTLs against Engine::Now(), so it must be the clock deadlines use.
TEST_P(ExpiryTest, NowIsTheEngineClock) {
  EXPECT_EQ(engine().Now(), kStart);
  Advance(42);
  EXPECT_EQ(engine().Now(), kStart + 42);
  Set("k", "v", 0, 10);
  EXPECT_EQ(Get("k")->deadline - engine().Now(), 10);
}

TEST_P(ExpiryTest, RelativeExptimeExpiresAtNowPlusTtl) {
  Set("k", "v", 0, 10);
  EXPECT_EQ(Get("k")->deadline, kStart + 10);
  Advance(9);
  EXPECT_TRUE(Get("k"));
  Advance(1);
  EXPECT_EQ(StatusOf("k"), GetStatus::kExpired);
  EXPECT_EQ(StatusOf("k"), GetStatus::kMiss);  // the expired item is gone for good
}

TEST_P(ExpiryTest, ZeroNeverExpires) {
  Set("k", "v", 0, 0);
  Advance(std::int64_t{100} * 365 * 86400);
  EXPECT_TRUE(Get("k"));
}

TEST_P(ExpiryTest, ThirtyDaysIsTheLastRelativeExptime) {
  Set("rel", "v", 0, 2592000);
  EXPECT_EQ(Get("rel")->deadline, kStart + 2592000);
  // One more second is an absolute unix time (in 1970), long past.
  EXPECT_EQ(Set("abs", "v", 0, 2592001).status, StoreStatus::kStored);
  EXPECT_EQ(StatusOf("abs"), GetStatus::kExpired);
}

TEST_P(ExpiryTest, AbsoluteExptime) {
  Set("future", "v", 0, kStart + 100);
  EXPECT_EQ(Get("future")->deadline, kStart + 100);
  Set("now", "v", 0, kStart);
  EXPECT_FALSE(Get("now"));
  Set("past", "v", 0, kStart - 1);
  EXPECT_FALSE(Get("past"));
  Advance(99);
  EXPECT_TRUE(Get("future"));
  Advance(1);
  EXPECT_FALSE(Get("future"));
}

TEST_P(ExpiryTest, NegativeExptimeIsAlreadyExpired) {
  Set("k", "old");
  EXPECT_EQ(Set("k", "v", 0, -1).status, StoreStatus::kStored);
  EXPECT_EQ(StatusOf("k"), GetStatus::kExpired);
}

TEST_P(ExpiryTest, ExpiredItemsAreMissingForEveryCommand) {
  Set("k", "v", 0, 5);
  Advance(5);
  EXPECT_EQ(Store("k", "x", StoreMode::kReplace).status, StoreStatus::kNotStored);
  EXPECT_EQ(Store("k", "x", StoreMode::kAppend).status, StoreStatus::kNotStored);
  EXPECT_EQ(Store("k", "x", StoreMode::kCas, 0, 0, 1).status, StoreStatus::kNotFound);
  EXPECT_EQ(Delete("k"), DeleteStatus::kNotFound);
  EXPECT_EQ(Touch("k", 100), TouchStatus::kNotFound);
  EXPECT_FALSE(Peek("k"));
}

TEST_P(ExpiryTest, TouchSetsANewExptimeAndKeepsCas) {
  std::uint64_t cas = Set("k", "v", 0, 10).cas;
  EXPECT_EQ(Touch("k", 100), TouchStatus::kTouched);
  auto item = Get("k");
  EXPECT_EQ(item->deadline, kStart + 100);
  EXPECT_EQ(item->cas, cas);
  Advance(50);
  EXPECT_TRUE(Get("k"));
  EXPECT_EQ(Touch("k", 0), TouchStatus::kTouched);
  Advance(1000);
  EXPECT_TRUE(Get("k"));
  EXPECT_EQ(Touch("missing", 10), TouchStatus::kNotFound);
}

TEST_P(ExpiryTest, TouchWithNegativeExptimeExpiresTheItem) {
  Set("k", "v");
  EXPECT_EQ(Touch("k", -1), TouchStatus::kTouched);
  EXPECT_FALSE(Get("k"));
}

TEST_P(ExpiryTest, GatReturnsTheTouchedItemAndKeepsCas) {
  std::uint64_t cas = Set("k", "v", 0, 10).cas;
  GetRequest gat = GetReq("k");
  gat.touch_exptime = 300;
  Fetch fetch = Get(gat);
  ASSERT_EQ(fetch.status, GetStatus::kHit);
  EXPECT_EQ(fetch.item->value, "v");
  EXPECT_EQ(fetch.item->deadline, kStart + 300);
  EXPECT_EQ(fetch.item->cas, cas);
  Advance(200);
  EXPECT_EQ(Get("k")->cas, cas);
  EXPECT_EQ(Get(gat).status, GetStatus::kHit);
}

TEST_P(ExpiryTest, FlushAllInvalidatesEverythingStoredSoFar) {
  Set("a", "1");
  Set("b", "2", 0, 100);
  engine().FlushAll(0);
  EXPECT_EQ(StatusOf("a"), GetStatus::kFlushed);
  EXPECT_EQ(StatusOf("b"), GetStatus::kFlushed);
  EXPECT_TRUE(All().empty());
  // Items stored after the flush in the same second survive it.
  Set("a", "new");
  EXPECT_EQ(Store("b", "new", StoreMode::kAdd).status, StoreStatus::kStored);
  EXPECT_EQ(Get("a")->value, "new");
  EXPECT_EQ(Get("b")->value, "new");
}

TEST_P(ExpiryTest, FlushedItemsAreMissingForEveryCommand) {
  Set("k", "5");
  engine().FlushAll(0);
  EXPECT_EQ(Store("k", "x", StoreMode::kReplace).status, StoreStatus::kNotStored);
  EXPECT_EQ(Incr("k", 1).status, ArithStatus::kNotFound);
  EXPECT_EQ(Delete("k"), DeleteStatus::kNotFound);
  EXPECT_EQ(Touch("k", 10), TouchStatus::kNotFound);
}

TEST_P(ExpiryTest, NegativeAndOneSecondDelaysFlushImmediately) {
  Set("a", "1");
  engine().FlushAll(-1);
  EXPECT_FALSE(Get("a"));
  Set("b", "1");
  engine().FlushAll(1);
  EXPECT_FALSE(Get("b"));
}

// memcached sets oldest_live to (now + delay) - 1 and applies it once the clock gets there:
// everything stored up to and including that second vanishes, later items survive (verified
// live on 1.6.18 with flush_all 3).
TEST_P(ExpiryTest, DelayedFlushTakesEffectAtItsMoment) {
  Set("early", "1");
  engine().FlushAll(10);
  const std::int64_t moment = kStart + 9;
  Advance(5);
  Set("middle", "2");
  EXPECT_TRUE(Get("early"));
  clock_.Set(moment - 1);
  EXPECT_TRUE(Get("early"));
  EXPECT_TRUE(Get("middle"));
  clock_.Set(moment);
  EXPECT_EQ(StatusOf("early"), GetStatus::kFlushed);
  EXPECT_EQ(StatusOf("middle"), GetStatus::kFlushed);
  Set("at_moment", "3");
  EXPECT_FALSE(Get("at_moment"));
  clock_.Set(moment + 1);
  Set("after", "4");
  Advance(100);
  EXPECT_EQ(Get("after")->value, "4");
}

TEST_P(ExpiryTest, DelayedFlushWithAnAbsoluteTime) {
  Set("k", "v");
  engine().FlushAll(kStart + 50);
  Advance(48);
  EXPECT_TRUE(Get("k"));
  Advance(1);
  EXPECT_FALSE(Get("k"));
}

TEST_P(ExpiryTest, ALaterFlushReplacesAPendingOne) {
  Set("k", "v");
  engine().FlushAll(100);
  engine().FlushAll(10);
  Advance(9);
  EXPECT_FALSE(Get("k"));
}

TEST_P(ExpiryTest, ImmediateFlushCancelsAPendingOne) {
  Set("old", "v");
  engine().FlushAll(100);
  engine().FlushAll(0);
  EXPECT_FALSE(Get("old"));
  Set("new", "v");
  Advance(200);
  EXPECT_TRUE(Get("new"));
}

TEST_P(ExpiryTest, ItemsFlushedByAPassedMomentStayFlushed) {
  Set("k", "v");
  engine().FlushAll(10);
  Advance(20);
  engine().FlushAll(100);  // replaces the moment that already went by
  EXPECT_FALSE(Get("k"));
}

MNEMO_ENGINE_SUITE(ExpiryTest);

}  // namespace
}  // namespace mnemo::conformance

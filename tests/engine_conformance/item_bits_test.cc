// Per-item state the meta protocol renders from: the binary-key bit (an item stored through a
// meta base64 key shows its key encoded in mg k and me), which 1.6.18 sets and clears as
// checked live (ms b vs set, append, vivify, incr growth, touch, md I), and the deadline from
// before a request's touch, which `mg k t T30` reports.
#include "engine_test.h"

namespace mnemo::conformance {
namespace {

class ItemBitsTest : public EngineTest {
 protected:
  StoreResult StoreBinary(std::string_view key, std::string_view value, bool binary,
                          StoreMode mode = StoreMode::kSet) {
    StoreRequest request = StoreReq(key, value, mode);
    request.binary_key = binary;
    return engine().Store(request);
  }
  bool BinaryKey(std::string_view key) {
    std::optional<Snapshot> item = Peek(key);
    EXPECT_TRUE(item) << key;
    return item && item->binary_key;
  }
};

TEST_P(ItemBitsTest, StoreTakesTheRequestsBinaryKey) {
  ASSERT_EQ(StoreBinary("k", "v", true).status, StoreStatus::kStored);
  EXPECT_TRUE(BinaryKey("k"));
  EXPECT_TRUE(Get("k")->binary_key);
  std::vector<Snapshot> all = All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_TRUE(all[0].binary_key);

  Set("k", "plain");  // a classic set over it
  EXPECT_FALSE(BinaryKey("k"));
  ASSERT_EQ(StoreBinary("k", "r", true, StoreMode::kReplace).status, StoreStatus::kStored);
  EXPECT_TRUE(BinaryKey("k"));
  ASSERT_EQ(StoreBinary("a", "v", true, StoreMode::kAdd).status, StoreStatus::kStored);
  EXPECT_TRUE(BinaryKey("a"));
}

TEST_P(ItemBitsTest, CasStoresTakeItAndFailedStoresKeepIt) {
  const std::uint64_t cas = StoreBinary("k", "v", false).cas;
  StoreRequest request = StoreReq("k", "w", StoreMode::kCas);
  request.compare_cas = cas;
  request.binary_key = true;
  ASSERT_EQ(engine().Store(request).status, StoreStatus::kStored);
  EXPECT_TRUE(BinaryKey("k"));

  request.binary_key = false;  // the CAS is stale now: nothing changes
  EXPECT_EQ(engine().Store(request).status, StoreStatus::kExists);
  EXPECT_TRUE(BinaryKey("k"));
  EXPECT_EQ(StoreBinary("k", "x", false, StoreMode::kAdd).status, StoreStatus::kNotStored);
  EXPECT_TRUE(BinaryKey("k"));

  // meta I with an older CAS stores the request's item, stale.
  const std::uint64_t current = Peek("k")->cas;
  Set("k", "plain");
  StoreRequest stale = StoreReq("k", "old", StoreMode::kCas);
  stale.compare_cas = current;
  stale.invalidate = true;
  stale.binary_key = true;
  ASSERT_EQ(engine().Store(stale).status, StoreStatus::kStored);
  EXPECT_TRUE(Peek("k")->stale);
  EXPECT_TRUE(BinaryKey("k"));
}

// 1.6.18 builds the joined item afresh and does not carry the bit over, whichever encoding
// the append itself used.
TEST_P(ItemBitsTest, AppendAndPrependClearIt) {
  StoreBinary("k", "v", true);
  ASSERT_EQ(StoreBinary("k", "w", true, StoreMode::kAppend).status, StoreStatus::kStored);
  EXPECT_EQ(Peek("k")->value, "vw");
  EXPECT_FALSE(BinaryKey("k"));
  StoreBinary("k", "v", true);
  ASSERT_EQ(StoreBinary("k", "u", false, StoreMode::kPrepend).status, StoreStatus::kStored);
  EXPECT_FALSE(BinaryKey("k"));

  // ms MA N on a miss (after 1.6.18) stores the request's own item.
  StoreRequest vivify = StoreReq("new", "x", StoreMode::kAppend);
  vivify.vivify_exptime = 30;
  vivify.binary_key = true;
  ASSERT_EQ(engine().Store(vivify).status, StoreStatus::kStored);
  EXPECT_TRUE(BinaryKey("new"));
}

TEST_P(ItemBitsTest, InPlaceChangesKeepIt) {
  StoreBinary("k", "1", true);
  EXPECT_EQ(Touch("k", 100), TouchStatus::kTouched);
  EXPECT_TRUE(BinaryKey("k"));
  GetRequest gat = GetReq("k");
  gat.touch_exptime = 200;
  EXPECT_TRUE(Get(gat).item->binary_key);
  EXPECT_EQ(Incr("k", 1).status, ArithStatus::kOk);  // "1" -> "2": rewritten in place
  EXPECT_TRUE(BinaryKey("k"));
  DeleteRequest invalidate{HashedKey("k")};
  invalidate.invalidate = true;
  EXPECT_EQ(engine().Delete(invalidate), DeleteStatus::kDeleted);
  EXPECT_TRUE(BinaryKey("k"));
}

TEST_P(ItemBitsTest, RebuiltAndCreatedItemsHaveNone) {
  StoreBinary("k", "9", true);
  EXPECT_EQ(Incr("k", 1).value, 10u);  // a longer number needs a new item
  EXPECT_FALSE(BinaryKey("k"));

  ArithRequest create = ArithReq("c", true, 1);
  create.create_exptime = 0;
  EXPECT_EQ(engine().Arithmetic(create).status, ArithStatus::kOk);
  EXPECT_FALSE(BinaryKey("c"));

  GetRequest vivify = GetReq("v");
  vivify.vivify_exptime = 30;
  Fetch stub = Get(vivify);
  ASSERT_TRUE(stub.item);
  EXPECT_TRUE(stub.item->vivified);
  EXPECT_FALSE(stub.item->binary_key);
  EXPECT_FALSE(Get(vivify).item->vivified);  // the second caller finds it
  EXPECT_FALSE(Get("v")->vivified);
}

TEST_P(ItemBitsTest, GetReportsTheDeadlineFromBeforeItsTouch) {
  Set("k", "v", 0, 100);
  Fetch plain = Get(GetReq("k"));
  EXPECT_EQ(plain.item->deadline_before, kStart + 100);
  EXPECT_EQ(plain.item->deadline, kStart + 100);

  GetRequest touch = GetReq("k");
  touch.touch_exptime = 30;
  Fetch touched = Get(touch);
  EXPECT_EQ(touched.item->deadline_before, kStart + 100);
  EXPECT_EQ(touched.item->deadline, kStart + 30);
  touch.touch_exptime = 0;
  touched = Get(touch);
  EXPECT_EQ(touched.item->deadline_before, kStart + 30);
  EXPECT_EQ(touched.item->deadline, 0);

  GetRequest vivify = GetReq("v");
  vivify.vivify_exptime = 30;
  Fetch stub = Get(vivify);
  EXPECT_EQ(stub.item->deadline_before, kStart + 30);
  EXPECT_EQ(stub.item->deadline, kStart + 30);
}

TEST_P(ItemBitsTest, ArithmeticReportsTheDeadlineFromBeforeItsTouch) {
  Set("k", "1", 0, 100);
  ArithRequest touch = ArithReq("k", true, 1);
  touch.touch_exptime = 30;
  ArithResult result = engine().Arithmetic(touch);
  EXPECT_EQ(result.deadline_before, kStart + 100);
  EXPECT_EQ(result.deadline, kStart + 30);
  result = Incr("k", 10);  // grows: a new item keeps the deadline
  EXPECT_EQ(result.deadline_before, kStart + 30);
  EXPECT_EQ(result.deadline, kStart + 30);

  ArithRequest create = ArithReq("c", true, 1);
  create.create_exptime = 50;
  create.touch_exptime = 0;
  result = engine().Arithmetic(create);
  EXPECT_EQ(result.deadline_before, kStart + 50);
  EXPECT_EQ(result.deadline, 0);
}

MNEMO_ENGINE_SUITE(ItemBitsTest);

}  // namespace
}  // namespace mnemo::conformance

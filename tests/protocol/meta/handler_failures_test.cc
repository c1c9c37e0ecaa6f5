// Engine failures the map engine never produces (out of memory, a stricter size limit, a
// counter that cannot be created, an engine that cannot answer), driven through a scripted
// engine.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/context.h"
#include "failing_engine.h"
#include "meta/handler.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::meta {
namespace {

class ScriptedEngine final : public Engine {
 public:
  GetStatus Get(const GetRequest&, ItemVisitor) override { return GetStatus::kMiss; }
  StoreResult Store(const StoreRequest& r) override {
    stores.push_back(r.mode);
    return {store_status, 0};
  }
  DeleteStatus Delete(const DeleteRequest& r) override {
    deleted.emplace_back(r.key.key());
    return DeleteStatus::kDeleted;
  }
  ArithResult Arithmetic(const ArithRequest& r) override {
    arith_calls.push_back(r.create_exptime.has_value());
    return {r.create_exptime ? create_status : arith_status};
  }
  TouchStatus Touch(const HashedKey&, std::int64_t) override { return TouchStatus::kNotFound; }
  void FlushAll(std::int64_t) override {}
  void ForEach(FunctionRef<bool(const ItemView&)>) override {}
  bool Stats(std::string_view, StatSink) override { return false; }

  StoreStatus store_status = StoreStatus::kStored;
  ArithStatus arith_status = ArithStatus::kNotFound;
  ArithStatus create_status = ArithStatus::kOk;
  std::vector<StoreMode> stores;
  std::vector<std::string> deleted;
  std::vector<bool> arith_calls;  // whether each call asked to create
};

class MetaFailureTest : public ::testing::Test {
 protected:
  std::string Run(const std::string& input) { return Run(input, context_); }
  static std::string Run(const std::string& input, SessionContext& context) {
    Request request;
    ParseResult result = ParseRequest(input, ParserLimits{}, request);
    EXPECT_EQ(result.status, ParseStatus::kOk) << input;
    std::string out;
    Execute(request, context, out);
    return out;
  }

  ScriptedEngine engine_;
  SessionConfig config_;
  CommandCounters counters_;
  SessionHooks hooks_;
  SessionContext context_{engine_, config_, counters_, hooks_};
};

TEST_F(MetaFailureTest, StoreOutOfMemoryDropsTheOldValue) {
  engine_.store_status = StoreStatus::kNoMemory;
  EXPECT_EQ(Run("ms k 1 q\r\nx\r\n"), "SERVER_ERROR out of memory storing object\r\n");
  EXPECT_EQ(engine_.deleted, std::vector<std::string>{"k"});
  EXPECT_EQ(counters_.store_no_memory, 1u);
  EXPECT_EQ(counters_.cmd_set, 0u);
}

TEST_F(MetaFailureTest, EngineTooLargeDropsTheOldValue) {
  engine_.store_status = StoreStatus::kTooLarge;
  EXPECT_EQ(Run("ms k 1\r\nx\r\n"), "SERVER_ERROR object too large for cache\r\n");
  EXPECT_EQ(engine_.deleted, std::vector<std::string>{"k"});
  EXPECT_EQ(counters_.store_too_large, 1u);
}

TEST_F(MetaFailureTest, ModesReachTheEngine) {
  Run("ms k 1\r\nx\r\n");
  Run("ms k 1 ME C5\r\nx\r\n");  // add ignores the CAS
  Run("ms k 1 MR C5\r\nx\r\n");  // replace with a CAS is a cas
  Run("ms k 1 MA C5\r\nx\r\n");  // append keeps its mode and checks the CAS
  Run("ms k 1 MP\r\nx\r\n");
  Run("ms k 1 C5\r\nx\r\n");
  EXPECT_EQ(engine_.stores,
            (std::vector<StoreMode>{StoreMode::kSet, StoreMode::kAdd, StoreMode::kCas,
                                    StoreMode::kAppend, StoreMode::kPrepend, StoreMode::kCas}));
}

TEST_F(MetaFailureTest, CounterCreationOutOfMemory) {
  engine_.create_status = ArithStatus::kNotStored;
  EXPECT_EQ(Run("ma k N0 q\r\n"), "SERVER_ERROR Out of memory allocating new item\r\n");
  EXPECT_EQ(engine_.arith_calls, (std::vector<bool>{false, true}));
}

TEST_F(MetaFailureTest, CounterGrowthOutOfMemory) {
  engine_.arith_status = ArithStatus::kNotStored;
  EXPECT_EQ(Run("ma k\r\n"), "SERVER_ERROR out of memory\r\n");
  EXPECT_EQ(engine_.arith_calls, std::vector<bool>{false});
}

// The proxy's upstream is down: mg, md and me answer the error line, which q does not hide,
// and nothing is counted as a hit or a miss.
TEST_F(MetaFailureTest, EngineErrorIsServerErrorBackendFailure) {
  mnemo::testing::FailingEngine failing(engine_);
  SessionContext context{failing, config_, counters_, hooks_};
  const std::string failed = "SERVER_ERROR backend failure\r\n";
  EXPECT_EQ(Run("mg down v\r\n", context), failed);
  EXPECT_EQ(Run("mg down v q\r\n", context), failed);
  EXPECT_EQ(Run("mg down T30 v\r\n", context), failed);
  EXPECT_EQ(Run("md down q\r\n", context), failed);
  EXPECT_EQ(Run("me down\r\n", context), failed);
  EXPECT_EQ(Run("ms down 1 q\r\nx\r\n", context), failed);
  EXPECT_EQ(Run("ma down q\r\n", context), failed);
  EXPECT_EQ(Run("ma down N0 J5 v\r\n", context), failed);
  EXPECT_EQ(counters_.store_no_memory + counters_.incr_hits + counters_.incr_misses, 0u);
  EXPECT_EQ(counters_.get_hits + counters_.get_misses + counters_.touch_hits, 0u);
  EXPECT_EQ(counters_.delete_hits + counters_.delete_misses, 0u);
  EXPECT_EQ(Run("mg up v\r\n", context), "EN\r\n");  // other keys reach the engine
}

}  // namespace
}  // namespace mnemo::meta

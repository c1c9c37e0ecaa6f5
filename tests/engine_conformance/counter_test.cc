// incr/decr: memcached's decimal counter rules, in-place padding, auto-create and CAS.
#include <string>

#include "engine_test.h"

namespace mnemo::conformance {
namespace {

class CounterTest : public EngineTest {};

constexpr std::uint64_t kMaxU64 = 18446744073709551615ULL;

TEST_P(CounterTest, IncrAndDecrUpdateTheStoredValue) {
  Set("n", "10", 3);
  ArithResult up = Incr("n", 5);
  ASSERT_EQ(up.status, ArithStatus::kOk);
  EXPECT_EQ(up.value, 15u);
  ArithResult down = Decr("n", 3);
  ASSERT_EQ(down.status, ArithStatus::kOk);
  EXPECT_EQ(down.value, 12u);
  auto item = Get("n");
  EXPECT_EQ(item->value, "12");
  EXPECT_EQ(item->client_flags, 3u);
  EXPECT_EQ(item->cas, down.cas);
}

TEST_P(CounterTest, MissIsNotFound) {
  EXPECT_EQ(Incr("none", 1).status, ArithStatus::kNotFound);
  EXPECT_EQ(Decr("none", 1).status, ArithStatus::kNotFound);
  EXPECT_FALSE(Get("none"));
}

TEST_P(CounterTest, IncrWrapsModulo2To64) {
  Set("n", "18446744073709551615");
  ArithResult r = Incr("n", 2);
  ASSERT_EQ(r.status, ArithStatus::kOk);
  EXPECT_EQ(r.value, 1u);
  EXPECT_EQ(Get("n")->value, "1" + std::string(19, ' '));
}

TEST_P(CounterTest, MaxU64IsNumeric) {
  Set("n", "18446744073709551614");
  EXPECT_EQ(Incr("n", 1).value, kMaxU64);
  EXPECT_EQ(Get("n")->value, "18446744073709551615");
  EXPECT_EQ(Decr("n", 0).value, kMaxU64);
}

TEST_P(CounterTest, DecrFloorsAtZero) {
  Set("n", "10");
  ArithResult r = Decr("n", 100);
  ASSERT_EQ(r.status, ArithStatus::kOk);
  EXPECT_EQ(r.value, 0u);
  EXPECT_EQ(Get("n")->value, "0 ");
}

TEST_P(CounterTest, ShorterResultIsSpacePaddedToTheOldLength) {
  Set("n", "100");
  EXPECT_EQ(Decr("n", 1).value, 99u);
  EXPECT_EQ(Get("n")->value, "99 ");
  // The padding is kept as part of the value and parsed back.
  EXPECT_EQ(Incr("n", 1).value, 100u);
  EXPECT_EQ(Get("n")->value, "100");
}

TEST_P(CounterTest, LongerResultGrowsTheValue) {
  Set("n", "99", 4, 100);
  EXPECT_EQ(Incr("n", 1).value, 100u);
  auto item = Get("n");
  EXPECT_EQ(item->value, "100");
  EXPECT_EQ(item->client_flags, 4u);
  EXPECT_EQ(item->deadline, kStart + 100);
}

TEST_P(CounterTest, NonNumericValuesAreRejectedAndKept) {
  const std::string cases[] = {
      "abc", "12ab", "", "   ", "-1", "18446744073709551616", "99999999999999999999", "x1"};
  for (const std::string& value : cases) {
    Set("n", value);
    EXPECT_EQ(Incr("n", 1).status, ArithStatus::kNonNumeric) << '"' << value << '"';
    EXPECT_EQ(Decr("n", 1).status, ArithStatus::kNonNumeric) << '"' << value << '"';
    EXPECT_EQ(Get("n")->value, value);
  }
}

// memcached reads the value with strtoull and accepts what follows the digits when it is
// whitespace (all verified live on 1.6.18).
TEST_P(CounterTest, MemcachedAcceptsTheseCounterForms) {
  struct Case {
    std::string stored;
    std::uint64_t after_incr;
    std::string value_after;
  };
  const Case cases[] = {
      {" 12", 13, "13 "},
      {"+12", 13, "13 "},
      {"-0", 1, "1 "},
      {"12 ab", 13, "13   "},
      {"12\tz", 13, "13  "},
      {"00000000000000000001", 2, "2" + std::string(19, ' ')},
      {"0000000000000000000000000000001", 2, "2" + std::string(30, ' ')},
  };
  for (const Case& c : cases) {
    Set("n", c.stored);
    ArithResult r = Incr("n", 1);
    ASSERT_EQ(r.status, ArithStatus::kOk) << '"' << c.stored << '"';
    EXPECT_EQ(r.value, c.after_incr) << '"' << c.stored << '"';
    EXPECT_EQ(Get("n")->value, c.value_after) << '"' << c.stored << '"';
  }
}

TEST_P(CounterTest, CompareCasMismatchIsExists) {
  std::uint64_t cas = Set("n", "5").cas;
  ArithRequest request = ArithReq("n", true, 1);
  request.compare_cas = cas + 1;
  EXPECT_EQ(engine().Arithmetic(request).status, ArithStatus::kExists);
  EXPECT_EQ(Get("n")->value, "5");
  request.compare_cas = cas;
  ArithResult r = engine().Arithmetic(request);
  EXPECT_EQ(r.status, ArithStatus::kOk);
  EXPECT_EQ(r.value, 6u);
}

// memcached rejects an empty value before it compares the CAS.
TEST_P(CounterTest, EmptyValueIsNonNumericEvenWithAWrongCas) {
  std::uint64_t cas = Set("n", "").cas;
  ArithRequest request = ArithReq("n", true, 1);
  request.compare_cas = cas + 1;
  EXPECT_EQ(engine().Arithmetic(request).status, ArithStatus::kNonNumeric);
}

TEST_P(CounterTest, CreateOnMissUsesInitialAndExptime) {
  ArithRequest request = ArithReq("n", true, 5);
  request.create_exptime = 60;
  request.initial = 10;
  ArithResult created = engine().Arithmetic(request);
  ASSERT_EQ(created.status, ArithStatus::kOk);
  EXPECT_EQ(created.value, 10u);  // the initial value, without the delta
  EXPECT_EQ(created.deadline, kStart + 60);
  auto item = Get("n");
  EXPECT_EQ(item->value, "10");
  EXPECT_EQ(item->client_flags, 0u);
  EXPECT_EQ(item->cas, created.cas);
  EXPECT_EQ(item->deadline, kStart + 60);
  // On a hit the delta applies and the exptime is left alone.
  ArithResult hit = engine().Arithmetic(request);
  EXPECT_EQ(hit.value, 15u);
  EXPECT_EQ(hit.deadline, kStart + 60);
}

TEST_P(CounterTest, CreateWithZeroExptimeNeverExpires) {
  ArithRequest request = ArithReq("n", false, 5);
  request.create_exptime = 0;
  request.initial = 3;
  EXPECT_EQ(engine().Arithmetic(request).value, 3u);
  Advance(1000000);
  EXPECT_EQ(Get("n")->value, "3");
}

TEST_P(CounterTest, TouchExptimeUpdatesTheDeadline) {
  Set("n", "1", 0, 10);
  ArithRequest request = ArithReq("n", true, 1);
  request.touch_exptime = 100;
  ArithResult r = engine().Arithmetic(request);
  EXPECT_EQ(r.deadline, kStart + 100);
  Advance(50);
  EXPECT_EQ(Get("n")->value, "2");
}

TEST_P(CounterTest, ExpiredCounterIsNotFound) {
  Set("n", "1", 0, 10);
  Advance(10);
  EXPECT_EQ(Incr("n", 1).status, ArithStatus::kNotFound);
}

TEST_P(CounterTest, NewCasIsUsedWhenGiven) {
  Set("n", "1");
  ArithRequest request = ArithReq("n", true, 1);
  request.new_cas = 777777;
  EXPECT_EQ(engine().Arithmetic(request).cas, 777777u);
  EXPECT_EQ(Get("n")->cas, 777777u);
}

MNEMO_ENGINE_SUITE(CounterTest);

}  // namespace
}  // namespace mnemo::conformance

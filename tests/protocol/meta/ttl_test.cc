// The `t` flag at its place among the flags (ttl.h): unit cases on TtlFlagValue, then request
// sequences whose expected bytes are what a freshly started 1.6.18 sent (its clock then reads
// 62, as with hooks that report no uptime).
#include "meta/ttl.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "meta/handler_test_util.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::meta {
namespace {

using test::MetaHandlerTest;

constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::int64_t kWrap = std::int64_t{1} << 32;

struct Parsed {
  std::string line;
  Request request;
};

// The request's views point into `line`, so both live together.
std::unique_ptr<Parsed> Parse(std::string line) {
  auto parsed = std::make_unique<Parsed>();
  parsed->line = std::move(line);
  ParseResult result = ParseRequest(parsed->line, ParserLimits{}, parsed->request);
  EXPECT_EQ(result.status, ParseStatus::kOk) << parsed->line;
  return parsed;
}

std::int64_t Ttl(const std::string& line, std::int64_t before, bool created = false,
                 std::int64_t uptime = 0) {
  return TtlFlagValue(Parse(line)->request, before, created, TtlClock{kNow, uptime});
}

TEST(TtlFlagTest, WithoutTOrNTheItemsOwnTtl) {
  EXPECT_EQ(Ttl("mg a t\r\n", 0), -1);
  EXPECT_EQ(Ttl("mg a t\r\n", kNow + 30), 30);
  EXPECT_EQ(Ttl("mg a v\r\n", kNow + 30), 30);
}

TEST(TtlFlagTest, TOnlyCountsWhenItComesFirst) {
  EXPECT_EQ(Ttl("mg a t T30\r\n", 0), -1);
  EXPECT_EQ(Ttl("mg a T30 t\r\n", 0), 30);
  EXPECT_EQ(Ttl("mg a T0 t\r\n", kNow + 30), -1);
  EXPECT_EQ(Ttl("ma a t T30\r\n", kNow + 99), 99);
  EXPECT_EQ(Ttl("mg a T1700001000 t\r\n", 0), 1000);
}

TEST(TtlFlagTest, CreatedItemsStartWithoutTtlAndNCounts) {
  EXPECT_EQ(Ttl("mg a t N30\r\n", kNow + 30, true), -1);
  EXPECT_EQ(Ttl("mg a N30 t\r\n", kNow + 30, true), 30);
  EXPECT_EQ(Ttl("mg a N30 t\r\n", kNow + 30, false), 30);  // an existing item's own TTL
  EXPECT_EQ(Ttl("mg a N30 t\r\n", 0, false), -1);
  EXPECT_EQ(Ttl("mg a N30 T60 t\r\n", kNow + 60, true), 60);
  EXPECT_EQ(Ttl("mg a T60 N30 t\r\n", kNow + 30, true), 30);
  EXPECT_EQ(Ttl("mg a T60 t N30\r\n", kNow + 30, true), 60);
}

// memcached's clock reads uptime + 62; a deadline at or before its start is its second 1.
TEST(TtlFlagTest, PastDeadlinesWrapOnMemcachedsClock) {
  EXPECT_EQ(Ttl("mg a T-1 t\r\n", kNow + 30, false, 0), kWrap + 1 - 62);
  EXPECT_EQ(Ttl("mg a T-1 t\r\n", kNow + 30, false, 1000), kWrap + 1 - 1062);
  EXPECT_EQ(Ttl("mg a N-1 t\r\n", 0, true, 1000), kWrap + 1 - 1062);
  EXPECT_EQ(Ttl("mg a T1699999995 t\r\n", 0, false, 1000), kWrap - 5);  // after the start
  EXPECT_EQ(Ttl("mg a T1699998000 t\r\n", 0, false, 1000), kWrap + 1 - 1062);
  EXPECT_EQ(Ttl("mg a T2592001 t\r\n", 0, false, 1000), kWrap + 1 - 1062);
}

TEST(TtlFlagTest, UptimeIsNeededOnlyForAPastDeadlineBeforeT) {
  EXPECT_FALSE(TtlNeedsUptime(Parse("mg a T-1\r\n")->request, kNow));
  EXPECT_FALSE(TtlNeedsUptime(Parse("mg a t T-1\r\n")->request, kNow));
  EXPECT_FALSE(TtlNeedsUptime(Parse("mg a T30 t\r\n")->request, kNow));
  EXPECT_FALSE(TtlNeedsUptime(Parse("mg a T1700000001 t\r\n")->request, kNow));
  EXPECT_TRUE(TtlNeedsUptime(Parse("mg a T-1 t\r\n")->request, kNow));
  EXPECT_TRUE(TtlNeedsUptime(Parse("mg a T1700000000 t\r\n")->request, kNow));
  EXPECT_TRUE(TtlNeedsUptime(Parse("ma a N-1 t\r\n")->request, kNow));
  EXPECT_FALSE(TtlNeedsUptime(Parse("ma a N-1 T30 t\r\n")->request, kNow));
}

TEST_F(MetaHandlerTest, GetReportsTtlAtTheFlagsPlace) {
  EXPECT_EQ(Run("ms a 1\r\nx\r\nmg a t T30\r\nmg a t\r\nmg a T40 t\r\nmg a s t T-1 v\r\n"
                "mg a t\r\n"),
            "HD\r\nHD t-1\r\nHD t30\r\nHD t40\r\nVA 1 s1 t40\r\nx\r\nEN\r\n");
}

TEST_F(MetaHandlerTest, ArithmeticReportsTtlAtTheFlagsPlace) {
  EXPECT_EQ(Run("ms c 1\r\n1\r\nma c t T30 v\r\nma c T60 t\r\nma c t\r\nma c T-1 t v\r\n"
                "ma c t\r\n"),
            "HD\r\nVA 1 t-1\r\n2\r\nHD t60\r\nHD t60\r\nVA 1 t4294967235\r\n5\r\nNF\r\n");
}

TEST_F(MetaHandlerTest, CreatedItemsReportTtlAtTheFlagsPlace) {
  EXPECT_EQ(Run("mg f N-1 t v\r\nmg g t N-1\r\nma h N-1 t v\r\nma i t N30 v\r\nma i t\r\n"
                "mg j R30 t T60\r\nmg j t\r\n"),
            "VA 0 t4294967235 W\r\n\r\nHD t-1 W\r\nVA 1 t4294967235\r\n0\r\nVA 1 t-1\r\n0\r\n"
            "HD t30\r\nEN\r\nEN\r\n");
}

TEST_F(MetaHandlerTest, ExpiringTouchWrapsWithTheServersUptime) {
  hooks_.uptime = 1000;
  EXPECT_EQ(Run("ms d 1 T100\r\nx\r\nmg d T-1 t\r\nms d 1\r\nx\r\nmg d T1699999995 t\r\n"),
            "HD\r\nHD t4294966235\r\nHD\r\nHD t4294967291\r\n");
}

}  // namespace
}  // namespace mnemo::meta

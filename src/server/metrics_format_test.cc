#include "server/metrics_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "engines/map/map_engine.h"
#include "manual_clock.h"
#include "server/metrics_server.h"

namespace mnemo::server {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(MetricsKind, CountersOnlyForFieldsThatOnlyGrow) {
  EXPECT_EQ(KindOf("cmd_get"), MetricKind::kCounter);
  EXPECT_EQ(KindOf("get_hits"), MetricKind::kCounter);
  EXPECT_EQ(KindOf("cas_badval"), MetricKind::kCounter);
  EXPECT_EQ(KindOf("total_connections"), MetricKind::kCounter);
  EXPECT_EQ(KindOf("evictions"), MetricKind::kCounter);
  EXPECT_EQ(KindOf("curr_connections"), MetricKind::kGauge);
  EXPECT_EQ(KindOf("curr_items"), MetricKind::kGauge);
  EXPECT_EQ(KindOf("bytes"), MetricKind::kGauge);
  EXPECT_EQ(KindOf("limit_maxbytes"), MetricKind::kGauge);
  EXPECT_EQ(KindOf("uptime"), MetricKind::kGauge);
}

TEST(MetricsExposition, CountersGetTotalGaugesStayPlain) {
  const StatField fields[] = {{"cmd_get", "12"}, {"curr_items", "3"}, {"rusage_user", "0.25"}};
  const std::string text = RenderExposition(fields);
  EXPECT_THAT(text, HasSubstr("# TYPE mnemo_cmd_get_total counter\nmnemo_cmd_get_total 12\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE mnemo_curr_items gauge\nmnemo_curr_items 3\n"));
  EXPECT_THAT(text, HasSubstr("mnemo_rusage_user_seconds_total 0.25\n"));
  EXPECT_THAT(text, HasSubstr("# HELP mnemo_cmd_get_total memcached stats field cmd_get\n"));
}

TEST(MetricsExposition, TextFieldsBecomeEscapedInfoLabels) {
  const StatField fields[] = {{"version", "1.6.18"}, {"odd", "a\"b\\c"}, {"pid", "7"}};
  const std::string text = RenderExposition(fields);
  EXPECT_THAT(text, HasSubstr("mnemo_build_info{version=\"1.6.18\",odd=\"a\\\"b\\\\c\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("mnemo_version")));
  EXPECT_THAT(text, HasSubstr("mnemo_pid 7\n"));
}

TEST(MetricsExposition, OddNamesAreSanitized) {
  const StatField fields[] = {{"a:b-c", "1"}};
  EXPECT_THAT(RenderExposition(fields), HasSubstr("\nmnemo_a_b_c 1\n"));
}

TEST(MetricsCollect, ReadsStatsThroughASessionEvenWhenClientsMustAuthenticate) {
  testing::ManualClock clock;
  MapEngine engine(clock);
  SessionConfig config;
  config.protocol = ProtocolMode::kBinary;
  config.ascii_auth_required = true;
  SessionHooks hooks;
  CommandCounters counters;
  const SessionConfig client_config;  // the session keeps a reference
  Session client(engine, client_config, counters, &hooks);
  std::string reply;
  client.Process("set k 0 0 1\r\nx\r\nget k\r\n", reply);
  const std::vector<StatField> fields = CollectGeneralStats(engine, config, hooks);
  ASSERT_FALSE(fields.empty());
  bool saw_items = false;
  for (const StatField& field : fields) {
    if (field.name == "curr_items") saw_items = field.value == "1";
  }
  EXPECT_TRUE(saw_items);
}

std::string Body() { return "mnemo_x 1\n"; }

TEST(MetricsHttp, GetMetricsAnswersTheExposition) {
  const std::string reply = MetricsHttpResponse("GET /metrics HTTP/1.1\r\nHost: x", Body);
  EXPECT_THAT(reply, StartsWith("HTTP/1.0 200 OK\r\n"));
  EXPECT_THAT(reply, HasSubstr("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  EXPECT_THAT(reply, HasSubstr("Content-Length: 10\r\n"));
  EXPECT_THAT(reply, HasSubstr("\r\n\r\nmnemo_x 1\n"));
  EXPECT_THAT(MetricsHttpResponse("GET /metrics?name[]=x HTTP/1.0", Body),
              StartsWith("HTTP/1.0 200"));
}

TEST(MetricsHttp, HeadHasNoBody) {
  const std::string reply = MetricsHttpResponse("HEAD /metrics HTTP/1.0", Body);
  EXPECT_THAT(reply, StartsWith("HTTP/1.0 200 OK\r\n"));
  EXPECT_THAT(reply, HasSubstr("Content-Length: 10\r\n"));
  EXPECT_THAT(reply, Not(HasSubstr("mnemo_x")));
}

TEST(MetricsHttp, ErrorsNeverRenderTheMetrics) {
  int renders = 0;
  auto counting = [&] {
    ++renders;
    return std::string("x");
  };
  EXPECT_THAT(MetricsHttpResponse("GET / HTTP/1.0", counting), StartsWith("HTTP/1.0 404 "));
  EXPECT_THAT(MetricsHttpResponse("POST /metrics HTTP/1.0", counting),
              AllOf(StartsWith("HTTP/1.0 405 "), HasSubstr("Allow: GET, HEAD\r\n")));
  EXPECT_THAT(MetricsHttpResponse("GET /metrics", counting), StartsWith("HTTP/1.0 400 "));
  EXPECT_THAT(MetricsHttpResponse("", counting), StartsWith("HTTP/1.0 400 "));
  EXPECT_THAT(MetricsHttpResponse("GET /metrics SPDY/3", counting), StartsWith("HTTP/1.0 400 "));
  EXPECT_EQ(renders, 0);
}

}  // namespace
}  // namespace mnemo::server

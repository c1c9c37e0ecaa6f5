// PrintResult: the JSON object scripts read (bench/compare) has every field, once, with the
// measured numbers; the text form names the open loop.
#include "run_result.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace mnemo::bench {
namespace {

std::string Render(const BenchOptions& o, const RunResult& r) {
  char* buffer = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  PrintResult(o, r, out);
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

// The number after "name": in a flat JSON text; NaN when the field is missing.
double Field(const std::string& json, const std::string& name) {
  const std::string needle = "\"" + name + "\":";
  const auto at = json.find(needle);
  if (at == std::string::npos) return std::nan("");
  return std::strtod(json.c_str() + at + needle.size(), nullptr);
}

RunResult SampleRun() {
  RunResult r;
  r.requests = 1000;
  r.gets = 900;
  r.get_keys = 900;
  r.hits = 450;
  r.sets = 100;
  r.errors = 3;
  r.seconds = 2.0;
  for (std::uint64_t i = 1; i <= 1000; ++i) r.latency.Record(i * 1000);  // 1..1000 us
  return r;
}

TEST(RunResultJsonTest, OneObjectOnOneLineWithBalancedBrackets) {
  BenchOptions o;
  o.json = true;
  const std::string json = Render(o, SampleRun());
  ASSERT_FALSE(json.empty());
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.substr(json.size() - 2), "}\n");
  EXPECT_EQ(json.find('\n'), json.size() - 1);
  int depth = 0;
  for (const char c : json) {
    depth += (c == '{' || c == '[') ? 1 : (c == '}' || c == ']') ? -1 : 0;
    ASSERT_GE(depth, 0);
  }
  EXPECT_EQ(depth, 0);
}

TEST(RunResultJsonTest, CarriesThroughputHitsErrorsAndPercentiles) {
  BenchOptions o;
  o.json = true;
  const std::string json = Render(o, SampleRun());
  EXPECT_DOUBLE_EQ(Field(json, "ops_per_sec"), 500.0);
  EXPECT_DOUBLE_EQ(Field(json, "hit_ratio"), 0.5);
  EXPECT_DOUBLE_EQ(Field(json, "errors"), 3);
  EXPECT_DOUBLE_EQ(Field(json, "requests"), 1000);
  EXPECT_NE(json.find("\"loop\":\"closed\""), std::string::npos);
  // Percentiles within the histogram's 1/16 bucket precision of the exact values.
  EXPECT_NEAR(Field(json, "p50"), 500, 500 / 16.0);
  EXPECT_NEAR(Field(json, "p90"), 900, 900 / 16.0);
  EXPECT_NEAR(Field(json, "p99"), 990, 990 / 16.0);
  EXPECT_NEAR(Field(json, "p99.9"), 999, 999 / 16.0);
  EXPECT_DOUBLE_EQ(Field(json, "max"), 1000);
  EXPECT_NE(json.find("\"latency_curve_us\":[[0,"), std::string::npos);
  EXPECT_NE(json.find("[1,1000.0]]"), std::string::npos);
}

TEST(RunResultJsonTest, OpenLoopRunsSayTheirRate) {
  BenchOptions o;
  o.json = true;
  o.rate = 25'000;
  o.protocol = Protocol::kBinary;
  const std::string json = Render(o, SampleRun());
  EXPECT_NE(json.find("\"loop\":\"open\""), std::string::npos);
  EXPECT_DOUBLE_EQ(Field(json, "rate"), 25'000);
  EXPECT_NE(json.find("\"send_lag_us\":{\"p99\":"), std::string::npos);
  EXPECT_NE(json.find("\"protocol\":\"binary\""), std::string::npos);
}

TEST(RunResultJsonTest, EmptyRunHasZeroesNotGarbage) {
  BenchOptions o;
  o.json = true;
  const std::string json = Render(o, RunResult{});
  EXPECT_DOUBLE_EQ(Field(json, "ops_per_sec"), 0);
  EXPECT_DOUBLE_EQ(Field(json, "hit_ratio"), 0);
  EXPECT_DOUBLE_EQ(Field(json, "p99"), 0);
}

TEST(RunResultTextTest, NamesTheOpenLoop) {
  BenchOptions o;
  o.rate = 1000;
  const std::string text = Render(o, SampleRun());
  EXPECT_NE(text.find("open loop"), std::string::npos);
  EXPECT_NE(text.find("ops/s         500"), std::string::npos);
  EXPECT_NE(text.find("errors        3"), std::string::npos);
}

}  // namespace
}  // namespace mnemo::bench

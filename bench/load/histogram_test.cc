// LatencyHistogram: percentiles within the bucket precision, merging, edge values.
#include "histogram.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace mnemo::bench {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.ValueAt(0.5), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (std::uint64_t v = 0; v < 16; ++v) h.Record(v);
  EXPECT_EQ(h.ValueAt(0.0), 0u);
  EXPECT_EQ(h.ValueAt(0.5), 7u);  // the 8th of 16 values
  EXPECT_EQ(h.ValueAt(1.0), 15u);
}

TEST(LatencyHistogramTest, PercentilesWithinOneSixteenth) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 100'000; ++v) h.Record(v * 1000);
  for (const double q : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = q * 100'000 * 1000;
    const double got = static_cast<double>(h.ValueAt(q));
    EXPECT_GE(got, exact) << q;
    EXPECT_LE(got, exact * (1 + 1.0 / 16)) << q;
  }
  EXPECT_EQ(h.ValueAt(1.0), 100'000'000u);  // clamped to the largest value seen
  EXPECT_EQ(h.max(), 100'000'000u);
  EXPECT_DOUBLE_EQ(h.mean(), 50'000.5 * 1000);
}

TEST(LatencyHistogramTest, HugeValuesDoNotOverflow) {
  LatencyHistogram h;
  h.Record(UINT64_MAX);
  h.Record(UINT64_MAX - 1);
  EXPECT_EQ(h.ValueAt(1.0), UINT64_MAX);
}

TEST(LatencyHistogramTest, MergeAddsCounts) {
  LatencyHistogram a;
  LatencyHistogram b;
  for (int i = 0; i < 90; ++i) a.Record(100);
  for (int i = 0; i < 10; ++i) b.Record(1'000'000);
  a.Merge(b);
  EXPECT_EQ(a.count(), 100u);
  EXPECT_LE(a.ValueAt(0.9), 100u * 17 / 16);
  EXPECT_GE(a.ValueAt(0.91), 1'000'000u);
  EXPECT_EQ(a.max(), 1'000'000u);
}

}  // namespace
}  // namespace mnemo::bench

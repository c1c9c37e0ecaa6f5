// Keys, value sizes and streams of mnemo-bench: formats, Zipf shape, determinism, one-hit runs.
#include "key_stream.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <stdexcept>
#include <string>

namespace mnemo::bench {
namespace {

TEST(KeyFormatTest, ZeroPaddedToSevenDigits) {
  const KeyFormat format("key:", 1'000'000);
  char buffer[64];
  EXPECT_EQ(format.Render(1, buffer), "key:0000001");
  EXPECT_EQ(format.Render(1'000'000, buffer), "key:1000000");
  EXPECT_EQ(format.Render(123'456'789, buffer), "key:123456789");  // wider ids just grow
}

TEST(KeyFormatTest, WiderWhenTheKeySpaceIs) {
  const KeyFormat format("k", 20'000'000);
  char buffer[64];
  EXPECT_EQ(format.Render(5, buffer), "k00000005");
}

TEST(ValueSizerTest, FixedAndRange) {
  EXPECT_EQ(ValueSizer(100, 100).SizeOf(42), 100u);
  const ValueSizer range(10, 20);
  std::set<std::uint32_t> seen;
  for (std::uint64_t id = 1; id <= 1000; ++id) {
    const std::uint32_t size = range.SizeOf(id);
    EXPECT_GE(size, 10u);
    EXPECT_LE(size, 20u);
    EXPECT_EQ(size, range.SizeOf(id)) << "a key's size never changes";
    seen.insert(size);
  }
  EXPECT_EQ(seen.size(), 11u);
}

TEST(ValueSizerTest, WeightedSizesFollowTheirWeights) {
  const ValueSizer weighted(std::vector<WeightedSize>{{100, 9}, {4096, 1}});
  std::uint64_t large = 0;
  for (std::uint64_t id = 1; id <= 100'000; ++id) {
    const std::uint32_t size = weighted.SizeOf(id);
    ASSERT_TRUE(size == 100 || size == 4096) << size;
    EXPECT_EQ(size, weighted.SizeOf(id)) << "a key's size never changes";
    large += size == 4096 ? 1 : 0;
  }
  EXPECT_NEAR(static_cast<double>(large) / 100'000, 0.1, 0.01);
  EXPECT_THROW(ValueSizer(std::vector<WeightedSize>{{100, 0}}), std::invalid_argument);
}

TEST(ZipfTableTest, RanksFollowOneOverK) {
  const ZipfTable zipf(1000, 1.0);
  EXPECT_EQ(zipf.Rank(0.0), 1u);
  EXPECT_EQ(zipf.Rank(0.999999999), 1000u);
  std::mt19937_64 random(7);
  std::map<std::uint64_t, int> counts;
  constexpr int kSamples = 200'000;
  for (int i = 0; i < kSamples; ++i) ++counts[zipf.Rank(UnitDouble(random))];
  // P(1) = 1 / H(1000) = 0.1336; rank 2 half as likely as rank 1, rank 10 a tenth.
  EXPECT_NEAR(counts[1] / double{kSamples}, 0.1336, 0.005);
  EXPECT_NEAR(counts[2] / double(counts[1]), 0.5, 0.03);
  EXPECT_NEAR(counts[10] / double(counts[1]), 0.1, 0.01);
}

BenchOptions StreamOptions() {
  BenchOptions options;
  options.key_count = 10'000;
  options.distribution = Distribution::kZipf;
  options.seed = 3;
  return options;
}

TEST(HitRatioStreamTest, SameSeedSameStream) {
  const BenchOptions options = StreamOptions();
  const ZipfTable zipf(options.key_count, options.zipf_exponent);
  HitRatioStream a(options, &zipf);
  HitRatioStream b(options, &zipf);
  for (int i = 0; i < 10'000; ++i) ASSERT_EQ(a.Next(), b.Next());
}

TEST(HitRatioStreamTest, OneHitKeysComeOnceInRuns) {
  BenchOptions options = StreamOptions();
  options.one_hit_fraction = 0.2;
  options.one_hit_run = 100;
  const ZipfTable zipf(options.key_count, options.zipf_exponent);
  HitRatioStream stream(options, &zipf);
  constexpr int kRequests = 200'000;
  std::set<std::uint64_t> one_hit;
  bool in_run = false;
  int runs = 0;
  for (int i = 0; i < kRequests; ++i) {
    const std::uint64_t id = stream.Next();
    const bool is_one_hit = id > options.key_count;
    if (is_one_hit && !in_run) ++runs;
    in_run = is_one_hit;
    if (is_one_hit) {
      EXPECT_TRUE(one_hit.insert(id).second) << "one-hit key " << id << " came back";
    }
  }
  EXPECT_NEAR(one_hit.size() / double{kRequests}, 0.2, 0.02);
  // Runs of 100; two runs can abut, so slightly more than 100 per uninterrupted stretch.
  EXPECT_NEAR(static_cast<double>(one_hit.size()) / runs, 100, 15);
}

TEST(KeyChooserTest, SequentialCoversEveryKeyOnce) {
  BenchOptions options;
  options.key_count = 50;
  options.distribution = Distribution::kSequential;
  std::atomic<std::uint64_t> next{0};
  KeyChooser a(options, nullptr, &next, 1);
  KeyChooser b(options, nullptr, &next, 2);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 25; ++i) {
    seen.insert(a.Next());
    seen.insert(b.Next());
  }
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_EQ(*seen.begin(), 1u);
  EXPECT_EQ(*seen.rbegin(), 50u);
}

TEST(KeyChooserTest, GetRatio) {
  BenchOptions options;
  options.get_ratio = 9;
  options.set_ratio = 1;
  KeyChooser chooser(options, nullptr, nullptr, 1);
  int gets = 0;
  for (int i = 0; i < 100'000; ++i) gets += chooser.NextIsGet() ? 1 : 0;
  EXPECT_NEAR(gets / 100'000.0, 0.9, 0.01);
  options.get_ratio = 0;
  KeyChooser sets_only(options, nullptr, nullptr, 1);
  EXPECT_FALSE(sets_only.NextIsGet());
}

}  // namespace
}  // namespace mnemo::bench

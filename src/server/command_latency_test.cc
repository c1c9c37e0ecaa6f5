#include "server/command_latency.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "server/metrics_format.h"

namespace mnemo::server {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;
using ::testing::HasSubstr;

std::uint32_t Count(const CommandMix& mix, CommandKind kind) {
  return mix[static_cast<std::size_t>(kind)];
}

CommandMix ScanWhole(Protocol protocol, std::string_view bytes) {
  CommandScanner scanner;
  CommandMix mix{};
  scanner.Scan(protocol, bytes, mix);
  return mix;
}

TEST(CommandScanner, ClassifiesTextCommandsAndSkipsTheirData) {
  // The value "get x\r\n" must not be counted as a get: it is set's data block.
  const CommandMix mix =
      ScanWhole(Protocol::kAscii,
                "set a 0 0 7\r\nget x\r\n\r\nget a b\r\ngets a\r\nadd b 1 2 3 noreply\r\nxyz\r\n"
                "cas c 0 0 1 5\r\n1\r\ndelete a\r\nincr n 1\r\ndecr n 1\r\ntouch a 1\r\ngat 1 a\r\n"
                "stats\r\nversion\r\nbogus\r\n");
  EXPECT_EQ(Count(mix, CommandKind::kSet), 3u);
  EXPECT_EQ(Count(mix, CommandKind::kGet), 2u);
  EXPECT_EQ(Count(mix, CommandKind::kDelete), 1u);
  EXPECT_EQ(Count(mix, CommandKind::kIncrDecr), 2u);
  EXPECT_EQ(Count(mix, CommandKind::kTouch), 2u);
  EXPECT_EQ(Count(mix, CommandKind::kOther), 3u);
}

TEST(CommandScanner, ClassifiesMetaCommands) {
  const CommandMix mix =
      ScanWhole(Protocol::kMeta, "ms k 4 T0\r\nmg x\r\nmg k v\r\nmd k q\r\nma n\r\nmn\r\nme k\r\n");
  EXPECT_EQ(Count(mix, CommandKind::kMetaSet), 1u);
  EXPECT_EQ(Count(mix, CommandKind::kMetaGet), 1u);
  EXPECT_EQ(Count(mix, CommandKind::kMetaDelete), 1u);
  EXPECT_EQ(Count(mix, CommandKind::kMetaArith), 1u);
  EXPECT_EQ(Count(mix, CommandKind::kOther), 2u);
}

TEST(CommandScanner, ADataBlockSplitOverCallsIsSkippedInEveryCall) {
  CommandScanner scanner;
  CommandMix mix{};
  scanner.Scan(Protocol::kAscii, "set big 0 0 9\r\nget a", mix);  // an oversize value, swallowed
  scanner.Scan(Protocol::kAscii, "bcde\r\n", mix);
  scanner.Scan(Protocol::kAscii, "get k\r\n", mix);
  EXPECT_EQ(Count(mix, CommandKind::kSet), 1u);
  EXPECT_EQ(Count(mix, CommandKind::kGet), 1u);
}

TEST(CommandScanner, ABadLengthMeansNoDataFollows) {
  // memcached answers these with CLIENT_ERROR and reads the next line as a command.
  const CommandMix mix = ScanWhole(Protocol::kAscii,
                                   "set a 0 0 -1\r\nget a\r\nset b 0 0 99999999999\r\nget b\r\n"
                                   "set c 0 0\r\nget c\r\n");
  EXPECT_EQ(Count(mix, CommandKind::kSet), 3u);
  EXPECT_EQ(Count(mix, CommandKind::kGet), 3u);
}

TEST(CommandScanner, AnUnterminatedLineIsNotCounted) {
  EXPECT_EQ(ScanWhole(Protocol::kAscii, "get aaaaaaaa"), CommandMix{});
  EXPECT_EQ(ScanWhole(Protocol::kAscii, ""), CommandMix{});
}

std::string BinaryHeader(std::uint8_t opcode, std::uint32_t body) {
  std::string header(24, '\0');
  header[0] = static_cast<char>(0x80);
  header[1] = static_cast<char>(opcode);
  header[8] = static_cast<char>(body >> 24);
  header[9] = static_cast<char>(body >> 16);
  header[10] = static_cast<char>(body >> 8);
  header[11] = static_cast<char>(body);
  return header;
}

TEST(CommandScanner, ClassifiesBinaryOpcodesAndSkipsBodies) {
  // The set's body holds bytes that would read as a get header if it were not skipped.
  const std::string set_body = std::string(8, 'x') + "k" + BinaryHeader(0x00, 0);
  const std::string bytes = BinaryHeader(0x01, static_cast<std::uint32_t>(set_body.size())) +
                            set_body + BinaryHeader(0x0d, 1) + "k" + BinaryHeader(0x14, 1) + "k" +
                            BinaryHeader(0x15, 21) + std::string(21, 'n') + BinaryHeader(0x1d, 5) +
                            "0000k" + BinaryHeader(0x0a, 0);
  CommandScanner scanner;
  CommandMix mix{};
  scanner.Scan(Protocol::kBinary, std::string_view(bytes).substr(0, 30), mix);  // mid-body
  scanner.Scan(Protocol::kBinary, std::string_view(bytes).substr(30), mix);
  EXPECT_EQ(Count(mix, CommandKind::kSet), 1u);
  EXPECT_EQ(Count(mix, CommandKind::kGet), 1u);
  EXPECT_EQ(Count(mix, CommandKind::kDelete), 1u);
  EXPECT_EQ(Count(mix, CommandKind::kIncrDecr), 1u);
  EXPECT_EQ(Count(mix, CommandKind::kTouch), 1u);
  EXPECT_EQ(Count(mix, CommandKind::kOther), 1u);  // noop
}

TEST(CommandLatency, RecordsEveryRequestOfABatchInOneBucket) {
  LatencyTable table(2);
  CommandMix mix{};
  mix[static_cast<std::size_t>(CommandKind::kGet)] = 3;
  mix[static_cast<std::size_t>(CommandKind::kSet)] = 1;
  table.at(0).Record(mix, microseconds(30));         // (25 us, 50 us]
  table.at(1).Record(mix, microseconds(50));         // on a bound: le is inclusive
  table.at(1).Record(mix, std::chrono::seconds(5));  // above every bound
  table.at(1).Record(mix, nanoseconds(-1));          // a clock that went backwards counts as 0
  const LatencySnapshot sum = table.Sum();
  const LatencyCounts& get = sum[static_cast<std::size_t>(CommandKind::kGet)];
  EXPECT_EQ(get.buckets[0], 3u);
  EXPECT_EQ(get.buckets[2], 6u);
  EXPECT_EQ(get.buckets[kLatencyBuckets], 3u);
  EXPECT_EQ(get.sum_ns, 3u * (30'000 + 50'000 + 5'000'000'000ull));
  EXPECT_EQ(sum[static_cast<std::size_t>(CommandKind::kSet)].buckets[2], 2u);
  EXPECT_EQ(sum[static_cast<std::size_t>(CommandKind::kDelete)].buckets, LatencyCounts{}.buckets);
}

TEST(MetricsLatency, RendersCumulativeBucketsSumAndCount) {
  LatencySnapshot latency{};
  LatencyCounts& md = latency[static_cast<std::size_t>(CommandKind::kMetaDelete)];
  md.buckets[0] = 2;
  md.buckets[3] = 1;
  md.buckets[kLatencyBuckets] = 4;
  md.sum_ns = 1'500'000'000;
  const std::string text = RenderLatency(latency);
  EXPECT_THAT(text, HasSubstr("# TYPE mnemo_command_duration_seconds histogram\n"));
  EXPECT_THAT(text,
              HasSubstr("mnemo_command_duration_seconds_bucket{command=\"md\",le=\"0.00001\"} 2\n"
                        "mnemo_command_duration_seconds_bucket{command=\"md\",le=\"0.000025\"} 2\n"
                        "mnemo_command_duration_seconds_bucket{command=\"md\",le=\"0.00005\"} 2\n"
                        "mnemo_command_duration_seconds_bucket{command=\"md\",le=\"0.0001\"} 3\n"));
  EXPECT_THAT(text,
              HasSubstr("mnemo_command_duration_seconds_bucket{command=\"md\",le=\"1\"} 3\n"
                        "mnemo_command_duration_seconds_bucket{command=\"md\",le=\"+Inf\"} 7\n"
                        "mnemo_command_duration_seconds_sum{command=\"md\"} 1.500000000\n"
                        "mnemo_command_duration_seconds_count{command=\"md\"} 7\n"));
  // Every label is present even before its first request, so rate() has a series to start from.
  for (const char* label :
       {"get", "set", "delete", "incr_decr", "touch", "mg", "ms", "ma", "other"}) {
    EXPECT_THAT(text, HasSubstr("mnemo_command_duration_seconds_count{command=\"" +
                                std::string(label) + "\"} 0\n"));
  }
}

}  // namespace
}  // namespace mnemo::server

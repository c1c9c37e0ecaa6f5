// OpenLoopSchedule: evenly spaced intended times, requests due, and the catch-up after a stall.
#include "open_loop.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>

namespace mnemo::bench {
namespace {

TEST(OpenLoopScheduleTest, IntendedTimesAreEvenlySpaced) {
  const OpenLoopSchedule schedule(1000, 5'000);  // one request per millisecond
  EXPECT_EQ(schedule.IntendedTime(0), 5'000u);
  EXPECT_EQ(schedule.IntendedTime(1), 1'005'000u);
  EXPECT_EQ(schedule.IntendedTime(1000), 1'000'005'000u);
  EXPECT_DOUBLE_EQ(schedule.interval_ns(), 1e6);
}

TEST(OpenLoopScheduleTest, NothingIsDueBeforeTheStart) {
  const OpenLoopSchedule schedule(1000, 5'000);
  EXPECT_EQ(schedule.DueBy(0), 0u);
  EXPECT_EQ(schedule.DueBy(4'999), 0u);
}

TEST(OpenLoopScheduleTest, DueCountsRequestsWhoseTimeHasCome) {
  const OpenLoopSchedule schedule(1000, 0);
  EXPECT_EQ(schedule.DueBy(0), 1u);  // request 0 is due at the start itself
  EXPECT_EQ(schedule.DueBy(999'999), 1u);
  EXPECT_EQ(schedule.DueBy(1'000'000), 2u);
  EXPECT_EQ(schedule.DueBy(1'000'001), 2u);
}

TEST(OpenLoopScheduleTest, AStalledSenderFindsEveryMissedRequestDue) {
  // After a 50 ms stall at 1000/s, 50 more requests are due at once, each keeping its own
  // intended time: their latency will include the time they waited for the sender.
  const OpenLoopSchedule schedule(1000, 0);
  const std::uint64_t before = schedule.DueBy(10'000'000);
  const std::uint64_t after = schedule.DueBy(60'000'000);
  EXPECT_EQ(after - before, 50u);
  EXPECT_EQ(schedule.IntendedTime(before), 11'000'000u);
}

TEST(OpenLoopScheduleTest, DueAgreesWithIntendedTimeForAwkwardRates) {
  // 3 per second and 7,777 per second do not divide a second evenly: DueBy must still agree
  // exactly with IntendedTime at and around every intended time.
  for (const double rate : {3.0, 7'777.0, 123'456.7}) {
    const OpenLoopSchedule schedule(rate, 42);
    for (std::uint64_t i = 0; i < 2'000; ++i) {
      const std::uint64_t t = schedule.IntendedTime(i);
      EXPECT_GE(schedule.DueBy(t), i + 1) << rate << " " << i;
      if (t > 42 && schedule.IntendedTime(i - 1 + (i == 0)) < t) {
        EXPECT_LE(schedule.DueBy(t - 1), i) << rate << " " << i;
      }
    }
  }
}

TEST(OpenLoopScheduleTest, RejectsRatesThatAreNotPositive) {
  EXPECT_THROW(OpenLoopSchedule(0, 0), std::invalid_argument);
  EXPECT_THROW(OpenLoopSchedule(-5, 0), std::invalid_argument);
}

}  // namespace
}  // namespace mnemo::bench

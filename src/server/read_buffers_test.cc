// ReadBufferBudget and PendingInput: small buffers cost the budget nothing, grown ones are
// charged whole and given back once their request is done, a growth past the limit fails and
// is counted, and the refusal's bytes are memcached's in both protocols.
#include "server/read_buffers.h"

#include <gtest/gtest.h>

#include <string>

#include "mnemo/protocol/binary.h"

namespace mnemo::server {
namespace {

TEST(ReadBufferBudgetTest, TakesUpToTheLimitAndCountsRefusals) {
  ReadBufferBudget budget;
  budget.set_limit(100);
  EXPECT_TRUE(budget.Take(60, true));
  EXPECT_TRUE(budget.Take(40, false));
  EXPECT_FALSE(budget.Take(1, true));
  EXPECT_EQ(budget.bytes(), 100u);
  EXPECT_EQ(budget.buffers(), 1u);
  EXPECT_EQ(budget.oom(), 1u);
  budget.GiveBack(100);
  EXPECT_EQ(budget.bytes(), 0u);
  EXPECT_EQ(budget.buffers(), 0u);
  EXPECT_TRUE(budget.Take(100, true));
}

TEST(ReadBufferBudgetTest, NoLimitStillCounts) {
  ReadBufferBudget budget;
  EXPECT_TRUE(budget.Take(std::size_t{1} << 40, true));
  EXPECT_EQ(budget.bytes(), std::uint64_t{1} << 40);
  EXPECT_EQ(budget.oom(), 0u);
}

TEST(PendingInputTest, SmallRequestsNeverTouchTheBudget) {
  ReadBufferBudget budget;
  budget.set_limit(1);  // any charge would fail
  PendingInput pending(budget);
  ASSERT_TRUE(pending.Append(std::string(kSmallReadBuffer - 1, 'a')));
  ASSERT_TRUE(pending.Append("b"));
  EXPECT_EQ(pending.view().size(), kSmallReadBuffer);
  EXPECT_EQ(pending.charged(), 0u);
  EXPECT_EQ(budget.buffers(), 0u);
  pending.Consume(kSmallReadBuffer);
  EXPECT_TRUE(pending.empty());
}

TEST(PendingInputTest, GrownBufferIsChargedWholeAndGivenBackWhenDone) {
  ReadBufferBudget budget;
  PendingInput pending(budget);
  ASSERT_TRUE(pending.Append(std::string(kSmallReadBuffer, 'a')));
  ASSERT_TRUE(pending.Append("bc"));
  EXPECT_EQ(pending.charged(), 2 * kSmallReadBuffer);
  EXPECT_EQ(budget.bytes(), 2 * kSmallReadBuffer);
  EXPECT_EQ(budget.buffers(), 1u);
  EXPECT_EQ(pending.view().substr(kSmallReadBuffer), "bc");
  // Doubling: a few large appends make a few trips to the budget, each a larger step.
  ASSERT_TRUE(pending.Append(std::string(3 * kSmallReadBuffer, 'd')));
  EXPECT_EQ(pending.charged(), 4 * kSmallReadBuffer + 2);
  pending.Consume(1);  // a partial consume keeps the buffer
  EXPECT_EQ(budget.bytes(), 4 * kSmallReadBuffer + 2);
  pending.Consume(pending.view().size());
  EXPECT_EQ(pending.charged(), 0u);
  EXPECT_EQ(budget.bytes(), 0u);
  EXPECT_EQ(budget.buffers(), 0u);
}

TEST(PendingInputTest, GrowthPastTheLimitFailsAndKeepsWhatWasThere) {
  ReadBufferBudget budget;
  budget.set_limit(3 * kSmallReadBuffer);
  PendingInput first(budget);
  ASSERT_TRUE(first.Append(std::string(kSmallReadBuffer + 1, 'a')));  // charged 32 KiB
  PendingInput second(budget);
  ASSERT_TRUE(second.Append(std::string(kSmallReadBuffer, 'b')));  // small: free
  EXPECT_FALSE(second.Append("c"));  // would need 32 KiB more; 16 KiB are left
  EXPECT_EQ(second.view(), std::string(kSmallReadBuffer, 'b'));
  EXPECT_EQ(budget.oom(), 1u);
  EXPECT_EQ(budget.buffers(), 1u);
}

TEST(PendingInputTest, DestructionGivesBack) {
  ReadBufferBudget budget;
  {
    PendingInput pending(budget);
    ASSERT_TRUE(pending.Append(std::string(100000, 'x')));
    EXPECT_EQ(budget.bytes(), 100000u);  // one step: exactly what it needs
  }
  EXPECT_EQ(budget.bytes(), 0u);
  EXPECT_EQ(budget.buffers(), 0u);
}

TEST(OutOfMemoryReplyTest, TextAndMetaGetTheServerError) {
  EXPECT_EQ(OutOfMemoryReply(Protocol::kAscii, "set k 0 0 5\r\n"),
            "SERVER_ERROR out of memory reading request\r\n");
  EXPECT_EQ(OutOfMemoryReply(Protocol::kMeta, "ms k 5\r\n"),
            "SERVER_ERROR out of memory reading request\r\n");
}

TEST(OutOfMemoryReplyTest, BinaryEchoesOpcodeAndOpaqueWithStatus0x82) {
  binary::Header request;
  request.opcode = static_cast<std::uint8_t>(binary::Opcode::kSet);
  request.body_length = 1000000;
  request.opaque = 0x01020304;
  const auto bytes = binary::EncodeHeader(request);
  const std::string reply =
      OutOfMemoryReply(Protocol::kBinary, std::string_view(bytes.data(), bytes.size()));
  const std::optional<binary::Header> header = binary::DecodeHeader(reply);
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->magic, binary::kResponseMagic);
  EXPECT_EQ(header->opcode, request.opcode);
  EXPECT_EQ(header->opaque, request.opaque);
  EXPECT_EQ(header->vbucket_or_status, 0x82);
  EXPECT_EQ(reply.substr(binary::kHeaderSize), "out of memory reading request");
}

}  // namespace
}  // namespace mnemo::server

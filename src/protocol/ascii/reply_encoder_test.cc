// Server-side reply bytes and the engine-outcome to reply-line mapping.
#include <gtest/gtest.h>

#include <string>

#include "mnemo/protocol/ascii.h"

namespace mnemo::ascii {
namespace {

TEST(AsciiReplyEncoderTest, ValueWithoutAndWithCas) {
  std::string out;
  EncodeValue("k", 5, "abc", out);
  EXPECT_EQ(out, "VALUE k 5 3\r\nabc\r\n");
  out.clear();
  EncodeValue("k", 4294967295u, "", 18446744073709551615ULL, out);
  EXPECT_EQ(out, "VALUE k 4294967295 0 18446744073709551615\r\n\r\n");
}

TEST(AsciiReplyEncoderTest, ValueDataIsBinarySafe) {
  std::string out;
  const std::string data("a\0\r\n", 4);
  EncodeValue("k", 0, data, out);
  EXPECT_EQ(out, std::string("VALUE k 0 4\r\na\0\r\n\r\n", 19));
}

TEST(AsciiReplyEncoderTest, SimpleLines) {
  std::string out;
  EncodeEnd(out);
  EncodeLine("STORED", out);
  EncodeNumber(0, out);
  EncodeNumber(18446744073709551615ULL, out);
  EncodeStat("curr_items", "3", out);
  EncodeVersion("1.6.18", out);
  EncodeClientError("bad data chunk", out);
  EncodeServerError("out of memory", out);
  EXPECT_EQ(out,
            "END\r\nSTORED\r\n0\r\n18446744073709551615\r\nSTAT curr_items 3\r\n"
            "VERSION 1.6.18\r\nCLIENT_ERROR bad data chunk\r\nSERVER_ERROR out of memory\r\n");
}

TEST(AsciiReplyEncoderTest, StoreOutcomes) {
  EXPECT_EQ(StoreReplyText(StoreStatus::kStored), "STORED");
  EXPECT_EQ(StoreReplyText(StoreStatus::kNotStored), "NOT_STORED");
  EXPECT_EQ(StoreReplyText(StoreStatus::kExists), "EXISTS");
  EXPECT_EQ(StoreReplyText(StoreStatus::kNotFound), "NOT_FOUND");
  EXPECT_EQ(StoreReplyText(StoreStatus::kTooLarge), "SERVER_ERROR object too large for cache");
  EXPECT_EQ(StoreReplyText(StoreStatus::kNoMemory), "SERVER_ERROR out of memory storing object");
}

TEST(AsciiReplyEncoderTest, DeleteTouchArithOutcomes) {
  EXPECT_EQ(DeleteReplyText(DeleteStatus::kDeleted), "DELETED");
  EXPECT_EQ(DeleteReplyText(DeleteStatus::kNotFound), "NOT_FOUND");
  EXPECT_EQ(TouchReplyText(TouchStatus::kTouched), "TOUCHED");
  EXPECT_EQ(TouchReplyText(TouchStatus::kNotFound), "NOT_FOUND");
  EXPECT_EQ(ArithReplyText(ArithStatus::kOk), "");
  EXPECT_EQ(ArithReplyText(ArithStatus::kNotFound), "NOT_FOUND");
  EXPECT_EQ(ArithReplyText(ArithStatus::kNonNumeric),
            "CLIENT_ERROR cannot increment or decrement non-numeric value");
  EXPECT_EQ(ArithReplyText(ArithStatus::kNotStored), "SERVER_ERROR out of memory");
}

TEST(AsciiReplyEncoderTest, AppendErrorHonoursNoreply) {
  Request request;
  request.error = "CLIENT_ERROR bad data chunk";
  std::string out;
  AppendError(request, out);
  EXPECT_EQ(out, "CLIENT_ERROR bad data chunk\r\n");
  request.quiet = true;
  AppendError(request, out);
  EXPECT_EQ(out, "CLIENT_ERROR bad data chunk\r\n");
  Request fatal;  // a silent close
  AppendError(fatal, out);
  EXPECT_EQ(out, "CLIENT_ERROR bad data chunk\r\n");
}

}  // namespace
}  // namespace mnemo::ascii

#include <gtest/gtest.h>

#include <string>

#include "binary/test_util.h"
#include "mnemo/protocol/binary.h"

namespace mnemo::binary {
namespace {

using test::Hex;

// Every field holds distinct bytes, so a swapped or misplaced byte shows.
Header Sample() {
  Header h;
  h.magic = 0x81;
  h.opcode = 0x0c;
  h.key_length = 0x0102;
  h.extras_length = 0x03;
  h.data_type = 0x04;
  h.vbucket_or_status = 0x0506;
  h.body_length = 0x0708090a;
  h.opaque = 0x0b0c0d0e;
  h.cas = 0x0f10111213141516;
  return h;
}

TEST(BinaryHeaderTest, EncodesBigEndianInWireOrder) {
  const auto bytes = EncodeHeader(Sample());
  EXPECT_EQ(Hex(std::string(bytes.data(), bytes.size())),
            "81 0c 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16");
}

TEST(BinaryHeaderTest, DecodeInvertsEncode) {
  const auto bytes = EncodeHeader(Sample());
  std::optional<Header> decoded = DecodeHeader(std::string_view(bytes.data(), bytes.size()));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, Sample());
}

TEST(BinaryHeaderTest, DecodeRoundTripsExtremeValues) {
  Header h;
  h.magic = 0xff;
  h.opcode = 0xff;
  h.key_length = 0xffff;
  h.extras_length = 0xff;
  h.data_type = 0xff;
  h.vbucket_or_status = 0xffff;
  h.body_length = 0xffffffff;
  h.opaque = 0xffffffff;
  h.cas = ~std::uint64_t{0};
  const auto bytes = EncodeHeader(h);
  EXPECT_EQ(DecodeHeader(std::string_view(bytes.data(), bytes.size())), h);
  const auto zero = EncodeHeader(Header{});
  EXPECT_EQ(DecodeHeader(std::string_view(zero.data(), zero.size())), Header{});
  EXPECT_EQ(zero[0], static_cast<char>(0x80));  // a default header is a request
}

TEST(BinaryHeaderTest, DecodeNeedsAllTwentyFourBytes) {
  const auto bytes = EncodeHeader(Sample());
  for (std::size_t n = 0; n < kHeaderSize; ++n) {
    EXPECT_FALSE(DecodeHeader(std::string_view(bytes.data(), n)).has_value()) << n;
  }
  std::string longer(bytes.data(), bytes.size());
  longer += "trailing body";
  EXPECT_EQ(DecodeHeader(longer), Sample());
}

TEST(BinaryHeaderTest, StatusTextsAreMemcachedsExactValues) {
  EXPECT_EQ(StatusText(Status::kKeyNotFound), "Not found");
  EXPECT_EQ(StatusText(Status::kKeyExists), "Data exists for key.");
  EXPECT_EQ(StatusText(Status::kTooLarge), "Too large.");
  EXPECT_EQ(StatusText(Status::kInvalidArguments), "Invalid arguments");
  EXPECT_EQ(StatusText(Status::kNotStored), "Not stored.");
  EXPECT_EQ(StatusText(Status::kNonNumeric), "Non-numeric server-side value for incr or decr");
  EXPECT_EQ(StatusText(Status::kAuthError), "Auth failure.");
  EXPECT_EQ(StatusText(Status::kUnknownCommand), "Unknown command");
  EXPECT_EQ(StatusText(Status::kOutOfMemory), "Out of memory");
  EXPECT_EQ(StatusText(Status::kSuccess), "");
  EXPECT_EQ(StatusText(Status::kAuthContinue), "");
  EXPECT_EQ(StatusText(static_cast<Status>(0x1234)), "");
}

}  // namespace
}  // namespace mnemo::binary

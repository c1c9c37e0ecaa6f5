#include "mnemo/protocol/base64.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace mnemo::base64 {
namespace {

std::string EncodeString(std::string_view in) {
  std::string out(EncodedSize(in.size()), '\0');
  auto size = Encode(in, out);
  EXPECT_TRUE(size.has_value());
  out.resize(size.value_or(0));
  return out;
}

std::optional<std::string> DecodeString(std::string_view in, bool lenient = false) {
  std::string out(MaxDecodedSize(in.size()) + 3, '\0');
  auto size = lenient ? DecodeLenient(in, out) : Decode(in, out);
  if (!size) return std::nullopt;
  out.resize(*size);
  return out;
}

// RFC 4648 section 10 test vectors.
TEST(Base64Test, EncodesRfcVectors) {
  EXPECT_EQ(EncodeString(""), "");
  EXPECT_EQ(EncodeString("f"), "Zg==");
  EXPECT_EQ(EncodeString("fo"), "Zm8=");
  EXPECT_EQ(EncodeString("foo"), "Zm9v");
  EXPECT_EQ(EncodeString("foob"), "Zm9vYg==");
  EXPECT_EQ(EncodeString("fooba"), "Zm9vYmE=");
  EXPECT_EQ(EncodeString("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesRfcVectors) {
  EXPECT_EQ(DecodeString(""), "");
  EXPECT_EQ(DecodeString("Zg=="), "f");
  EXPECT_EQ(DecodeString("Zm8="), "fo");
  EXPECT_EQ(DecodeString("Zm9v"), "foo");
  EXPECT_EQ(DecodeString("Zm9vYg=="), "foob");
  EXPECT_EQ(DecodeString("Zm9vYmE="), "fooba");
  EXPECT_EQ(DecodeString("Zm9vYmFy"), "foobar");
}

TEST(Base64Test, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 17) {
    std::string part = all.substr(all.size() - n);
    EXPECT_EQ(DecodeString(EncodeString(part)), part) << n;
    EXPECT_EQ(DecodeString(EncodeString(part), true).value_or(""), part) << n;
  }
}

TEST(Base64Test, UsesStandardAlphabetNotUrlSafe) {
  EXPECT_EQ(EncodeString("\xfb\xff\xbf"), "+/+/");
  EXPECT_EQ(DecodeString("+/+/"), "\xfb\xff\xbf");
  EXPECT_EQ(DecodeString("-_-_"), std::nullopt);
}

TEST(Base64Test, StrictDecodeRejectsMalformedInput) {
  EXPECT_EQ(DecodeString("Zm9"), std::nullopt);     // not a multiple of 4
  EXPECT_EQ(DecodeString("Zm9vYg"), std::nullopt);  // padding missing
  EXPECT_EQ(DecodeString("Zm9vYg="), std::nullopt);
  EXPECT_EQ(DecodeString("Zm9v!mFy"), std::nullopt);  // outside the alphabet
  EXPECT_EQ(DecodeString("Zm=v"), std::nullopt);      // '=' inside
  EXPECT_EQ(DecodeString("Zg==Zm9v"), std::nullopt);  // data after padding
  EXPECT_EQ(DecodeString("Z==="), std::nullopt);      // three pads
  EXPECT_EQ(DecodeString("===="), std::nullopt);
}

TEST(Base64Test, EncodeReportsShortBuffer) {
  std::array<char, 3> small{};
  EXPECT_EQ(Encode("f", small), std::nullopt);
  std::array<char, 4> exact{};
  EXPECT_EQ(Encode("f", exact), 4u);
}

TEST(Base64Test, DecodeReportsShortBuffer) {
  std::array<char, 2> small{};
  EXPECT_EQ(Decode("Zm9v", small), std::nullopt);
  EXPECT_EQ(DecodeLenient("Zm9v", small), std::nullopt);
  std::array<char, 3> exact{};
  EXPECT_EQ(Decode("Zm9v", exact), 3u);
}

// The cases below were checked against memcached 1.6.18 (`mg <key> b k` echoes the re-encoded
// key, or answers CLIENT_ERROR error decoding key).
TEST(Base64Test, LenientDecodeSkipsBytesOutsideTheAlphabet) {
  EXPECT_EQ(DecodeString("Zm9v!YmFy", true), "foobar");
  EXPECT_EQ(DecodeString("Zm9v\x01YmFy", true), "foobar");
  EXPECT_EQ(DecodeString("Zm9v!mFy", true), std::nullopt);  // 7 usable characters
  EXPECT_EQ(DecodeString("Zm-_", true), std::nullopt);
}

TEST(Base64Test, LenientDecodeStopsAfterThePaddedGroup) {
  EXPECT_EQ(DecodeString("Zm9vYg==Zm9v", true), "foob");
  EXPECT_EQ(DecodeString("Zh==", true), "f");
  EXPECT_EQ(EncodeString(DecodeString("Zm=v", true).value_or("")), "ZmA=");
  EXPECT_EQ(EncodeString(DecodeString("Zg=a", true).value_or("")), "ZgA=");
}

TEST(Base64Test, LenientDecodeRejectsWhatMemcachedRejects) {
  EXPECT_EQ(DecodeString("a", true), std::nullopt);
  EXPECT_EQ(DecodeString("YQ=", true), std::nullopt);
  EXPECT_EQ(DecodeString("a==", true), std::nullopt);
  EXPECT_EQ(DecodeString("Zm9vYmF", true), std::nullopt);
  EXPECT_EQ(DecodeString("Zm9v====", true), std::nullopt);
  EXPECT_EQ(DecodeString("Z===", true), std::nullopt);
  EXPECT_EQ(DecodeString("====", true), std::nullopt);
  EXPECT_EQ(DecodeString("", true), std::nullopt);
}

}  // namespace
}  // namespace mnemo::base64

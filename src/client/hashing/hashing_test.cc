// Every libhashkit algorithm we offer against the values libmemcached 1.1.4 computed for the
// same 71 keys (ASCII, long and UTF-8 ones, which catch the signed-char quirk).
#include "hashing/hashing.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "test_data.h"

namespace mnemo::client::hashing {
namespace {

struct Column {
  int index;  // in hashes_libhashkit.tsv
  Hash hash;
};

// Columns: key, default, md5, crc, fnv1_64, fnv1a_64, fnv1_32, fnv1a_32, hsieh (absent from
// Debian's build), murmur, jenkins, murmur3 (not offered).
constexpr Column kColumns[] = {
    {1, Hash::kOneAtATime}, {2, Hash::kMd5},      {3, Hash::kCrc32},
    {4, Hash::kFnv1_64},    {5, Hash::kFnv1a_64}, {6, Hash::kFnv1_32},
    {7, Hash::kFnv1a_32},   {9, Hash::kMurmur},   {10, Hash::kJenkins},
};

TEST(HashingTest, MatchesLibhashkitForEveryKey) {
  const auto rows = testdata::ReadTsv("hashes_libhashkit.tsv");
  ASSERT_EQ(rows.size(), 71u);
  int non_ascii = 0;
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 12u) << row[0];
    for (const Column& column : kColumns) {
      EXPECT_EQ(HashKey(column.hash, row[0]), std::stoul(row[column.index]))
          << HashName(column.hash) << " of " << row[0];
    }
    for (unsigned char c : row[0]) {
      if (c >= 0x80) {
        ++non_ascii;
        break;
      }
    }
  }
  EXPECT_GT(non_ascii, 0) << "the vectors must exercise the signed-char quirk";
}

TEST(HashingTest, SignedCharQuirkChangesNonAsciiKeys) {
  // With unsigned bytes one_at_a_time("\xc3") would mix 0xc3, not 0xffffffc3.
  std::uint32_t unsigned_mix = 0xc3;
  unsigned_mix += unsigned_mix << 10;
  unsigned_mix ^= unsigned_mix >> 6;
  unsigned_mix += unsigned_mix << 3;
  unsigned_mix ^= unsigned_mix >> 11;
  unsigned_mix += unsigned_mix << 15;
  EXPECT_NE(OneAtATime("\xc3"), unsigned_mix);
  EXPECT_EQ(SignedByte('\xc3'), 0xffffffc3u);
  EXPECT_EQ(SignedByte('a'), 0x61u);
}

TEST(HashingTest, EmptyKeyIsDefined) {
  EXPECT_EQ(OneAtATime(""), 0u);
  EXPECT_EQ(Fnv1a_32(""), 0x811C9DC5u);
  EXPECT_EQ(Jenkins(""), 0xDEADBEEFu + 13u);
}

TEST(HashingTest, Md5WordsAreLittleEndianDigestWords) {
  // MD5("") = d41d8cd98f00b204e9800998ecf8427e.
  const auto words = Md5Words("");
  EXPECT_EQ(words[0], 0xd98c1dd4u);
  EXPECT_EQ(words[1], 0x04b2008fu);
  EXPECT_EQ(words[2], 0x980980e9u);
  EXPECT_EQ(words[3], 0x7e42f8ecu);
  EXPECT_EQ(Md5(""), words[0]);
}

}  // namespace
}  // namespace mnemo::client::hashing

#include "binary/sasl.h"

#include <gtest/gtest.h>

#include <string>

namespace mnemo::binary {
namespace {

using namespace std::string_literals;

TEST(ParsePlainTest, SplitsAuthzidUserAndPassword) {
  // The credentials are views into the message, which must outlive them.
  const std::string first = "\0alice\0secret"s;
  std::optional<PlainCredentials> plain = ParsePlain(first);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->authzid, "");
  EXPECT_EQ(plain->user, "alice");
  EXPECT_EQ(plain->password, "secret");
  const std::string second = "alice\0alice\0"s;
  plain = ParsePlain(second);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->authzid, "alice");
  EXPECT_EQ(plain->password, "");
}

TEST(ParsePlainTest, RejectsWrongShapes) {
  for (const std::string& data :
       {""s, "alice"s, "\0alice"s, "\0\0secret"s, "\0alice\0secret\0"s, "\0\0\0"s}) {
    EXPECT_FALSE(ParsePlain(data)) << data.size();
  }
}

}  // namespace
}  // namespace mnemo::binary

#include "server/auth.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace mnemo::server {
namespace {

class TempFile {
 public:
  explicit TempFile(std::string_view content) {
    char name[] = "/tmp/mnemo-auth-XXXXXX";
    const int fd = mkstemp(name);
    path_ = name;
    if (fd >= 0) close(fd);
    Write(content);
  }
  ~TempFile() { std::filesystem::remove(path_); }
  void Write(std::string_view content) const {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << content;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ParsePasswordFileTest, SplitsAtTheFirstColon) {
  Result<std::vector<Credential>> parsed = ParsePasswordFile("alice:secret\nbob:a:b\n", "f");
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].user, "alice");
  EXPECT_EQ((*parsed)[0].password, "secret");
  EXPECT_EQ((*parsed)[1].user, "bob");
  EXPECT_EQ((*parsed)[1].password, "a:b");
}

TEST(ParsePasswordFileTest, LastLineWithoutNewlineAndEmptyFile) {
  Result<std::vector<Credential>> parsed = ParsePasswordFile("u:p", "f");
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].password, "p");
  Result<std::vector<Credential>> empty = ParsePasswordFile("", "f");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(ParsePasswordFileTest, MalformedLinesAreRejectedWithoutQuotingThem) {
  for (std::string_view text : {"u:p\n\n", "nocolon\n", "u:secret\r\n"}) {
    Result<std::vector<Credential>> parsed = ParsePasswordFile(text, "/etc/pw");
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().message,
              "Authfile [/etc/pw] has a malformed entry. Should be 'user:password'");
  }
}

TEST(ConstantTimeEqualTest, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEqual("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEqual("secret", "secret2"));
  EXPECT_FALSE(ConstantTimeEqual("secret", ""));
  EXPECT_FALSE(ConstantTimeEqual(std::string_view("a\0", 2), "a"));
}

TEST(FileAuthenticatorTest, ChecksUsersAndPasswords) {
  TempFile file("alice:secret\nbob:hunter2\n");
  Result<std::unique_ptr<FileAuthenticator>> auth = FileAuthenticator::Open(file.path());
  ASSERT_TRUE(auth);
  EXPECT_TRUE((*auth)->Check("alice", "secret"));
  EXPECT_TRUE((*auth)->Check("bob", "hunter2"));
  EXPECT_FALSE((*auth)->Check("alice", "hunter2"));
  EXPECT_FALSE((*auth)->Check("carol", "secret"));
  EXPECT_FALSE((*auth)->Check("alice", ""));
  EXPECT_FALSE((*auth)->Check("", ""));
}

TEST(FileAuthenticatorTest, ReloadSwapsTheTableAndKeepsItOnError) {
  TempFile file("alice:one\n");
  Result<std::unique_ptr<FileAuthenticator>> auth = FileAuthenticator::Open(file.path());
  ASSERT_TRUE(auth);
  file.Write("alice:two\n");
  ASSERT_TRUE((*auth)->Reload());
  EXPECT_FALSE((*auth)->Check("alice", "one"));
  EXPECT_TRUE((*auth)->Check("alice", "two"));
  file.Write("broken\n");
  EXPECT_FALSE((*auth)->Reload());
  EXPECT_TRUE((*auth)->Check("alice", "two"));
}

TEST(FileAuthenticatorTest, MissingFileIsAnError) {
  Result<std::unique_ptr<FileAuthenticator>> auth =
      FileAuthenticator::Open("/nonexistent/mnemo-auth");
  ASSERT_FALSE(auth);
  EXPECT_EQ(auth.error().message,
            "Could not open authfile [/nonexistent/mnemo-auth] for reading, error No such file "
            "or directory: No such file or directory");
}

TEST(OpenAuthenticatorTest, PicksTheFileOfTheSwitch) {
  TempFile file("u:p\n");
  ServerConfig none;
  Result<std::unique_ptr<FileAuthenticator>> off = OpenAuthenticator(none);
  ASSERT_TRUE(off);
  EXPECT_EQ(off->get(), nullptr);

  ServerConfig ascii;
  ascii.auth_file = file.path();
  Result<std::unique_ptr<FileAuthenticator>> y = OpenAuthenticator(ascii);
  ASSERT_TRUE(y);
  EXPECT_TRUE((*y)->Check("u", "p"));

  ServerConfig sasl;
  sasl.sasl = true;
  sasl.sasl_pwdb = file.path();
  Result<std::unique_ptr<FileAuthenticator>> s = OpenAuthenticator(sasl);
  ASSERT_TRUE(s);
  EXPECT_EQ((*s)->path(), file.path());
}

TEST(OpenAuthenticatorTest, SaslFallsBackToTheEnvironmentAndNeedsAFile) {
  TempFile file("u:p\n");
  ServerConfig sasl;
  sasl.sasl = true;
  unsetenv("MEMCACHED_SASL_PWDB");
  Result<std::unique_ptr<FileAuthenticator>> missing = OpenAuthenticator(sasl);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("MEMCACHED_SASL_PWDB"), std::string::npos);
  setenv("MEMCACHED_SASL_PWDB", file.path().c_str(), 1);
  Result<std::unique_ptr<FileAuthenticator>> from_env = OpenAuthenticator(sasl);
  unsetenv("MEMCACHED_SASL_PWDB");
  ASSERT_TRUE(from_env);
  EXPECT_TRUE((*from_env)->Check("u", "p"));
}

}  // namespace
}  // namespace mnemo::server

// Authentication in the real daemon: binary SASL (-S, raw packets; pylibmc is in
// mnemod_sasl_clients.py) and ASCII auth (-Y) with its SIGHUP reload, the stats counters, the
// refusal to start -S without a password file, and no password in a -vvv log.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

using namespace std::string_literals;

constexpr std::string_view kPassword = "Sup3r-Secret-pw";

void WriteFile(const std::string& path, std::string_view text) {
  std::ofstream(path, std::ios::trunc) << text;
}

std::string Be(std::uint64_t value, int bytes) {
  std::string out(bytes, '\0');
  for (int i = bytes - 1; i >= 0; --i, value >>= 8) out[i] = static_cast<char>(value & 0xff);
  return out;
}

// One binary packet (request magic 0x80, response magic 0x81).
std::string Packet(std::uint8_t magic, std::uint8_t opcode, std::string_view key,
                   std::string_view value, std::uint16_t status = 0, std::uint32_t opaque = 0) {
  return std::string(1, static_cast<char>(magic)) + static_cast<char>(opcode) + Be(key.size(), 2) +
         '\0' + '\0' + Be(status, 2) + Be(key.size() + value.size(), 4) + Be(opaque, 4) + Be(0, 8) +
         std::string(key) + std::string(value);
}
std::string Request(std::uint8_t opcode, std::string_view key = {}, std::string_view value = {},
                    std::uint32_t opaque = 0) {
  return Packet(0x80, opcode, key, value, 0, opaque);
}
std::string Reply(std::uint8_t opcode, std::uint16_t status, std::string_view value,
                  std::uint32_t opaque = 0) {
  return Packet(0x81, opcode, {}, value, status, opaque);
}
std::string Plain(std::string_view user, std::string_view password) {
  return "\0"s + std::string(user) + "\0"s + std::string(password);
}

constexpr std::uint8_t kNoop = 0x0a, kVersion = 0x0b, kGet = 0x00, kStat = 0x10;
constexpr std::uint8_t kList = 0x20, kAuth = 0x21;
const std::string kAuthFailure = "Auth failure.";

class SaslTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.Path("pwdb"), "bob:other\nalice:" + std::string(kPassword) + "\n");
    Result<Mnemod> started = StartMnemod(dir_, {"-S", "-o", "sasl_pwdb=" + dir_.Path("pwdb")});
    ASSERT_TRUE(started.ok()) << started.error().message;
    server_.emplace(std::move(*started));
  }
  // Sends `request` and reads until the reply ends like `expected` (or the wait runs out).
  static std::string Exchange(Client& client, const std::string& request,
                              const std::string& expected) {
    EXPECT_TRUE(client.Send(request));
    return client.ReadUntil(expected);
  }

  ScratchDir dir_;
  std::optional<Mnemod> server_;
};

TEST_F(SaslTest, ListsPlainAndRefusesCommandsBeforeAuth) {
  Result<Client> client = server_->Connect();
  ASSERT_TRUE(client.ok());
  const std::string mechs = Reply(kList, 0, "PLAIN", 1);
  EXPECT_EQ(Exchange(*client, Request(kList, {}, {}, 1), mechs), mechs);
  const std::string version = Reply(kVersion, 0, "1.6.18", 2);
  EXPECT_EQ(Exchange(*client, Request(kVersion, {}, {}, 2), version), version);
  EXPECT_TRUE(client->Send(Request(kGet, "k", {}, 3)));
  EXPECT_EQ(client->ReadToClose(), Reply(kGet, 0x20, kAuthFailure, 3));
}

TEST_F(SaslTest, WrongPasswordUnknownMechanismAndOversizedBodiesKeepServing) {
  Result<Client> client = server_->Connect();
  ASSERT_TRUE(client.ok());
  const std::string failure = Reply(kAuth, 0x20, kAuthFailure, 1);
  EXPECT_EQ(Exchange(*client, Request(kAuth, "PLAIN", Plain("alice", "wrong"), 1), failure),
            failure);
  EXPECT_EQ(Exchange(*client, Request(kAuth, "CRAM-MD5", Plain("alice", kPassword), 1), failure),
            failure);
  const std::string oom = Reply(kAuth, 0x82, "Out of memory", 4);
  EXPECT_EQ(Exchange(*client, Request(kAuth, "PLAIN", std::string(2 << 20, 'x'), 4), oom), oom);
  const std::string version = Reply(kVersion, 0, "1.6.18", 5);
  EXPECT_EQ(Exchange(*client, Request(kVersion, {}, {}, 5), version), version);

  // A truncated auth body, then the client leaves: nothing breaks for the next one.
  {
    Result<Client> truncated = server_->Connect();
    ASSERT_TRUE(truncated.ok());
    const std::string partial = Request(kAuth, "PLAIN", Plain("alice", kPassword));
    EXPECT_TRUE(truncated->Send(partial.substr(0, partial.size() - 4)));
  }
  Result<Client> next = server_->Connect();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(Exchange(*next, Request(kVersion, {}, {}, 5), version), version);
}

TEST_F(SaslTest, PlainSignInOpensEveryCommandAndIsCounted) {
  Result<Client> failed = server_->Connect();
  ASSERT_TRUE(failed.ok());
  const std::string failure = Reply(kAuth, 0x20, kAuthFailure);
  EXPECT_EQ(Exchange(*failed, Request(kAuth, "PLAIN", Plain("bob", kPassword)), failure), failure);

  Result<Client> client = server_->Connect();
  ASSERT_TRUE(client.ok());
  const std::string ok = Reply(kAuth, 0, "Authenticated", 7);
  EXPECT_EQ(Exchange(*client, Request(kAuth, "PLAIN", Plain("alice", kPassword), 7), ok), ok);
  const std::string noop = Reply(kNoop, 0, {}, 8);
  EXPECT_EQ(Exchange(*client, Request(kNoop, {}, {}, 8), noop), noop);
  EXPECT_TRUE(client->Send(Request(kStat)));
  const std::string stats = client->ReadUntil(Packet(0x81, kStat, {}, {}));
  EXPECT_NE(stats.find("auth_cmds2"), std::string::npos);
  EXPECT_NE(stats.find("auth_errors1"), std::string::npos);
}

TEST(SaslStartTest, RefusesToStartWithoutAPasswordFile) {
  ScratchDir dir;
  unsetenv("MEMCACHED_SASL_PWDB");
  Finished run = RunToExit(dir, MnemodCommand({"-S", "-p", "0"}));
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.output.find("MEMCACHED_SASL_PWDB"), std::string::npos) << run.output;
  Finished missing = RunToExit(dir, MnemodCommand({"-Y", dir.Path("none"), "-p", "0"}));
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.output.find("Could not open authfile"), std::string::npos) << missing.output;
}

std::string AuthSet(std::string_view user, std::string_view password) {
  const std::string data = std::string(user) + " " + std::string(password);
  return "set auth 0 0 " + std::to_string(data.size()) + "\r\n" + data + "\r\n";
}

TEST(AsciiAuthTest, RefusesUntilSignedInThenServes) {
  ScratchDir dir;
  WriteFile(dir.Path("auth"), "alice:" + std::string(kPassword) + "\n");
  Result<Mnemod> server = StartMnemod(dir, {"-Y", dir.Path("auth")});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  for (std::string_view command :
       {"get k\r\n", "version\r\n", "mn\r\n", "stats\r\n", "set k 0 0\r\n", "quit\r\n"}) {
    EXPECT_EQ(client->Ask(command), "CLIENT_ERROR unauthenticated\r\n") << command;
  }
  EXPECT_EQ(client->Ask(AuthSet("alice", "wrong")), "CLIENT_ERROR authentication failure\r\n");
  EXPECT_EQ(client->Ask(AuthSet("alice", kPassword)), "STORED\r\n");
  EXPECT_EQ(client->Ask("set k 0 0 1\r\nv\r\n"), "STORED\r\n");
  EXPECT_EQ(client->Ask("mg k v\r\n"), "VA 1\r\nv\r\n");
  const std::map<std::string, std::string> stats = ParseStats(client->Ask("stats\r\n", "END\r\n"));
  EXPECT_EQ(stats.at("auth_cmds"), "2");
  EXPECT_EQ(stats.at("auth_errors"), "1");
  const std::string settings = client->Ask("stats settings\r\n", "END\r\n");
  EXPECT_NE(settings.find("STAT auth_enabled_ascii " + dir.Path("auth") + "\r\n"),
            std::string::npos);
}

TEST(AsciiAuthTest, SighupReloadsThePasswordFile) {
  ScratchDir dir;
  WriteFile(dir.Path("auth"), "alice:old-password\n");
  Result<Mnemod> server = StartMnemod(dir, {"-Y", dir.Path("auth")});
  ASSERT_TRUE(server.ok()) << server.error().message;
  WriteFile(dir.Path("auth"), "alice:new-password\n");
  ::kill(server->process.pid(), SIGHUP);
  // The reload happens on the server's own time: wait for it, bounded.
  bool reloaded = false;
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  while (!reloaded && std::chrono::steady_clock::now() < deadline) {
    Result<Client> client = server->Connect();
    ASSERT_TRUE(client.ok());
    reloaded = client->Ask(AuthSet("alice", "new-password")) == "STORED\r\n";
    if (!reloaded) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(reloaded) << server->Log();
  Result<Client> old = server->Connect();
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->Ask(AuthSet("alice", "old-password")), "CLIENT_ERROR authentication failure\r\n");
  // A broken file keeps the entries in force.
  WriteFile(dir.Path("auth"), "broken\n");
  ::kill(server->process.pid(), SIGHUP);
  Result<Client> after = server->Connect();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->Ask(AuthSet("alice", "new-password")), "STORED\r\n");
}

TEST(AsciiAuthTest, NoPasswordInAVerboseLog) {
  ScratchDir dir;
  WriteFile(dir.Path("auth"), "alice:" + std::string(kPassword) + "\n");
  Result<Mnemod> server = StartMnemod(dir, {"-Y", dir.Path("auth"), "-vvv"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  // A mis-framed attempt (its data is read as a line), a wrong one, then the right one.
  EXPECT_EQ(
      client->Ask("set a 0 0 3\r\nalice " + std::string(kPassword) + "\r\n", "unauthenticated\r\n"),
      "CLIENT_ERROR bad command line termination\r\nCLIENT_ERROR unauthenticated\r\n");
  EXPECT_EQ(client->Ask(AuthSet("alice", "x" + std::string(kPassword))),
            "CLIENT_ERROR authentication failure\r\n");
  EXPECT_EQ(client->Ask(AuthSet("alice", kPassword)), "STORED\r\n");
  EXPECT_EQ(client->Ask("get after-auth\r\n"), "END\r\n");
  // The log is written as requests run; the get after auth shows it has caught up.
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  while (server->Log().find("after-auth") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string log = server->Log();
  EXPECT_NE(log.find("after-auth"), std::string::npos) << log;
  EXPECT_EQ(log.find(kPassword), std::string::npos) << log;
}

}  // namespace
}  // namespace mnemo::integration

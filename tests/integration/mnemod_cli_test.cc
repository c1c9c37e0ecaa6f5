// mnemod's command line as a process sees it: what it prints, how it exits, and the startup
// checks memcached makes (root without -u, unknown user, a port already taken).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

bool ExitedWith(int status, int code) { return WIFEXITED(status) && WEXITSTATUS(status) == code; }

TEST(MnemodCli, PortZeroPrintsTheChosenPort) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-p", "0"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  ASSERT_EQ(server->listening.size(), 1u);
  EXPECT_TRUE(server->listening[0].starts_with("127.0.0.1:")) << server->listening[0];
  ASSERT_NE(server->port, 0);
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok()) << client.error().message;
  EXPECT_EQ(client->Ask("version\r\n"), "VERSION 1.6.18\r\n");
  // stats settings reports the port that was bound, not the 0 asked for.
  const auto settings = ParseStats(client->Ask("stats settings\r\n", "END\r\n"));
  EXPECT_EQ(settings.at("tcpport"), std::to_string(server->port));
}

TEST(MnemodCli, BadFlagFailsWithMessage) {
  ScratchDir dir;
  Finished run = RunToExit(dir, MnemodCommand({"--no-such-flag"}));
  EXPECT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) != 0) << run.status;
  EXPECT_NE(run.output.find("no-such-flag"), std::string::npos) << run.output;

  Finished bad_value = RunToExit(dir, MnemodCommand({"-c", "lots"}));
  EXPECT_TRUE(WIFEXITED(bad_value.status) && WEXITSTATUS(bad_value.status) != 0);
  EXPECT_FALSE(bad_value.output.empty());
}

TEST(MnemodCli, HelpAndVersionExitZero) {
  ScratchDir dir;
  Finished help = RunToExit(dir, {MnemodBinary(), "-h"});
  EXPECT_TRUE(ExitedWith(help.status, 0)) << help.status;
  EXPECT_NE(help.output.find("-p"), std::string::npos);
  EXPECT_NE(help.output.find("--engine"), std::string::npos);
  Finished version = RunToExit(dir, {MnemodBinary(), "-V"});
  EXPECT_TRUE(ExitedWith(version.status, 0)) << version.status;
  EXPECT_NE(version.output.find("1.6.18"), std::string::npos) << version.output;
}

TEST(MnemodCli, RootNeedsUserSwitch) {
  if (::geteuid() != 0) GTEST_SKIP() << "only meaningful when the tests run as root";
  ScratchDir dir;
  Finished run = RunToExit(dir, {MnemodBinary(), "-p", "0"});
  EXPECT_TRUE(ExitedWith(run.status, 64)) << run.status;  // EX_USAGE, as memcached
  EXPECT_NE(run.output.find("can't run as root without the -u switch"), std::string::npos)
      << run.output;
  Finished unknown = RunToExit(dir, {MnemodBinary(), "-u", "no-such-user-here", "-p", "0"});
  EXPECT_TRUE(ExitedWith(unknown.status, 67)) << unknown.status;  // EX_NOUSER
  EXPECT_NE(unknown.output.find("can't find the user no-such-user-here"), std::string::npos);
}

TEST(MnemodCli, PortInUseFails) {
  ScratchDir dir;
  Result<Mnemod> first = StartMnemod(dir, {});
  ASSERT_TRUE(first.ok()) << first.error().message;
  Finished second = RunToExit(dir, MnemodCommand({"-p", std::to_string(first->port)}));
  EXPECT_TRUE(WIFEXITED(second.status) && WEXITSTATUS(second.status) != 0) << second.status;
  EXPECT_NE(second.output.find("failed to listen"), std::string::npos) << second.output;
}

}  // namespace
}  // namespace mnemo::integration

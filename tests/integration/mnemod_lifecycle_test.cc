// mnemod's process life: SIGTERM and `shutdown` (-A) stop it with status 0, SIGHUP does not,
// -d/-P daemonize with a pid file, -o idle_timeout closes idle clients.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

constexpr std::string_view kEnd = "END\r\n";

bool ExitedCleanly(std::optional<int> status) {
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

TEST(MnemodLifecycle, SigtermExitsZeroWithClientsConnected) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> idle = server->Connect();
  Result<Client> busy = server->Connect();
  ASSERT_TRUE(idle.ok() && busy.ok());
  EXPECT_EQ(busy->Ask("set k 0 0 1\r\nv\r\n"), "STORED\r\n");
  ::kill(server->process.pid(), SIGTERM);
  EXPECT_TRUE(ExitedCleanly(WaitForExit(server->process))) << server->Log();
  // Connections are closed, not left hanging.
  EXPECT_TRUE(idle->ReadToClose().has_value());
  EXPECT_TRUE(busy->ReadToClose().has_value());
}

TEST(MnemodLifecycle, SigintExitsZero) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {});
  ASSERT_TRUE(server.ok()) << server.error().message;
  ::kill(server->process.pid(), SIGINT);
  EXPECT_TRUE(ExitedCleanly(WaitForExit(server->process))) << server->Log();
}

TEST(MnemodLifecycle, ShutdownCommandWithDashA) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-A"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(client->Send("shutdown\r\n"));
  // memcached closes the connection without a reply and exits.
  EXPECT_EQ(client->ReadToClose(), std::optional<std::string>(""));
  EXPECT_TRUE(ExitedCleanly(WaitForExit(server->process))) << server->Log();
}

TEST(MnemodLifecycle, ShutdownRefusedWithoutDashA) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->Ask("shutdown\r\n"), "ERROR: shutdown not enabled\r\n");
  EXPECT_TRUE(server->process.Running());
}

TEST(MnemodLifecycle, SighupIsIgnored) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  ::kill(server->process.pid(), SIGHUP);
  // A round trip after the signal: the server is alive and serving.
  EXPECT_EQ(client->Ask("version\r\n"), "VERSION 1.6.18\r\n");
  EXPECT_TRUE(server->process.Running());
}

// Kills the daemon named by a pid file however the test ends.
struct DaemonGuard {
  pid_t pid = -1;
  ~DaemonGuard() {
    if (pid > 0) ::kill(pid, SIGKILL);
  }
};

// A daemon is not our child: it is gone once its pid file is (removed at exit).
bool WaitForRemoval(const std::string& path) {
  for (int i = 0; i < 1000; ++i) {
    if (::access(path.c_str(), F_OK) != 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

TEST(MnemodLifecycle, DaemonizeWritesPidFile) {
  ScratchDir dir;
  const std::string pid_path = dir.Path("mnemod.pid");
  Finished parent = RunToExit(dir, MnemodCommand({"-d", "-P", pid_path, "-p", "0"}));
  ASSERT_TRUE(WIFEXITED(parent.status) && WEXITSTATUS(parent.status) == 0) << parent.output;
  // The listening line is printed before the fork, so the caller learns the port.
  const std::size_t at = parent.output.find("mnemod listening on 127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << parent.output;
  const auto port = static_cast<std::uint16_t>(std::stoi(parent.output.substr(at + 30)));
  DaemonGuard guard;
  for (int i = 0; i < 1000 && guard.pid <= 0; ++i) {
    std::ifstream(pid_path) >> guard.pid;
    if (guard.pid <= 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GT(guard.pid, 0) << "no pid file";
  Result<Client> client = Client::Tcp("127.0.0.1", port);
  ASSERT_TRUE(client.ok()) << client.error().message;
  const auto stats = ParseStats(client->Ask("stats\r\n", kEnd));
  EXPECT_EQ(stats.at("pid"), std::to_string(guard.pid));
  ::kill(guard.pid, SIGTERM);
  EXPECT_TRUE(WaitForRemoval(pid_path));
}

TEST(MnemodLifecycle, IdleTimeoutClosesIdleClients) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-o", "idle_timeout=1"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->Ask("version\r\n"), "VERSION 1.6.18\r\n");
  // Closed after about a second of silence; the bound only keeps a broken server from hanging.
  EXPECT_TRUE(client->ReadToClose(std::chrono::seconds(10)).has_value());
  Result<Client> fresh = server->Connect();
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->Ask("version\r\n"), "VERSION 1.6.18\r\n");
}

}  // namespace
}  // namespace mnemo::integration

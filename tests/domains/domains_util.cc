#include "domains_util.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace mnemo::domains_test {

std::string Address(const Mnemod& server) { return "127.0.0.1:" + std::to_string(server.port); }

std::string Addresses(const std::vector<Mnemod>& servers) {
  std::string all;
  for (const Mnemod& server : servers) all += (all.empty() ? "" : ",") + Address(server);
  return all;
}

Mnemod StartServer(const ScratchDir& dir, int index, std::vector<std::string> extra) {
  const std::string state = dir.Path("state-" + std::to_string(index));
  std::filesystem::create_directories(state);
  std::vector<std::string> args = {"--state-dir", state};
  args.insert(args.end(), extra.begin(), extra.end());
  Result<Mnemod> server = integration::StartMnemod(dir, args);
  EXPECT_TRUE(server) << (server ? "" : server.error().message);
  return server ? std::move(*server) : Mnemod{};
}

std::vector<Mnemod> StartServers(const ScratchDir& dir, int count) {
  std::vector<Mnemod> servers;
  for (int i = 0; i < count; ++i) servers.push_back(StartServer(dir, i));
  return servers;
}

AdminRun Mcadmin(const ScratchDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), MCADMIN_BINARY);
  integration::Finished finished = integration::RunToExit(dir, args);
  const int code = WIFEXITED(finished.status) ? WEXITSTATUS(finished.status) : -1;
  return {code, finished.output};
}

testing::Process SpawnMcadmin(const ScratchDir& dir, std::vector<std::string> args) {
  static int counter = 0;
  args.insert(args.begin(), MCADMIN_BINARY);
  Result<testing::Process> spawned =
      testing::Process::Spawn(args, dir.Path("mcadmin-" + std::to_string(++counter) + ".log"));
  EXPECT_TRUE(spawned);
  return spawned ? std::move(*spawned) : testing::Process{};
}

std::string ServersReply(const Mnemod& server, const std::string& domain) {
  Result<integration::Client> client = server.Connect();
  if (!client) return "";
  return client->Ask("servers " + domain + "\r\n", "END\r\n");
}

long long Stat(const Mnemod& server, const std::string& name) {
  Result<integration::Client> client = server.Connect();
  if (!client) return -1;
  auto stats = integration::ParseStats(client->Ask("stats\r\n", "END\r\n"));
  auto it = stats.find(name);
  return it == stats.end() ? -1 : std::stoll(it->second);
}

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace mnemo::domains_test

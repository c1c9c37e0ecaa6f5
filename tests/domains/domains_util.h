// Helpers for the domain tests: mnemod servers in a scratch directory, mcadmin runs, the
// `servers` reply and `stats` counters of one server, and bounded waits.
// Thread safety: none needed; each test uses its own objects on one thread (concurrent
// mcadmin runs are separate processes).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "mnemod_harness.h"

namespace mnemo::domains_test {

using integration::Mnemod;
using integration::ScratchDir;

std::string Address(const Mnemod& server);
// "a,b,c" of the servers' addresses.
std::string Addresses(const std::vector<Mnemod>& servers);

// Starts `count` mnemod, each with its own --state-dir under `dir` (state-<i>).
std::vector<Mnemod> StartServers(const ScratchDir& dir, int count);
Mnemod StartServer(const ScratchDir& dir, int index, std::vector<std::string> extra = {});

// mcadmin with `args`; its exit status (WEXITSTATUS) and output.
struct AdminRun {
  int code = -1;
  std::string output;
};
AdminRun Mcadmin(const ScratchDir& dir, std::vector<std::string> args);
// Starts mcadmin without waiting (for concurrent runs).
testing::Process SpawnMcadmin(const ScratchDir& dir, std::vector<std::string> args);

// The raw reply to `servers DOMAIN` on a new connection, "" when the server cannot be reached.
std::string ServersReply(const Mnemod& server, const std::string& domain);
// `stats` field `name` as a number; -1 when unavailable.
long long Stat(const Mnemod& server, const std::string& name);

// Polls `condition` every few milliseconds until it holds or `timeout` passes.
bool WaitUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = integration::kTimeout);

std::string ReadFile(const std::string& path);

}  // namespace mnemo::domains_test

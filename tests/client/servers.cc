// Process plumbing for the client's integration tests.
#include "servers.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace mnemo::testing {
namespace {

std::vector<std::string> Argv(ServerKind kind, std::uint16_t port) {
  if (kind == ServerKind::kMapServer) return {MNEMO_MAP_SERVER_BIN, "-p", std::to_string(port)};
  std::vector<std::string> argv = {"memcached", "-l", "127.0.0.1", "-p", std::to_string(port),
                                   "-U",        "0",  "-t",        "2"};
  if (kind == ServerKind::kMnemod) argv = {MNEMO_MNEMOD_BIN, "-p", std::to_string(port), "-t", "2"};
  // memcached (and mnemod, like it) refuses to run as root unless told which user to stay.
  if (::geteuid() == 0) argv.insert(argv.end(), {"-u", "root"});
  return argv;
}

// Feeds `input` and drains stdout/stderr until both close or the deadline passes.
bool Pump(int in_fd, int out_fd, int err_fd, const std::string& input, CommandResult& result,
          std::chrono::steady_clock::time_point deadline) {
  std::size_t written = 0;
  auto close_input = [&in_fd] {
    ::close(in_fd);
    in_fd = -1;
  };
  if (input.empty()) close_input();
  while (out_fd >= 0 || err_fd >= 0) {
    pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {in_fd, POLLOUT, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || ::poll(fds, 3, static_cast<int>(left.count())) < 0) {
      for (int fd : {in_fd, out_fd, err_fd}) {
        if (fd >= 0) ::close(fd);
      }
      return false;
    }
    if (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) {
      const ssize_t n = ::write(in_fd, input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n < 0 || written == input.size()) close_input();
    }
    int* fd_of[2] = {&out_fd, &err_fd};
    std::string* sink[2] = {&result.out, &result.err};
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buffer[65536];
      const ssize_t n = ::read(*fd_of[i], buffer, sizeof(buffer));
      if (n > 0) {
        sink[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(*fd_of[i]);
        *fd_of[i] = -1;
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  return true;
}

}  // namespace

const char* ServerKindName(ServerKind kind) {
  switch (kind) {
    case ServerKind::kMemcached:
      return "memcached";
    case ServerKind::kMapServer:
      return "map_server";
    case ServerKind::kMnemod:
      return "mnemod";
  }
  return "?";
}

Result<TestServer> TestServer::Start(ServerKind kind) {
  auto running = StartServer([kind](std::uint16_t port) { return Argv(kind, port); });
  if (!running) return running.error();
  TestServer server;
  server.process_ = std::move(running->process);
  server.port_ = running->port;
  return server;
}

Result<TestServer> TestServer::StartOn(ServerKind kind, std::uint16_t port) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto process = Process::Spawn(Argv(kind, port));
    if (!process) return process.error();
    if (WaitForListener(*process, port, std::chrono::milliseconds(3000))) {
      TestServer server;
      server.process_ = std::move(process.value());
      server.port_ = port;
      return server;
    }
    ::usleep(100 * 1000);  // the old socket may still be closing
  }
  return Error{"could not restart on port " + std::to_string(port)};
}

CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input,
                         const std::map<std::string, std::string>& env,
                         std::chrono::milliseconds timeout) {
  CommandResult result;
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    return result;
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  ::signal(SIGPIPE, SIG_IGN);
  const bool finished =
      Pump(in[1], out[0], err[0], input, result, std::chrono::steady_clock::now() + timeout);
  if (!finished) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = finished && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace mnemo::testing

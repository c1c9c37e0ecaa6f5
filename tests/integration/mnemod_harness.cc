#include "mnemod_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace mnemo::integration {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Waits until fd is readable; false at the deadline.
bool WaitReadable(int fd, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left));
    if (r > 0) return true;
    if (r == 0 || errno != EINTR) return false;
  }
}

bool NamesPort(const std::vector<std::string>& args) {
  return std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a == "-p" || a == "-s" || a.starts_with("--port") || a.starts_with("--unix");
  });
}

std::vector<std::string> ListeningLines(const std::string& log) {
  constexpr std::string_view kPrefix = "mnemod listening on ";
  std::vector<std::string> found;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(kPrefix)) found.push_back(line.substr(kPrefix.size()));
  }
  return found;
}

}  // namespace

ScratchDir::ScratchDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "mnemod-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

Result<Client> Client::Open(int domain, const void* address, unsigned length) {
  const int fd = ::socket(domain, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{std::string("socket: ") + std::strerror(errno)};
  // Loopback and Unix connects complete or fail at once: no timeout needed.
  if (::connect(fd, static_cast<const sockaddr*>(address), length) != 0) {
    Error error{std::string("connect: ") + std::strerror(errno)};
    ::close(fd);
    return error;
  }
  return Client(fd);
}

Result<Client> Client::Tcp(const std::string& host, std::uint16_t port) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) return Open(AF_INET, &v4, sizeof v4);
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(port);
  if (::inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
    return Open(AF_INET6, &v6, sizeof v6);
  }
  return Error{"not a numeric address: " + host};
}

Result<Client> Client::Unix(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return Error{"path too long"};
  std::memcpy(address.sun_path, path.data(), path.size());
  return Open(AF_UNIX, &address, sizeof address);
}

Client::Client(Client&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

bool Client::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string Client::ReadUntil(std::string_view end, milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  std::string got;
  char buffer[16384];
  while (!std::string_view(got).ends_with(end) && WaitReadable(fd_, deadline)) {
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  return got;
}

std::optional<std::string> Client::ReadToClose(milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  std::string got;
  char buffer[16384];
  while (WaitReadable(fd_, deadline)) {
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return got;  // EOF, or a reset: either way the server closed
    got.append(buffer, static_cast<std::size_t>(n));
  }
  return std::nullopt;
}

std::string Client::Ask(std::string_view request, std::string_view end) {
  if (!Send(request)) return "<send failed>";
  return ReadUntil(end);
}

std::string Mnemod::Log() const { return ReadFile(log_path); }

std::string MnemodBinary() {
  const char* chosen = std::getenv("MNEMOD_BINARY");
  return chosen != nullptr && chosen[0] != '\0' ? chosen : MNEMOD_BINARY;
}

std::vector<std::string> MnemodCommand(std::vector<std::string> args) {
  const passwd* me = ::getpwuid(::geteuid());
  std::vector<std::string> argv = {MnemodBinary(), "-u", me != nullptr ? me->pw_name : "root"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

Result<Mnemod> StartMnemod(const ScratchDir& dir, std::vector<std::string> args,
                           std::size_t listeners) {
  static int counter = 0;
  if (!NamesPort(args)) args.insert(args.end(), {"-p", "0"});
  Mnemod server;
  server.log_path = dir.Path("mnemod-" + std::to_string(++counter) + ".log");
  Result<testing::Process> spawned = testing::Process::Spawn(MnemodCommand(args), server.log_path);
  if (!spawned) return spawned.error();
  server.process = std::move(*spawned);
  const Clock::time_point deadline = Clock::now() + kTimeout;
  while (Clock::now() < deadline) {
    server.listening = ListeningLines(server.Log());
    if (server.listening.size() >= listeners) break;
    if (!server.process.Running()) return Error{"mnemod exited: " + server.Log()};
    std::this_thread::sleep_for(milliseconds(5));
  }
  if (server.listening.size() < listeners) return Error{"mnemod did not listen: " + server.Log()};
  for (const std::string& address : server.listening) {
    const std::size_t colon = address.rfind(':');
    if (colon == std::string::npos || address.front() == '/') continue;
    server.port = static_cast<std::uint16_t>(std::atoi(address.c_str() + colon + 1));
    break;
  }
  return server;
}

Finished RunToExit(const ScratchDir& dir, std::vector<std::string> argv) {
  static int counter = 0;
  const std::string log = dir.Path("run-" + std::to_string(++counter) + ".log");
  Finished finished;
  Result<testing::Process> spawned = testing::Process::Spawn(argv, log);
  if (!spawned) return {-1, spawned.error().message};
  std::optional<int> status = WaitForExit(*spawned);
  finished.status = status.value_or(-1);
  finished.output = ReadFile(log);
  return finished;
}

std::optional<int> WaitForExit(testing::Process& process, milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (process.Running()) {
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return process.Stop();  // already reaped: returns the recorded status
}

std::map<std::string, std::string> ParseStats(std::string_view reply) {
  std::map<std::string, std::string> stats;
  std::istringstream lines{std::string(reply)};
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("STAT ")) continue;
    if (line.ends_with('\r')) line.pop_back();
    const std::size_t space = line.find(' ', 5);
    if (space == std::string::npos) continue;
    stats[line.substr(5, space - 5)] = line.substr(space + 1);
  }
  return stats;
}

std::vector<std::string> StatNames(std::string_view reply) {
  std::vector<std::string> names;
  std::istringstream lines{std::string(reply)};
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("STAT ")) continue;
    names.push_back(line.substr(5, line.find(' ', 5) - 5));
  }
  return names;
}

}  // namespace mnemo::integration

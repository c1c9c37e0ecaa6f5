#include "process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

namespace mnemo::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Resolves a program name the way execvp would, but in the parent: after fork() only
// async-signal-safe calls are allowed, and execv is one while a PATH search is not.
std::string ResolveProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return name;
}

// Runs in the forked child: only async-signal-safe calls until execv.
[[noreturn]] void ExecChild(const char* program, char* const* argv, const char* log_path,
                            pid_t parent, int error_pipe) {
  // If the test process dies without running destructors, its servers go with it.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(126);
  int null_fd = ::open("/dev/null", O_RDWR);
  int out_fd = null_fd;
  if (log_path[0] != '\0') out_fd = ::open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (null_fd < 0 || out_fd < 0) ::_exit(126);
  ::dup2(null_fd, STDIN_FILENO);
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(out_fd, STDERR_FILENO);
  ::execv(program, argv);
  int error = errno;
  [[maybe_unused]] ssize_t n = ::write(error_pipe, &error, sizeof error);
  ::_exit(127);
}

bool ConnectOnce(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// The inodes of the sockets listening on `port` (any local address), from /proc/net/tcp and
// tcp6; nullopt when /proc cannot tell.
std::optional<std::set<unsigned long>> ListeningInodes(std::uint16_t port) {
  std::set<unsigned long> inodes;
  bool read_any = false;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    if (!in) continue;
    read_any = true;
    std::string line;
    std::getline(in, line);  // the column titles
    while (std::getline(in, line)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout;
      unsigned long inode = 0;
      if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
            timeout >> inode)) {
        continue;
      }
      const std::size_t colon = local.rfind(':');
      if (state != "0A" || colon == std::string::npos) continue;  // 0A: LISTEN
      if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) inodes.insert(inode);
    }
  }
  if (!read_any) return std::nullopt;
  return inodes;
}

// Whether `pid` holds one of `inodes` among its file descriptors.
bool HoldsSocket(pid_t pid, const std::set<unsigned long>& inodes) {
  std::error_code error;
  const std::filesystem::path fds = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& entry : std::filesystem::directory_iterator(fds, error)) {
    const std::string target = std::filesystem::read_symlink(entry.path(), error).string();
    if (error || !target.starts_with("socket:[")) continue;
    if (inodes.count(std::stoul(target.substr(8))) != 0) return true;
  }
  return false;
}

// Whether the server answering on `port` is `pid` and not another test's: a connect alone
// cannot tell while our child is still failing to bind a port someone else took.
bool ListensOn(pid_t pid, std::uint16_t port) {
  std::optional<std::set<unsigned long>> inodes = ListeningInodes(port);
  if (!inodes) {
    // No /proc: give a failing child a moment to exit before trusting the connect.
    std::this_thread::sleep_for(milliseconds(20));
    return true;
  }
  return HoldsSocket(pid, *inodes);
}

}  // namespace

Result<Process> Process::Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  if (argv.empty()) return Error{"Spawn: empty argv"};
  std::string program = ResolveProgram(argv[0]);
  std::vector<char*> c_argv;
  for (const std::string& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Error{"pipe2: " + std::string(strerror(errno))};
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return Error{"fork: " + std::string(strerror(errno))};
  }
  if (pid == 0) ExecChild(program.c_str(), c_argv.data(), log_path.c_str(), parent, pipe_fds[1]);
  ::close(pipe_fds[1]);
  // The pipe closes on a successful exec (CLOEXEC); otherwise the child reports errno.
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(pipe_fds[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(pipe_fds[0]);
  Process process(pid);
  if (n > 0) {
    process.Stop();
    return Error{"exec " + program + ": " + strerror(child_errno)};
  }
  return process;
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), status_(other.status_) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    Stop();
    pid_ = std::exchange(other.pid_, -1);
    status_ = other.status_;
  }
  return *this;
}

bool Process::Running() {
  if (pid_ < 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  if (r == pid_) status_ = status;
  pid_ = -1;
  return false;
}

void Process::Terminate() {
  if (Running()) ::kill(pid_, SIGTERM);
}

int Process::Stop(milliseconds grace) {
  if (!Running()) return status_;
  ::kill(pid_, SIGTERM);
  Clock::time_point deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    if (!Running()) return status_;
    std::this_thread::sleep_for(milliseconds(5));
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  status_ = status;
  pid_ = -1;
  return status_;
}

std::uint16_t FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

bool WaitForListener(Process& process, std::uint16_t port, milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (process.Running()) {
    if (ConnectOnce(port) && ListensOn(process.pid(), port)) return process.Running();
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return false;
}

Result<RunningServer> StartServer(
    const std::function<std::vector<std::string>(std::uint16_t port)>& make_argv,
    const ServerOptions& options) {
  std::string last_error = "no attempt made";
  for (int attempt = 0; attempt < options.attempts; ++attempt) {
    std::uint16_t port = FreeLoopbackPort();
    if (port == 0) return Error{"no free loopback port"};
    Result<Process> spawned = Process::Spawn(make_argv(port), options.log_path);
    if (!spawned.ok()) return spawned.error();
    Process process = std::move(spawned).value();
    if (WaitForListener(process, port, options.start_timeout)) {
      return RunningServer{std::move(process), port};
    }
    last_error = process.Running() ? "did not listen in time" : "exited before listening";
    process.Stop();
  }
  return Error{"StartServer: " + last_error + " (after " + std::to_string(options.attempts) +
               " attempts)"};
}

}  // namespace mnemo::testing

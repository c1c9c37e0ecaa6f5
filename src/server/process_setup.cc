#include "server/process_setup.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace mnemo::server {
namespace {

// File descriptors beyond the clients: listeners, epoll and wakeup fds of each worker, logs.
constexpr rlim_t kSpareFiles = 64;

std::string SystemError(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace

bool RunningAsRoot() { return getuid() == 0 || geteuid() == 0; }

Result<UserIdentity> LookUpUser(const std::string& name) {
  passwd* entry = getpwnam(name.c_str());
  if (entry == nullptr) return Error{"can't find the user " + name + " to switch to"};
  return UserIdentity{name, entry->pw_uid, entry->pw_gid};
}

Result<void> SwitchToUser(const UserIdentity& user) {
  if (initgroups(user.name.c_str(), user.gid) != 0 || setgid(user.gid) != 0 ||
      setuid(user.uid) != 0) {
    return Error{"failed to assume identity of user " + user.name};
  }
  return {};
}

void FitFileLimit(int max_connections, const Logger& log) {
  const rlim_t wanted = static_cast<rlim_t>(max_connections) + kSpareFiles;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= wanted) return;
  rlimit raised = limit;
  raised.rlim_cur = wanted;
  if (raised.rlim_max < wanted) {
    if (RunningAsRoot()) {
      raised.rlim_max = wanted;
    } else {
      raised.rlim_cur = raised.rlim_max;
    }
  }
  if (setrlimit(RLIMIT_NOFILE, &raised) != 0 || raised.rlim_cur < wanted) {
    log.Log(0,
            "failed to set rlimit for open files. Try starting as root or requesting "
            "smaller maxconns value.");
  }
}

void EnableCoreDumps(const Logger& log) {
  rlimit limit{RLIM_INFINITY, RLIM_INFINITY};
  if (setrlimit(RLIMIT_CORE, &limit) == 0) return;
  // Without privileges only the soft limit can go up, to the hard one.
  getrlimit(RLIMIT_CORE, &limit);
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_CORE, &limit) != 0) log.Log(0, SystemError("failed to ensure corefile"));
}

void LockMemory(const Logger& log) {
  if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
    log.Log(0, "warning: -k invalid, mlockall() failed: " + std::string(std::strerror(errno)));
  }
}

void UseBatchScheduling(const Logger& log) {
  const sched_param param{};
  if (sched_setscheduler(0, SCHED_BATCH, &param) != 0) {
    log.Log(1, "SCHED_BATCH not set: " + std::string(std::strerror(errno)));
  }
}

Result<void> Daemonize(asio::io_context& io, bool keep_directory, bool keep_stderr) {
  std::fflush(nullptr);
  io.notify_fork(asio::io_context::fork_prepare);
  const pid_t child = fork();
  if (child < 0) return Error{SystemError("fork")};
  if (child > 0) _exit(0);
  io.notify_fork(asio::io_context::fork_child);
  if (setsid() < 0) return Error{SystemError("setsid")};
  if (!keep_directory && chdir("/") != 0) return Error{SystemError("chdir /")};
  const int null = open("/dev/null", O_RDWR);
  if (null < 0) return Error{SystemError("open /dev/null")};
  dup2(null, STDIN_FILENO);
  dup2(null, STDOUT_FILENO);
  if (!keep_stderr) dup2(null, STDERR_FILENO);
  if (null > STDERR_FILENO) close(null);
  return {};
}

PidFile::~PidFile() {
  if (!path_.empty()) unlink(path_.c_str());
}

Result<void> PidFile::Write(const std::string& path) {
  if (path.empty()) return {};
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return Error{SystemError("Could not open the pid file " + path)};
  std::fprintf(file, "%ld\n", static_cast<long>(getpid()));
  if (std::fclose(file) != 0) return Error{SystemError("Could not write the pid file " + path)};
  path_ = path;
  return {};
}

void HangupHandlers::Add(std::string what, std::function<Result<void>()> reload) {
  handlers_.push_back({std::move(what), std::move(reload)});
}

std::vector<HangupHandlers::Outcome> HangupHandlers::RunAll() const {
  if (handlers_.empty()) return {{kLogWarnings, "SIGHUP received: nothing to reload"}};
  std::vector<Outcome> outcomes;
  for (const Handler& handler : handlers_) {
    Result<void> reloaded = handler.reload();
    if (reloaded) {
      outcomes.push_back({kLogWarnings, "SIGHUP received: reloaded " + handler.what});
    } else {
      outcomes.push_back({0, "SIGHUP received: " + reloaded.error().message + "; keeping the old " +
                                 handler.what});
    }
  }
  return outcomes;
}

std::string AbsolutePath(const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute.string();
}

}  // namespace mnemo::server

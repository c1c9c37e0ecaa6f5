// The Unix process chores memcached does at startup: refusing root without -u, switching to
// that user, raising the open-files limit to fit -c, core dumps (-r), locked memory (-k),
// daemonizing (-d) and the pid file (-P); and what SIGHUP re-reads (HangupHandlers).
//
// Thread safety: call the functions from the main thread before any other thread exists (fork,
// setuid and setrlimit act on the whole process); HangupHandlers is used on the thread that
// watches the signal.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "mnemo/result.h"
#include "server/logger.h"

namespace asio {
class io_context;
}

namespace mnemo::server {

bool RunningAsRoot();

struct UserIdentity {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// memcached's "can't find the user NAME to switch to" when there is no such user.
Result<UserIdentity> LookUpUser(const std::string& name);
// Supplementary groups, group, then user; "failed to assume identity of user NAME" on error.
Result<void> SwitchToUser(const UserIdentity& user);

// Raises the soft (and as root the hard) open-files limit so that `max_connections` clients
// fit beside the listeners and the engine's files; warns on stderr when it cannot.
void FitFileLimit(int max_connections, const Logger& log);
void EnableCoreDumps(const Logger& log);
void LockMemory(const Logger& log);
// Puts the calling thread, and every thread it starts from now on, under SCHED_BATCH: a thread
// that wakes up no longer preempts the one running on its core (the scheduler's tick does). For
// engines that hand every write to a thread of their own and back (sqlite), where each such
// preemption cost two context switches per write on a busy core. Logs at -v when it cannot.
void UseBatchScheduling(const Logger& log);

// Forks into the background like daemon(3): the parent exits 0, the child leaves the
// terminal's session, goes to "/" unless `keep_directory`, and sends stdin, stdout and (unless
// `keep_stderr`) stderr to /dev/null. `io` is told about the fork. Returns in the child only.
Result<void> Daemonize(asio::io_context& io, bool keep_directory, bool keep_stderr);

// Writes this process's pid to `path` (relative paths are made absolute first, since the
// daemon changes directory) and removes the file again when destroyed.
class PidFile {
 public:
  PidFile() = default;
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

  // REQUIRES: called once. An empty path writes nothing.
  Result<void> Write(const std::string& path);

 private:
  std::string path_;
};

// The absolute form of `path` (unchanged when it is empty or absolute).
std::string AbsolutePath(const std::string& path);

// SIGHUP. memcached 1.6.18 re-reads its -Y password file on SIGHUP and does nothing else: it
// logs only to stderr, so there is no log file to reopen, and the signal never ends it. mnemod
// logs only to stderr too; everything it should re-read registers a reload here (the -Y/-S
// password file does; a TLS certificate or any later file-backed setting should), and the
// server runs them all, in the order added, for each SIGHUP. A reload that fails must keep what
// it had: the server carries on with it and logs why.
class HangupHandlers {
 public:
  // `what` names the file or setting in the log line.
  void Add(std::string what, std::function<Result<void>()> reload);
  bool empty() const { return handlers_.empty(); }

  struct Outcome {
    int level;  // Logger level of `line`: failures always show, reloads with -v
    std::string line;
  };
  // Runs every reload; returns one line per handler ("SIGHUP received: nothing to reload" when
  // there is none) for the caller to log.
  std::vector<Outcome> RunAll() const;

 private:
  struct Handler {
    std::string what;
    std::function<Result<void>()> reload;
  };
  std::vector<Handler> handlers_;
};

}  // namespace mnemo::server

// mnemod on the sqlite engine when the file is unusable: a locked, read-only, corrupt, foreign
// or newer file at start gives one error line naming the file and a non-zero exit; a write that
// the disk refuses (the file size limit, RLIMIT_FSIZE, standing in for a full disk) gets
// memcached's SERVER_ERROR while reads go on and nothing committed is lost.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

int ExitCode(std::optional<int> status) {
  return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

class MnemodSqliteFaults : public ::testing::Test {
 protected:
  // A database with a few items, written by mnemod and closed cleanly.
  void MakeDatabase(int items = 3) {
    Result<Mnemod> server = StartMnemod(dir_, {"--engine", "sqlite:" + path_});
    ASSERT_TRUE(server.ok()) << server.error().message;
    Result<Client> client = server->Connect();
    ASSERT_TRUE(client.ok());
    const std::string value(3000, 'v');
    for (int i = 0; i < items; ++i) {
      ASSERT_EQ(client->Ask("set key" + std::to_string(i) + " 0 0 3000\r\n" + value + "\r\n"),
                "STORED\r\n");
    }
    ::kill(server->process.pid(), SIGTERM);
    ASSERT_EQ(ExitCode(WaitForExit(server->process)), 0) << server->Log();
  }

  // Starts mnemod on the file, which must refuse it: exactly one line, naming the file and
  // containing `reason`, and a non-zero exit status.
  void ExpectRefused(const std::string& reason, std::vector<std::string> prefix = {}) {
    std::vector<std::string> argv = MnemodCommand({"--engine", "sqlite:" + path_, "-p", "0"});
    argv.insert(argv.begin(), prefix.begin(), prefix.end());
    const Finished run = RunToExit(dir_, argv);
    ASSERT_TRUE(WIFEXITED(run.status)) << run.output;
    EXPECT_NE(WEXITSTATUS(run.status), 0);
    EXPECT_EQ(std::count(run.output.begin(), run.output.end(), '\n'), 1) << run.output;
    EXPECT_TRUE(run.output.starts_with("sqlite engine: " + path_ + ": ")) << run.output;
    EXPECT_NE(run.output.find(reason), std::string::npos) << run.output;
  }

  void Overwrite(off_t offset, const std::string& bytes) {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(offset);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

  ScratchDir dir_;
  const std::string path_ = dir_.Path("cache.db");
};

TEST_F(MnemodSqliteFaults, LockedByAnotherProcess) {
  MakeDatabase();
  const int fd = ::open(path_.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  ExpectRefused("another process");
  ::close(fd);
  // Once the lock is gone the same file opens.
  Result<Mnemod> server = StartMnemod(dir_, {"--engine", "sqlite:" + path_});
  EXPECT_TRUE(server.ok()) << server.error().message;
}

TEST_F(MnemodSqliteFaults, ReadOnlyFile) {
  MakeDatabase();
  ASSERT_EQ(::chmod(path_.c_str(), 0444), 0);
  // root writes to read-only files: run the server as nobody instead (setpriv, util-linux).
  std::vector<std::string> prefix;
  if (::geteuid() == 0) {
    ASSERT_EQ(::chmod(std::filesystem::path(path_).parent_path().c_str(), 0755), 0);
    prefix = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  }
  ExpectRefused("cannot open the file for writing", prefix);
}

TEST_F(MnemodSqliteFaults, CorruptFile) {
  MakeDatabase(40);
  ASSERT_GT(std::filesystem::file_size(path_), 4u * 4096);
  Overwrite(4096, std::string(3 * 4096, '\xa5'));
  ExpectRefused("corrupt");
}

TEST_F(MnemodSqliteFaults, NotASqliteFile) {
  std::ofstream(path_) << "key1 value1\nkey2 value2\n" << std::string(5000, '#');
  ExpectRefused("not a SQLite database");
}

TEST_F(MnemodSqliteFaults, NewerSchemaVersion) {
  MakeDatabase();
  const std::string command = "sqlite3 '" + path_ + "' 'PRAGMA user_version = 7'";
  ASSERT_EQ(std::system(command.c_str()), 0);
  ExpectRefused("schema version 7 is newer");
}

TEST_F(MnemodSqliteFaults, RefusedOptionsForTheEngine) {
  const Finished memory = RunToExit(dir_, MnemodCommand({"--cache-mb", "4", "-p", "0"}));
  EXPECT_NE(ExitCode(memory.status), 0);
  EXPECT_EQ(memory.output, "--cache-mb: only the sqlite engine has a memory cache\n");
  const Finished in_memory =
      RunToExit(dir_, MnemodCommand({"--engine", "sqlite::memory:", "--cache-mb", "4", "-p", "0"}));
  EXPECT_NE(ExitCode(in_memory.status), 0);
  EXPECT_EQ(in_memory.output,
            "--cache-mb: a :memory: database is in memory already; give a file\n");
}

// Lowers RLIMIT_FSIZE and ignores SIGXFSZ (so a write past it fails with EFBIG instead of
// killing the process) for the children spawned while it lives; restores both after.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lowered);
    previous_ = ::signal(SIGXFSZ, SIG_IGN);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, previous_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  sighandler_t previous_ = SIG_DFL;
};

TEST_F(MnemodSqliteFaults, FullDiskFailsTheWriteAndKeepsServing) {
  constexpr int kValueSize = 100 * 1024;
  Result<Mnemod> server = [&] {
    FileSizeLimit limit(2 * 1024 * 1024);
    return StartMnemod(dir_, {"--engine", "sqlite:" + path_, "-m", "1024"});
  }();
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  const std::string value(kValueSize, 'x');
  ASSERT_EQ(client->Ask("set first 1 0 5\r\nhello\r\n"), "STORED\r\n");
  std::string reply;
  int stored = 0;
  for (; stored < 100; ++stored) {
    reply = client->Ask("set big" + std::to_string(stored) + " 0 0 " +
                        std::to_string(kValueSize) + "\r\n" + value + "\r\n");
    if (reply != "STORED\r\n") break;
  }
  EXPECT_EQ(reply, "SERVER_ERROR out of memory storing object\r\n");
  EXPECT_GT(stored, 0);
  EXPECT_LT(stored, 100);
  // Reads are still served, and the server answers further requests.
  EXPECT_EQ(client->Ask("get first\r\n", "END\r\n"), "VALUE first 1 5\r\nhello\r\nEND\r\n");
  EXPECT_EQ(client->Ask("version\r\n").substr(0, 8), "VERSION ");
  ::kill(server->process.pid(), SIGTERM);
  EXPECT_EQ(ExitCode(WaitForExit(server->process)), 0) << server->Log();

  // Without the limit, everything acknowledged is there.
  Result<Mnemod> restarted = StartMnemod(dir_, {"--engine", "sqlite:" + path_, "-m", "1024"});
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  Result<Client> again = restarted->Connect();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->Ask("get first\r\n", "END\r\n"), "VALUE first 1 5\r\nhello\r\nEND\r\n");
  const std::string last = "big" + std::to_string(stored - 1);
  EXPECT_EQ(again->Ask("get " + last + "\r\n", "END\r\n"),
            "VALUE " + last + " 0 " + std::to_string(kValueSize) + "\r\n" + value + "\r\nEND\r\n");
}

// Another process holds SQLite's write lock past the busy timeout (5 s): no write can commit.
// delete, touch and gat of an item that is there answer SERVER_ERROR -- NOT_FOUND would be a
// lie -- a plain get is still served, and once the lock is gone the same commands succeed.
TEST_F(MnemodSqliteFaults, AWriteLockHeldElsewhereFailsDeleteTouchAndGatAsServerErrors) {
  Result<Mnemod> server = StartMnemod(dir_, {"--engine", "sqlite:" + path_});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  ASSERT_EQ(client->Ask("set k 3 0 2\r\nhi\r\n"), "STORED\r\n");
  ASSERT_EQ(client->Ask("get k\r\n", "END\r\n"), "VALUE k 3 2\r\nhi\r\nEND\r\n");

  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  // One connection each, sent together, so the writer fails them in one wait for the lock.
  const std::vector<std::string> writes = {"delete k\r\n", "touch k 100\r\n", "gat 100 k\r\n"};
  std::vector<Client> clients;
  for (const std::string& write : writes) {
    Result<Client> each = server->Connect();
    ASSERT_TRUE(each.ok());
    clients.push_back(std::move(each).value());
    ASSERT_TRUE(clients.back().Send(write));
  }
  for (Client& each : clients) {
    EXPECT_EQ(each.ReadUntil("\r\n", std::chrono::seconds(20)),
              "SERVER_ERROR backend failure\r\n");
  }
  EXPECT_EQ(client->Ask("get k\r\n", "END\r\n"), "VALUE k 3 2\r\nhi\r\nEND\r\n");
  ASSERT_EQ(sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(holder);

  EXPECT_EQ(client->Ask("touch k 100\r\n"), "TOUCHED\r\n");
  EXPECT_EQ(client->Ask("gat 200 k\r\n", "END\r\n"), "VALUE k 3 2\r\nhi\r\nEND\r\n");
  EXPECT_EQ(client->Ask("delete k\r\n"), "DELETED\r\n");
  EXPECT_EQ(client->Ask("get k\r\n", "END\r\n"), "END\r\n");
}

}  // namespace
}  // namespace mnemo::integration

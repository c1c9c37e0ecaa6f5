// Warm restart through the real daemon: --snapshot FILE (and memcached's -e FILE) saves the
// cache on every graceful stop (SIGTERM, SIGINT, SIGUSR1, `shutdown [graceful]` with -A) and
// reloads it at the next start with values, flags, TTLs and CAS intact. A missing, truncated,
// damaged or other-version file gives one log line and an empty cache, never a failed start.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

constexpr std::string_view kEnd = "END\r\n";

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void WriteBytes(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

int ExitCode(std::optional<int> status) {
  return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

// Lines of `log` that mention the snapshot.
std::vector<std::string> SnapshotLines(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("snapshot ")) lines.push_back(line);
  }
  return lines;
}

std::string LastSnapshotLine(const std::string& log) {
  const std::vector<std::string> lines = SnapshotLines(log);
  return lines.empty() ? "" : lines.back();
}

class MnemodSnapshot : public ::testing::Test {
 protected:
  // Starts mnemod with `flag` naming the snapshot; the extra arguments follow.
  Result<Mnemod> Start(std::vector<std::string> extra = {},
                       const std::string& flag = "--snapshot") {
    std::vector<std::string> args = {flag, path_};
    args.insert(args.end(), extra.begin(), extra.end());
    return StartMnemod(dir_, args);
  }
  // Fills a server with items of every kind and stops it with `signal`; returns their `gets`.
  std::string FillAndStop(int signal) {
    Result<Mnemod> server = Start();
    EXPECT_TRUE(server.ok()) << server.error().message;
    if (!server.ok()) return "";
    Result<Client> client = server->Connect();
    EXPECT_TRUE(client.ok());
    EXPECT_EQ(client->Ask("set plain 0 0 5\r\nhello\r\n"), "STORED\r\n");
    EXPECT_EQ(client->Ask("set flagged 4294967295 0 3\r\nabc\r\n"), "STORED\r\n");
    EXPECT_EQ(client->Ask("set timed 7 1000 4\r\nwxyz\r\n"), "STORED\r\n");
    EXPECT_EQ(client->Ask("ms explicit 2 E987654 F3\r\nhi\r\n"), "HD\r\n");
    EXPECT_EQ(client->Ask("set gone 0 0 1\r\nx\r\n"), "STORED\r\n");
    EXPECT_EQ(client->Ask("delete gone\r\n"), "DELETED\r\n");
    const std::string before = client->Ask("gets plain flagged timed explicit gone\r\n", kEnd);
    ::kill(server->process.pid(), signal);
    EXPECT_EQ(ExitCode(WaitForExit(server->process)), 0) << server->Log();
    EXPECT_EQ(LastSnapshotLine(server->Log()), "snapshot " + path_ + ": saved 4 items");
    return before;
  }
  // Starts on a damaged file: exactly one snapshot line, containing `reason`; the cache empty.
  void ExpectStartsEmpty(const std::string& reason) {
    Result<Mnemod> server = Start();
    ASSERT_TRUE(server.ok()) << server.error().message;
    Result<Client> client = server->Connect();
    ASSERT_TRUE(client.ok());
    EXPECT_EQ(client->Ask("get plain flagged timed explicit\r\n", kEnd), kEnd);
    const std::vector<std::string> lines = SnapshotLines(server->Log());
    ASSERT_EQ(lines.size(), 1u) << server->Log();
    EXPECT_TRUE(lines[0].starts_with("snapshot " + path_ + ": not loaded, starting empty: "))
        << lines[0];
    EXPECT_NE(lines[0].find(reason), std::string::npos) << lines[0];
    EXPECT_TRUE(server->process.Running());
  }

  ScratchDir dir_;
  std::string path_ = dir_.Path("cache.snap");
};

TEST_F(MnemodSnapshot, SigtermSavesAndRestartRestoresEverything) {
  const std::string before = FillAndStop(SIGTERM);
  ASSERT_NE(before.find("VALUE explicit 3 2 987654"), std::string::npos) << before;
  Result<Mnemod> server = Start();
  ASSERT_TRUE(server.ok()) << server.error().message;
  EXPECT_EQ(
      SnapshotLines(server->Log()),
      std::vector<std::string>{"snapshot " + path_ + ": loaded 4 items (0 expired, 0 refused)"});
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  // Same values, flags and CAS, byte for byte.
  EXPECT_EQ(client->Ask("gets plain flagged timed explicit gone\r\n", kEnd), before);
  // The TTL kept running from where it was: 1000 s minus the time the restart took.
  std::smatch ttl;
  const std::string timed = client->Ask("mg timed t\r\n");
  ASSERT_TRUE(std::regex_match(timed, ttl, std::regex("HD t(\\d+)\r\n"))) << timed;
  EXPECT_LE(std::stoi(ttl[1]), 1000);
  EXPECT_GE(std::stoi(ttl[1]), 900);
  EXPECT_EQ(client->Ask("mg plain t\r\n"), "HD t-1\r\n");
  // CAS values are not handed out twice: a new item's CAS is above every reloaded one.
  const std::string fresh = client->Ask("ms fresh 1 c\r\nz\r\n");
  ASSERT_TRUE(std::regex_match(fresh, ttl, std::regex("HD c(\\d+)\r\n"))) << fresh;
  EXPECT_GT(std::stoull(ttl[1]), 987654u);
}

TEST_F(MnemodSnapshot, SigintAndSigusr1SaveToo) {
  for (int signal : {SIGINT, SIGUSR1}) {
    std::filesystem::remove(path_);
    FillAndStop(signal);
    EXPECT_TRUE(std::filesystem::exists(path_)) << strsignal(signal);
  }
}

TEST_F(MnemodSnapshot, ShutdownCommandsSaveAndDashEReads) {
  for (std::string command : {"shutdown\r\n", "shutdown graceful\r\n"}) {
    std::filesystem::remove(path_);
    Result<Mnemod> server = Start({"-A"}, "-e");
    ASSERT_TRUE(server.ok()) << server.error().message;
    Result<Client> client = server->Connect();
    ASSERT_TRUE(client.ok());
    EXPECT_EQ(client->Ask("set k 3 0 2\r\nok\r\n"), "STORED\r\n");
    ASSERT_TRUE(client->Send(command));
    EXPECT_EQ(ExitCode(WaitForExit(server->process)), 0) << server->Log();
    Result<Mnemod> again = Start({}, "-e");
    ASSERT_TRUE(again.ok()) << again.error().message;
    Result<Client> reader = again->Connect();
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ(reader->Ask("get k\r\n", kEnd), "VALUE k 3 2\r\nok\r\nEND\r\n") << command;
  }
}

TEST_F(MnemodSnapshot, MissingFileStartsEmptyAndIsWrittenAtExit) {
  ExpectStartsEmpty("No such file");  // the server is stopped with SIGTERM on the way out
  EXPECT_TRUE(std::filesystem::exists(path_));
}

TEST_F(MnemodSnapshot, TruncatedFileStartsEmpty) {
  FillAndStop(SIGTERM);
  const std::string bytes = ReadBytes(path_);
  WriteBytes(path_, std::string_view(bytes).substr(0, bytes.size() / 2));
  ExpectStartsEmpty("truncated");
}

TEST_F(MnemodSnapshot, CorruptByteStartsEmpty) {
  FillAndStop(SIGTERM);
  std::string bytes = ReadBytes(path_);
  bytes[bytes.find("hello")] = 'j';
  WriteBytes(path_, bytes);
  ExpectStartsEmpty("damaged file: checksum mismatch");
}

TEST_F(MnemodSnapshot, OtherFormatVersionStartsEmpty) {
  FillAndStop(SIGTERM);
  std::string bytes = ReadBytes(path_);
  bytes[8] = 9;  // the version follows the 8-byte magic
  WriteBytes(path_, bytes);
  ExpectStartsEmpty("snapshot format version 9");
}

TEST_F(MnemodSnapshot, NotASnapshotStartsEmpty) {
  WriteBytes(path_, "memcached restart metadata\n");
  ExpectStartsEmpty("not a Mnemo snapshot");
}

TEST_F(MnemodSnapshot, UnwritableSnapshotFailsTheExit) {
  path_ = dir_.Path("missing-dir/cache.snap");
  Result<Mnemod> server = Start();
  ASSERT_TRUE(server.ok()) << server.error().message;
  ::kill(server->process.pid(), SIGTERM);
  EXPECT_EQ(ExitCode(WaitForExit(server->process)), 74) << server->Log();  // EX_IOERR
  EXPECT_NE(LastSnapshotLine(server->Log()).find(": not saved: cannot create"), std::string::npos)
      << server->Log();
}

}  // namespace
}  // namespace mnemo::integration

// mnemod on the sqlite engine, end to end: items survive `kill -9` (every acknowledged write,
// with its value, flags, TTL and CAS), a graceful restart (SIGTERM: same `gets`, same
// curr_items, the WAL folded back into the file), the stopped server's file reads in the
// `sqlite3` shell, -m, -M, -I and --durability off reach the engine, and pipelines that cross
// between the worker and the offload pool keep their order and counts.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

using std::chrono::steady_clock;

int ExitCode(std::optional<int> status) {
  return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

// One item of the crash test: sizes from 1 byte to 20 kB, a third without TTL, flags over the
// whole 32-bit range.
struct Item {
  std::string key;
  std::string value;
  std::uint32_t flags = 0;
  int ttl = 0;
};

Item MakeItem(int i) {
  Item item;
  item.key = "k" + std::to_string(i);
  const std::size_t size = static_cast<std::size_t>(i) * 7919 % 20000 + 1;
  item.value.reserve(size);
  for (std::size_t j = 0; j < size; ++j) item.value.push_back(static_cast<char>('a' + (i + j) % 26));
  item.flags = static_cast<std::uint32_t>(static_cast<std::uint64_t>(i) * 2654435761u);
  item.ttl = i % 3 == 0 ? 0 : 1000 + i % 500;
  return item;
}

std::string MetaSet(const Item& item) {
  std::string request = "ms " + item.key + " " + std::to_string(item.value.size());
  if (item.ttl != 0) request += " T" + std::to_string(item.ttl);
  return request + " F" + std::to_string(item.flags) + " c\r\n" + item.value + "\r\n";
}

// The CAS values of the complete "HD c<cas>" lines at the start of `replies`, in order.
std::vector<std::uint64_t> AcknowledgedCas(const std::string& replies) {
  std::vector<std::uint64_t> cas;
  for (std::size_t at = 0;;) {
    const std::size_t end = replies.find("\r\n", at);
    if (end == std::string::npos) break;
    const std::string line = replies.substr(at, end - at);
    if (!line.starts_with("HD c")) break;
    cas.push_back(std::stoull(line.substr(4)));
    at = end + 2;
  }
  return cas;
}

std::size_t CountOf(const std::string& text, std::string_view needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

class MnemodSqlite : public ::testing::Test {
 protected:
  Result<Mnemod> Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--engine", "sqlite:" + path_};
    args.insert(args.end(), extra.begin(), extra.end());
    return StartMnemod(dir_, args);
  }

  ScratchDir dir_;
  const std::string path_ = dir_.Path("cache.db");
};

// Pipelines kCount stores from a second thread and kills mnemod with SIGKILL once kAcked of them
// are acknowledged, while the rest are still arriving. Every acknowledged item must be back.
TEST_F(MnemodSqlite, KillNineKeepsEveryAcknowledgedWrite) {
  constexpr int kCount = 3000;
  constexpr std::size_t kAcked = 800;
  Result<Mnemod> server = Start();
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> connected = server->Connect();
  ASSERT_TRUE(connected.ok());
  // One socket, written by the sender thread and read here: the replies must be read while
  // the requests still go out, or both sides' buffers fill up.
  Client& client = *connected;
  const auto sent_at = steady_clock::now();
  std::thread sender([&client] {
    for (int i = 0; i < kCount; ++i) {
      if (!client.Send(MetaSet(MakeItem(i)))) return;  // the server is gone
    }
  });
  std::string replies;
  while (CountOf(replies, "HD c") < kAcked) {
    const std::string more = client.ReadUntil("\r\n");
    if (more.empty()) break;
    replies += more;
  }
  ::kill(server->process.pid(), SIGKILL);
  sender.join();
  ASSERT_EQ(WaitForExit(server->process).has_value(), true);
  const std::vector<std::uint64_t> cas = AcknowledgedCas(replies);
  ASSERT_GE(cas.size(), kAcked) << replies.substr(0, 200);
  ASSERT_LT(cas.size(), static_cast<std::size_t>(kCount)) << "the kill came after the stream";

  Result<Mnemod> restarted = Start();
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  Result<Client> check = restarted->Connect();
  ASSERT_TRUE(check.ok());
  for (std::size_t i = 0; i < cas.size(); ++i) {
    const Item item = MakeItem(static_cast<int>(i));
    const std::string reply = check->Ask("mg " + item.key + " v f t c\r\nmn\r\n", "MN\r\n");
    const double elapsed =
        std::chrono::duration<double>(steady_clock::now() - sent_at).count();
    const std::string header = "VA " + std::to_string(item.value.size()) + " f" +
                               std::to_string(item.flags) + " t";
    ASSERT_TRUE(reply.starts_with(header)) << item.key << ": " << reply.substr(0, 80);
    const std::size_t t_end = reply.find(' ', header.size());
    const long ttl = std::stol(reply.substr(header.size(), t_end - header.size()));
    if (item.ttl == 0) {
      EXPECT_EQ(ttl, -1) << item.key;
    } else {
      EXPECT_LE(ttl, item.ttl) << item.key;
      EXPECT_GE(ttl, item.ttl - static_cast<long>(elapsed) - 1) << item.key;
    }
    EXPECT_EQ(reply.substr(t_end), " c" + std::to_string(cas[i]) + "\r\n" + item.value +
                                       "\r\nMN\r\n")
        << item.key;
  }
}

TEST_F(MnemodSqlite, SigtermRestartKeepsItemsAndCounts) {
  const std::string keys = "gets plain flagged timed explicit counter grown gone\r\n";
  std::string before;
  std::string items_before;
  {
    Result<Mnemod> server = Start();
    ASSERT_TRUE(server.ok()) << server.error().message;
    Result<Client> client = server->Connect();
    ASSERT_TRUE(client.ok());
    EXPECT_EQ(client->Ask("set plain 0 0 5\r\nhello\r\n"), "STORED\r\n");
    EXPECT_EQ(client->Ask("set flagged 4294967295 0 3\r\nabc\r\n"), "STORED\r\n");
    EXPECT_EQ(client->Ask("set timed 7 1000 4\r\nwxyz\r\n"), "STORED\r\n");
    EXPECT_EQ(client->Ask("ms explicit 2 T900 F3\r\nhi\r\n"), "HD\r\n");
    EXPECT_EQ(client->Ask("set counter 0 0 2\r\n41\r\n"), "STORED\r\n");
    EXPECT_EQ(client->Ask("incr counter 1\r\n"), "42\r\n");
    EXPECT_EQ(client->Ask("set grown 0 0 1\r\na\r\n"), "STORED\r\n");
    EXPECT_EQ(client->Ask("append grown 0 0 2\r\nbc\r\n"), "STORED\r\n");
    EXPECT_EQ(client->Ask("set gone 0 0 1\r\nx\r\n"), "STORED\r\n");
    EXPECT_EQ(client->Ask("delete gone\r\n"), "DELETED\r\n");
    before = client->Ask(keys, "END\r\n");
    items_before = ParseStats(client->Ask("stats\r\n", "END\r\n"))["curr_items"];
    ::kill(server->process.pid(), SIGTERM);
    EXPECT_EQ(ExitCode(WaitForExit(server->process)), 0) << server->Log();
  }
  EXPECT_EQ(items_before, "6");
  EXPECT_EQ(CountOf(before, "VALUE "), 6u) << before;
  // A clean close folds the WAL back into the file and removes it.
  EXPECT_FALSE(std::filesystem::exists(path_ + "-wal"));

  Result<Mnemod> restarted = Start();
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  Result<Client> client = restarted->Connect();
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->Ask(keys, "END\r\n"), before);
  EXPECT_EQ(ParseStats(client->Ask("stats\r\n", "END\r\n"))["curr_items"], items_before);
  // New writes keep getting fresh CAS values, above the ones from before the restart.
  EXPECT_EQ(client->Ask("ms fresh 1 c\r\nz\r\n").substr(0, 4), "HD c");
}

// Stores 100 kB values until a store fails or `count` are stored; returns the replies.
std::vector<std::string> StoreBig(Client& client, int count) {
  const std::string value(100 * 1024, 'b');
  std::vector<std::string> replies;
  for (int i = 0; i < count; ++i) {
    replies.push_back(client.Ask("set big" + std::to_string(i) + " 0 0 " +
                                 std::to_string(value.size()) + "\r\n" + value + "\r\n"));
    if (replies.back() != "STORED\r\n") break;
  }
  return replies;
}

// -m is the data size the file may hold: past it, -M answers memcached's out-of-memory error
// and keeps what it has; without -M the least recently used items make room.
TEST_F(MnemodSqlite, MemoryLimitEvictsOrRefuses) {
  {
    Result<Mnemod> server = Start({"-m", "2", "-M"});
    ASSERT_TRUE(server.ok()) << server.error().message;
    Result<Client> client = server->Connect();
    ASSERT_TRUE(client.ok());
    const std::vector<std::string> replies = StoreBig(*client, 40);
    ASSERT_GT(replies.size(), 5u);
    ASSERT_LT(replies.size(), 40u);
    EXPECT_EQ(replies.back(), "SERVER_ERROR out of memory storing object\r\n");
    EXPECT_EQ(client->Ask("mg big0 s\r\n"), "HD s102400\r\n");
  }
  std::filesystem::remove(path_);
  Result<Mnemod> server = Start({"-m", "2"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  const std::vector<std::string> replies = StoreBig(*client, 40);
  EXPECT_EQ(replies.size(), 40u);
  EXPECT_EQ(replies.back(), "STORED\r\n");
  EXPECT_EQ(client->Ask("mg big0 s\r\n"), "EN\r\n");
  EXPECT_EQ(client->Ask("mg big39 s\r\n"), "HD s102400\r\n");
  EXPECT_NE(ParseStats(client->Ask("stats\r\n", "END\r\n"))["evictions"], "0");
}

TEST_F(MnemodSqlite, ItemSizeLimitAndDurabilityOff) {
  {
    // memcached's rule that slab_chunk_max <= -I holds for every engine.
    Result<Mnemod> server =
        Start({"-I", "2k", "-o", "slab_chunk_max=2048", "--durability", "off"});
    ASSERT_TRUE(server.ok()) << server.error().message;
    Result<Client> client = server->Connect();
    ASSERT_TRUE(client.ok());
    EXPECT_EQ(client->Ask("set large 0 0 3000\r\n" + std::string(3000, 'l') + "\r\n"),
              "SERVER_ERROR object too large for cache\r\n");
    EXPECT_EQ(client->Ask("set small 0 0 1000\r\n" + std::string(1000, 's') + "\r\n"),
              "STORED\r\n");
    ::kill(server->process.pid(), SIGTERM);
    EXPECT_EQ(ExitCode(WaitForExit(server->process)), 0) << server->Log();
  }
  // With durability off a write is acknowledged before its commit; a graceful stop commits it.
  Result<Mnemod> restarted = Start();
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  Result<Client> client = restarted->Connect();
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->Ask("mg small s\r\nmg large s\r\n", "EN\r\n"), "HD s1000\r\nEN\r\n");
}

// Runs the sqlite3 shell on the stopped server's file; its stdout, or "" if it failed.
std::string Shell(const std::string& path, const std::string& sql) {
  const std::string command = "sqlite3 -readonly -separator '|' '" + path + "' \"" + sql + "\"";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (pipe == nullptr) return "";
  std::string out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe.get())) out.append(buffer, n);
  return out;
}

TEST_F(MnemodSqlite, Sqlite3ShellReadsTheStoppedServersFile) {
  {
    Result<Mnemod> server = Start({"--durability", "full"});
    ASSERT_TRUE(server.ok()) << server.error().message;
    Result<Client> client = server->Connect();
    ASSERT_TRUE(client.ok());
    EXPECT_EQ(client->Ask("set alpha 5 0 3\r\none\r\n"), "STORED\r\n");
    EXPECT_EQ(client->Ask("set beta 4294967295 0 3\r\ntwo\r\n"), "STORED\r\n");
    EXPECT_EQ(client->Ask("set gamma 0 0 0\r\n\r\n"), "STORED\r\n");
    EXPECT_EQ(client->Ask("delete gamma\r\n"), "DELETED\r\n");
    ::kill(server->process.pid(), SIGTERM);
    EXPECT_EQ(ExitCode(WaitForExit(server->process)), 0) << server->Log();
  }
  EXPECT_EQ(Shell(path_, "SELECT CAST(key AS TEXT), flags, exptime, CAST(value AS TEXT) FROM "
                         "items ORDER BY key"),
            "alpha|5|0|one\nbeta|4294967295|0|two\n");
  EXPECT_EQ(Shell(path_, "PRAGMA user_version"), "3\n");
  EXPECT_EQ(Shell(path_, "SELECT count(*) FROM journal"), "0\n");  // all folded in at the stop
}

// The scheduling policy (field 41 of /proc/PID/task/TID/stat) of each thread of pid.
std::vector<int> ThreadPolicies(pid_t pid) {
  std::vector<int> policies;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks)) {
    std::ifstream file(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // from field 3 on
    std::string field;
    for (int i = 3; i <= 41 && fields >> field; ++i) {
      if (i == 41) policies.push_back(std::stoi(field));
    }
  }
  return policies;
}

// With the sqlite engine every thread runs under SCHED_BATCH (server/process_setup.h); with
// the memory engine none does.
TEST_F(MnemodSqlite, ItsThreadsRunUnderBatchScheduling) {
  Result<Mnemod> sqlite = Start();
  ASSERT_TRUE(sqlite.ok()) << sqlite.error().message;
  const std::vector<int> policies = ThreadPolicies(sqlite->process.pid());
  EXPECT_GE(policies.size(), 3u);  // main, workers, the engine's writer
  for (int policy : policies) EXPECT_EQ(policy, SCHED_BATCH);
  Result<Mnemod> memory = StartMnemod(dir_, {});
  ASSERT_TRUE(memory.ok()) << memory.error().message;
  for (int policy : ThreadPolicies(memory->process.pid())) EXPECT_EQ(policy, SCHED_OTHER);
}

// The names of the threads of pid (/proc/PID/task/TID/comm), sorted.
std::vector<std::string> ThreadNames(pid_t pid) {
  std::vector<std::string> names;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks)) {
    std::ifstream file(task.path() / "comm");
    std::string name;
    std::getline(file, name);
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Threads are named for what they do, so that top -H and perf tell them apart.
TEST_F(MnemodSqlite, ItsThreadsAreNamedForTheirWork) {
  Result<Mnemod> server = Start({"-t", "3"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  // The listening line comes before the workers start: wait for them.
  std::vector<std::string> names;
  auto count = [&](std::string_view name) { return std::count(names.begin(), names.end(), name); };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    names = ThreadNames(server->process.pid());
    if (count("mnemod-worker") >= 3 || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(count("mnemod-worker"), 3) << ::testing::PrintToString(names);
  EXPECT_EQ(count("sqlite-writer"), 1) << ::testing::PrintToString(names);
  EXPECT_EQ(count("sqlite-ckpt"), 1) << ::testing::PrintToString(names);
  EXPECT_EQ(count("sqlite-reader"), 4) << ::testing::PrintToString(names);  // the default
}

// A database file gets a 64 MiB memory cache unless --cache-mb says otherwise: what was
// stored is served from memory.
// A write is served from memory until it is folded into the table either way (its pending
// change); what the cache adds is the table's rows: read once through a reader, then from
// memory.
TEST_F(MnemodSqlite, AFileHasAMemoryCacheByDefault) {
  for (const bool cached : {true, false}) {
    const std::vector<std::string> args =
        cached ? std::vector<std::string>{} : std::vector<std::string>{"--cache-mb", "0"};
    std::filesystem::remove(path_);
    {
      Result<Mnemod> server = Start(args);
      ASSERT_TRUE(server.ok()) << server.error().message;
      Result<Client> client = server->Connect();
      ASSERT_TRUE(client.ok());
      ASSERT_EQ(client->Ask("set a 0 0 2\r\nv1\r\n"), "STORED\r\n");
      ASSERT_EQ(client->Ask("get a\r\n", "END\r\n"), "VALUE a 0 2\r\nv1\r\nEND\r\n");
      EXPECT_EQ(ParseStats(client->Ask("stats\r\n", "END\r\n"))["sqlite_cache_hits"], "1");
    }  // a clean stop folds the item into the table
    Result<Mnemod> server = Start(args);
    ASSERT_TRUE(server.ok()) << server.error().message;
    Result<Client> client = server->Connect();
    ASSERT_TRUE(client.ok());
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(client->Ask("get a\r\n", "END\r\n"), "VALUE a 0 2\r\nv1\r\nEND\r\n");
    }
    auto stats = ParseStats(client->Ask("stats\r\n", "END\r\n"));
    EXPECT_EQ(stats["sqlite_cache_items"], cached ? "1" : "0") << cached;
    EXPECT_EQ(stats["sqlite_cache_hits"], cached ? "1" : "0") << cached;
  }
}

// A pipeline that crosses between the worker (gets the cache or a reader answers) and the
// offload pool (writes, multi-key gets, touches) in one read: every reply in request order,
// every get seeing the write before it, and the counters exact (from the worker's and the
// pool's runs of the same session).
TEST_F(MnemodSqlite, PipelinedGetsAndWritesKeepOrderAcrossThreads) {
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--cache-mb", "0"}, std::vector<std::string>{"--cache-mb", "4"}}) {
    std::filesystem::remove(path_);
    Result<Mnemod> server = Start(extra);
    ASSERT_TRUE(server.ok()) << server.error().message;
    Result<Client> client = server->Connect();
    ASSERT_TRUE(client.ok());
    ASSERT_EQ(client->Ask("set a 0 0 2\r\nv1\r\n"), "STORED\r\n");
    const std::string pipeline =
        "get a\r\nset a 0 0 2\r\nv2\r\nget a\r\nmg a v\r\nget a nope\r\n"
        "mg a T100 v\r\ndelete a\r\nget a\r\nmn\r\n";
    EXPECT_EQ(client->Ask(pipeline, "MN\r\n"),
              "VALUE a 0 2\r\nv1\r\nEND\r\nSTORED\r\nVALUE a 0 2\r\nv2\r\nEND\r\nVA 2\r\nv2\r\n"
              "VALUE a 0 2\r\nv2\r\nEND\r\nVA 2\r\nv2\r\nDELETED\r\nEND\r\nMN\r\n");
    const std::string stats = client->Ask("stats\r\n", "END\r\n");
    // As memcached 1.6.18 counts this sequence: `get a nope` is two gets, `mg T` a touch.
    for (const char* line : {"STAT cmd_get 6\r\n", "STAT get_hits 4\r\n",
                             "STAT get_misses 2\r\n", "STAT cmd_set 2\r\n",
                             "STAT cmd_touch 1\r\n", "STAT touch_hits 1\r\n"}) {
      EXPECT_NE(stats.find(line), std::string::npos) << line << stats;
    }
  }
}

}  // namespace
}  // namespace mnemo::integration

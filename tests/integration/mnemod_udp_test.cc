// mnemod's UDP transport (-U): framing, large replies, frames memcached drops, stats, startup
// errors, and the same datagrams sent to Debian's memcached and to mnemod, compared byte for
// byte. UDP ports come from the OS: a probe socket binds port 0, and a server that then fails
// to bind it (another process took it) is started again on a new one.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

using std::chrono::milliseconds;

std::string Header(std::uint16_t id, std::uint16_t sequence = 0, std::uint16_t total = 1) {
  return {static_cast<char>(id >> 8),
          static_cast<char>(id & 0xff),
          static_cast<char>(sequence >> 8),
          static_cast<char>(sequence & 0xff),
          static_cast<char>(total >> 8),
          static_cast<char>(total & 0xff),
          '\0',
          '\0'};
}

std::uint16_t Field(const std::string& datagram, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(datagram[at]) << 8 |
                                    static_cast<std::uint8_t>(datagram[at + 1]));
}

std::uint16_t FreeUdpPort() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// A UDP client on 127.0.0.1; every wait is bounded.
class UdpClient {
 public:
  explicit UdpClient(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    server_.sin_family = AF_INET;
    server_.sin_port = htons(port);
    server_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  ~UdpClient() { ::close(fd_); }
  UdpClient(const UdpClient&) = delete;
  UdpClient& operator=(const UdpClient&) = delete;

  bool Send(const std::string& datagram) {
    return ::sendto(fd_, datagram.data(), datagram.size(), 0,
                    reinterpret_cast<const sockaddr*>(&server_),
                    sizeof server_) == static_cast<ssize_t>(datagram.size());
  }
  // Every datagram that arrives until one of request `last_id` is the last of its reply.
  std::vector<std::string> ReceiveThrough(std::uint16_t last_id, milliseconds timeout = kTimeout) {
    std::vector<std::string> got;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[65536];
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n < 0) continue;
      got.emplace_back(buffer, static_cast<std::size_t>(n));
      const std::string& d = got.back();
      if (d.size() >= 8 && Field(d, 0) == last_id && Field(d, 2) + 1 >= Field(d, 4)) break;
    }
    return got;
  }
  // Sends `payload` as request `id` and returns the reply's datagrams.
  std::vector<std::string> Ask(std::uint16_t id, const std::string& payload) {
    if (!Send(Header(id) + payload)) return {"<send failed>"};
    return ReceiveThrough(id);
  }

 private:
  int fd_;
  sockaddr_in server_{};
};

std::string Payloads(const std::vector<std::string>& datagrams) {
  std::string all;
  for (const std::string& d : datagrams) all += d.substr(8);
  return all;
}

struct UdpServer {
  Mnemod server;
  std::uint16_t udp_port = 0;
};

Result<UdpServer> StartWithUdp(const ScratchDir& dir, std::vector<std::string> args = {}) {
  std::string last_error = "no free UDP port";
  for (int attempt = 0; attempt < 5; ++attempt) {
    const std::uint16_t port = FreeUdpPort();
    if (port == 0) continue;
    std::vector<std::string> all = {"-U", std::to_string(port)};
    all.insert(all.end(), args.begin(), args.end());
    Result<Mnemod> started = StartMnemod(dir, all, 2);
    if (started) return UdpServer{std::move(*started), port};
    last_error = started.error().message;
  }
  return Error{last_error};
}

TEST(MnemodUdp, PrintsItsUdpAddressAndReportsThePort) {
  ScratchDir dir;
  Result<UdpServer> udp = StartWithUdp(dir);
  ASSERT_TRUE(udp.ok()) << udp.error().message;
  ASSERT_EQ(udp->server.listening.size(), 2u);
  EXPECT_EQ(udp->server.listening[1], "udp 127.0.0.1:" + std::to_string(udp->udp_port));
  Result<Client> tcp = udp->server.Connect();
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(ParseStats(tcp->Ask("stats settings\r\n", "END\r\n"))["udpport"],
            std::to_string(udp->udp_port));
}

TEST(MnemodUdp, SharesItemsWithTcpAndSplitsLargeReplies) {
  ScratchDir dir;
  Result<UdpServer> udp = StartWithUdp(dir, {"-t", "2"});
  ASSERT_TRUE(udp.ok()) << udp.error().message;
  UdpClient client(udp->udp_port);
  EXPECT_EQ(client.Ask(1, "set a 0 0 1\r\nx\r\n"),
            (std::vector<std::string>{Header(1) + "STORED\r\n"}));
  Result<Client> tcp = udp->server.Connect();
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->Ask("get a\r\n", "END\r\n"), "VALUE a 0 1\r\nx\r\nEND\r\n");
  const std::string value(5000, 'y');
  EXPECT_EQ(tcp->Ask("set big 0 0 5000\r\n" + value + "\r\n"), "STORED\r\n");
  const std::vector<std::string> big = client.Ask(2, "get big\r\n");
  ASSERT_EQ(big.size(), 4u);
  for (std::uint16_t i = 0; i < 4; ++i) {
    EXPECT_EQ(big[i].substr(0, 8), Header(2, i, 4));
    EXPECT_EQ(big[i].size(), i < 3 ? 1400u : 857u);
  }
  EXPECT_EQ(Payloads(big), "VALUE big 0 5000\r\n" + value + "\r\nEND\r\n");
}

// A blocking engine runs UDP requests off the worker thread; the counts still add up.
TEST(MnemodUdp, ServesTheSqliteEngine) {
  ScratchDir dir;
  Result<UdpServer> udp = StartWithUdp(dir, {"--engine", "sqlite:" + dir.Path("items.db")});
  ASSERT_TRUE(udp.ok()) << udp.error().message;
  UdpClient client(udp->udp_port);
  EXPECT_EQ(client.Ask(1, "set a 0 0 1\r\nx\r\n"),
            (std::vector<std::string>{Header(1) + "STORED\r\n"}));
  EXPECT_EQ(client.Ask(2, "get a\r\n"),
            (std::vector<std::string>{Header(2) + "VALUE a 0 1\r\nx\r\nEND\r\n"}));
  Result<Client> tcp = udp->server.Connect();
  ASSERT_TRUE(tcp.ok());
  std::map<std::string, std::string> stats = ParseStats(tcp->Ask("stats\r\n", "END\r\n"));
  EXPECT_EQ(stats["cmd_get"], "1");
  EXPECT_EQ(stats["cmd_set"], "1");
}

TEST(MnemodUdp, DropsFramesMemcachedDropsAndKeepsServing) {
  ScratchDir dir;
  Result<UdpServer> udp = StartWithUdp(dir);
  ASSERT_TRUE(udp.ok()) << udp.error().message;
  UdpClient client(udp->udp_port);
  ASSERT_TRUE(client.Send(Header(3, 0, 2) + "version\r\n"));  // a multi-datagram request
  ASSERT_TRUE(client.Send(Header(4)));                        // a header alone
  ASSERT_TRUE(client.Send("\0\1"));                           // not even a header
  ASSERT_TRUE(client.Send(Header(5) + "get a"));              // an unfinished line
  // Replies of one client come in order: only the last request is answered.
  EXPECT_EQ(client.Ask(6, "version\r\n"),
            (std::vector<std::string>{Header(6) + "VERSION 1.6.18\r\n"}));
  EXPECT_TRUE(udp->server.process.Running());
}

TEST(MnemodUdp, StatsCountUdpCommandsBytesAndSockets) {
  ScratchDir dir;
  Result<UdpServer> udp = StartWithUdp(dir, {"-t", "2"});
  ASSERT_TRUE(udp.ok()) << udp.error().message;
  UdpClient client(udp->udp_port);
  ASSERT_EQ(client.Ask(1, "get nope\r\n").size(), 1u);  // 18 bytes in, 13 out
  Result<Client> tcp = udp->server.Connect();
  ASSERT_TRUE(tcp.ok());
  std::map<std::string, std::string> stats = ParseStats(tcp->Ask("stats\r\n", "END\r\n"));
  EXPECT_EQ(stats["cmd_get"], "1");
  EXPECT_EQ(stats["get_misses"], "1");
  EXPECT_EQ(stats["bytes_read"], "25");  // and the 7 of `stats` itself, as memcached
  EXPECT_EQ(stats["bytes_written"], "13");
  // memcached counts each thread's UDP socket as a connection: 2 of them and this client.
  EXPECT_EQ(stats["curr_connections"], "3");
}

// memcached lists each thread's UDP socket in `stats conns`, between its listeners and its
// connections by fd: "UDP UDP", the bound address, and conn_read.
TEST(MnemodUdp, StatsConnsListsEachThreadsSocket) {
  ScratchDir dir;
  Result<UdpServer> udp = StartWithUdp(dir, {"-t", "2"});
  ASSERT_TRUE(udp.ok()) << udp.error().message;
  Result<Client> tcp = udp->server.Connect();
  ASSERT_TRUE(tcp.ok());
  const std::string conns = tcp->Ask("stats conns\r\n", "END\r\n");
  std::map<std::string, std::string> stats = ParseStats(conns);
  std::vector<std::string> udp_fds;
  for (const auto& [name, value] : stats) {
    if (name.ends_with(":UDP") && value == "UDP") udp_fds.push_back(name.substr(0, name.find(':')));
  }
  ASSERT_EQ(udp_fds.size(), 2u) << conns;
  for (const std::string& fd : udp_fds) {
    EXPECT_EQ(stats[fd + ":addr"], "udp:127.0.0.1:" + std::to_string(udp->udp_port));
    EXPECT_EQ(stats[fd + ":state"], "conn_read");
    EXPECT_FALSE(stats.contains(fd + ":listen_addr"));
    EXPECT_TRUE(stats.contains(fd + ":secs_since_last_cmd"));
  }
  // The TCP client's own line is still there, after the sockets bound before it.
  EXPECT_NE(conns.find(":state conn_parse_cmd\r\n"), std::string::npos) << conns;
}

TEST(MnemodUdp, APortInUseIsAStartupError) {
  ScratchDir dir;
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string port = std::to_string(ntohs(address.sin_port));
  Finished run = RunToExit(dir, MnemodCommand({"-p", "0", "-U", port}));
  ::close(fd);
  EXPECT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) != 0) << run.output;
  EXPECT_NE(run.output.find("failed to listen on udp 127.0.0.1:" + port), std::string::npos)
      << run.output;
}

TEST(MnemodUdp, ZeroLeavesUdpOff) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-U", "0"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> tcp = server->Connect();
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->Ask("version\r\n"), "VERSION 1.6.18\r\n");
  for (const std::string& line : server->listening) EXPECT_FALSE(line.starts_with("udp "));
}

// The same datagrams to memcached (the reference) and to mnemod: the replies' datagrams must be
// the same bytes. Each step is one datagram; steps memcached drops are followed by one it
// answers, so that every step ends on a reply.
struct Step {
  std::string payload;
  std::string header;  // empty: a normal header with the step's request id
};

std::string BinaryRequest(std::uint8_t opcode, std::string_view key, std::uint32_t opaque) {
  std::string out = {'\x80', static_cast<char>(opcode),
                     '\0',   static_cast<char>(key.size()),
                     '\0',   '\0',
                     '\0',   '\0',
                     '\0',   '\0',
                     '\0',   static_cast<char>(key.size())};
  out += std::string(3, '\0') + static_cast<char>(opaque);
  out.append(8, '\0');
  return out.append(key);
}

std::vector<Step> CompatSteps() {
  const std::string big(5000, 'y');
  return {
      {"version\r\n", ""},
      {"set a 0 0 1\r\nx\r\n", ""},
      {"get a\r\nget a b\r\nversion\r\n", ""},
      {"set big 0 0 5000\r\n" + big + "\r\n", ""},
      {"get big\r\n", ""},
      {"get big big a big\r\n", ""},
      {"version\r\n", Header(0, 0, 2)},
      {"version\r\n", Header(0, 1, 1)},
      {"get a", ""},
      {"\r\n", ""},
      {"bogus\r\n", ""},
      {"set d 0 0 1 noreply\r\nz\r\nget d\r\n", ""},
      {"mg miss v q\r\nmn\r\n", ""},
      {"ms k 1 q\r\nx\r\nmg nope v q\r\nmg k v\r\n", ""},
      {"incr a 1\r\ndelete a\r\ndelete a\r\n", ""},
      {BinaryRequest(0x00, "k", 0xdead) + BinaryRequest(0x09, "q", 1) + BinaryRequest(0x0a, "", 2),
       ""},
      {BinaryRequest(0x00, "nope", 0xdead) + BinaryRequest(0x0a, "", 2), ""},
      {BinaryRequest(0x09, "q", 1) + BinaryRequest(0x09, "q", 1) + BinaryRequest(0x0a, "", 2), ""},
      {BinaryRequest(0x0a, "", 2) + BinaryRequest(0x09, "q", 1), ""},
      {"version\r\n" + BinaryRequest(0x0a, "", 2), ""},
      {"quit\r\nversion\r\n", ""},
      {"version\r\n", ""},
      // Last: after a bad data chunk memcached's UDP connection is left swallowing bytes of
      // later datagrams, from any client; mnemod keeps no state between datagrams.
      {"set a 0 0 1\r\nxyz\r\n", ""},
  };
}

// After each step a `version` request with its own id: replies of one client come in order, so
// everything up to that reply is the step's (and a dropped step shows as nothing before it).
std::vector<std::vector<std::string>> RunSteps(std::uint16_t port) {
  UdpClient client(port);
  std::vector<std::vector<std::string>> replies;
  std::uint16_t id = 100;
  for (const Step& step : CompatSteps()) {
    ++id;
    std::string header = step.header.empty() ? Header(id) : step.header;
    header[0] = static_cast<char>(id >> 8);
    header[1] = static_cast<char>(id & 0xff);
    client.Send(header + step.payload);
    const std::uint16_t sentinel = static_cast<std::uint16_t>(id + 1000);
    client.Send(Header(sentinel) + "version\r\n");
    replies.push_back(client.ReceiveThrough(sentinel));
  }
  return replies;
}

TEST(MnemodUdpCompat, SameDatagramsAsMemcached) {
  if (::access("/usr/bin/memcached", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/memcached";
  ScratchDir dir;
  Result<UdpServer> udp = StartWithUdp(dir);
  ASSERT_TRUE(udp.ok()) << udp.error().message;
  testing::Process reference;
  std::uint16_t reference_port = 0;
  for (int attempt = 0; attempt < 5 && reference_port == 0; ++attempt) {
    const std::uint16_t port = FreeUdpPort();
    std::vector<std::string> argv = {
        "/usr/bin/memcached", "-p", "0", "-U", std::to_string(port), "-l", "127.0.0.1", "-t", "1"};
    if (::geteuid() == 0) argv.insert(argv.end(), {"-u", "root"});
    Result<testing::Process> spawned = testing::Process::Spawn(argv, dir.Path("memcached.log"));
    ASSERT_TRUE(spawned.ok()) << spawned.error().message;
    // UDP has no connect: the reference is up once it answers.
    UdpClient probe(port);
    for (int i = 0; i < 50 && reference_port == 0 && spawned->Running(); ++i) {
      probe.Send(Header(1) + "version\r\n");
      if (!probe.ReceiveThrough(1, milliseconds(100)).empty()) reference_port = port;
    }
    if (reference_port != 0) reference = std::move(*spawned);
  }
  ASSERT_NE(reference_port, 0) << "memcached did not start";
  const auto expected = RunSteps(reference_port);
  const auto actual = RunSteps(udp->udp_port);
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i], expected[i]) << "step " << i;
  }
}

// SIGHUP runs the reload handlers (none here) and leaves both transports serving.
TEST(MnemodUdp, SighupLeavesItServing) {
  ScratchDir dir;
  Result<UdpServer> udp = StartWithUdp(dir, {"-v"});
  ASSERT_TRUE(udp.ok()) << udp.error().message;
  ::kill(udp->server.process.pid(), SIGHUP);
  UdpClient client(udp->udp_port);
  EXPECT_EQ(client.Ask(1, "version\r\n"),
            (std::vector<std::string>{Header(1) + "VERSION 1.6.18\r\n"}));
  Result<Client> tcp = udp->server.Connect();
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->Ask("version\r\n"), "VERSION 1.6.18\r\n");
  // The handler runs on the server's main thread: wait for its line, bounded.
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  while (udp->server.Log().find("SIGHUP received: nothing to reload") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_NE(udp->server.Log().find("SIGHUP received: nothing to reload"), std::string::npos)
      << udp->server.Log();
  EXPECT_TRUE(udp->server.process.Running());
}

// -vv logs UDP requests as TCP ones (mnemod_verbose_test.cc has the formats).
TEST(MnemodVerbose, UdpRequestsAreLoggedToo) {
  ScratchDir dir;
  Result<UdpServer> udp = StartWithUdp(dir, {"-vv", "-t", "1"});
  ASSERT_TRUE(udp.ok()) << udp.error().message;
  UdpClient client(udp->udp_port);
  ASSERT_EQ(client.Ask(1, "get a\r\n").size(), 1u);
  const std::string log = udp->server.Log();
  EXPECT_NE(log.find(" server listening (udp)\n"), std::string::npos) << log;
  EXPECT_NE(log.find(" get a\n"), std::string::npos) << log;
  EXPECT_NE(log.find(" END\n"), std::string::npos) << log;
}

}  // namespace
}  // namespace mnemo::integration

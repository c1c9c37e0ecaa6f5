// Consistency under concurrency: K clients increment one counter and race gets/cas on one key.
// Every incr returns a value no other incr returned, the final counter equals the successful
// increments, no CAS token wins twice, and the CAS'd value equals the number of wins.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "reliability_util.h"

namespace mnemo::reliability {
namespace {

using integration::Client;
using integration::Mnemod;
using integration::ScratchDir;
using std::chrono::milliseconds;
using testing::TcpClient;

constexpr int kClients = 6;
constexpr int kRounds = 300;

struct ClientOutcome {
  std::vector<std::uint64_t> incr_values;  // what each successful incr returned
  std::vector<std::uint64_t> cas_wins;     // the tokens whose cas answered STORED
  int cas_losses = 0;
  std::vector<std::string> errors;
};

std::string Line(TcpClient& client, std::string_view request, std::string_view end = "\r\n") {
  std::string reply;
  if (!client.Send(request).ok()) return "(send failed)";
  client.ReadUntil(
      &reply, [&](std::string_view r) { return r.ends_with(end); }, milliseconds(5000));
  return reply;
}

// One gets + cas attempt on "shared": the value is a decimal number, the new one its successor.
void CasOnce(TcpClient& client, ClientOutcome& out) {
  const std::string got = Line(client, "gets shared\r\n", "END\r\n");
  // VALUE shared 0 <bytes> <cas>\r\n<data>\r\nEND\r\n
  std::istringstream header(got.substr(0, got.find("\r\n")));
  std::string word, key;
  std::uint64_t flags = 0, bytes = 0, token = 0;
  if (!(header >> word >> key >> flags >> bytes >> token) || word != "VALUE") {
    out.errors.push_back("gets: " + got);
    return;
  }
  const std::string data = got.substr(got.find("\r\n") + 2, bytes);
  const std::string next = std::to_string(std::stoull(data) + 1);
  const std::string reply = Line(client, "cas shared 0 0 " + std::to_string(next.size()) + " " +
                                             std::to_string(token) + "\r\n" + next + "\r\n");
  if (reply == "STORED\r\n") {
    out.cas_wins.push_back(token);
  } else if (reply == "EXISTS\r\n") {
    ++out.cas_losses;
  } else {
    out.errors.push_back("cas: " + reply);
  }
}

void RunClient(std::uint16_t port, ClientOutcome& out) {
  Result<TcpClient> client = TcpClient::Connect(port);
  if (!client) {
    out.errors.push_back(client.error().message);
    return;
  }
  for (int i = 0; i < kRounds; ++i) {
    const std::string reply = Line(*client, "incr counter 1\r\n");
    if (reply.empty() || !std::isdigit(static_cast<unsigned char>(reply[0]))) {
      out.errors.push_back("incr: " + reply);
      continue;
    }
    out.incr_values.push_back(std::stoull(reply));
    CasOnce(*client, out);
  }
}

TEST(Consistency, IncrAndCasUnderContention) {
  ScratchDir dir;
  Result<Mnemod> server = integration::StartMnemod(dir, {"-t", "2"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> admin = server->Connect();
  ASSERT_TRUE(admin.ok());
  ASSERT_EQ(admin->Ask("set counter 0 0 1\r\n0\r\n"), "STORED\r\n");
  ASSERT_EQ(admin->Ask("set shared 0 0 1\r\n0\r\n"), "STORED\r\n");

  std::vector<ClientOutcome> outcomes(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] { RunClient(server->port, outcomes[i]); });
  }
  for (std::thread& thread : threads) thread.join();

  std::vector<std::uint64_t> increments, wins;
  int losses = 0;
  for (const ClientOutcome& out : outcomes) {
    EXPECT_TRUE(out.errors.empty()) << out.errors.front();
    increments.insert(increments.end(), out.incr_values.begin(), out.incr_values.end());
    wins.insert(wins.end(), out.cas_wins.begin(), out.cas_wins.end());
    losses += out.cas_losses;
  }
  // Each incr saw a distinct value: together exactly 1..n.
  std::sort(increments.begin(), increments.end());
  ASSERT_EQ(increments.size(), static_cast<std::size_t>(kClients * kRounds));
  for (std::size_t i = 0; i < increments.size(); ++i) ASSERT_EQ(increments[i], i + 1);
  const std::string n = std::to_string(increments.size());
  EXPECT_EQ(admin->Ask("get counter\r\n", "END\r\n"),
            "VALUE counter 0 " + std::to_string(n.size()) + "\r\n" + n + "\r\nEND\r\n");

  const std::set<std::uint64_t> distinct(wins.begin(), wins.end());
  EXPECT_EQ(distinct.size(), wins.size()) << "a CAS token won twice";
  EXPECT_EQ(wins.size() + static_cast<std::size_t>(losses),
            static_cast<std::size_t>(kClients * kRounds));
  EXPECT_GT(wins.size(), 0u);
  const std::string value = std::to_string(wins.size());
  EXPECT_EQ(admin->Ask("get shared\r\n", "END\r\n"),
            "VALUE shared 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\nEND\r\n");
  const auto stats = integration::ParseStats(admin->Ask("stats\r\n", "END\r\n"));
  EXPECT_EQ(stats.at("cas_hits"), std::to_string(wins.size()));
  EXPECT_EQ(stats.at("cas_badval"), std::to_string(losses));
  EXPECT_EQ(stats.at("incr_hits"), n);
}

}  // namespace
}  // namespace mnemo::reliability

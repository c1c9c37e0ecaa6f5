#include "reliability_util.h"

#include <sys/resource.h>

#include <algorithm>
#include <sstream>

namespace mnemo::reliability {

using std::chrono::milliseconds;

std::uint64_t RaiseFileLimit(std::uint64_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = std::min<rlim_t>(wanted, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

std::optional<std::uint16_t> MetricsPort(const integration::Mnemod& server) {
  constexpr std::string_view kPrefix = "mnemod metrics on ";
  std::istringstream lines(server.Log());
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(kPrefix)) continue;
    const std::size_t colon = line.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    return static_cast<std::uint16_t>(std::stoul(line.substr(colon + 1)));
  }
  return std::nullopt;
}

Result<std::string> HttpExchange(std::uint16_t port, std::string_view request) {
  Result<testing::TcpClient> client = testing::TcpClient::Connect(port);
  if (!client) return client.error();
  if (Result<void> sent = client->Send(request); !sent) return sent.error();
  std::string reply;
  if (client->ReadUntilEof(&reply, milliseconds(5000)) != testing::ReadEnd::kClosed) {
    return Error{"the metrics server did not close the connection; got: " + reply};
  }
  return reply;
}

std::optional<std::string> Sample(std::string_view exposition, std::string_view name) {
  const std::string key = "\n" + std::string(name) + " ";
  const std::size_t at = exposition.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  const std::size_t start = at + key.size();
  const std::size_t end = exposition.find('\n', start);
  return std::string(exposition.substr(start, end - start));
}

std::size_t ReplyCounter::Count(std::string_view buffer) {
  // Only whole lines are scanned; a line split across reads is looked at again next time.
  for (;;) {
    const std::size_t end = buffer.find("\r\n", scanned_);
    if (end == std::string_view::npos) break;
    const std::string_view line = buffer.substr(scanned_, end - scanned_);
    if (line == "STORED" || line == "END") ++count_;
    scanned_ = end + 2;
  }
  return count_;
}

void LatencyProbe::Start() {
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void LatencyProbe::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void LatencyProbe::Loop() {
  Result<testing::TcpClient> client = testing::TcpClient::Connect(port_);
  if (!client) {
    ++failures_;
    return;
  }
  const std::string set = "set probe 0 0 5\r\nvalue\r\n";
  const std::string get = "get probe\r\n";
  const std::string expected = "STORED\r\nVALUE probe 0 5\r\nvalue\r\nEND\r\n";
  while (!stop_) {
    const auto start = std::chrono::steady_clock::now();
    std::string reply;
    const bool sent = client->Send(set + get).ok();
    const testing::ReadEnd end = client->ReadUntil(
        &reply, [&](std::string_view r) { return r.size() >= expected.size(); },
        milliseconds(2000));
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    ++rounds_;
    if (!sent || end != testing::ReadEnd::kDone || reply != expected) {
      ++failures_;
      return;
    }
    if (took > kProbeBound) ++slow_;
    std::int64_t seen = max_us_.load();
    while (took.count() > seen && !max_us_.compare_exchange_weak(seen, took.count())) {
    }
    // A well-behaved client paces itself rather than competing with the load for the cores.
    std::this_thread::sleep_for(milliseconds(2));
  }
}

}  // namespace mnemo::reliability

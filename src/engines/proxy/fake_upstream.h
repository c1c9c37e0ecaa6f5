// A fake memcached for the proxy engine's unit tests: one thread on a loopback port the OS picks,
// serving one connection at a time. Each request line (and a storage command's data line) is
// recorded; the reply is the one scripted for that line's first word, or "ERROR\r\n". Tests then
// check which classic command the engine sent and how it read the reply.
// Thread safety: Script() before the engine runs; Requests() after it; the server thread owns
// the sockets.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mnemo::proxy::testing {

class FakeUpstream {
 public:
  FakeUpstream();
  ~FakeUpstream();
  FakeUpstream(const FakeUpstream&) = delete;
  FakeUpstream& operator=(const FakeUpstream&) = delete;

  std::uint16_t port() const { return port_; }
  // The reply to every request whose command word is `word` ("gets", "set", "incr", ...).
  void Script(const std::string& word, const std::string& reply);
  // Closes the connection, without a reply, on a request whose command word is `word` (not a
  // storage command): an upstream that dies with requests in flight.
  void HangUpOn(const std::string& word);
  // Every request line received so far, without "\r\n"; a storage command's data line follows.
  std::vector<std::string> Requests();

 private:
  void Serve();
  void Converse(int fd);

  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::mutex mu_;
  std::map<std::string, std::string> replies_;
  std::string hang_up_on_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace mnemo::proxy::testing

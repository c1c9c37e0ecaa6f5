// A tiny blocking TCP client for tests and test tools: connect, send everything, and read until
// a condition, EOF, idle time or a deadline. Every call is bounded in time, so a server that
// stops answering makes a test fail instead of hang. Reads report how they ended, because for
// protocol tests "the server closed the connection" is an answer, not an error.
// Thread safety: one TcpClient per thread; distinct clients are independent.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "mnemo/result.h"

namespace mnemo::testing {

enum class ReadEnd {
  kDone,     // the caller's condition became true
  kClosed,   // the peer closed (FIN or RST)
  kIdle,     // nothing arrived for the idle interval
  kTimeout,  // the overall deadline passed first
};

const char* ReadEndName(ReadEnd end);

class TcpClient {
 public:
  // Connects to the numeric IPv4 `host`:`port` with Nagle off, so each Send leaves as its own
  // segment (tests split commands across writes on purpose).
  static Result<TcpClient> Connect(std::uint16_t port,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(2),
                                   const std::string& host = "127.0.0.1");

  TcpClient() = default;
  TcpClient(TcpClient&& other) noexcept;
  TcpClient& operator=(TcpClient&& other) noexcept;
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;
  ~TcpClient() { Close(); }

  bool connected() const { return fd_ >= 0; }

  // Writes all of `bytes` within `timeout`. Fails if the peer has gone (no SIGPIPE is raised).
  Result<void> Send(std::string_view bytes,
                    std::chrono::milliseconds timeout = std::chrono::seconds(2));

  // Appends to `*out` whatever arrives until `done(*out)` is true, the peer closes, `timeout`
  // passes or -- when `idle` is positive -- nothing arrives for `idle`. `done` is checked after
  // every read and once before the first (so data already in `*out` counts).
  ReadEnd ReadUntil(std::string* out, const std::function<bool(std::string_view)>& done,
                    std::chrono::milliseconds timeout,
                    std::chrono::milliseconds idle = std::chrono::milliseconds(0));

  ReadEnd ReadUntilEof(std::string* out, std::chrono::milliseconds timeout);
  ReadEnd ReadUntilIdle(std::string* out, std::chrono::milliseconds idle,
                        std::chrono::milliseconds timeout);

  // Half-closes the write side: the server sees EOF after the bytes already sent.
  void ShutdownWrite();
  void Close();

 private:
  explicit TcpClient(int fd) : fd_(fd) {}

  int fd_ = -1;
};

}  // namespace mnemo::testing

// Read buffers: the bound on what incomplete requests may hold across every connection of
// every worker (-o read_buf_mem_limit, memcached's key), and the stats memcached reports for
// them (read_buf_count, read_buf_bytes, read_buf_bytes_free, read_buf_oom).
//
// A connection keeps the start of a request that has not fully arrived in a PendingInput. Up
// to kSmallReadBuffer bytes (memcached's read buffer size, 16 KiB) that costs nothing shared,
// so the usual request never touches the budget. A buffer that must grow past it is taken from
// the ReadBufferBudget whole, in steps that at least double it: a request of N bytes makes
// O(log N) trips to the shared atomic, never one per request or per read. Once the request has
// been executed and nothing is left, the grown buffer is freed and its bytes given back.
//
// When the budget cannot cover a growth, the connection answers memcached's "SERVER_ERROR out
// of memory reading request" (binary: status 0x82 with that text) and closes, as memcached
// does when its read buffer cannot grow; read_buf_oom counts it. Unlike memcached, whose small
// buffers come from the same bounded pool (so a well-behaved client is closed too once the pool
// is empty), requests that fit the small buffer are always read.
//
// Thread safety: ReadBufferBudget may be used from any thread (atomics only); a PendingInput
// belongs to one connection and is used on that connection's thread only.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mnemo/session.h"

namespace mnemo::server {

inline constexpr std::size_t kSmallReadBuffer = 16 * 1024;

class ReadBufferBudget {
 public:
  // Bytes all grown buffers together may hold; 0 = no bound (still counted for `stats`).
  // REQUIRES: no buffer is held yet (set at startup).
  void set_limit(std::uint64_t limit) { limit_ = limit; }
  std::uint64_t limit() const { return limit_; }

  // Takes `bytes` more for one buffer (`new_buffer`: it held nothing before). False, counted
  // in oom(), when that would exceed the limit; nothing is taken then.
  bool Take(std::size_t bytes, bool new_buffer);
  // Gives back everything a buffer held.
  void GiveBack(std::size_t bytes);

  std::uint64_t buffers() const { return buffers_.load(std::memory_order_relaxed); }
  std::uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  std::uint64_t oom() const { return oom_.load(std::memory_order_relaxed); }

 private:
  std::uint64_t limit_ = 0;
  std::atomic<std::uint64_t> bytes_{0};
  std::atomic<std::uint64_t> buffers_{0};
  std::atomic<std::uint64_t> oom_{0};
};

// The start of an incomplete request, kept between reads of one connection.
class PendingInput {
 public:
  explicit PendingInput(ReadBufferBudget& budget) : budget_(budget) {}
  ~PendingInput() { Release(); }
  PendingInput(const PendingInput&) = delete;
  PendingInput& operator=(const PendingInput&) = delete;

  bool empty() const { return data_.empty(); }
  // Valid until the next Append or Consume.
  std::string_view view() const { return data_; }
  // Bytes taken from the budget now (0 while the buffer is small).
  std::size_t charged() const { return charged_; }

  // Appends `bytes`. False when the buffer would have to grow past what the budget has left;
  // nothing is appended then and the connection should be refused (OutOfMemoryReply).
  [[nodiscard]] bool Append(std::string_view bytes);
  // Drops the first `n` bytes (executed requests). Once nothing is left, a grown buffer is
  // freed and its bytes given back.
  void Consume(std::size_t n);

 private:
  bool Grow(std::size_t needed);
  void Release();

  ReadBufferBudget& budget_;
  std::string data_;
  std::size_t charged_ = 0;  // equals data_.capacity() while the buffer is grown
};

// What memcached sends when a request cannot be read for lack of buffer memory, in the
// connection's protocol. `pending`: the start of that request (its binary header gives the
// opcode and opaque to echo).
std::string OutOfMemoryReply(Protocol protocol, std::string_view pending);

}  // namespace mnemo::server

#include "server/read_buffers.h"

#include <algorithm>

#include "mnemo/protocol/binary.h"

namespace mnemo::server {

bool ReadBufferBudget::Take(std::size_t bytes, bool new_buffer) {
  std::uint64_t used = bytes_.load(std::memory_order_relaxed);
  do {
    if (limit_ != 0 && used + bytes > limit_) {
      oom_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
  } while (!bytes_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  if (new_buffer) buffers_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void ReadBufferBudget::GiveBack(std::size_t bytes) {
  bytes_.fetch_sub(bytes, std::memory_order_relaxed);
  buffers_.fetch_sub(1, std::memory_order_relaxed);
}

bool PendingInput::Append(std::string_view bytes) {
  const std::size_t needed = data_.size() + bytes.size();
  if (needed > data_.capacity() && !Grow(needed)) return false;
  data_.append(bytes);
  return true;
}

bool PendingInput::Grow(std::size_t needed) {
  if (needed <= kSmallReadBuffer) {
    // One allocation of the small size, so that the string's own doubling never makes a
    // buffer that is larger than the budget knows.
    data_.reserve(kSmallReadBuffer);
    return true;
  }
  const std::size_t target = std::max(needed, 2 * std::max(charged_, kSmallReadBuffer));
  if (!budget_.Take(target - charged_, charged_ == 0)) return false;
  data_.reserve(target);
  charged_ = target;
  return true;
}

void PendingInput::Consume(std::size_t n) {
  data_.erase(0, n);
  if (data_.empty() && charged_ != 0) {
    std::string().swap(data_);
    Release();
  }
}

void PendingInput::Release() {
  if (charged_ == 0) return;
  budget_.GiveBack(charged_);
  charged_ = 0;
}

std::string OutOfMemoryReply(Protocol protocol, std::string_view pending) {
  constexpr std::string_view kText = "out of memory reading request";
  if (protocol != Protocol::kBinary) return "SERVER_ERROR " + std::string(kText) + "\r\n";
  // memcached strips "SERVER_ERROR " for the binary protocol and echoes the request's header.
  const std::optional<binary::Header> header = binary::DecodeHeader(pending);
  std::string reply;
  binary::AppendStatusError(static_cast<binary::Opcode>(header ? header->opcode : 0),
                            binary::Status::kOutOfMemory, header ? header->opaque : 0, reply,
                            kText);
  return reply;
}

}  // namespace mnemo::server

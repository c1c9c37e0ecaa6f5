// Connection: one non-blocking client socket of mnemo-bench, with its request bytes, its reply
// bytes and the requests still waiting for a reply, in order. Requests are rendered with
// libmnemo's ASCII, meta or binary encoders and replies read with its reply parsers, so the tool
// speaks exactly the protocol the project's client does. With --tls the bytes go through
// OpenSSL (handshake blocking at connect, then non-blocking like the plain socket).
//
// Thread safety: a connection belongs to one load thread; the Workload (and its TLS context,
// which OpenSSL lets many threads use) is shared read-only.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "key_stream.h"
#include "options.h"

namespace mnemo::bench {

// What every connection of a run shares: how keys and values look on the wire.
struct Workload {
  explicit Workload(const BenchOptions& options);

  Protocol protocol;
  KeyFormat keys;
  ValueSizer sizes;
  std::string value_bytes;       // value_max bytes; a value is a prefix of it
  std::shared_ptr<SSL_CTX> tls;  // null without --tls
};

enum class OpKind : std::uint8_t { kGet, kSet };

// A request whose reply has arrived completely.
struct Completion {
  OpKind kind = OpKind::kGet;
  bool error = false;      // the server answered with an error (or a set was not stored)
  std::uint32_t keys = 0;  // keys asked for (gets)
  std::uint32_t hits = 0;  // values returned (gets)
  std::uint64_t first_id = 0;
  std::uint64_t start_ns = 0;
};

class Connection {
 public:
  // Connects to options.unix_socket or host:port (blocking), then makes the socket
  // non-blocking with TCP_NODELAY. Throws std::runtime_error when the server is not there.
  Connection(const BenchOptions& options, const Workload& workload);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  std::size_t in_flight() const { return pending_.size(); }
  bool wants_write() const { return sent_ < out_.size(); }

  // Appends one request to the output; nothing is sent until Flush().
  void QueueGet(std::span<const std::uint64_t> ids, std::uint64_t now_ns);
  void QueueSet(std::uint64_t id, std::uint64_t now_ns);

  // Sends what the socket accepts now. false: the connection is broken.
  bool Flush();

  enum class ReadStatus : std::uint8_t { kData, kWouldBlock, kClosed };
  // One recv() into the reply buffer.
  ReadStatus Read();

  // Appends the requests whose replies are now complete to `done`, in request order.
  // false: the reply stream cannot be followed (garbage, or a reply nobody asked for).
  bool TakeReplies(std::vector<Completion>& done);

 private:
  struct Pending {
    Completion completion;
  };

  // A growable FIFO ring: requests in flight, without an allocation per request.
  class PendingQueue {
   public:
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    Pending& front() { return slots_[head_]; }
    void PopFront();
    void PushBack(const Pending& pending);

   private:
    std::vector<Pending> slots_ = std::vector<Pending>(16);
    std::size_t head_ = 0;
    std::size_t size_ = 0;
  };

  bool TakeAsciiReply(std::string_view in, std::size_t& consumed, bool& complete);
  bool TakeMetaReply(std::string_view in, std::size_t& consumed, bool& complete);
  bool TakeBinaryReply(std::string_view in, std::size_t& consumed, bool& complete);
  bool TakeRespReply(std::string_view in, std::size_t& consumed, bool& complete);
  // One send()/recv() or their TLS forms: bytes moved, 0 for "try later", -1 broken/closed.
  long SendSome(const char* data, std::size_t size);
  long ReceiveSome(char* data, std::size_t size);
  void MakeRoomToRead();

  const Workload& workload_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::string out_;
  std::size_t sent_ = 0;
  std::vector<char> in_ = std::vector<char>(64 * 1024);
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  PendingQueue pending_;
  std::vector<char> key_buffer_;
  std::vector<std::string_view> key_views_;
  std::string key_text_;  // multiget keys, back to back
};

}  // namespace mnemo::bench

// Socket handling and request/reply bookkeeping of one mnemo-bench connection.
#include "connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "mnemo/protocol/ascii.h"
#include "mnemo/protocol/binary.h"
#include "mnemo/protocol/meta.h"
#include "resp.h"

namespace mnemo::bench {
namespace {

int ConnectUnix(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) throw std::runtime_error("unix path too long");
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(std::strerror(errno));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const int saved = errno;
    close(fd);
    throw std::runtime_error(path + ": " + std::strerror(saved));
  }
  return fd;
}

int ConnectTcp(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list); rc != 0) {
    throw std::runtime_error(host + ": " + gai_strerror(rc));
  }
  int fd = -1;
  int saved = 0;
  for (addrinfo* a = list; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      saved = errno;
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(list);
  if (fd < 0) throw std::runtime_error(host + ":" + service + ": " + std::strerror(saved));
  const int one = 1;
  // Requests are small and sent when a batch is complete: Nagle would only add delay.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

std::string TlsError(const char* what) {
  char text[256] = "";
  ERR_error_string_n(ERR_get_error(), text, sizeof(text));
  return std::string(what) + ": " + text;
}

// A client context that accepts any server certificate: a benchmark measures a server it was
// pointed at, and test servers use self-signed certificates.
std::shared_ptr<SSL_CTX> MakeTlsContext() {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  if (context == nullptr) throw std::runtime_error(TlsError("SSL_CTX_new"));
  SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return std::shared_ptr<SSL_CTX>(context, SSL_CTX_free);
}

}  // namespace

Workload::Workload(const BenchOptions& options)
    : protocol(options.protocol),
      keys(options.key_prefix, options.key_count),
      sizes(ValueSizer::For(options)),
      value_bytes(options.value_max, 'v'),
      tls(options.tls ? MakeTlsContext() : nullptr) {}

void Connection::PendingQueue::PopFront() {
  head_ = (head_ + 1) & (slots_.size() - 1);
  --size_;
}

void Connection::PendingQueue::PushBack(const Pending& pending) {
  if (size_ == slots_.size()) {  // full: unroll into a ring twice the size
    std::vector<Pending> bigger(slots_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = slots_[(head_ + i) & (slots_.size() - 1)];
    slots_ = std::move(bigger);
    head_ = 0;
  }
  slots_[(head_ + size_) & (slots_.size() - 1)] = pending;
  ++size_;
}

Connection::Connection(const BenchOptions& options, const Workload& workload)
    : workload_(workload), key_buffer_(workload.keys.Capacity()) {
  fd_ = options.unix_socket.empty() ? ConnectTcp(options.host, options.port)
                                    : ConnectUnix(options.unix_socket);
  if (workload.tls != nullptr) {
    ssl_ = SSL_new(workload.tls.get());
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1 || SSL_connect(ssl_) != 1) {
      const std::string error = TlsError("TLS handshake");
      if (ssl_ != nullptr) SSL_free(ssl_);
      close(fd_);
      throw std::runtime_error(error);
    }
  }
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

Connection::~Connection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (fd_ >= 0) close(fd_);
}

long Connection::SendSome(const char* data, std::size_t size) {
  if (ssl_ != nullptr) {
    const int n = SSL_write(ssl_, data, static_cast<int>(std::min<std::size_t>(size, 1 << 30)));
    if (n > 0) return n;
    const int error = SSL_get_error(ssl_, n);
    return error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ ? 0 : -1;
  }
  const ssize_t n = send(fd_, data, size, MSG_NOSIGNAL);
  if (n >= 0) return n;
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
}

long Connection::ReceiveSome(char* data, std::size_t size) {
  if (ssl_ != nullptr) {
    const int n = SSL_read(ssl_, data, static_cast<int>(std::min<std::size_t>(size, 1 << 30)));
    if (n > 0) return n;
    const int error = SSL_get_error(ssl_, n);
    return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ? 0 : -1;
  }
  const ssize_t n = recv(fd_, data, size, 0);
  if (n > 0) return n;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
  return -1;  // closed by the server, or broken
}

void Connection::QueueGet(std::span<const std::uint64_t> ids, std::uint64_t now_ns) {
  Pending pending;
  pending.completion.kind = OpKind::kGet;
  pending.completion.keys = static_cast<std::uint32_t>(ids.size());
  pending.completion.first_id = ids.front();
  pending.completion.start_ns = now_ns;
  if (workload_.protocol == Protocol::kMeta) {
    meta::EncodeGetRequest(workload_.keys.Render(ids.front(), key_buffer_.data()), {'v'}, out_);
  } else if (workload_.protocol == Protocol::kResp) {
    resp::AppendGet(workload_.keys.Render(ids.front(), key_buffer_.data()), out_);
  } else if (workload_.protocol == Protocol::kBinary) {
    binary::AppendKeyRequest({binary::Opcode::kGet},
                             workload_.keys.Render(ids.front(), key_buffer_.data()), out_);
  } else if (ids.size() == 1) {
    const std::string_view key = workload_.keys.Render(ids.front(), key_buffer_.data());
    ascii::EncodeGetRequest(ascii::GetKind::kGet, {key}, out_);
  } else {
    // Every key into one buffer sized up front, so the views stay put while encoding.
    key_text_.resize(ids.size() * workload_.keys.Capacity());
    char* at = key_text_.data();
    key_views_.clear();
    for (const std::uint64_t id : ids) {
      key_views_.push_back(workload_.keys.Render(id, at));
      at += key_views_.back().size();
    }
    ascii::EncodeGetRequest(ascii::GetKind::kGet, key_views_, out_);
  }
  pending_.PushBack(pending);
}

void Connection::QueueSet(std::uint64_t id, std::uint64_t now_ns) {
  Pending pending;
  pending.completion.kind = OpKind::kSet;
  pending.completion.first_id = id;
  pending.completion.start_ns = now_ns;
  const std::string_view key = workload_.keys.Render(id, key_buffer_.data());
  const std::string_view value(workload_.value_bytes.data(), workload_.sizes.SizeOf(id));
  if (workload_.protocol == Protocol::kMeta) {
    meta::EncodeSetRequest(key, value, std::span<const meta::Flag>(), out_);
  } else if (workload_.protocol == Protocol::kResp) {
    resp::AppendSet(key, value, out_);
  } else if (workload_.protocol == Protocol::kBinary) {
    binary::AppendStoreRequest({binary::Opcode::kSet}, key, value, 0, 0, out_);
  } else {
    ascii::EncodeStoreRequest(StoreMode::kSet, key, 0, 0, value, 0, false, out_);
  }
  pending_.PushBack(pending);
}

bool Connection::Flush() {
  while (sent_ < out_.size()) {
    const long n = SendSome(out_.data() + sent_, out_.size() - sent_);
    if (n <= 0) return n == 0;
    sent_ += static_cast<std::size_t>(n);
  }
  out_.clear();
  sent_ = 0;
  return true;
}

void Connection::MakeRoomToRead() {
  if (in_end_ < in_.size()) return;
  // Move the unread part to the front; grow only when one reply fills the buffer.
  std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
  in_end_ -= in_begin_;
  in_begin_ = 0;
  if (in_end_ == in_.size()) in_.resize(in_.size() * 2);
}

Connection::ReadStatus Connection::Read() {
  bool read_any = false;
  // OpenSSL may hold decrypted bytes that epoll cannot see: drain them too.
  do {
    MakeRoomToRead();
    const long n = ReceiveSome(in_.data() + in_end_, in_.size() - in_end_);
    if (n < 0) return ReadStatus::kClosed;
    if (n == 0) break;
    in_end_ += static_cast<std::size_t>(n);
    read_any = true;
  } while (ssl_ != nullptr && SSL_pending(ssl_) > 0);
  return read_any ? ReadStatus::kData : ReadStatus::kWouldBlock;
}

bool Connection::TakeReplies(std::vector<Completion>& done) {
  while (in_begin_ < in_end_) {
    if (pending_.empty()) return false;  // bytes nobody asked for
    const std::string_view in(in_.data() + in_begin_, in_end_ - in_begin_);
    std::size_t consumed = 0;
    bool complete = false;
    bool ok = false;
    switch (workload_.protocol) {
      case Protocol::kMeta:
        ok = TakeMetaReply(in, consumed, complete);
        break;
      case Protocol::kBinary:
        ok = TakeBinaryReply(in, consumed, complete);
        break;
      case Protocol::kAscii:
        ok = TakeAsciiReply(in, consumed, complete);
        break;
      case Protocol::kResp:
        ok = TakeRespReply(in, consumed, complete);
        break;
    }
    if (!ok) return false;
    if (consumed == 0) break;  // incomplete
    in_begin_ += consumed;
    if (complete) {
      done.push_back(pending_.front().completion);
      pending_.PopFront();
    }
  }
  if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
  return true;
}

bool Connection::TakeAsciiReply(std::string_view in, std::size_t& consumed, bool& complete) {
  ascii::Reply reply;
  const ParseResult result = ascii::ParseReply(in, reply);
  if (result.status == ParseStatus::kIncomplete) return true;
  if (result.status != ParseStatus::kOk) return false;
  consumed = result.consumed;
  Completion& c = pending_.front().completion;
  if (c.kind == OpKind::kGet) {
    if (reply.kind == ascii::ReplyKind::kValue) {
      ++c.hits;  // a get is complete only at its END
      return true;
    }
    c.error = reply.kind != ascii::ReplyKind::kEnd;
  } else {
    c.error = reply.kind != ascii::ReplyKind::kStored;
  }
  complete = true;
  return true;
}

bool Connection::TakeMetaReply(std::string_view in, std::size_t& consumed, bool& complete) {
  meta::Reply reply;
  const ParseResult result = meta::ParseReply(in, reply);
  if (result.status == ParseStatus::kIncomplete) return true;
  if (result.status != ParseStatus::kOk) return false;
  consumed = result.consumed;
  Completion& c = pending_.front().completion;
  if (c.kind == OpKind::kGet) {
    c.hits = reply.code == meta::ReplyCode::kVa ? 1 : 0;
    c.error = reply.code != meta::ReplyCode::kVa && reply.code != meta::ReplyCode::kEn;
  } else {
    c.error = reply.code != meta::ReplyCode::kHd;
  }
  complete = true;
  return true;
}

bool Connection::TakeRespReply(std::string_view in, std::size_t& consumed, bool& complete) {
  resp::Reply reply;
  const resp::ParseResult result = resp::ParseReply(in, reply);
  if (result.status == resp::ParseStatus::kIncomplete) return true;
  if (result.status != resp::ParseStatus::kOk) return false;
  consumed = result.consumed;
  Completion& c = pending_.front().completion;
  if (c.kind == OpKind::kGet) {
    c.hits = reply.kind == resp::ReplyKind::kBulk ? 1 : 0;
    c.error = reply.kind != resp::ReplyKind::kBulk && reply.kind != resp::ReplyKind::kNil;
  } else {
    c.error = reply.kind != resp::ReplyKind::kSimple || reply.text != "OK";
  }
  complete = true;
  return true;
}

bool Connection::TakeBinaryReply(std::string_view in, std::size_t& consumed, bool& complete) {
  binary::Response reply;
  const ParseResult result = binary::ParseResponse(in, reply);
  if (result.status == ParseStatus::kIncomplete) return true;
  if (result.status != ParseStatus::kOk) return false;
  consumed = result.consumed;
  Completion& c = pending_.front().completion;
  const bool success = reply.status == binary::Status::kSuccess;
  if (c.kind == OpKind::kGet) {
    c.hits = success ? 1 : 0;
    c.error = !success && reply.status != binary::Status::kKeyNotFound;
  } else {
    c.error = !success;
  }
  complete = true;
  return true;
}

}  // namespace mnemo::bench

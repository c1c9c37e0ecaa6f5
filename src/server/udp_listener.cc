#include "server/udp_listener.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <exception>

#include "server/offload_pool.h"
#include "server/request_log.h"
#include "server/udp_exchange.h"

namespace mnemo::server {
namespace {

using Udp = asio::ip::udp;

Error Failed(std::string_view what, std::string_view why) {
  return Error{"failed to listen on udp " + std::string(what) + ": " + std::string(why)};
}

std::string Printable(const Udp::endpoint& endpoint) {
  const std::string host = endpoint.address().to_string();
  const std::string port = std::to_string(endpoint.port());
  return endpoint.address().is_v6() ? "[" + host + "]:" + port : host + ":" + port;
}

// A bound datagram socket, or -1 with errno set.
int BindSocket(const Udp::endpoint& endpoint) {
  const int fd = ::socket(endpoint.address().is_v6() ? AF_INET6 : AF_INET,
                          SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  const int on = 1;
  bool ok = ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == 0;
  // Without it, [::] would also take IPv4 and a second socket on 0.0.0.0 would fail.
  if (ok && endpoint.address().is_v6()) {
    ok = ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) == 0;
  }
  if (ok) ok = ::bind(fd, endpoint.data(), static_cast<socklen_t>(endpoint.size())) == 0;
  if (!ok) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

int BoundPort(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  return ntohs(address.ss_family == AF_INET6
                   ? reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port
                   : reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

// Keeps the slot pointing at the coroutine's socket for exactly as long as the coroutine exists
// (it may be destroyed suspended, when a stop is forced).
class Attachment {
 public:
  Attachment(UdpListeners& owner, UdpListeners::Slot& slot, Udp::socket& socket)
      : owner_(owner), slot_(slot) {
    attached_ = owner_.Attach(slot_, &socket);
  }
  // False when the listeners were stopped before the coroutine first ran.
  bool attached() const { return attached_; }
  ~Attachment() { owner_.Attach(slot_, nullptr); }
  Attachment(const Attachment&) = delete;
  Attachment& operator=(const Attachment&) = delete;

 private:
  UdpListeners& owner_;
  UdpListeners::Slot& slot_;
  bool attached_ = false;
};

// -vv: the datagram's requests and their replies, as for a TCP connection (memcached logs its
// UDP requests under the socket's descriptor too).
void LogDatagram(const WorkerEnv& env, int fd, const UdpExchange& exchange) {
  const std::string_view executed = exchange.executed();
  if (executed.empty()) return;
  const Protocol protocol =
      static_cast<unsigned char>(executed[0]) == 0x80 ? Protocol::kBinary : Protocol::kAscii;
  LogExchange(env.log, fd, protocol, executed, exchange.replies(),
              env.session_config.item_size_max);
}

asio::awaitable<void> Serve(UdpListeners& owner, UdpListeners::Slot& slot, Udp::socket socket) {
  Attachment attachment(owner, slot, socket);
  Worker& worker = *slot.worker;
  const WorkerEnv& env = worker.env();
  // With a blocking engine (sqlite) the requests run on the offload pool, counted in counters
  // of this socket's own and folded into the worker's here, their only writer (connection.cc).
  CommandCounters own;
  UdpExchange exchange(env.engine, env.session_config,
                       env.offload != nullptr ? own : worker.counters(), &env.hooks);
  UdpReply reply;
  auto buffer = std::make_unique<char[]>(kUdpReadBuffer);
  Udp::endpoint peer;
  const int fd = socket.native_handle();
  while (attachment.attached() && !worker.stopping()) {
    asio::error_code error;
    const std::size_t n =
        co_await socket.async_receive_from(asio::buffer(buffer.get(), kUdpReadBuffer), peer,
                                           asio::redirect_error(asio::use_awaitable, error));
    if (error == asio::error::operation_aborted || !socket.is_open()) break;
    if (error) continue;  // a datagram that could not be read is lost, as any datagram may be
    const std::string_view datagram(buffer.get(), n);
    if (env.offload == nullptr) {
      exchange.Answer(datagram, reply);
    } else {
      co_await env.offload->Run([&] {
        exchange.Answer(datagram, reply);
        return true;
      });
      worker.counters().Add(own);
      own.Reset();
    }
    if (env.log.enabled(kLogEvents)) LogDatagram(env, fd, exchange);
    for (std::size_t i = 0; i < reply.count(); ++i) {
      const std::string_view out = reply.datagram(i);
      co_await socket.async_send_to(asio::buffer(out.data(), out.size()), peer,
                                    asio::redirect_error(asio::use_awaitable, error));
      if (error) break;  // the rest of a reply the client cannot get is of no use to it
    }
  }
}

}  // namespace

Result<std::unique_ptr<UdpListeners>> UdpListeners::Bind(const ServerConfig& config,
                                                         int sockets_per_address) {
  std::unique_ptr<UdpListeners> listeners(new UdpListeners());
  if (config.udp_port == 0 || !config.unix_socket.empty()) return listeners;
  for (const ListenAddress& address : config.listen) {
    Result<void> bound = listeners->BindAddress(config, address, sockets_per_address);
    if (!bound) return bound.error();
  }
  return listeners;
}

Result<void> UdpListeners::BindAddress(const ServerConfig& config, const ListenAddress& address,
                                       int count) {
  const int port = address.port.value_or(config.udp_port);
  const std::string what = address.host + ":" + std::to_string(port);
  asio::io_context io;
  Udp::resolver resolver(io);
  asio::error_code error;
  auto results = resolver.resolve(address.host, std::to_string(port),
                                  Udp::resolver::passive | Udp::resolver::numeric_service, error);
  if (error) return Failed(what, error.message());
  for (const auto& entry : results) {
    Udp::endpoint endpoint = entry.endpoint();
    const std::string name = Printable(endpoint);
    if (std::find(printable_.begin(), printable_.end(), name) != printable_.end()) continue;
    const std::size_t first = slots_.size();
    for (int i = 0; i < count; ++i) {
      const int fd = BindSocket(endpoint);
      if (fd < 0) return Failed(what, std::strerror(errno));
      slots_.push_back(Slot{fd, endpoint.protocol(), static_cast<std::size_t>(i)});
      // An OS-chosen port (-l host:0) is chosen once; the worker's other sockets share it.
      if (endpoint.port() == 0) endpoint.port(static_cast<unsigned short>(BoundPort(fd)));
    }
    printable_.push_back(Printable(endpoint));
    for (std::size_t i = first; i < slots_.size(); ++i) {
      listed_.push_back({slots_[i].fd, printable_.back()});
    }
    if (port_ == 0) port_ = endpoint.port();
  }
  return {};
}

UdpListeners::~UdpListeners() {
  for (const Slot& slot : slots_) {
    if (slot.fd >= 0) ::close(slot.fd);
  }
}

void UdpListeners::Start(const std::vector<std::unique_ptr<Worker>>& workers,
                         ConnectionCounts& counts) {
  if (workers.empty()) return;
  for (Slot& slot : slots_) {
    slot.worker = workers[slot.index % workers.size()].get();
    const int fd = std::exchange(slot.fd, -1);
    asio::io_context& io = slot.worker->io_context();
    asio::post(io, [this, &slot, &io, fd] {
      Udp::socket socket(io);
      asio::error_code error;
      socket.assign(slot.protocol, fd, error);
      if (error) {
        ::close(fd);
        return;
      }
      slot.worker->env().log.Log(kLogEvents, "<" + std::to_string(fd) + " server listening (udp)");
      const Logger& log = slot.worker->env().log;
      asio::co_spawn(io, Serve(*this, slot, std::move(socket)), [&log](std::exception_ptr failure) {
        if (!failure) return;
        try {
          std::rethrow_exception(failure);
        } catch (const std::exception& e) {
          log.Log(kLogWarnings, std::string("udp: ") + e.what());
        }
      });
    });
  }
  const std::uint64_t now = counts.current += slots_.size();
  counts.total += slots_.size();
  std::uint64_t peak = counts.peak;
  while (now > peak && !counts.peak.compare_exchange_weak(peak, now)) {
  }
}

bool UdpListeners::Attach(Slot& slot, Udp::socket* socket) {
  std::lock_guard lock(mu_);
  if (stopped_ && socket != nullptr) return false;
  slot.socket = socket;
  return true;
}

void UdpListeners::Stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  for (Slot& slot : slots_) {
    if (slot.worker == nullptr) continue;
    asio::post(slot.worker->io_context(), [this, &slot] {
      std::lock_guard lock(mu_);
      if (slot.socket == nullptr) return;
      asio::error_code ignored;
      slot.socket->close(ignored);
    });
  }
}

}  // namespace mnemo::server

#include "server/listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <asio/ip/tcp.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/local/stream_protocol.hpp>
#include <cstring>

namespace mnemo::server {
namespace {

std::string AddressText(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text,
              sizeof(text));
  } else {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text,
              sizeof(text));
  }
  return text;
}

int PortOf(const sockaddr* address) {
  return ntohs(address->sa_family == AF_INET
                   ? reinterpret_cast<const sockaddr_in*>(address)->sin_port
                   : reinterpret_cast<const sockaddr_in6*>(address)->sin6_port);
}

std::string UnixPath(const Stream::endpoint& endpoint) {
  const auto* address = reinterpret_cast<const sockaddr_un*>(endpoint.data());
  const std::size_t offset = offsetof(sockaddr_un, sun_path);
  if (endpoint.size() <= offset) return "";  // an unnamed peer
  std::string path(address->sun_path, endpoint.size() - offset);
  return path.substr(0, path.find('\0'));
}

Error Failed(std::string_view what, const asio::error_code& error) {
  return Error{"failed to listen on " + std::string(what) + ": " + error.message()};
}

// Opens, binds and listens; fills in the names from the address the kernel actually bound.
Result<std::unique_ptr<Listener>> Listen(asio::io_context& io, const Stream::endpoint& endpoint,
                                         int backlog, std::string_view what) {
  auto listener = std::make_unique<Listener>(io);
  StreamAcceptor& acceptor = listener->acceptor;
  asio::error_code error;
  acceptor.open(endpoint.protocol(), error);
  if (error) return Failed(what, error);
  const int family = endpoint.data()->sa_family;
  if (family != AF_UNIX) acceptor.set_option(StreamAcceptor::reuse_address(true), error);
  // Without it, [::] would also take IPv4 and a second listener on 0.0.0.0 would fail.
  if (family == AF_INET6) acceptor.set_option(asio::ip::v6_only(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(backlog, error);
  if (error) return Failed(what, error);
  Stream::endpoint bound = acceptor.local_endpoint(error);
  if (error) return Failed(what, error);
  listener->protocol = bound.protocol();
  listener->name = DescribeEndpoint(bound);
  listener->fd = acceptor.native_handle();
  if (family == AF_UNIX) {
    listener->printable = UnixPath(bound);
  } else {
    const std::string host = AddressText(bound.data());
    listener->port = PortOf(bound.data());
    const std::string port = std::to_string(listener->port);
    listener->printable = family == AF_INET6 ? "[" + host + "]:" + port : host + ":" + port;
  }
  return listener;
}

Result<void> BindUnix(asio::io_context& io, const ServerConfig& config, Listeners& out) {
  const std::string& path = config.unix_socket;
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return Error{"failed to listen on " + path + ": path too long"};
  }
  // A socket file left by an earlier run would make bind fail; any other file is kept.
  struct stat info {};
  if (lstat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode)) unlink(path.c_str());
  // The mask applies from creation on, so the socket is never reachable with wider rights.
  const mode_t old_mask = umask(static_cast<mode_t>(~config.unix_mask & 0777));
  Result<std::unique_ptr<Listener>> listener = Listen(
      io, Stream::endpoint(asio::local::stream_protocol::endpoint(path)), config.backlog, path);
  umask(old_mask);
  if (!listener) return listener.error();
  (*listener)->unix_path = path;
  out.push_back(std::move(*listener));
  return {};
}

Result<void> BindTcp(asio::io_context& io, const ServerConfig& config, const ListenAddress& address,
                     Listeners& out) {
  int port = address.port.value_or(config.port);
  if (port < 0) port = 0;
  const std::string what = address.host + ":" + std::to_string(port);
  asio::ip::tcp::resolver resolver(io);
  asio::error_code error;
  auto results = resolver.resolve(
      address.host, std::to_string(port),
      asio::ip::tcp::resolver::passive | asio::ip::tcp::resolver::numeric_service, error);
  if (error) return Failed(what, error);
  for (const auto& entry : results) {
    const Stream::endpoint endpoint(entry.endpoint());
    // getaddrinfo may list one address twice (once per socket type it knows).
    const bool seen = port != 0 && std::any_of(out.begin(), out.end(), [&](const auto& l) {
                        return l->acceptor.local_endpoint() == endpoint;
                      });
    if (seen) continue;
    Result<std::unique_ptr<Listener>> listener = Listen(io, endpoint, config.backlog, what);
    if (!listener) return listener.error();
    (*listener)->tls = config.tls.enabled && address.tls != ListenTls::kOff;
    (*listener)->mutual_tls = config.tls.enabled && address.tls == ListenTls::kMutual;
    out.push_back(std::move(*listener));
  }
  return {};
}

}  // namespace

Result<Listeners> BindListeners(asio::io_context& io, const ServerConfig& config) {
  Listeners listeners;
  if (!config.unix_socket.empty()) {
    Result<void> bound = BindUnix(io, config, listeners);
    if (!bound) return bound.error();
    return listeners;
  }
  for (const ListenAddress& address : config.listen) {
    Result<void> bound = BindTcp(io, config, address, listeners);
    if (!bound) return bound.error();
  }
  if (listeners.empty()) return Error{"no address to listen on"};
  return listeners;
}

std::string DescribeEndpoint(const Stream::endpoint& endpoint) {
  const sockaddr* address = endpoint.data();
  switch (address->sa_family) {
    case AF_INET:
      return "tcp:" + AddressText(address) + ":" + std::to_string(PortOf(address));
    case AF_INET6:
      return "tcp6:[" + AddressText(address) + "]:" + std::to_string(PortOf(address));
    case AF_UNIX:
      return "unix:" + UnixPath(endpoint);
    default:
      return "?:<AF " + std::to_string(address->sa_family) + ">";
  }
}

bool IsTcp(const Stream& protocol) {
  return protocol.family() == AF_INET || protocol.family() == AF_INET6;
}

}  // namespace mnemo::server

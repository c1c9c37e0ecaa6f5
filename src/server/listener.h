// Listeners: the sockets mnemod accepts connections on, bound at startup from -l/-p (TCP over
// IPv4 and IPv6) or -s/-a (a Unix socket, which replaces TCP as in memcached). Every socket is a
// generic stream socket, so one accept path and one connection path serve both families.
//
// Differences from memcached, on purpose: -p 0 and -p -1 both bind a port the OS chooses (we
// have no UDP, so a server with TCP off would listen nowhere), and each listener is reported
// on stdout as "mnemod listening on ADDR:PORT" so that scripts can find an OS-chosen port.
//
// Thread safety: BindListeners runs once at startup on the main thread; a Listener's acceptor
// is then used by the io_context it was bound on only, its names may be read from any thread.
#pragma once

#include <asio/basic_socket_acceptor.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "mnemo/result.h"
#include "server/config.h"

namespace mnemo::server {

using Stream = asio::generic::stream_protocol;
using StreamAcceptor = asio::basic_socket_acceptor<Stream>;

struct Listener {
  explicit Listener(asio::io_context& io) : acceptor(io) {}

  StreamAcceptor acceptor;
  Stream protocol{0, 0};  // what the accepted sockets are
  std::string name;       // `stats conns` form: "tcp:127.0.0.1:11211", "unix:/path"
  std::string printable;  // startup line form: "127.0.0.1:11211", "[::1]:11211", "/path"
  std::string unix_path;  // removed again at exit; empty for TCP
  int port = 0;           // the TCP port bound (the OS's choice for -p 0); 0 for Unix
  int fd = -1;
  bool tls = false;  // -Z and no "notls:" prefix: connections start with a TLS handshake
  bool mutual_tls = false;  // "mtls:": clients must present a certificate (TlsContexts)
};

using Listeners = std::vector<std::unique_ptr<Listener>>;

// Binds and listens on every address the configuration names. On failure nothing stays bound
// and the error says which address failed and why (memcached: "failed to listen on ...").
Result<Listeners> BindListeners(asio::io_context& io, const ServerConfig& config);

// memcached's `stats conns` address forms: "tcp:1.2.3.4:5", "tcp6:[::1]:5", "unix:/path".
std::string DescribeEndpoint(const Stream::endpoint& endpoint);

// True for the IPv4 and IPv6 families (where TCP_NODELAY applies).
bool IsTcp(const Stream& protocol);

}  // namespace mnemo::server

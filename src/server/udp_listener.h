// UdpListeners: mnemod's UDP sockets (-U PORT; 0, the default, is off as in memcached >= 1.5.6,
// and -s turns UDP off as it turns off TCP). Every -l address gets the UDP port too (or the
// port its -l entry names, as memcached does), and each address gets one socket per worker,
// bound with SO_REUSEPORT: the kernel then deals datagrams to the workers by the sender's
// address, so one client's requests stay in order on one worker and no thread is woken for a
// datagram another thread takes (memcached instead lets all its threads race on one socket).
// The requests are answered by a UdpExchange on the worker's thread with the worker's counters,
// so UDP commands and bytes show in `stats` like TCP ones.
//
// Life: Bind() at startup (before -d, before dropping root: errors are reported at once),
// Start() once the workers run, Stop() when the server stops accepting. Each socket then lives
// on its worker's io_context, which must outlive nothing here: the listeners object must
// outlive the workers (the serving coroutines tell it when they end).
//
// Thread safety: Bind, Start, Stop and the accessors on the main thread; the sockets are used on
// their workers' threads only.
#pragma once

#include <asio/ip/udp.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mnemo/result.h"
#include "server/config.h"
#include "server/worker.h"

namespace mnemo::server {

class UdpListeners {
 public:
  // Binds `sockets_per_address` sockets on every address; none when config.udp_port is 0 or a
  // Unix socket is configured. On failure nothing stays bound and the error names the address.
  static Result<std::unique_ptr<UdpListeners>> Bind(const ServerConfig& config,
                                                    int sockets_per_address);
  ~UdpListeners();
  UdpListeners(const UdpListeners&) = delete;
  UdpListeners& operator=(const UdpListeners&) = delete;

  // One per address, in the startup line's form: "127.0.0.1:11211", "[::1]:11211".
  const std::vector<std::string>& printable() const { return printable_; }
  int port() const { return port_; }
  std::size_t socket_count() const { return slots_.size(); }
  // Each socket as `stats conns` lists it beside the connections, as memcached does.
  struct Listed {
    int fd = -1;
    std::string name;  // "127.0.0.1:11211"
  };
  const std::vector<Listed>& listed() const { return listed_; }

  // Serves the i-th socket of every address on workers[i % size]. Each socket counts as a
  // connection in `stats`, as memcached's UDP connections do. REQUIRES: called once.
  void Start(const std::vector<std::unique_ptr<Worker>>& workers, ConnectionCounts& counts);
  // Closes every socket on its worker's thread; the serving coroutines then end.
  void Stop();

  // For the serving coroutine, on its worker's thread.
  struct Slot {
    int fd = -1;  // owned here until Start hands it over
    asio::ip::udp protocol = asio::ip::udp::v4();
    std::size_t index = 0;  // which socket of its address
    Worker* worker = nullptr;
    asio::ip::udp::socket* socket = nullptr;  // while served; guarded by mu_
  };
  // Records the socket a slot's coroutine serves (nullptr: it ended). Returns false, recording
  // nothing, once Stop() has run: the coroutine must end at once.
  bool Attach(Slot& slot, asio::ip::udp::socket* socket);

 private:
  UdpListeners() = default;
  Result<void> BindAddress(const ServerConfig& config, const ListenAddress& address, int count);

  std::vector<std::string> printable_;
  std::vector<Listed> listed_;
  int port_ = 0;
  std::mutex mu_;
  bool stopped_ = false;     // guarded by mu_
  std::vector<Slot> slots_;  // the vector itself is fixed once Bind returns
};

}  // namespace mnemo::server

// MetricsServer: `--metrics ADDR:PORT`, a tiny HTTP/1.0 responder for Prometheus. GET (or
// HEAD) /metrics answers the text exposition of `stats` (metrics_format.h); any other path is
// 404, any other method 405, a malformed or oversized request 400. One request per connection,
// then the server closes it, as HTTP/1.0 allows; a client gets kRequestTimeout to send its
// request, and at most kMaxClients are served at once (more wait in the backlog).
//
// Why Asio and not cpp-httplib (Debian's libcpp-httplib-dev): httplib runs its own blocking
// accept thread and a thread pool per server, outside the io_context that already owns mnemod's
// listeners and signals, and would need its own stop protocol. A scrape is one read and one
// write, which the main thread's io_context (idle apart from accepting) serves directly.
//
// Thread safety: everything runs on the io_context given to Bind (mnemod's main thread); the
// render function is called there and must be safe to call while the workers serve.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "mnemo/result.h"
#include "server/config.h"

namespace mnemo::server {

// The whole HTTP response to one request head (request line and headers, without the blank
// line that ends them). `render` produces the metrics body and is only called for a GET or
// HEAD of /metrics.
std::string MetricsHttpResponse(std::string_view head, const std::function<std::string()>& render);

class MetricsServer {
 public:
  using Render = std::function<std::string()>;
  static constexpr std::chrono::seconds kRequestTimeout{5};
  static constexpr std::size_t kMaxRequestBytes = 8192;
  static constexpr int kMaxClients = 16;

  // Binds and listens at once, so a taken port or a bad address fails mnemod's start with a
  // message naming it. Does not accept until Start().
  static Result<std::unique_ptr<MetricsServer>> Bind(asio::io_context& io,
                                                     const ListenAddress& address, Render render);

  // "127.0.0.1:9150", "[::1]:9150": the address actually bound (the OS's port for :0).
  const std::string& printable() const { return printable_; }

  void Start();
  // Closes the listener and every connection still open; the io_context then has no work
  // left from here.
  void Stop();

 private:
  MetricsServer(asio::io_context& io, Render render)
      : io_(io), acceptor_(io), render_(std::move(render)) {}

  asio::awaitable<void> Accept();
  asio::awaitable<void> Serve(std::list<asio::ip::tcp::socket>::iterator socket);

  asio::io_context& io_;
  asio::ip::tcp::acceptor acceptor_;
  Render render_;
  std::string printable_;
  std::list<asio::ip::tcp::socket> clients_;  // open connections, closed by Stop()
  bool stopped_ = false;
};

}  // namespace mnemo::server

#include "server/metrics_server.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/address.hpp>
#include <asio/read_until.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/streambuf.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace mnemo::server {
namespace {

using asio::ip::tcp;

constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";
// How long a full server waits before it looks for a free client slot again.
constexpr std::chrono::milliseconds kFullPause(10);

std::string Response(std::string_view status, std::string_view body, bool with_body,
                     std::string_view extra_headers = {}) {
  std::string out = "HTTP/1.0 " + std::string(status) + "\r\n";
  out += "Content-Type: " + std::string(status.starts_with("200") ? kContentType : "text/plain") +
         "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += extra_headers;
  out += "Connection: close\r\n\r\n";
  if (with_body) out += body;
  return out;
}

std::string Printable(const tcp::endpoint& endpoint) {
  const std::string host = endpoint.address().to_string();
  const std::string port = std::to_string(endpoint.port());
  return endpoint.address().is_v6() ? "[" + host + "]:" + port : host + ":" + port;
}

}  // namespace

std::string MetricsHttpResponse(std::string_view head, const std::function<std::string()>& render) {
  const std::string_view line = head.substr(0, head.find("\r\n"));
  const std::size_t first = line.find(' ');
  const std::size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
  if (second == std::string_view::npos || !line.substr(second + 1).starts_with("HTTP/1.")) {
    return Response("400 Bad Request", "bad request\n", true);
  }
  const std::string_view method = line.substr(0, first);
  std::string_view target = line.substr(first + 1, second - first - 1);
  target = target.substr(0, target.find('?'));  // Prometheus may add ?name[]=... parameters
  const bool head_only = method == "HEAD";
  if (method != "GET" && !head_only) {
    return Response("405 Method Not Allowed", "only GET and HEAD\n", true, "Allow: GET, HEAD\r\n");
  }
  if (target != "/metrics") return Response("404 Not Found", "try /metrics\n", !head_only);
  return Response("200 OK", render(), !head_only);
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::Bind(asio::io_context& io,
                                                           const ListenAddress& address,
                                                           Render render) {
  const std::string where = "--metrics " + address.host + ":" + std::to_string(*address.port);
  std::unique_ptr<MetricsServer> server(new MetricsServer(io, std::move(render)));
  asio::error_code error;
  tcp::resolver resolver(io);
  const auto found =
      resolver.resolve(address.host, std::to_string(*address.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, error);
  if (error || found.empty()) {
    return Error{where + ": " + (error ? error.message() : "no such address")};
  }
  const tcp::endpoint endpoint = found.begin()->endpoint();
  tcp::acceptor& acceptor = server->acceptor_;
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(kMaxClients, error);
  if (error) return Error{where + ": " + error.message()};
  server->printable_ = Printable(acceptor.local_endpoint(error));
  return server;
}

void MetricsServer::Start() { asio::co_spawn(io_, Accept(), asio::detached); }

void MetricsServer::Stop() {
  stopped_ = true;
  asio::error_code ignored;
  acceptor_.close(ignored);
  for (tcp::socket& socket : clients_) socket.close(ignored);
}

asio::awaitable<void> MetricsServer::Accept() {
  asio::steady_timer pause(io_);
  while (!stopped_) {
    asio::error_code error;
    if (clients_.size() >= static_cast<std::size_t>(kMaxClients)) {
      pause.expires_after(kFullPause);
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
      continue;
    }
    tcp::socket socket =
        co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, error));
    if (stopped_ || error == asio::error::operation_aborted) co_return;
    if (error) {
      // Out of file descriptors, typically: the scrape can wait, the listener must not spin.
      pause.expires_after(kFullPause);
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
      continue;
    }
    clients_.push_back(std::move(socket));
    asio::co_spawn(io_, Serve(std::prev(clients_.end())), asio::detached);
  }
}

asio::awaitable<void> MetricsServer::Serve(std::list<tcp::socket>::iterator socket) {
  // The deadline closes the socket, which ends the pending read. `alive` keeps a timer that
  // fired just as the request completed from touching a socket already gone.
  auto alive = std::make_shared<bool>(true);
  asio::steady_timer deadline(io_, kRequestTimeout);
  deadline.async_wait([socket, alive](const asio::error_code& error) {
    if (error || !*alive) return;
    asio::error_code ignored;
    socket->close(ignored);
  });
  asio::streambuf input(kMaxRequestBytes);
  asio::error_code error;
  const std::size_t length = co_await asio::async_read_until(
      *socket, input, "\r\n\r\n", asio::redirect_error(asio::use_awaitable, error));
  std::string reply;
  if (!error) {
    const std::string_view head(static_cast<const char*>(input.data().data()), length);
    reply = MetricsHttpResponse(head, render_);
  } else if (error == asio::error::not_found) {  // the head outgrew kMaxRequestBytes
    reply = MetricsHttpResponse("", render_);
  }
  if (!reply.empty() && socket->is_open()) {
    co_await asio::async_write(*socket, asio::buffer(reply),
                               asio::redirect_error(asio::use_awaitable, error));
  }
  *alive = false;
  deadline.cancel();
  asio::error_code ignored;
  socket->shutdown(tcp::socket::shutdown_both, ignored);
  socket->close(ignored);
  clients_.erase(socket);
}

}  // namespace mnemo::server

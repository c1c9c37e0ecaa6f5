// A complete memcached server (classic ASCII, meta and binary; pipelining; many connections)
// in a few dozen lines: libmnemo's Session drives the protocols, MapEngine stores the items and
// Asio moves the bytes. Usage: map_server [-p PORT] [-l ADDRESS]
#include <asio.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "common/system_clock.h"
#include "engines/map/map_engine.h"
#include "mnemo/session.h"

using asio::ip::tcp;

struct Shared {
  mnemo::SystemClock clock;
  mnemo::MapEngine engine{clock};
  mnemo::SessionConfig config;
  mnemo::CommandCounters counters;  // one thread runs everything, so one set is enough
};

asio::awaitable<void> Serve(tcp::socket socket, Shared& shared) {
  mnemo::Session session(shared.engine, shared.config, shared.counters);
  std::string input, output;
  char chunk[64 * 1024];
  asio::error_code error;
  auto on_error = asio::redirect_error(asio::use_awaitable, error);
  for (;;) {
    std::size_t n = co_await socket.async_read_some(asio::buffer(chunk), on_error);
    if (error) co_return;
    input.append(chunk, n);
    for (;;) {  // Process pauses at its output high-water mark: write, then go on.
      input.erase(0, session.Process(input, output));
      if (output.empty()) break;
      co_await asio::async_write(socket, asio::buffer(output), on_error);
      if (error) co_return;
      output.clear();
    }
    if (session.closing()) co_return;
  }
}

asio::awaitable<void> Listen(tcp::acceptor acceptor, Shared& shared) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio::co_spawn(acceptor.get_executor(), Serve(std::move(socket), shared), asio::detached);
  }
}

int main(int argc, char** argv) {
  std::string address = "127.0.0.1";
  unsigned short port = 11211;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "-p") port = static_cast<unsigned short>(std::atoi(argv[i + 1]));
    if (flag == "-l") address = argv[i + 1];
  }
  asio::io_context io;
  Shared shared;
  tcp::acceptor acceptor(io, {asio::ip::make_address(address), port});
  std::cout << "map_server listening on " << address << ":" << acceptor.local_endpoint().port()
            << std::endl;
  asio::co_spawn(io, Listen(std::move(acceptor), shared), asio::detached);
  io.run();
}

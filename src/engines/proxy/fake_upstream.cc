#include "engines/proxy/fake_upstream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string_view>

namespace mnemo::proxy::testing {
namespace {

bool IsStorage(std::string_view word) {
  return word == "set" || word == "add" || word == "replace" || word == "append" ||
         word == "prepend" || word == "cas";
}

}  // namespace

FakeUpstream::FakeUpstream() {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  ::listen(listener_, 8);
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

FakeUpstream::~FakeUpstream() {
  // shutdown wakes the accept (and poll) of the server thread, which then returns.
  ::shutdown(listener_, SHUT_RDWR);
  thread_.join();
  ::close(listener_);
}

void FakeUpstream::Script(const std::string& word, const std::string& reply) {
  std::lock_guard lock(mu_);
  replies_[word] = reply;
}

void FakeUpstream::HangUpOn(const std::string& word) {
  std::lock_guard lock(mu_);
  hang_up_on_ = word;
}

std::vector<std::string> FakeUpstream::Requests() {
  std::lock_guard lock(mu_);
  return requests_;
}

void FakeUpstream::Serve() {
  for (;;) {
    const int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    Converse(fd);
    ::close(fd);
  }
}

// Reads lines until the client closes or the listener is shut down (polled with a short period
// so that the destructor never waits on an idle pooled connection).
void FakeUpstream::Converse(int fd) {
  std::string input;
  bool data_line_next = false;
  std::string pending;  // a storage command's reply, sent once its data line is in
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {listener_, POLLIN, 0}};
    if (::poll(fds, 2, 50) < 0 || (fds[1].revents & (POLLHUP | POLLERR))) return;
    if (!(fds[0].revents & (POLLIN | POLLHUP))) continue;
    char buffer[4096];
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n <= 0) return;
    input.append(buffer, static_cast<std::size_t>(n));
    for (std::size_t end; (end = input.find("\r\n")) != std::string::npos;) {
      const std::string line = input.substr(0, end);
      input.erase(0, end + 2);
      std::string reply;
      {
        std::lock_guard lock(mu_);
        requests_.push_back(line);
        const std::string word = line.substr(0, line.find(' '));
        if (!data_line_next && word == hang_up_on_) return;
        if (!data_line_next && IsStorage(word)) {
          data_line_next = true;
          auto it = replies_.find(word);
          pending = it == replies_.end() ? "ERROR\r\n" : it->second;
          continue;
        }
        if (data_line_next) {
          data_line_next = false;
          reply = pending;
        } else {
          auto it = replies_.find(word);
          reply = it == replies_.end() ? "ERROR\r\n" : it->second;
        }
      }
      if (::write(fd, reply.data(), reply.size()) < 0) return;
    }
  }
}

}  // namespace mnemo::proxy::testing

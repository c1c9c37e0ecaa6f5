// The poll() loop behind every operation.
#include "exchange.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace mnemo::client {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

// Parses whatever whole replies the connection holds.
void ParseInput(Job& job) {
  std::string& in = job.connection->input();
  const Feed feed = job.codec->Parse(job.op, in, job.outcome);
  in.erase(0, feed.consumed);
  if (feed.status == Feed::Status::kBroken) {
    job.failure = feed.why;
  } else if (feed.status == Feed::Status::kDone) {
    job.done = true;
    // Bytes after the last reply mean we lost track of the stream.
    if (!in.empty()) job.outcome.discard_connection = true;
  }
}

void WriteSome(Job& job) {
  while (job.written < job.out.size()) {
    const ssize_t n =
        job.connection->Send(job.out.data() + job.written, job.out.size() - job.written);
    if (n > 0) {
      job.written += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0 && errno == EINTR) continue;
    job.failure = std::string("write: ") + std::strerror(errno);
    return;
  }
}

void ReadSome(Job& job) {
  std::string& in = job.connection->input();
  const std::size_t old_size = in.size();
  in.resize(old_size + kReadChunk);
  const ssize_t n = job.connection->Receive(in.data() + old_size, kReadChunk);
  in.resize(old_size + static_cast<std::size_t>(n > 0 ? n : 0));
  if (n > 0) {
    ParseInput(job);
  } else if (n == 0) {
    job.failure = "connection closed by server";
  } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    job.failure = std::string("read: ") + std::strerror(errno);
  }
}

bool Active(const Job& job) { return !job.done && !job.failure; }

}  // namespace

void RunJobs(std::span<Job> jobs, std::chrono::milliseconds io_timeout) {
  for (Job& job : jobs) job.codec->Encode(job.op, job.out, job.outcome);
  std::vector<pollfd> fds;
  std::vector<Job*> polled;
  while (true) {
    fds.clear();
    polled.clear();
    for (Job& job : jobs) {
      if (!Active(job)) continue;
      const short want = job.written < job.out.size() ? (POLLIN | POLLOUT) : POLLIN;
      fds.push_back({job.connection->fd(), want, 0});
      polled.push_back(&job);
    }
    if (fds.empty()) return;
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(io_timeout.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      const std::string why =
          ready == 0 ? "timed out" : std::string("poll: ") + std::strerror(errno);
      for (Job* job : polled) job->failure = why;
      return;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      Job& job = *polled[i];
      if (fds[i].revents & POLLOUT) WriteSome(job);
      if (Active(job) && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) ReadSome(job);
    }
  }
}

}  // namespace mnemo::client

// Drives requests and replies on several connections at once with one poll() loop: every
// server's request goes out before any reply is awaited, and replies are parsed as they arrive,
// whichever server answers first. Writing and reading interleave, so a huge multi-get cannot
// deadlock against a server whose replies fill the socket buffers.
// Thread safety: the jobs and their connections belong to the calling thread.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>

#include "codec.h"
#include "connection.h"

namespace mnemo::client {

struct Job {
  Connection* connection = nullptr;
  const Codec* codec = nullptr;
  Op op;
  std::string out;  // the encoded request
  std::size_t written = 0;
  Outcome outcome;
  bool done = false;
  // Set when the connection failed (I/O error, EOF, timeout, a reply we cannot follow): the
  // connection must be dropped and the failure counted against the server.
  std::optional<std::string> failure;
};

// Encodes each job's op, then runs all jobs to completion or failure. A job fails on its own;
// the others go on. `io_timeout` bounds each wait in which no job makes progress.
void RunJobs(std::span<Job> jobs, std::chrono::milliseconds io_timeout);

}  // namespace mnemo::client

// ClientCore, behind Client: the servers' pools, the ring, and Run(), which takes per-server tasks,
// borrows a connection for each, drives them together through one exchange and settles the health
// bookkeeping. The public operations in client.cc are thin shells around it.
// Thread safety: Run() and the accessors may be called from any thread.
#pragma once

#include <memory>
#include <vector>

#include "codec.h"
#include "mnemo/client/client.h"
#include "ring.h"
#include "server_pool.h"

namespace mnemo::client {

struct Task {
  std::size_t server = 0;
  Op op;
  // Overrides the client's protocol, on a connection of its own that is closed afterwards
  // (ListKeys speaks ASCII whatever the pooled connections speak).
  const Codec* ascii_side_channel = nullptr;
};

class ClientCore {
 public:
  explicit ClientCore(Options options);

  const Options& options() const { return options_; }
  Ring& ring() { return ring_; }
  const std::string& Label(std::size_t server) const { return labels_[server]; }

  // One result per task, in order. Errors name the server.
  std::vector<Result<Outcome>> Run(const std::vector<Task>& tasks);
  Result<Outcome> RunOne(const Task& task);
  // A single-key operation on the key's server.
  Result<Outcome> RunOnKey(std::string_view key, Op op);
  // The same op on every server.
  std::vector<Result<Outcome>> Broadcast(const Op& op);

  Error ServerError(std::size_t server, const std::string& what) const {
    return Error{labels_[server] + ": " + what};
  }

 private:
  const Options options_;
  const Codec& codec_;
  std::vector<std::string> labels_;
  std::vector<std::unique_ptr<ServerPool>> pools_;
  Ring ring_;
};

}  // namespace mnemo::client

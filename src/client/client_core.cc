// Borrowing connections, running the exchange, and the auto-eject accounting around it.
#include "client_core.h"

#include <string>

#include "exchange.h"

namespace mnemo::client {

ClientCore::ClientCore(Options options)
    : options_(std::move(options)), codec_(CodecFor(options_.protocol)), ring_(options_) {
  for (const ServerSpec& spec : options_.servers) {
    labels_.push_back(spec.Label());
    pools_.push_back(std::make_unique<ServerPool>(spec, options_.pool_size));
  }
}

std::vector<Result<Outcome>> ClientCore::Run(const std::vector<Task>& tasks) {
  std::vector<Result<Outcome>> results(tasks.size(), Error{});
  std::vector<Job> jobs;
  std::vector<std::size_t> job_task;  // jobs[i] runs tasks[job_task[i]]
  std::vector<std::unique_ptr<Connection>> connections;
  jobs.reserve(tasks.size());
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    const std::size_t server = tasks[t].server;
    if (auto left = ring_.EjectedFor(server)) {
      results[t] = ServerError(server, "ejected after repeated failures, retry in " +
                                           std::to_string(left->count()) + " ms");
      continue;
    }
    auto connection = tasks[t].ascii_side_channel
                          ? Connection::Open(pools_[server]->spec(), options_.connect_timeout,
                                             options_.tls)
                          : pools_[server]->Acquire(options_.connect_timeout, options_.tls);
    if (!connection) {
      ring_.Failure(server);
      results[t] = ServerError(server, connection.error().message);
      continue;
    }
    Job job;
    job.connection = connection.value().get();
    job.codec = tasks[t].ascii_side_channel ? tasks[t].ascii_side_channel : &codec_;
    job.op = tasks[t].op;
    jobs.push_back(std::move(job));
    job_task.push_back(t);
    connections.push_back(std::move(connection.value()));
  }
  RunJobs(jobs, options_.io_timeout);
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const Task& task = tasks[job_task[j]];
    if (jobs[j].failure) {
      ring_.Failure(task.server);
      pools_[task.server]->Clear();
      results[job_task[j]] = ServerError(task.server, *jobs[j].failure);
      continue;
    }
    ring_.Success(task.server);
    if (!task.ascii_side_channel && !jobs[j].outcome.discard_connection) {
      pools_[task.server]->Release(std::move(connections[j]));
    }
    results[job_task[j]] = std::move(jobs[j].outcome);
  }
  return results;
}

Result<Outcome> ClientCore::RunOne(const Task& task) { return std::move(Run({task}).front()); }

Result<Outcome> ClientCore::RunOnKey(std::string_view key, Op op) {
  if (!KeyIsValid(options_.protocol, key)) {
    return Error{"invalid key (1-250 bytes; no spaces or control characters in ASCII)"};
  }
  const auto server = ring_.Pick(key);
  if (!server) return Error{"no server available: all are ejected"};
  op.key = key;
  auto result = RunOne({*server, op});
  if (result && result->code == Code::kServerError) {
    return ServerError(*server, result->message);
  }
  return result;
}

std::vector<Result<Outcome>> ClientCore::Broadcast(const Op& op) {
  std::vector<Task> tasks;
  for (std::size_t i = 0; i < options_.servers.size(); ++i) tasks.push_back({i, op});
  return Run(tasks);
}

}  // namespace mnemo::client

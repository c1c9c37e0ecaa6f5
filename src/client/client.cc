// The public operations: validate, route, and turn an Outcome into the caller's answer.
#include "mnemo/client/client.h"

#include <algorithm>

#include "client_core.h"

namespace mnemo::client {
namespace {

template <class T, class Convert>
std::vector<PerServer<T>> PerServerResults(ClientCore& impl, std::vector<Result<Outcome>> results,
                                           Convert convert) {
  std::vector<PerServer<T>> out;
  for (std::size_t i = 0; i < results.size(); ++i) {
    PerServer<T> entry{i, impl.Label(i), Error{}};
    if (!results[i]) {
      entry.result = results[i].error();
    } else if (results[i]->code != Code::kOk) {
      entry.result = impl.ServerError(i, results[i]->message);
    } else {
      entry.result = convert(results[i].value());
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Error Unexpected(std::string_view what) {
  return Error{"unexpected reply to " + std::string(what)};
}

}  // namespace

Result<std::unique_ptr<Client>> Client::Create(Options options) {
  if (options.servers.empty()) return Error{"no servers given"};
  if (options.connect_timeout.count() <= 0 || options.io_timeout.count() <= 0) {
    return Error{"timeouts must be positive"};
  }
  if (!options.hash) {
    options.hash =
        options.distribution == Distribution::kKetamaWeighted ? Hash::kMd5 : Hash::kOneAtATime;
  }
  return std::unique_ptr<Client>(new Client(std::make_unique<ClientCore>(std::move(options))));
}

Client::Client(std::unique_ptr<ClientCore> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

const Options& Client::options() const { return impl_->options(); }

std::optional<std::size_t> Client::ServerFor(std::string_view key) {
  return impl_->ring().Pick(key);
}

std::optional<std::chrono::milliseconds> Client::EjectedFor(std::size_t server) {
  return impl_->ring().EjectedFor(server);
}

void Client::CountFailure(std::size_t server) { impl_->ring().Failure(server); }

void Client::CountSuccess(std::size_t server) { impl_->ring().Success(server); }

Result<std::optional<Item>> Client::Get(std::string_view key, const GetOptions& options) {
  const std::string_view keys[] = {key};
  Op op{OpKind::kGet};
  op.keys = keys;
  op.get = options;
  auto outcome = impl_->RunOnKey(key, op);
  if (!outcome) return outcome.error();
  for (Item& item : outcome->items) {
    if (item.key == key) return std::optional<Item>(std::move(item));
  }
  return std::optional<Item>();
}

MultiGetResult Client::GetMulti(std::span<const std::string_view> keys, const GetOptions& options) {
  MultiGetResult result;
  const std::size_t n = impl_->options().servers.size();
  std::vector<std::vector<std::string_view>> shares(n);
  for (std::string_view key : keys) {
    if (!KeyIsValid(impl_->options().protocol, key)) {
      result.errors.push_back(Error{"invalid key \"" + std::string(key) + "\""});
    } else if (auto server = impl_->ring().Pick(key)) {
      shares[*server].push_back(key);
    } else {
      result.errors.push_back(Error{"no server available: all are ejected"});
      return result;
    }
  }
  std::vector<Task> tasks;
  for (std::size_t i = 0; i < n; ++i) {
    if (shares[i].empty()) continue;
    Op op{OpKind::kGet};
    op.keys = shares[i];
    op.get = options;
    tasks.push_back({i, op});
  }
  auto outcomes = impl_->Run(tasks);
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    if (!outcomes[t]) {
      result.errors.push_back(outcomes[t].error());
      continue;
    }
    Outcome& outcome = outcomes[t].value();
    if (outcome.code == Code::kServerError) {
      result.errors.push_back(impl_->ServerError(tasks[t].server, outcome.message));
    }
    std::move(outcome.items.begin(), outcome.items.end(), std::back_inserter(result.items));
  }
  return result;
}

Result<StoreStatus> Client::Store(StoreMode mode, std::string_view key, std::string_view value,
                                  const StoreOptions& options, std::uint64_t cas) {
  Op op{OpKind::kStore};
  op.mode = mode;
  op.value = value;
  op.store = options;
  op.cas = cas;
  auto outcome = impl_->RunOnKey(key, op);
  if (!outcome) return outcome.error();
  const std::optional<StoreStatus> status = StoreStatusOf(*outcome);
  if (!status) return Unexpected("store");
  return *status;
}

Result<DeleteStatus> Client::Delete(std::string_view key) {
  auto outcome = impl_->RunOnKey(key, Op{OpKind::kDelete});
  if (!outcome) return outcome.error();
  switch (outcome->code) {
    case Code::kOk:
      return DeleteStatus::kDeleted;
    case Code::kNotFound:
      return DeleteStatus::kNotFound;
    case Code::kExists:
      return DeleteStatus::kExists;
    default:
      return Unexpected("delete");
  }
}

Result<Counter> Client::Arithmetic(bool increment, std::string_view key, std::uint64_t delta) {
  Op op{OpKind::kArithmetic};
  op.increment = increment;
  op.delta = delta;
  auto outcome = impl_->RunOnKey(key, op);
  if (!outcome) return outcome.error();
  switch (outcome->code) {
    case Code::kOk:
      return Counter{ArithStatus::kOk, outcome->number};
    case Code::kNotFound:
      return Counter{ArithStatus::kNotFound, 0};
    case Code::kNonNumeric:
      return Counter{ArithStatus::kNonNumeric, 0};
    default:
      return Unexpected(increment ? "incr" : "decr");
  }
}

Result<TouchStatus> Client::Touch(std::string_view key, std::int64_t exptime) {
  Op op{OpKind::kTouch};
  op.exptime = exptime;
  auto outcome = impl_->RunOnKey(key, op);
  if (!outcome) return outcome.error();
  switch (outcome->code) {
    case Code::kOk:
      return TouchStatus::kTouched;
    case Code::kNotFound:
      return TouchStatus::kNotFound;
    default:
      return Unexpected("touch");
  }
}

std::vector<PerServer<void>> Client::FlushAll(std::optional<std::int64_t> delay) {
  Op op{OpKind::kFlush};
  op.delay = delay;
  return PerServerResults<void>(*impl_, impl_->Broadcast(op),
                                [](Outcome&) { return Result<void>(); });
}

std::vector<PerServer<Stats>> Client::GetStats(std::string_view group) {
  Op op{OpKind::kStats};
  op.text = group;
  return PerServerResults<Stats>(*impl_, impl_->Broadcast(op),
                                 [](Outcome& o) { return Result<Stats>(std::move(o.stats)); });
}

std::vector<PerServer<std::string>> Client::Version() {
  return PerServerResults<std::string>(
      *impl_, impl_->Broadcast(Op{OpKind::kVersion}),
      [](Outcome& o) { return Result<std::string>(std::move(o.message)); });
}

std::vector<PerServer<void>> Client::Verbosity(std::uint32_t level) {
  Op op{OpKind::kVerbosity};
  op.level = level;
  return PerServerResults<void>(*impl_, impl_->Broadcast(op),
                                [](Outcome&) { return Result<void>(); });
}

std::vector<PerServer<void>> Client::Noop() {
  return PerServerResults<void>(*impl_, impl_->Broadcast(Op{OpKind::kNoop}),
                                [](Outcome&) { return Result<void>(); });
}

}  // namespace mnemo::client

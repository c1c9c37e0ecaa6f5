#include "engines/proxy/proxy_engine.h"

#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <utility>

#include "engines/proxy/async_calls.h"
#include "engines/proxy/proxy_spec.h"

namespace mnemo::proxy {
namespace {

// The general-group counters that describe items and memory: summed over the upstreams, since
// together they hold the proxy's items. Rates, times, versions and connection counts of the
// upstreams are not summed (mnemod reports its own for those).
constexpr std::array<std::string_view, 8> kSummed = {
    "limit_maxbytes", "bytes",     "curr_items",        "total_items",
    "evictions",      "reclaimed", "expired_unfetched", "evicted_unfetched",
};

std::uint64_t ToNumber(std::string_view text) {
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

Result<std::unique_ptr<ProxyEngine>> ProxyEngine::Create(const Clock& clock,
                                                         std::string_view spec) {
  Result<ProxyTarget> target = ParseProxyTarget(spec);
  if (!target) return target.error();
  if (!target->domain.empty()) {
    std::vector<client::ServerSpec> seeds = target->options.servers;
    Result<std::unique_ptr<client::DomainClient>> domain = client::DomainClient::Create(
        target->domain, std::move(seeds), std::move(target->options));
    if (!domain) return Error{"proxy: " + domain.error().message};
    return std::make_unique<ProxyEngine>(clock, std::move(*domain));
  }
  Result<std::unique_ptr<client::Client>> upstreams =
      client::Client::Create(std::move(target->options));
  if (!upstreams) return Error{"proxy: " + upstreams.error().message};
  return std::make_unique<ProxyEngine>(clock, std::move(*upstreams));
}

ProxyEngine::ProxyEngine(const Clock& clock, std::unique_ptr<client::Client> upstreams)
    : clock_(clock), fixed_(std::move(upstreams)) {}

ProxyEngine::ProxyEngine(const Clock& clock, std::unique_ptr<client::DomainClient> domain)
    : clock_(clock), domain_(std::move(domain)) {}

GetStatus ProxyEngine::Get(const GetRequest& request, ItemVisitor on_hit) {
  client::GetOptions options;
  options.with_cas = true;  // gets/gats: the session may render the CAS (gets, mg c, binary)
  options.touch = request.touch_exptime;
  Result<std::optional<client::Item>> got = upstreams()->Get(request.key.key(), options);
  if (!got) {
    counters_.Failed();
    return GetStatus::kError;
  }
  if (!got->has_value()) return GetStatus::kMiss;
  const client::Item& item = **got;
  ItemView view;
  view.key = request.key.key();
  view.value = item.value;
  view.client_flags = item.flags;
  view.cas = item.cas;
  on_hit(view);
  return GetStatus::kHit;
}

StoreResult ProxyEngine::Store(const StoreRequest& request) {
  client::StoreOptions options;
  options.flags = request.client_flags;
  options.exptime = request.exptime;
  const std::optional<StoreMode> mode = ClassicStoreMode(request);
  if (!mode) {
    counters_.Refused();
    return {StoreStatus::kError, 0};
  }
  Result<StoreStatus> stored =
      upstreams()->Store(*mode, request.key.key(), request.value, options, request.compare_cas);
  if (!stored) {
    counters_.Failed();
    return {StoreStatus::kError, 0};
  }
  return {*stored, 0};  // classic stores do not return the new CAS
}

DeleteStatus ProxyEngine::Delete(const DeleteRequest& request) {
  if (DeleteIsRefused(request)) {
    counters_.Refused();
    return DeleteStatus::kError;
  }
  const std::shared_ptr<client::Client> upstreams = this->upstreams();  // one list throughout
  if (request.compare_cas != 0) {
    // Classic delete has no CAS: compare first (not atomic with the delete; README.md).
    Result<std::optional<client::Item>> got =
        upstreams->Get(request.key.key(), client::GetOptions{.with_cas = true});
    if (!got) {
      counters_.Failed();
      return DeleteStatus::kError;
    }
    if (!got->has_value()) return DeleteStatus::kNotFound;
    if ((*got)->cas != request.compare_cas) return DeleteStatus::kExists;
  }
  Result<DeleteStatus> deleted = upstreams->Delete(request.key.key());
  if (!deleted) {
    counters_.Failed();
    return DeleteStatus::kError;
  }
  return *deleted;
}

ArithResult ProxyEngine::Arithmetic(const ArithRequest& request) {
  ArithResult result;
  if (ArithmeticIsRefused(request)) {
    counters_.Refused();
    result.status = ArithStatus::kError;
    return result;
  }
  const std::shared_ptr<client::Client> upstreams = this->upstreams();  // one list throughout
  // Two rounds at most: a create that loses the race to another client's create retries the
  // incr/decr on the item that client stored.
  for (int round = 0; round < 2; ++round) {
    Result<client::Counter> counted =
        upstreams->Arithmetic(request.increment, request.key.key(), request.delta);
    if (!counted) {
      counters_.Failed();
      result.status = ArithStatus::kError;
      return result;
    }
    if (counted->status != ArithStatus::kNotFound || !request.create_exptime) {
      result.status = counted->status;
      result.value = counted->value;
      return result;
    }
    client::StoreOptions options;
    options.exptime = *request.create_exptime;
    Result<StoreStatus> added = upstreams->Store(StoreMode::kAdd, request.key.key(),
                                                  std::to_string(request.initial), options);
    if (!added) {
      counters_.Failed();
      result.status = ArithStatus::kError;
      return result;
    }
    if (*added == StoreStatus::kStored) {
      result.status = ArithStatus::kOk;
      result.value = request.initial;
      return result;
    }
    if (*added != StoreStatus::kNotStored) break;  // too large / no memory upstream
  }
  result.status = ArithStatus::kNotStored;  // the upstream answered: no room to create
  return result;
}

TouchStatus ProxyEngine::Touch(const HashedKey& key, std::int64_t exptime) {
  Result<TouchStatus> touched = upstreams()->Touch(key.key(), exptime);
  if (!touched) {
    counters_.Failed();
    return TouchStatus::kError;
  }
  return *touched;
}

void ProxyEngine::FlushAll(std::int64_t delay) {
  std::optional<std::int64_t> upstream_delay;
  if (delay > 0) upstream_delay = delay;
  for (const client::PerServer<void>& answer : upstreams()->FlushAll(upstream_delay)) {
    if (!answer.result) counters_.Failed();
  }
}

std::unique_ptr<AsyncCalls> ProxyEngine::ForLoop(asio::io_context& io) {
  return std::make_unique<ProxyAsyncCalls>(io, [this] { return upstreams(); }, counters_);
}

void ProxyEngine::ForEach(FunctionRef<bool(const ItemView&)> /*visit*/) {}

bool ProxyEngine::Stats(std::string_view group, StatSink sink) {
  if (!group.empty()) return group == "items" || group == "slabs" || group == "sizes";
  std::array<std::uint64_t, kSummed.size()> totals{};
  std::uint64_t down = 0;
  std::vector<client::PerServer<client::Stats>> answers = upstreams()->GetStats();
  for (client::PerServer<client::Stats>& answer : answers) {
    if (!answer.result) {
      ++down;
      continue;
    }
    for (const auto& [name, value] : *answer.result) {
      for (std::size_t i = 0; i < kSummed.size(); ++i) {
        if (name == kSummed[i]) totals[i] += ToNumber(value);
      }
    }
  }
  for (std::size_t i = 0; i < kSummed.size(); ++i) sink(kSummed[i], std::to_string(totals[i]));
  sink("proxy_upstreams", std::to_string(answers.size()));
  sink("proxy_upstreams_unreachable", std::to_string(down));
  sink("proxy_upstream_errors", std::to_string(counters_.errors.load(std::memory_order_relaxed)));
  sink("proxy_unsupported", std::to_string(counters_.unsupported.load(std::memory_order_relaxed)));
  if (domain_ != nullptr) sink("proxy_domain_version", std::to_string(domain_->version()));
  return true;
}

}  // namespace mnemo::proxy

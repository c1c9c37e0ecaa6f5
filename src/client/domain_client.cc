// Following a domain: the first fetch from the seeds, the watcher thread, and the swap of the
// Client when the list's version moves.
#include "domain_link.h"
#include "domain_shm.h"
#include "mnemo/client/domain.h"

namespace mnemo::client {

Result<domains::List> FetchDomain(const ServerSpec& server, std::string_view name,
                                  std::chrono::milliseconds timeout, const TlsOptions& tls) {
  auto link = DomainLink::Open(server, timeout, tls);
  if (!link) return link.error();
  return link.value()->Servers(name, false);
}

Result<domains::UpdateResult> PushDomain(const ServerSpec& server, std::string_view name,
                                         std::uint64_t version,
                                         std::span<const domains::Change> changes,
                                         std::chrono::milliseconds timeout,
                                         const TlsOptions& tls) {
  auto link = DomainLink::Open(server, timeout, tls);
  if (!link) return link.error();
  return link.value()->Update(name, version, changes);
}

Result<std::vector<domains::ClientInfo>> FetchClients(const ServerSpec& server,
                                                      std::chrono::milliseconds timeout,
                                                      const TlsOptions& tls) {
  auto link = DomainLink::Open(server, timeout, tls);
  if (!link) return link.error();
  return link.value()->Clients();
}

Result<ServerSpec> ToServerSpec(const domains::Server& server) {
  auto spec = ParseServer(server.address);
  if (!spec) return spec.error();
  spec.value().weight = server.weight;
  return spec;
}

void RemoveSharedDomain(std::string_view name) { SharedDomain::Remove(name); }

Result<std::unique_ptr<DomainClient>> Client::ForDomain(std::string domain,
                                                        std::vector<ServerSpec> seeds,
                                                        Options options) {
  return DomainClient::Create(std::move(domain), std::move(seeds), std::move(options));
}

DomainClient::DomainClient(std::string name, std::vector<ServerSpec> seeds, Options options,
                           DomainOptions domain_options)
    : name_(std::move(name)),
      seeds_(std::move(seeds)),
      options_(std::move(options)),
      domain_options_(domain_options) {}

Result<std::unique_ptr<DomainClient>> DomainClient::Create(std::string name,
                                                           std::vector<ServerSpec> seeds,
                                                           Options options,
                                                           DomainOptions domain_options) {
  if (!domains::ValidName(name)) return Error{"invalid domain name \"" + name + "\""};
  if (seeds.empty()) return Error{"no seed servers given"};
  if (domain_options.check_interval.count() <= 0) return Error{"check interval must be positive"};
  std::unique_ptr<DomainClient> client(
      new DomainClient(std::move(name), std::move(seeds), std::move(options), domain_options));
  domains::List newest;
  std::string errors;
  for (const ServerSpec& seed : client->seeds_) {
    auto list =
        FetchDomain(seed, client->name_, client->options_.connect_timeout, client->options_.tls);
    if (!list) {
      errors += (errors.empty() ? "" : "; ") + list.error().message;
    } else if (list->version > newest.version) {
      newest = std::move(list.value());
    }
  }
  if (newest.version == 0 || newest.servers.empty()) {
    return Error{"domain " + client->name_ + ": no seed has a server list" +
                 (errors.empty() ? "" : " (" + errors + ")")};
  }
  if (domain_options.shared) {
    // Without usable shared memory the client still works, on its own.
    if (auto shared = SharedDomain::Open(client->name_)) {
      client->shared_ = std::move(shared.value());
      if (auto known = client->shared_->Read(); known && known->version > newest.version) {
        newest = std::move(*known);
      }
      client->shared_->Publish(newest);
    }
  }
  if (Result<void> installed = client->Install(newest); !installed) return installed.error();
  client->rebuilds_ = 0;
  client->watcher_ = std::thread([raw = client.get()] { raw->Watch(); });
  return client;
}

bool DomainClient::leading() const { return !shared_ || shared_->leading(); }

DomainClient::~DomainClient() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

std::shared_ptr<Client> DomainClient::current() const {
  std::lock_guard lock(mu_);
  return client_;
}

std::uint64_t DomainClient::version() const {
  std::lock_guard lock(mu_);
  return list_.version;
}

Result<void> DomainClient::Install(const domains::List& list) {
  {
    std::lock_guard lock(mu_);
    if (list.version <= list_.version) return {};
  }
  // An empty list would leave no server for any key: keep the last usable one.
  if (list.servers.empty()) return Error{"domain " + name_ + ": empty server list"};
  Options options = options_;
  options.servers.clear();
  for (const domains::Server& server : list.servers) {
    auto spec = ToServerSpec(server);
    if (!spec) return spec.error();
    options.servers.push_back(std::move(spec.value()));
  }
  auto client = Client::Create(std::move(options));
  if (!client) return client.error();
  std::lock_guard lock(mu_);
  if (list.version <= list_.version) return {};  // another source was quicker
  client_ = std::shared_ptr<Client>(std::move(client.value()));
  list_ = list;
  ++rebuilds_;
  return {};
}

std::vector<ServerSpec> DomainClient::Candidates() const {
  std::vector<ServerSpec> candidates = seeds_;
  std::lock_guard lock(mu_);
  for (const domains::Server& server : list_.servers) {
    if (auto spec = ToServerSpec(server)) candidates.push_back(std::move(spec.value()));
  }
  return candidates;
}

void DomainClient::CheckOnce(std::unique_ptr<DomainLink>& link, std::size_t& next_candidate) {
  if (!link) {
    const std::vector<ServerSpec> candidates = Candidates();
    const ServerSpec& target = candidates[next_candidate++ % candidates.size()];
    auto opened = DomainLink::Open(target, options_.connect_timeout, options_.tls);
    if (!opened) return;
    link = std::move(opened.value());
  }
  auto list = link->Servers(name_, true);
  if (!list) {
    link.reset();  // try the next server on the next tick
    return;
  }
  if (shared_) shared_->Publish(list.value());
  (void)Install(list.value());  // an unusable list keeps the last one
}

void DomainClient::Watch() {
  std::unique_ptr<DomainLink> link;
  std::size_t next_candidate = 0;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    if (shared_) {
      if (auto known = shared_->Read()) (void)Install(*known);
    }
    // Only the leader of the host talks to the servers; the others follow the segment. When
    // the leader exits its lock is released and the next tick elects another.
    if (!shared_ || shared_->TryLead()) {
      CheckOnce(link, next_candidate);
    } else {
      link.reset();
    }
    lock.lock();
    wake_.wait_for(lock, domain_options_.check_interval, [this] { return stopping_; });
  }
}

}  // namespace mnemo::client

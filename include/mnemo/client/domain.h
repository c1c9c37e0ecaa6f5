// Clients of a domain: a server list kept by the servers themselves (docs/domains.md).
//
// DomainClient asks the seed servers for the domain's list (the highest version wins), builds a
// Client over it, and keeps a watcher thread with one connection subscribed to the domain
// (`servers NAME notify`) that re-reads the list every check_interval; when the version moves
// a new Client is built over the new list and swapped in. Operations already running finish on
// the Client they started with (current() hands out shared ownership).
//
// The free functions are the building blocks, one server and one request each, also used by
// mcadmin. Errors start with the server's label.
//
// Thread safety: a DomainClient may be shared by any number of threads; the free functions
// are independent calls.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mnemo/client/client.h"
#include "mnemo/client/options.h"
#include "mnemo/protocol/domains.h"
#include "mnemo/result.h"

namespace mnemo::client {

// `servers NAME` on one server: the list it keeps (version 0 when it has none).
// Each opens a connection of its own, over TLS when `tls.enabled`.
Result<domains::List> FetchDomain(const ServerSpec& server, std::string_view name,
                                  std::chrono::milliseconds timeout, const TlsOptions& tls = {});
// `domain_update NAME VERSION` on one server.
Result<domains::UpdateResult> PushDomain(const ServerSpec& server, std::string_view name,
                                         std::uint64_t version,
                                         std::span<const domains::Change> changes,
                                         std::chrono::milliseconds timeout,
                                         const TlsOptions& tls = {});
// `clients` on one server.
Result<std::vector<domains::ClientInfo>> FetchClients(const ServerSpec& server,
                                                      std::chrono::milliseconds timeout,
                                                      const TlsOptions& tls = {});
// A domain list entry as the client library's server spec (weight included).
Result<ServerSpec> ToServerSpec(const domains::Server& server);
// Removes the shared memory of `name` on this host (it outlives the processes that used it);
// processes still using it keep their mapping.
void RemoveSharedDomain(std::string_view name);

struct DomainOptions {
  // How often the watcher re-reads the list (besides the notices on its subscribed
  // connection), so that servers reached through a proxy are followed too.
  std::chrono::milliseconds check_interval{200};
  // Shared (default): the processes of this host that follow the domain share the newest list
  // through shared memory and only one of them (the leader) watches the servers. Private: this
  // client watches the servers itself and shares nothing.
  bool shared = true;
};

class DomainLink;
class SharedDomain;

class DomainClient {
 public:
  // `options.servers` is ignored: the domain's list replaces it. Fails when no seed can be
  // reached or none knows the domain (or its list is empty).
  static Result<std::unique_ptr<DomainClient>> Create(std::string name,
                                                      std::vector<ServerSpec> seeds,
                                                      Options options,
                                                      DomainOptions domain_options = {});
  ~DomainClient();  // stops the watcher
  DomainClient(const DomainClient&) = delete;
  DomainClient& operator=(const DomainClient&) = delete;

  // The Client over the newest list known; keep the pointer only for one operation or a few.
  std::shared_ptr<Client> current() const;
  std::uint64_t version() const;
  // How many times the list moved and a new Client was built since Create.
  std::uint64_t rebuilds() const { return rebuilds_.load(); }
  // True when this client is the one of its host that keeps a subscribed connection to the
  // servers (always, for a private domain).
  bool leading() const;

  Result<std::optional<Item>> Get(std::string_view key, const GetOptions& options = {}) {
    return current()->Get(key, options);
  }
  Result<StoreStatus> Set(std::string_view key, std::string_view value,
                          const StoreOptions& options = {}) {
    return current()->Set(key, value, options);
  }
  Result<DeleteStatus> Delete(std::string_view key) { return current()->Delete(key); }

 private:
  DomainClient(std::string name, std::vector<ServerSpec> seeds, Options options,
               DomainOptions domain_options);
  // Builds and installs a Client for `list` if it is newer than the current one.
  Result<void> Install(const domains::List& list);
  void Watch();
  // One check on the subscribed connection, reopening it to another server when needed.
  void CheckOnce(std::unique_ptr<DomainLink>& link, std::size_t& next_candidate);
  std::vector<ServerSpec> Candidates() const;

  const std::string name_;
  const std::vector<ServerSpec> seeds_;
  const Options options_;
  const DomainOptions domain_options_;
  mutable std::mutex mu_;
  std::shared_ptr<Client> client_;  // GUARDED_BY(mu_)
  domains::List list_;              // GUARDED_BY(mu_)
  bool stopping_ = false;           // GUARDED_BY(mu_)
  std::condition_variable wake_;
  std::atomic<std::uint64_t> rebuilds_{0};
  std::unique_ptr<SharedDomain> shared_;  // null for a private domain, or without shm
  std::thread watcher_;
};

}  // namespace mnemo::client

// DomainStore: mnemod's domains (named, versioned server lists; docs/domains.md). It keeps
// every domain in memory and, when given a state file, writes the whole set there on each
// accepted update (temporary file, fsync, rename, fsync of the directory), so a crash leaves
// the old or the new state. ServerDomains puts it behind libmnemo's DomainHooks together with
// the workers' connection registries for `clients`.
//
// Thread safety: every method may be called from any thread. Reads share a lock; an update
// holds it exclusively while it writes the file, so updates are applied (and saved) one at a
// time, in version order per domain.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mnemo/protocol/domains.h"
#include "mnemo/result.h"
#include "server/config.h"
#include "server/logger.h"

namespace mnemo::server {

class Worker;

// Where the domains of this configuration live: DIR/domains.state for --state-dir DIR, else
// FILE.domains beside --snapshot FILE (or -e FILE), else "" (memory only).
std::string DomainStatePath(const ServerConfig& config);

class DomainStore {
 public:
  // Loads `path` ("" = memory only). A missing file starts empty silently; a file that cannot
  // be read or parsed is reported in one line on `log` and the store starts empty.
  DomainStore(std::string path, const Logger& log);

  domains::List Get(std::string_view name) const;
  std::uint64_t Version(std::string_view name) const;
  domains::UpdateResult Update(std::string_view name, std::uint64_t version,
                               std::span<const domains::Change> changes);
  std::size_t size() const;

 private:
  using Map = std::map<std::string, domains::List, std::less<>>;
  Result<void> Save(const Map& all) const;  // REQUIRES: mu_ held exclusively.

  const std::string path_;
  const Logger& log_;
  mutable std::shared_mutex mu_;
  Map domains_;  // GUARDED_BY(mu_)
};

// The text of a state file, and back: "mnemo-domains 1", then per domain
// "domain NAME VERSION COUNT" and COUNT "server HOST:PORT[:W]" lines, then "end".
std::string FormatDomainState(const std::map<std::string, domains::List, std::less<>>& all);
Result<std::map<std::string, domains::List, std::less<>>> ParseDomainState(std::string_view text);

class ServerDomains final : public domains::DomainHooks {
 public:
  // Both must outlive this object; `workers` is filled before any session runs.
  ServerDomains(DomainStore& store, const std::vector<std::unique_ptr<Worker>>& workers)
      : store_(store), workers_(workers) {}

  domains::List Servers(std::string_view name) override { return store_.Get(name); }
  std::uint64_t Version(std::string_view name) override { return store_.Version(name); }
  domains::UpdateResult Update(std::string_view name, std::uint64_t version,
                               std::span<const domains::Change> changes) override {
    return store_.Update(name, version, changes);
  }
  std::vector<domains::ClientInfo> Clients() override;

 private:
  DomainStore& store_;
  const std::vector<std::unique_ptr<Worker>>& workers_;
};

}  // namespace mnemo::server

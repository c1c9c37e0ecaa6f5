// Executing the domain verbs against SessionHooks::Domains(), and the change notices of
// subscribed connections.
#include <algorithm>

#include "ascii/domain_internal.h"
#include "mnemo/protocol/ascii.h"
#include "mnemo/protocol/domains.h"

namespace mnemo {
namespace {

constexpr std::string_view kEnd = "END\r\n";
constexpr std::string_view kBadLine = "CLIENT_ERROR bad domain update line";

}  // namespace

void DomainSubscriptions::Subscribe(std::string_view name, std::uint64_t version) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const Entry& e) { return e.name == name; });
  if (it == entries_.end()) {
    entries_.push_back({std::string(name), version});
  } else {
    it->version = version;
  }
}

void DomainSubscriptions::AppendNotices(SessionHooks& hooks, std::size_t reply_start,
                                        std::string& out) {
  domains::DomainHooks* store = hooks.Domains();
  if (store == nullptr || entries_.empty()) return;
  if (out.size() < reply_start + kEnd.size() || !out.ends_with(kEnd)) return;
  // END must be a line of its own ("...\nEND\r\n"), not the tail of another reply line.
  const std::size_t end_at = out.size() - kEnd.size();
  if (end_at > reply_start && out[end_at - 1] != '\n') return;
  std::string notices;
  for (Entry& entry : entries_) {
    const std::uint64_t now = store->Version(entry.name);
    if (now == entry.version) continue;
    entry.version = now;
    domains::EncodeNotice(entry.name, now, notices);
  }
  if (!notices.empty()) out.insert(out.size() - kEnd.size(), notices);
}

namespace ascii::internal {
namespace {

void ExecuteServers(const Request& request, SessionContext& context, domains::DomainHooks& store,
                    std::string& out) {
  const domains::List list = store.Servers(request.domain.name);
  if (request.domain.notify && context.subscriptions != nullptr) {
    if (!*context.subscriptions) *context.subscriptions = std::make_unique<DomainSubscriptions>();
    (*context.subscriptions)->Subscribe(request.domain.name, list.version);
  }
  domains::EncodeServersReply(request.domain.name, list, out);
}

void ExecuteUpdate(const Request& request, domains::DomainHooks& store, std::string& out) {
  std::optional<std::vector<domains::Change>> changes =
      domains::ParseChanges(request.domain.lines, request.domain.count);
  if (!changes) return EncodeLine(kBadLine, out);
  const domains::UpdateResult result =
      store.Update(request.domain.name, request.domain.version, *changes);
  domains::EncodeUpdateReply(request.domain.name, result, out);
}

}  // namespace

void ExecuteDomain(const Request& request, SessionContext& context, std::string& out) {
  domains::DomainHooks* store = context.hooks.Domains();
  if (store == nullptr) return EncodeLine("ERROR", out);
  switch (request.command) {
    case Command::kServers:
      return ExecuteServers(request, context, *store, out);
    case Command::kDomainUpdate:
      return ExecuteUpdate(request, *store, out);
    default: {
      const std::vector<domains::ClientInfo> clients = store->Clients();
      return domains::EncodeClientsReply(clients, out);
    }
  }
}

}  // namespace ascii::internal
}  // namespace mnemo

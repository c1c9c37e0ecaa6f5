// The domain verbs inside the classic ASCII protocol (docs/domains.md): their request parser,
// their handler, and the per-connection subscriptions behind change notices.
// Internal to libmnemo. Thread safety: as the session that owns them, one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/context.h"
#include "mnemo/protocol/request.h"

namespace mnemo {

// The domains a connection asked to be told about (`servers NAME notify`) and the version it
// last saw of each.
class DomainSubscriptions {
 public:
  void Subscribe(std::string_view name, std::uint64_t version);
  // Before the END that closes the reply at out[reply_start..]: one notice per subscribed
  // domain whose version has moved, and remembers the new versions. Replies that do not end
  // in END are left alone (the notice waits for one that does).
  void AppendNotices(SessionHooks& hooks, std::size_t reply_start, std::string& out);

 private:
  struct Entry {
    std::string name;
    std::uint64_t version = 0;
  };
  std::vector<Entry> entries_;
};

namespace ascii::internal {

bool IsDomainVerb(std::string_view word);
// `line` is the command line without its terminator, `line_length` with it; `in` starts with
// that line and holds whatever followed it (a domain_update's change lines).
ParseResult ParseDomainRequest(std::string_view in, std::string_view line, std::size_t line_length,
                               const ParserLimits& limits, Request& out);
// servers, domain_update, clients. Without SessionHooks::Domains(): ERROR.
void ExecuteDomain(const Request& request, SessionContext& context, std::string& out);

}  // namespace ascii::internal
}  // namespace mnemo

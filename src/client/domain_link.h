// DomainLink: one blocking request/reply conversation with one server about domains (servers,
// domain_update, clients), over a Connection of its own. Used by DomainClient's watcher and by
// mcadmin through the functions in mnemo/client/domain.h.
// Thread safety: one thread at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "connection.h"
#include "mnemo/protocol/domains.h"
#include "mnemo/result.h"

namespace mnemo::client {

class DomainLink {
 public:
  // Errors read "<label>: connect: ...".
  static Result<std::unique_ptr<DomainLink>> Open(const ServerSpec& server,
                                                  std::chrono::milliseconds timeout,
                                                  const TlsOptions& tls = {});

  // `servers NAME [notify]`; a SERVER_UPDATE line before its END is skipped (the reply carries
  // the version anyway) but counted in notices().
  Result<domains::List> Servers(std::string_view name, bool notify);
  Result<domains::UpdateResult> Update(std::string_view name, std::uint64_t version,
                                       std::span<const domains::Change> changes);
  Result<std::vector<domains::ClientInfo>> Clients();

  std::uint64_t notices() const { return notices_; }

 private:
  DomainLink(std::unique_ptr<Connection> connection, std::string label,
             std::chrono::milliseconds timeout)
      : connection_(std::move(connection)), label_(std::move(label)), timeout_(timeout) {}

  Result<void> Send(std::string_view bytes);
  // The next reply line, parsed; its views point into `line_`, valid until the next call.
  Result<domains::Reply> Next();
  Error Fail(const std::string& what) const { return Error{label_ + ": " + what}; }

  std::unique_ptr<Connection> connection_;
  std::string label_;
  std::chrono::milliseconds timeout_;
  std::string line_;
  std::uint64_t notices_ = 0;
};

}  // namespace mnemo::client

// mcadmin's operations on a domain (docs/domains.md): survey every server that takes part,
// push a changed list to all of them, repair the ones that lag, collect `clients`.
// Thread safety: single-threaded tool.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mnemo/client/domain.h"
#include "mnemo/client/options.h"
#include "mnemo/protocol/domains.h"
#include "mnemo/result.h"

namespace mcadmin {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitServer = 3;

struct Settings {
  std::string domain;
  std::vector<mnemo::client::ServerSpec> seeds;
  std::chrono::milliseconds timeout{2000};
  mnemo::client::TlsOptions tls;  // --tls, --ca, --cert, --key
  bool json = false;
};

// What every reachable server of the domain said, and which could not be asked.
struct Survey {
  std::map<std::string, mnemo::domains::List> lists;  // by server label
  std::map<std::string, std::string> down;            // label -> error
  mnemo::domains::List newest;                        // highest version seen
  std::vector<mnemo::client::ServerSpec> servers;     // every server asked, in order
};

// Asks the seeds, then every server named by any list seen, until no new one turns up.
Survey TakeSurvey(const Settings& settings);

// add/remove: applies `change` to the newest list and pushes it with a higher version to every
// server of the old and the new list, starting over when another admin won a version.
// Prints the result on `out`, problems on `err`; returns the exit code.
int Change(const Settings& settings, const mnemo::domains::Change& change, std::ostream& out,
           std::ostream& err);
// Pushes the newest list to every server that lags (or holds another list at that version).
int Sync(const Settings& settings, std::ostream& out, std::ostream& err);
int List(const Settings& settings, std::ostream& out, std::ostream& err);
int Clients(const Settings& settings, std::ostream& out, std::ostream& err);
// stats / version of every server of the domain, through the client library.
int ServerCommand(const Settings& settings, const std::string& command, std::ostream& out,
                  std::ostream& err);

std::string Json(std::string_view text);  // a JSON string literal

}  // namespace mcadmin

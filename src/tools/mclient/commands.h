// mclient's commands: each carries out one Invocation against a Client, writes results to
// `out` (values raw, bytes as stored), one-line errors naming the server to `err`, and returns
// the exit code: 0 success, 1 miss / not stored / not found, 3 server or connection error.
// Thread safety: single-threaded tool.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "cli.h"
#include "mnemo/client/client.h"

namespace mclient {

inline constexpr int kExitOk = 0;
inline constexpr int kExitMiss = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitServer = 3;

struct Context {
  const Invocation& inv;
  mnemo::client::Client& client;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;

  // Prints "mclient: <message>" and returns kExitServer.
  int Fail(const std::string& message) const;
};

int RunRetrieval(const Context& ctx);  // get, gets, gat, gats
int RunKeys(const Context& ctx);
int RunStorage(const Context& ctx);  // set, add, replace, append, prepend, cas
int RunDelete(const Context& ctx);
int RunArithmetic(const Context& ctx);  // incr, decr
int RunTouch(const Context& ctx);
int RunAdmin(const Context& ctx);  // stats, flush, version, ping, verbosity

// JSON string literal for `bytes`; nullopt when they are not valid UTF-8.
std::optional<std::string> JsonString(std::string_view bytes);
// A JSON value for stored bytes: the string when it is UTF-8, else {"base64": "..."}.
std::string JsonBytes(std::string_view bytes);

}  // namespace mclient

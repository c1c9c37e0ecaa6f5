// The server-wide commands: stats, flush, version, ping, verbosity. Each goes to every
// server; a server that fails is reported on stderr and makes the exit code 3, the others'
// answers are still printed.
#include <algorithm>
#include <iomanip>
#include <iostream>

#include "commands.h"

namespace mclient {
namespace {

using mnemo::client::PerServer;

void PrintStatsTable(const Context& ctx, const PerServer<mnemo::client::Stats>& server) {
  std::size_t width = 0;
  for (const auto& [name, value] : server.result.value()) width = std::max(width, name.size());
  ctx.out << "[" << server.server << "]\n";
  for (const auto& [name, value] : server.result.value()) {
    ctx.out << std::left << std::setw(static_cast<int>(width) + 2) << name << value << '\n';
  }
}

int PrintStats(const Context& ctx) {
  int code = kExitOk;
  bool first = true;
  if (ctx.inv.json) ctx.out << "{";
  for (const auto& server : ctx.client.GetStats(ctx.inv.group)) {
    if (!server.result) {
      code = ctx.Fail(server.result.error().message);
      continue;
    }
    if (ctx.inv.json) {
      ctx.out << (first ? "" : ", ") << JsonBytes(server.server) << ": {";
      bool first_stat = true;
      for (const auto& [name, value] : server.result.value()) {
        ctx.out << (first_stat ? "" : ", ") << JsonBytes(name) << ": " << JsonBytes(value);
        first_stat = false;
      }
      ctx.out << "}";
    } else {
      if (!first) ctx.out << '\n';
      PrintStatsTable(ctx, server);
    }
    first = false;
  }
  if (ctx.inv.json) ctx.out << "}\n";
  return code;
}

int Version(const Context& ctx) {
  int code = kExitOk;
  bool first = true;
  if (ctx.inv.json) ctx.out << "{";
  for (const auto& server : ctx.client.Version()) {
    if (!server.result) {
      code = ctx.Fail(server.result.error().message);
    } else if (ctx.inv.json) {
      ctx.out << (first ? "" : ", ") << JsonBytes(server.server) << ": "
              << JsonBytes(server.result.value());
      first = false;
    } else {
      ctx.out << server.server << '\t' << server.result.value() << '\n';
    }
  }
  if (ctx.inv.json) ctx.out << "}\n";
  return code;
}

// flush, ping, verbosity: "SERVER<TAB>ok" for ping, silence for the others.
int Simple(const Context& ctx, const std::vector<PerServer<void>>& results, bool print_ok) {
  int code = kExitOk;
  for (const auto& server : results) {
    if (!server.result) {
      code = ctx.Fail(server.result.error().message);
    } else if (print_ok) {
      ctx.out << server.server << "\tok\n";
    }
  }
  return code;
}

}  // namespace

int RunAdmin(const Context& ctx) {
  const std::string& cmd = ctx.inv.command;
  if (cmd == "stats") return PrintStats(ctx);
  if (cmd == "version") return Version(ctx);
  if (cmd == "flush") return Simple(ctx, ctx.client.FlushAll(ctx.inv.delay), false);
  if (cmd == "ping") return Simple(ctx, ctx.client.Noop(), true);
  return Simple(ctx, ctx.client.Verbosity(ctx.inv.level), false);
}

int Context::Fail(const std::string& message) const {
  err << "mclient: " << message << '\n';
  return kExitServer;
}

}  // namespace mclient

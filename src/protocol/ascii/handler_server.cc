// Classic ASCII server commands: flush_all, version, verbosity, quit, shutdown, cache_memlimit
// and stats, with 1.6.18's reply lines.
#include <algorithm>

#include "ascii/handler_internal.h"
#include "core/text.h"
#include "mnemo/item_rules.h"
#include "mnemo/protocol/ascii.h"

namespace mnemo::ascii::internal {
namespace {

// memcached caps the level it stores at 2 (-vv).
constexpr std::uint64_t kMaxVerbosity = 2;
// cache_memlimit takes megabytes; memcached refuses numbers that look like bytes.
constexpr std::uint64_t kMinMemlimitMb = 8;
constexpr std::uint64_t kMaxMemlimitMb = 1000000000;

void ExecuteFlushAll(const Request& request, SessionContext& context, std::string& out) {
  // Counted even when refused, as memcached does.
  ++context.counters.cmd_flush;
  if (!context.config.flush_enabled) {
    return Send(request.quiet, "CLIENT_ERROR flush_all not allowed", out);
  }
  if (!request.args.empty() && !request.has_number) {
    return Send(request.quiet, "CLIENT_ERROR invalid exptime argument", out);
  }
  std::int64_t delay = std::max<std::int64_t>(request.number, 0);
  // Like any exptime, a delay past 30 days is an absolute time.
  if (delay > kMaxRelativeExptime) delay = std::max<std::int64_t>(delay - context.engine.Now(), 0);
  context.engine.FlushAll(delay);
  Send(request.quiet, "OK", out);
}

void ExecuteMemlimit(const Request& request, SessionContext& context, std::string& out) {
  const auto megabytes = static_cast<std::uint64_t>(request.number);
  std::string_view reply = "OK";
  if (megabytes < kMinMemlimitMb) {
    reply = "MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m";
  } else if (megabytes > kMaxMemlimitMb) {
    reply = "MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes";
  } else if (!context.hooks.SetMemoryLimit(megabytes)) {
    reply = "MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust";
  }
  Send(request.quiet, reply, out);
}

void ExecuteShutdown(const Request& request, SessionContext& context, std::string& out) {
  if (!context.config.shutdown_enabled) return Send(false, "ERROR: shutdown not enabled", out);
  if (!request.args.empty() && request.args != "graceful") {
    return Send(false, "CLIENT_ERROR invalid shutdown mode", out);
  }
  // memcached closes the connection without a reply and stops.
  context.hooks.Shutdown(request.args == "graceful");
  context.close = true;
}

void ExecuteStatsDetail(const Request& request, std::string& out) {
  // Per-prefix detail stats are not collected, so a dump has no PREFIX lines.
  text::Tokenizer args(request.args);
  const std::string_view mode = args.Next();
  if (mode == "on" || mode == "off") return Send(false, "OK", out);
  if (mode == "dump") return EncodeEnd(out);
  Send(false, "CLIENT_ERROR usage: stats detail on|off|dump", out);
}

void ExecuteCacheDump(const Request& request, SessionContext& context, std::string& out) {
  if (!context.config.dump_enabled) {
    return Send(false, "CLIENT_ERROR stats cachedump not allowed", out);
  }
  text::Tokenizer args(request.args);
  const std::string_view class_token = args.Next();
  const std::string_view limit_token = args.Next();
  if (limit_token.empty()) return Send(false, "CLIENT_ERROR bad command line", out);
  std::optional<std::uint32_t> slab_class = text::ParseU32(class_token);
  std::optional<std::uint32_t> limit = text::ParseU32(limit_token);
  if (!slab_class || !limit) return Send(false, "CLIENT_ERROR bad command line format", out);
  if (*slab_class >= kSlabClassLimit) return Send(false, "CLIENT_ERROR Illegal slab id", out);
  EncodeCacheDump(context.engine, *slab_class, *limit, out);
}

void ExecuteStats(const Request& request, SessionContext& context, std::string& out) {
  const std::string_view group = request.verb;
  if (group == "reset") {
    context.counters.Reset();
    context.hooks.ResetStats();
    return Send(false, "RESET", out);
  }
  if (group == "detail") return ExecuteStatsDetail(request, out);
  if (group == "cachedump") return ExecuteCacheDump(request, context, out);
  const std::size_t start = out.size();
  const bool known = CollectStats(
      context, group,
      [&out](std::string_view name, std::string_view value) { EncodeStat(name, value, out); });
  if (!known) {
    out.resize(start);
    return Send(false, "ERROR", out);
  }
  EncodeEnd(out);
}

}  // namespace

void ExecuteServerCommand(const Request& request, SessionContext& context, std::string& out) {
  switch (request.command) {
    case Command::kFlushAll: return ExecuteFlushAll(request, context, out);
    case Command::kVersion: return EncodeVersion(context.config.version, out);
    case Command::kVerbosity:
      context.hooks.Verbosity(
          static_cast<int>(std::min(static_cast<std::uint64_t>(request.number), kMaxVerbosity)));
      return Send(request.quiet, "OK", out);
    case Command::kQuit: context.close = true; return;
    case Command::kShutdown: return ExecuteShutdown(request, context, out);
    case Command::kCacheMemlimit: return ExecuteMemlimit(request, context, out);
    case Command::kStats: return ExecuteStats(request, context, out);
    default: return Send(false, "ERROR", out);
  }
}

}  // namespace mnemo::ascii::internal

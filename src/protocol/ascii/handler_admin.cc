// Classic ASCII admin verbs. We have no slab allocator, LRU segments or crawler thread, so
// these answer what a memcached 1.6.18 release build answers when the request is valid and
// nothing needs doing, and its exact error lines otherwise. refresh_certs and watch go to the
// host (SessionHooks), which knows whether TLS is on and keeps the log watchers. Debug-build
// verbs (misbehave, debugtime, debugitem) and extstore (not configured) answer ERROR.
#include <algorithm>
#include <array>
#include <cstdlib>

#include "ascii/handler_internal.h"
#include "core/text.h"
#include "mnemo/protocol/ascii.h"
#include "mnemo/watch.h"

namespace mnemo::ascii::internal {
namespace {

constexpr std::string_view kErrorLine = "ERROR";
constexpr std::string_view kBadFormat = "CLIENT_ERROR bad command line format";
constexpr std::string_view kBadClass = "BADCLASS invalid class id";
// memcached's lru_crawler sleep is in microseconds, at most one second.
constexpr std::uint32_t kMaxCrawlerSleepUs = 1000000;
constexpr std::uint32_t kMaxHotWarmPercent = 80;

// The arguments after the verb, split like memcached's tokenizer (the first few only).
struct Args {
  static constexpr std::size_t kKept = 6;
  std::array<std::string_view, kKept> token{};
  std::size_t count = 0;
  std::string_view last;

  explicit Args(std::string_view text) {
    text::Tokenizer tokenizer(text);
    for (std::string_view t = tokenizer.Next(); !t.empty(); t = tokenizer.Next()) {
      if (count < kKept) token[count] = t;
      last = t;
      ++count;
    }
  }
  std::string_view operator[](std::size_t i) const { return i < kKept ? token[i] : ""; }
};

// strtod as memcached's safe_strtod: the whole token must be a number.
std::optional<double> ParseDouble(std::string_view token) {
  std::string text(token);
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

void ExecuteSlabsAutomove(const Args& args, std::string& out) {
  const bool quiet = args.last == "noreply";
  if (args[1] == "ratio") {
    if (args.count < 3 || !ParseDouble(args[2])) return Send(quiet, kErrorLine, out);
    return Send(quiet, "OK", out);
  }
  std::optional<std::uint32_t> level = text::ParseU32(args[1]);
  if (!level) return Send(quiet, kBadFormat, out);
  // Modes 0 (off), 1 and 2 (the two automove algorithms).
  Send(quiet, *level <= 2 ? "OK" : kErrorLine, out);
}

void ExecuteSlabs(const Args& args, std::string& out) {
  if (args.count == 3 && args[0] == "reassign") {
    std::optional<std::int64_t> src = text::ParseI64(args[1]);
    std::optional<std::int64_t> dst = text::ParseI64(args[2]);
    if (!src || !dst) return Send(false, kBadFormat, out);
    // Class 0 is memcached's global page pool, a valid source and destination.
    auto valid = [](std::int64_t id) { return id >= 0 && id <= kLargestSlabClass; };
    if (*src == *dst) return Send(false, "SAME src and dst class are identical", out);
    if (!valid(*src) || !valid(*dst)) {
      return Send(false, "BADCLASS invalid src or dst class id", out);
    }
    // There are no slab pages to move.
    return Send(false, "NOSPARE source class has no spare pages", out);
  }
  if (args.count >= 2 && args[0] == "automove") return ExecuteSlabsAutomove(args, out);
  Send(false, kErrorLine, out);
}

void ExecuteLruTune(const Args& args, bool quiet, std::string& out) {
  std::optional<std::uint32_t> hot = text::ParseU32(args[1]);
  std::optional<std::uint32_t> warm = text::ParseU32(args[2]);
  std::optional<double> hot_factor = ParseDouble(args[3]);
  std::optional<double> warm_factor = ParseDouble(args[4]);
  if (!hot || !warm || !hot_factor || !warm_factor) return Send(quiet, kErrorLine, out);
  if (std::uint64_t{*hot} + *warm > kMaxHotWarmPercent) {
    return Send(quiet, "ERROR hot and warm pcts must not exceed 80", out);
  }
  if (*hot_factor <= 0 || *warm_factor <= 0) {
    return Send(quiet, "ERROR hot/warm age factors must be greater than 0", out);
  }
  Send(quiet, "OK", out);
}

void ExecuteLru(const Args& args, std::string& out) {
  const bool quiet = args.count >= 1 && args.last == "noreply";
  if (args[0] == "tune" && args.count >= 5) return ExecuteLruTune(args, quiet, out);
  if (args[0] == "mode" && args.count >= 2) {
    const bool known = args[1] == "flat" || args[1] == "segmented";
    return Send(quiet, known ? "OK" : kErrorLine, out);
  }
  if (args[0] == "temp_ttl" && args.count >= 2) {
    return Send(quiet, text::ParseI64(args[1]) ? "OK" : kErrorLine, out);
  }
  Send(quiet, kErrorLine, out);
}

// lru_crawler sleep / tocrawl: a 32-bit number; sleep at most one second.
void ExecuteCrawlerSetting(const Args& args, std::string& out) {
  std::optional<std::uint32_t> n = text::ParseU32(args[1]);
  if (!n) return Send(false, kBadFormat, out);
  if (args[0] == "sleep" && *n > kMaxCrawlerSleepUs) {
    return Send(false, "CLIENT_ERROR sleep must be one second or less", out);
  }
  Send(false, "OK", out);
}

void ExecuteLruCrawler(const Args& args, SessionContext& context, std::string& out) {
  if (args.count == 2 && (args[0] == "crawl" || args[0] == "metadump")) {
    const bool crawl = args[0] == "crawl";
    // 1.6.18 knows "hash" for metadump only; a crawl of it fails in the crawler.
    if (crawl && args[1] == "hash") return Send(false, "ERROR an unknown error happened", out);
    std::optional<std::uint64_t> classes = ParseClassSpec(args[1], !crawl);
    if (crawl) return Send(false, classes ? "OK" : kBadClass, out);
    if (!context.config.dump_enabled) return Send(false, "ERROR metadump not allowed", out);
    if (!classes) return Send(false, kBadClass, out);
    return EncodeMetaDump(context.engine, *classes, context.config.cas_enabled, out);
  }
  if (args.count == 2 && (args[0] == "sleep" || args[0] == "tocrawl")) {
    return ExecuteCrawlerSetting(args, out);
  }
  if (args.count == 1 && (args[0] == "enable" || args[0] == "disable")) {
    return Send(false, "OK", out);
  }
  Send(false, kErrorLine, out);
}

// A valid watch goes to the host, which either turns the connection into a log stream (the
// session then stops reading it) or streams nothing (the connection stays an ordinary one).
// A trailing noreply is not a stream name, so it always fails, silently.
void ExecuteWatch(const Args& args, std::string_view streams, SessionContext& context,
                  std::string& out) {
  const bool quiet = args.last == "noreply";
  constexpr std::string_view kDisabled = "CLIENT_ERROR watch commands not allowed";
  if (!context.config.watch_enabled) return Send(quiet, kDisabled, out);
  const std::uint32_t flags = ParseWatchFlags(streams);
  if (flags == 0) return Send(quiet, kErrorLine, out);
  switch (context.hooks.StartWatch(flags)) {
    case WatchStart::kDisabled:
      return Send(quiet, kDisabled, out);
    case WatchStart::kTooMany:
      return Send(quiet, "WATCHER_TOO_MANY log watcher limit reached", out);
    case WatchStart::kStarted:
      context.watch_flags = flags;
      break;
    case WatchStart::kNoStream:
      break;
  }
  Send(quiet, "OK", out);
}

// memcached sends a failure whatever noreply says; only the OK is silenced.
void ExecuteRefreshCerts(const Args& args, SessionContext& context, std::string& out) {
  const std::string failure = context.hooks.RefreshCerts();
  if (!failure.empty()) return Send(false, failure, out);
  Send(args.last == "noreply", "OK", out);
}

}  // namespace

void ExecuteAdmin(const Request& request, SessionContext& context, std::string& out) {
  const Args args(request.args);
  const std::string_view verb = request.verb;
  if (verb == "slabs") return ExecuteSlabs(args, out);
  if (verb == "lru") return ExecuteLru(args, out);
  if (verb == "lru_crawler") return ExecuteLruCrawler(args, context, out);
  if (verb == "watch") return ExecuteWatch(args, request.args, context, out);
  if (verb == "refresh_certs") return ExecuteRefreshCerts(args, context, out);
  Send(false, kErrorLine, out);
}

}  // namespace mnemo::ascii::internal

namespace mnemo {

std::uint32_t ParseWatchFlags(std::string_view args) {
  struct Name {
    std::string_view name;
    std::uint32_t flag;
  };
  // 1.6.18's names; `deletions` came in 1.6.20 and is an unknown name here, as there.
  constexpr Name kNames[] = {
      {"fetchers", kWatchFetchers},     {"mutations", kWatchMutations},
      {"evictions", kWatchEvictions},   {"connevents", kWatchConnEvents},
      {"proxyreqs", kWatchProxyReqs},   {"proxyevents", kWatchProxyEvents},
      {"proxyuser", kWatchProxyUser},   {"rawcmds", kWatchRawCmds},
      {"sysevents", kWatchSysEvents}};
  std::uint32_t flags = 0;
  bool any = false;
  text::Tokenizer tokens(args);
  for (std::string_view t = tokens.Next(); !t.empty(); t = tokens.Next()) {
    any = true;
    auto it = std::find_if(std::begin(kNames), std::end(kNames),
                           [t](const Name& n) { return n.name == t; });
    if (it == std::end(kNames)) return 0;
    flags |= it->flag;
  }
  return any ? flags : kWatchFetchers;
}

}  // namespace mnemo

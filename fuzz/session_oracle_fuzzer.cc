// Session differential fuzzer: the same bytes (any mix of classic, meta and binary requests)
// through a Session over the MemoryEngine and a Session over the reference MapEngine, with the
// same fixed clock and configuration, must give the same reply bytes. The MapEngine defines
// memcached 1.6.18 item semantics; any difference is a MemoryEngine bug (or a MapEngine one).
//
// The first input byte picks the configuration both sessions share (CAS on/off, flush_all
// allowed, dumps allowed, protocol auto/ascii/binary, SASL required). The rest is cut into
// requests exactly as Session::Process cuts it (same parsers, same routing, oversize values
// skipped), and each request is fed to both sessions on its own, so that each reply can be
// compared after normalising what legitimately differs between the engines:
//   - `stats` (classic) and binary Stat with no group: only the command counters and the
//     engine's bytes / curr_items / total_items are compared. Dropped: the engines' own
//     fields (limit, evictions, reclaims, LRU moves, ...); get_expired and get_flushed (the
//     MemoryEngine may reclaim a dead item before it is asked for, and then reports a plain
//     miss); bytes_written (stats replies differ in length, so it drifts after the first).
//   - other stats groups (items, slabs, sizes, ...): the engines describe their own size
//     classes; only "a list" versus the error reply is compared. reset and detail are exact.
//   - `stats cachedump` and `lru_crawler metadump`: the lines are compared as a sorted set,
//     since the engines visit items in different orders; a cachedump with a nonzero limit
//     shows the first items of that order, so there only the number of lines is compared.
// Everything else, `me` included (its size and class come from the protocol layer, not the
// engine), must be byte-identical. Both sessions must also consume each request whole and
// agree on closing the connection.
//
// Known divergence, excluded until the engines agree: once the input has both given an item
// an explicit CAS (meta E) and flushed (flush_all, binary Flush), the comparison stops. With
// the clock fixed everything happens in one second, where memcached flushes an item only if
// its CAS is below the CAS counter at the flush (items.c item_is_flushed); the MemoryEngine
// does that, the MapEngine flushes every item stored before the flush whatever its CAS (and
// none stored after it). Reproducer: "ma n N0 E3\r\nflush_all\r\nlru_crawler metadump all".
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.h"
#include "engines/map/map_engine.h"
#include "engines/memory/memory_engine.h"
#include "mnemo/protocol/ascii.h"
#include "mnemo/protocol/binary.h"
#include "mnemo/protocol/meta.h"
#include "mnemo/session.h"

namespace {

using mnemo::Command;
using mnemo::ParseResult;
using mnemo::ParseStatus;
using mnemo::Protocol;
using mnemo::Request;

constexpr std::size_t kItemSizeMax = 8192;

class FixedClock final : public mnemo::Clock {
 public:
  std::int64_t Now() const override { return 1'700'000'000; }
};

// How a request's reply is compared.
enum class Shape : std::uint8_t {
  kExact,
  kGeneralStats,
  kGroupStats,
  kCacheDump,
  kMetaDump,
  kBinaryGeneralStats,
  kBinaryGroupStats,
};

struct Unit {
  std::string_view bytes;
  Shape shape = Shape::kExact;
  bool whole = true;             // false: a tail the session waits on, or a request that closes
  std::uint32_t dump_limit = 0;  // stats cachedump's limit
  bool explicit_cas = false;     // a meta request with E
  bool flush = false;            // flush_all or binary Flush
};

Shape ShapeOf(Protocol parsed_as, const Request& r, std::uint32_t& dump_limit) {
  if (parsed_as == Protocol::kBinary) {
    if (r.command != Command::kStats || r.key == "reset") return Shape::kExact;
    return r.key.empty() ? Shape::kBinaryGeneralStats : Shape::kBinaryGroupStats;
  }
  if (parsed_as != Protocol::kAscii) return Shape::kExact;
  mnemo::text::Tokenizer args(r.args);
  if (r.command == Command::kAdmin && r.verb == "lru_crawler" && args.Next() == "metadump") {
    return Shape::kMetaDump;
  }
  if (r.command != Command::kStats || r.verb == "reset" || r.verb == "detail") {
    return Shape::kExact;
  }
  if (r.verb.empty()) return Shape::kGeneralStats;
  if (r.verb != "cachedump") return Shape::kGroupStats;
  args.Next();
  dump_limit = mnemo::text::ParseU32(args.Next()).value_or(0);
  return Shape::kCacheDump;
}

// Session::Process's framing, one request (or skipped value, or tail) per unit.
std::vector<Unit> Frame(std::string_view input, const mnemo::SessionConfig& config) {
  mnemo::ParserLimits limits;
  limits.max_value_bytes = config.item_size_max;
  bool known = config.protocol != mnemo::ProtocolMode::kAuto;
  Protocol protocol =
      config.protocol == mnemo::ProtocolMode::kBinary ? Protocol::kBinary : Protocol::kAscii;
  std::vector<Unit> units;
  std::size_t at = 0;
  std::size_t skip = 0;
  while (at < input.size()) {
    const std::string_view in = input.substr(at);
    if (skip > 0) {
      const std::size_t n = std::min(skip, in.size());
      units.push_back({in.substr(0, n)});
      skip -= n;
      at += n;
      continue;
    }
    if (!known) {
      protocol = static_cast<unsigned char>(in[0]) == 0x80 ? Protocol::kBinary : Protocol::kAscii;
      known = true;
    }
    Request request;
    ParseResult result;
    Protocol parsed_as = protocol;
    if (protocol == Protocol::kBinary) {
      result = mnemo::binary::ParseRequest(in, limits, request);
    } else {
      if (in.size() < 3 && in.find('\n') == std::string_view::npos) break;
      const bool is_meta = mnemo::meta::IsMetaCommand(in);
      parsed_as = is_meta ? Protocol::kMeta : Protocol::kAscii;
      result = is_meta ? mnemo::meta::ParseRequest(in, limits, request)
                       : mnemo::ascii::ParseRequest(in, limits, request);
    }
    if (result.status == ParseStatus::kIncomplete) break;
    if (result.status == ParseStatus::kFatal) {
      units.push_back({in, Shape::kExact, false});
      return units;
    }
    Unit unit{in.substr(0, result.consumed)};
    if (result.status == ParseStatus::kOk) {
      unit.shape = ShapeOf(parsed_as, request, unit.dump_limit);
      unit.explicit_cas = parsed_as == Protocol::kMeta && request.meta.Has('E');
      unit.flush = request.command == Command::kFlushAll;
      if (request.oversize) skip = request.skip_bytes;
    }
    units.push_back(unit);
    at += result.consumed;
  }
  if (at < input.size()) units.push_back({input.substr(at), Shape::kExact, false});
  return units;
}

bool Compared(std::string_view stat) {
  constexpr std::string_view kNames[] = {
      "cmd_get",    "cmd_set",     "cmd_flush",     "cmd_touch",       "cmd_meta",
      "get_hits",   "get_misses",  "delete_misses", "delete_hits",     "incr_misses",
      "incr_hits",  "decr_misses", "decr_hits",     "cas_misses",      "cas_hits",
      "cas_badval", "touch_hits",  "touch_misses",  "store_too_large", "store_no_memory",
      "auth_cmds",  "auth_errors", "bytes_read",    "bytes",           "curr_items",
      "total_items"};
  return std::find(std::begin(kNames), std::end(kNames), stat) != std::end(kNames);
}

std::string SortedLines(std::string_view text, char end) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t n = std::min(text.find(end), text.size() - 1) + 1;
    lines.push_back(text.substr(0, n));
    text.remove_prefix(n);
  }
  std::sort(lines.begin(), lines.end());
  std::string sorted;
  for (std::string_view line : lines) sorted.append(line);
  return sorted;
}

// A general stats reply with only the compared STAT lines left.
std::string KeepComparedStats(std::string_view out) {
  std::string kept;
  mnemo::ascii::Reply reply;
  for (ParseResult r; !out.empty(); out.remove_prefix(r.consumed)) {
    r = mnemo::ascii::ParseReply(out, reply);
    if (r.status != ParseStatus::kOk) break;
    if (reply.kind != mnemo::ascii::ReplyKind::kStat || Compared(reply.name)) {
      kept.append(out.substr(0, r.consumed));
    }
  }
  return kept.append(out);
}

// The same for binary Stat packets; a group's list becomes a placeholder.
std::string KeepComparedBinaryStats(std::string_view out, bool group) {
  std::string kept;
  mnemo::binary::Response packet;
  for (ParseResult r; !out.empty(); out.remove_prefix(r.consumed)) {
    r = mnemo::binary::ParseResponse(out, packet);
    if (r.status != ParseStatus::kOk) break;
    if (group && packet.status == mnemo::binary::Status::kSuccess) return "<stats group>";
    if (packet.key.empty() || Compared(packet.key)) kept.append(out.substr(0, r.consumed));
  }
  return kept.append(out);
}

std::string Normalise(const Unit& unit, const std::string& out) {
  switch (unit.shape) {
    case Shape::kExact:
      return out;
    case Shape::kGeneralStats:
      return KeepComparedStats(out);
    case Shape::kGroupStats:
      return out.starts_with("STAT ") || out == "END\r\n" ? "<list>" : out;
    case Shape::kCacheDump:
      if (unit.dump_limit == 0 || !out.ends_with("END\r\n")) return SortedLines(out, '\n');
      return std::to_string(std::count(out.begin(), out.end(), '\n')) + " lines";
    case Shape::kMetaDump:
      return SortedLines(out, '\n');
    case Shape::kBinaryGeneralStats:
      return KeepComparedBinaryStats(out, false);
    case Shape::kBinaryGroupStats:
      return KeepComparedBinaryStats(out, true);
  }
  return out;
}

// One engine and the session that drives it.
struct Side {
  Side(std::unique_ptr<mnemo::Engine> e, const mnemo::SessionConfig& config)
      : engine(std::move(e)), session(*engine, config, counters) {}
  std::unique_ptr<mnemo::Engine> engine;
  mnemo::CommandCounters counters;
  mnemo::Session session;
};

[[noreturn]] void Report(const Unit& unit, const std::string& map, const std::string& memory) {
  auto dump = [](const char* what, std::string_view text) {
    std::fprintf(stderr, "%s (%zu bytes): ", what, text.size());
    for (char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte >= 0x20 && byte < 0x7f && c != '\\') {
        std::fputc(c, stderr);
      } else {
        std::fprintf(stderr, "\\x%02x", byte);
      }
    }
    std::fputc('\n', stderr);
  };
  dump("request", unit.bytes);
  dump("map engine", map);
  dump("memory engine", memory);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  mnemo::SessionConfig config;
  config.item_size_max = kItemSizeMax;
  config.cas_enabled = (data[0] & 1) == 0;
  config.flush_enabled = (data[0] & 2) == 0;
  config.dump_enabled = (data[0] & 4) == 0;
  constexpr mnemo::ProtocolMode kModes[] = {mnemo::ProtocolMode::kAuto, mnemo::ProtocolMode::kAuto,
                                            mnemo::ProtocolMode::kAscii,
                                            mnemo::ProtocolMode::kBinary};
  config.protocol = kModes[(data[0] >> 3) & 3];
  config.sasl_required = (data[0] & 0x20) != 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  FixedClock clock;
  mnemo::MapEngineConfig map_config;
  map_config.item_size_max = kItemSizeMax;
  mnemo::MemoryEngineConfig memory_config;
  memory_config.item_size_max = kItemSizeMax;
  memory_config.memory_limit_bytes = 64 * 1024 * 1024;  // far more than 4 KiB of input can use
  memory_config.shards = 2;
  memory_config.segment_bytes = 16 * 1024;  // values over 4 KiB go to pages of their own
  Side map(std::make_unique<mnemo::MapEngine>(clock, map_config), config);
  Side memory(std::make_unique<mnemo::MemoryEngine>(clock, memory_config), config);

  bool explicit_cas = false;
  bool flush = false;
  for (const Unit& unit : Frame(input, config)) {
    std::string map_out, memory_out;
    const std::size_t map_used = map.session.Process(unit.bytes, map_out);
    const std::size_t memory_used = memory.session.Process(unit.bytes, memory_out);
    if (map_used != memory_used || map.session.closing() != memory.session.closing()) {
      Report(unit, map_out, memory_out);
    }
    const bool closing = map.session.closing();
    if (unit.whole && !closing && map_used != unit.bytes.size()) {
      std::fprintf(stderr, "session consumed %zu of a %zu-byte request\n", map_used,
                   unit.bytes.size());
      Report(unit, map_out, memory_out);
    }
    if (Normalise(unit, map_out) != Normalise(unit, memory_out)) {
      Report(unit, map_out, memory_out);
    }
    if (closing) break;
    explicit_cas = explicit_cas || unit.explicit_cas;
    flush = flush || unit.flush;
    if (explicit_cas && flush) break;  // the known divergence described at the top
  }
  return 0;
}

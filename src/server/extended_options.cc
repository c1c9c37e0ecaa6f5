// The `-o` keys of memcached 1.6.18 other than ssl_* and ext_* (extended_tls_ext.cc), and the
// reader of a -o list. Errors use memcached's wording; where memcached has none because it reads
// the value with atoi(), the value is rejected with its "could not parse argument to <key>".

#include <string>

#include "server/config_tables.h"
#include "server/value_parse.h"

namespace mnemo::server {
namespace {

using A = ArgKind;
using S = ParseState;
using V = OptionValue;

Result<void> Ok() { return {}; }

// The segmented LRU exists only with its maintainer thread.
Result<void> SetLruMaintainer(S& s, bool on) {
  s.config.lru.maintainer = on;
  s.config.lru.segmented = on;
  return {};
}

// An int in [low, high], else `message` (memcached gives it for non-numbers too).
Result<void> IntIn(V value, int low, int high, int& out, std::string_view message) {
  std::optional<std::int64_t> number = ParseInt(*value);
  if (!number || *number < low || *number > high) return Error{std::string(message)};
  out = static_cast<int>(*number);
  return {};
}

Result<void> PositiveDouble(V value, double& out, std::string_view message) {
  std::optional<double> number = ParseDouble(*value);
  if (!number || *number <= 0) return Error{std::string(message)};
  out = *number;
  return {};
}

Result<void> ApplyHashpower(S& s, V value) {
  std::optional<std::int64_t> power = ParseInt(*value);
  if (!power) return CouldNotParse("hashpower");
  if (*power < 12) {
    return Error{"Initial hashtable multiplier of " + std::to_string(*power) + " is too low"};
  }
  if (*power > 32) {
    return Error{"Initial hashtable multiplier of " + std::to_string(*power) +
                 " is too high\nChoose a value based on \"STAT hash_power_level\" from a "
                 "running instance"};
  }
  s.config.hashpower = static_cast<int>(*power);
  return {};
}

Result<void> ApplyHashAlgorithm(S& s, V value) {
  if (*value == "murmur3") {
    s.config.hash_algorithm = HashAlgorithm::kMurmur3;
  } else if (*value == "jenkins") {
    s.config.hash_algorithm = HashAlgorithm::kJenkins;
  } else if (*value == "xxh3") {
    s.config.hash_algorithm = HashAlgorithm::kXxh3;
  } else {
    return Error{"Unknown hash_algorithm option (jenkins, murmur3, xxh3)"};
  }
  return {};
}

Result<void> ApplySlabSizes(S& s, V value) {
  std::vector<std::uint32_t> sizes;
  std::string_view rest = *value;
  while (true) {
    std::size_t dash = rest.find('-');
    std::optional<std::uint32_t> size = ParseUint32(rest.substr(0, dash));
    if (!size) return CouldNotParse("slab_sizes");
    sizes.push_back(*size);  // ranges and order are checked once -n and -I are known
    if (dash == std::string_view::npos) break;
    rest.remove_prefix(dash + 1);
  }
  s.config.slab.sizes = std::move(sizes);
  return {};
}

Result<void> ApplySlabChunkMax(S& s, V value) {
  std::optional<std::uint32_t> bytes = ParseUint32(*value);
  if (!bytes || *bytes == 0) return CouldNotParse("slab_chunk_max");
  s.config.slab.chunk_max = *bytes;
  s.chunk_max_given = true;
  return {};
}

// Chunks as large as a page: items are never split (memcached 1.4 behaviour). Unlike
// slab_chunk_max, this does not survive -I over 1 MB, which resets the chunk size in memcached.
Result<void> UnchainItems(S& s) {
  s.config.slab.chunk_max = kSlabPageSize;
  return {};
}

Result<void> ApplyNoModern(S& s, V) {
  ServerConfig& c = s.config;
  c.maxconns_fast = false;
  c.slab.reassign = false;
  c.slab.automove = 0;
  c.lru.crawler = false;
  c.lru.maintainer = false;
  c.lru.segmented = false;
  c.hash_algorithm = HashAlgorithm::kJenkins;
  return UnchainItems(s);
}

Result<void> ApplySlabAutomove(S& s, V value) {
  if (!value) {
    s.config.slab.automove = 1;
    return {};
  }
  return IntIn(value, 0, 2, s.config.slab.automove, "slab_automove must be between 0 and 2");
}

Result<void> ApplyAutomoveRatio(S& s, V value) {
  std::optional<double> ratio = ParseDouble(*value);
  if (!ratio || *ratio <= 0 || *ratio > 1) {
    return Error{"slab_automove_ratio must be > 0 and < 1"};  // memcached accepts exactly 1
  }
  s.config.slab.automove_ratio = *ratio;
  return {};
}

Result<void> ApplyAutomoveWindow(S& s, V value) {
  std::optional<std::uint32_t> window = ParseUint32(*value);
  if (!window || *window <= 2) return Error{"slab_automove_window must be > 2"};
  s.config.slab.automove_window = *window;
  return {};
}

Result<void> ApplyTailRepair(S& s, V value) {
  return IntIn(value, 10, INT32_MAX, s.config.lru.tail_repair_time,
               "Cannot set tail_repair_time to less than 10 seconds");
}

Result<void> ApplyTemporaryTtl(S& s, V value) {
  s.config.lru.temp_lru = true;
  return ReadUint32("temporary_ttl", value, s.config.lru.temporary_ttl);
}

Result<void> ApplyRespObjMemLimit(S& s, V) {
  s.warnings.push_back("DEPRECATED: resp_obj_mem_limit no longer used. See read_buf_mem_limit,");
  return {};
}

const ExtendedOption kCore[] = {
    {"maxconns_fast", A::kNone, "close connections over -c at once (default: on)",
     [](S& s, V) { return Set(s.config.maxconns_fast, true); }},
    {"no_maxconns_fast", A::kNone, "", [](S& s, V) { return Set(s.config.maxconns_fast, false); }},
    {"hashpower", A::kRequired,
     "start the hash table at 2^<value> buckets, 12 to 32\n(default: start small and grow)",
     ApplyHashpower, "Missing numeric argument for hashpower"},
    {"no_hashexpand", A::kNone, "never grow the hash table",
     [](S& s, V) { return Set(s.config.hash_expand, false); }},
    {"slab_reassign", A::kNone, "let memory pages move between slab classes (default: on)",
     [](S& s, V) { return Set(s.config.slab.reassign, true); }},
    {"no_slab_reassign", A::kNone, "", [](S& s, V) { return Set(s.config.slab.reassign, false); }},
    {"slab_automove", A::kOptional,
     "move pages by itself: 0 never, 1 gently, 2 eagerly (default: 1)", ApplySlabAutomove},
    {"no_slab_automove", A::kNone, "", [](S& s, V) { return Set(s.config.slab.automove, 0); }},
    {"slab_automove_ratio", A::kRequired,
     "share of free chunks that lets a class give pages away\n"
     "(default: 0.80)",
     ApplyAutomoveRatio},
    {"slab_automove_window", A::kRequired, "seconds of history behind automove (default: 30)",
     ApplyAutomoveWindow},
    {"tail_repair_time", A::kRequired,
     "free an LRU tail item locked this many seconds, >= 10\n"
     "(default: 0, never; risky)",
     ApplyTailRepair, "Missing numeric argument for tail_repair_time"},
    {"hash_algorithm", A::kRequired, "murmur3, jenkins or xxh3 (default: murmur3)",
     ApplyHashAlgorithm},
    {"lru_crawler", A::kNone, "reclaim expired items in the background (default: on)",
     [](S& s, V) { return Set(s.config.lru.crawler, true); }},
    {"no_lru_crawler", A::kNone, "", [](S& s, V) { return Set(s.config.lru.crawler, false); }},
    {"lru_crawler_sleep", A::kRequired, "crawler pause between items, microseconds (default: 100)",
     [](S& s, V v) {
       return IntIn(v, 0, 1000000, s.config.lru.crawler_sleep_us,
                    "LRU crawler sleep must be between 0 and 1 second");
     },
     "Missing lru_crawler_sleep value"},
    {"lru_crawler_tocrawl", A::kRequired, "items crawled per class per run (default: 0, all)",
     [](S& s, V v) -> Result<void> {
       std::optional<std::uint32_t> n = ParseUint32(*v);
       if (!n) return Error{"lru_crawler_tocrawl takes a numeric 32bit value"};
       return Set(s.config.lru.crawler_tocrawl, *n);
     },
     "Missing lru_crawler_tocrawl value"},
    {"lru_maintainer", A::kNone, "segmented hot/warm/cold LRU and its thread (default: on)",
     [](S& s, V) { return SetLruMaintainer(s, true); }},
    {"no_lru_maintainer", A::kNone, "", [](S& s, V) { return SetLruMaintainer(s, false); }},
    {"hot_lru_pct", A::kRequired, "percent of a class's memory for the hot LRU (default: 20)",
     [](S& s, V v) {
       return IntIn(v, 1, 79, s.config.lru.hot_pct, "hot_lru_pct must be > 1 and < 80");
     }},
    {"warm_lru_pct", A::kRequired, "percent of a class's memory for the warm LRU (default: 40)",
     [](S& s, V v) {
       return IntIn(v, 1, 79, s.config.lru.warm_pct, "warm_lru_pct must be > 1 and < 80");
     }},
    {"hot_max_factor", A::kRequired,
     "items idle over cold age times this leave hot (default: 0.20)",
     [](S& s, V v) {
       return PositiveDouble(v, s.config.lru.hot_max_factor, "hot_max_factor must be > 0");
     }},
    {"warm_max_factor", A::kRequired,
     "items idle over cold age times this leave warm (default: 2.00)",
     [](S& s, V v) {
       return PositiveDouble(v, s.config.lru.warm_max_factor, "warm_max_factor must be > 0");
     }},
    {"temporary_ttl", A::kRequired,
     "items with a shorter TTL get an LRU of their own and are\n"
     "never evicted (default: off; 61 once on)",
     ApplyTemporaryTtl},
    {"idle_timeout", A::kRequired, "close connections idle this many seconds (default: 0, never)",
     [](S& s, V v) { return ReadUint32("idle_timeout", v, s.config.idle_timeout); },
     "Missing numeric argument for idle_timeout"},
    {"watcher_logbuf_size", A::kRequired, "output buffer of each watcher, kilobytes (default: 256)",
     [](S& s, V v) {
       return ReadUint32("watcher_logbuf_size", v, s.config.watcher_logbuf_size, 1024);
     }},
    {"worker_logbuf_size", A::kRequired, "log buffer of each worker, kilobytes (default: 64)",
     [](S& s, V v) {
       return ReadUint32("worker_logbuf_size", v, s.config.worker_logbuf_size, 1024);
     }},
    {"slab_sizes", A::kRequired, "slab class sizes in bytes, increasing, '-'-separated",
     ApplySlabSizes},
    {"slab_chunk_max", A::kRequired,
     "largest slab chunk in bytes; larger items are chained\n"
     "(default: 524288)",
     ApplySlabChunkMax},
    {"track_sizes", A::kNone, "keep the item size histogram of \"stats sizes\"",
     [](S& s, V) { return Set(s.config.track_sizes, true); }},
    {"no_chunked_items", A::kNone, "never chain chunks (slab_chunk_max = page size)",
     [](S& s, V) { return UnchainItems(s); }},
    {"modern", A::kNone, "no effect (kept for old command lines)", [](S&, V) { return Ok(); }},
    {"no_modern", A::kNone,
     "memcached 1.4 defaults: no automove, crawler or segmented LRU,\n"
     "jenkins hash, unchained items",
     ApplyNoModern},
    {"inline_ascii_resp", A::kNone, "no effect (removed from memcached 1.5)",
     [](S&, V) { return Ok(); }},
    {"no_inline_ascii_resp", A::kNone, "", [](S&, V) { return Ok(); }},
    {"drop_privileges", A::kNone, "restrict system calls once started (default: on)",
     [](S& s, V) { return Set(s.config.drop_privileges, true); }},
    {"no_drop_privileges", A::kNone, "",
     [](S& s, V) { return Set(s.config.drop_privileges, false); }},
    {"resp_obj_mem_limit", A::kOptional, "deprecated, no effect: see read_buf_mem_limit",
     ApplyRespObjMemLimit},
    {"read_buf_mem_limit", A::kRequired,
     "memory for connection buffers, megabytes (default: 0,\n"
     "no limit)",
     [](S& s, V v) {
       return ReadUint32("read_buf_mem_limit", v, s.config.read_buf_mem_limit, 1024 * 1024);
     }},
    {"sock_cookie_id", A::kRequired, "mark connections with this id for firewalls (SO_MARK)",
     [](S& s, V v) { return ReadUint32("sock_cookie_id", v, s.config.sock_cookie_id); }},
    {"sasl_pwdb", A::kRequired,
     "user:password file for -S (default: $MEMCACHED_SASL_PWDB)",
     [](S& s, V v) { return Set(s.config.sasl_pwdb, std::string(*v)); }},
};

const ExtendedOption* Find(std::string_view key) {
  for (std::span<const ExtendedOption> table : {CoreExtendedOptions(), TlsExtstoreOptions()}) {
    for (const ExtendedOption& option : table) {
      if (option.name == key) return &option;
    }
  }
  return nullptr;
}

Result<void> ApplyItem(ParseState& state, std::string_view item) {
  std::size_t equals = item.find('=');
  const ExtendedOption* option = Find(item.substr(0, equals));
  if (option == nullptr) return Error{"Illegal suboption \"" + std::string(item) + "\""};
  OptionValue value;
  if (equals != std::string_view::npos) value = item.substr(equals + 1);
  if (option->arg == ArgKind::kRequired && !value) {
    return option->missing.empty() ? Missing(option->name) : Error{std::string(option->missing)};
  }
  return option->apply(state, option->arg == ArgKind::kNone ? OptionValue() : value);
}

}  // namespace

std::span<const ExtendedOption> CoreExtendedOptions() { return kCore; }

Result<void> ApplyExtendedList(ParseState& state, std::string_view list) {
  // As getsubopt(): items split on ','; one trailing ',' ends the list, an empty item is illegal.
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    Result<void> applied = ApplyItem(state, list.substr(0, comma));
    if (!applied) return applied;
    list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
  }
  return {};
}

}  // namespace mnemo::server

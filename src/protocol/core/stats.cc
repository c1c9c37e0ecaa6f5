#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "core/context.h"

namespace mnemo {
namespace {

// One table drives both the stats output and CommandCounters::Add, so a new counter cannot be
// reported but not summed (or the reverse). Order is memcached's.
struct CounterField {
  std::string_view name;
  Counter CommandCounters::*member;
};

constexpr CounterField kCounterFields[] = {
    {"cmd_get", &CommandCounters::cmd_get},
    {"cmd_set", &CommandCounters::cmd_set},
    {"cmd_flush", &CommandCounters::cmd_flush},
    {"cmd_touch", &CommandCounters::cmd_touch},
    {"cmd_meta", &CommandCounters::cmd_meta},
    {"get_hits", &CommandCounters::get_hits},
    {"get_misses", &CommandCounters::get_misses},
    {"get_expired", &CommandCounters::get_expired},
    {"get_flushed", &CommandCounters::get_flushed},
    {"delete_misses", &CommandCounters::delete_misses},
    {"delete_hits", &CommandCounters::delete_hits},
    {"incr_misses", &CommandCounters::incr_misses},
    {"incr_hits", &CommandCounters::incr_hits},
    {"decr_misses", &CommandCounters::decr_misses},
    {"decr_hits", &CommandCounters::decr_hits},
    {"cas_misses", &CommandCounters::cas_misses},
    {"cas_hits", &CommandCounters::cas_hits},
    {"cas_badval", &CommandCounters::cas_badval},
    {"touch_hits", &CommandCounters::touch_hits},
    {"touch_misses", &CommandCounters::touch_misses},
    {"store_too_large", &CommandCounters::store_too_large},
    {"store_no_memory", &CommandCounters::store_no_memory},
    {"auth_cmds", &CommandCounters::auth_cmds},
    {"auth_errors", &CommandCounters::auth_errors},
    {"bytes_read", &CommandCounters::bytes_read},
    {"bytes_written", &CommandCounters::bytes_written},
};

}  // namespace

void CommandCounters::Add(const CommandCounters& other) {
  for (const CounterField& field : kCounterFields) this->*field.member += (other.*field.member).load();
}

void CommandCounters::Reset() {
  for (const CounterField& field : kCounterFields) (this->*field.member).store(0);
}

bool SessionHooks::Stats(std::string_view group, StatSink /*sink*/) { return group.empty(); }

bool CollectStats(SessionContext& context, std::string_view group, StatSink sink) {
  if (!group.empty()) {
    if (context.hooks.Stats(group, sink)) return true;
    return context.engine.Stats(group, sink);
  }
  context.hooks.Stats(group, sink);
  CommandCounters totals = context.hooks.TotalCounters(context.counters);
  for (const CounterField& field : kCounterFields) {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), (totals.*field.member).load());
    (void)ec;
    sink(field.name, std::string_view(buffer, static_cast<std::size_t>(end - buffer)));
  }
  std::vector<std::string> server_fields;
  context.hooks.StatsAfterCounters([&](std::string_view name, std::string_view value) {
    server_fields.emplace_back(name);
    sink(name, value);
  });
  if (server_fields.empty()) {
    context.engine.Stats(group, sink);
    return true;
  }
  context.engine.Stats(group, [&](std::string_view name, std::string_view value) {
    if (std::find(server_fields.begin(), server_fields.end(), name) == server_fields.end()) {
      sink(name, value);
    }
  });
  return true;
}

}  // namespace mnemo

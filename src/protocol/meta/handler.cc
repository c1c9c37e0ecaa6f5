// Meta command execution. Which counters move follows memcached 1.6.18 as observed through
// `stats`: mg counts as get (or touch, with T, on a hit), ms as set, md as delete, ma as
// incr/decr (not when it autovivifies), and only me counts in cmd_meta.
#include "meta/handler.h"

#include <algorithm>

#include "core/text.h"
#include "meta/ttl.h"
#include "mnemo/item_rules.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::meta {
namespace {

constexpr std::string_view kTooLarge = "SERVER_ERROR object too large for cache\r\n";
constexpr std::string_view kNoMemory = "SERVER_ERROR out of memory storing object\r\n";
constexpr std::string_view kNonNumeric =
    "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n";
constexpr std::string_view kArithNoMemory = "SERVER_ERROR out of memory\r\n";
constexpr std::string_view kCreateNoMemory = "SERVER_ERROR Out of memory allocating new item\r\n";
// An engine's kError (mnemo/protocol/response.h); like every error line, q does not hide it.
constexpr std::string_view kBackendFailureReply = "SERVER_ERROR backend failure\r\n";

// The engine reads compare_cas 0 as "no compare", but 1.6.18 compares ms (set/replace) and md
// against a C0 for real, which fails on every live item; ma and append/prepend skip a C0.
constexpr std::uint64_t kUnmatchableCas = ~std::uint64_t{0};

std::uint64_t StrictCompareCas(const MetaFlags& m) {
  if (!m.Has('C')) return 0;
  return m.compare_cas == 0 ? kUnmatchableCas : m.compare_cas;
}

// Whether flag `first` comes before flag `second` in the request (false if either is absent).
// 1.6.18 applies N, R and T while walking the flags, so their order matters: on a new item the
// later of N and T sets the TTL, and R judges the TTL from before a T that follows it.
bool Precedes(const MetaFlags& m, char first, char second) {
  if (!m.Has(first) || !m.Has(second)) return false;
  text::Tokenizer tokens(m.tokens);
  for (std::string_view token = tokens.Next(); !token.empty(); token = tokens.Next()) {
    if (token[0] == first) return true;
    if (token[0] == second) return false;
  }
  return false;
}

std::uint64_t Cas(const SessionContext& context, std::uint64_t cas) {
  return context.config.cas_enabled ? cas : 0;
}

// The clock for a `t` flag. The server's uptime comes from the hooks' general stats, asked only
// when a T or N puts the deadline in the past (see ttl.h); hooks without an uptime read as a
// server that has just started.
TtlClock ClockFor(const Request& request, SessionContext& context) {
  TtlClock clock;
  clock.now = context.engine.Now();
  if (!TtlNeedsUptime(request, clock.now)) return clock;
  context.hooks.Stats("", [&](std::string_view name, std::string_view value) {
    if (name == "uptime") clock.uptime = text::ParseI64(value).value_or(0);
  });
  return clock;
}

void Reply(const Request& request, ReplyCode code, std::string& out) {
  if (!QuietHides(request, code)) EncodeStatus(request, code, out);
}

void CountGet(const Request& request, GetStatus status, CommandCounters& counters) {
  if (status == GetStatus::kHit) {
    if (request.meta.Has('T')) {
      ++counters.cmd_touch;
      ++counters.touch_hits;
    } else {
      ++counters.cmd_get;
      ++counters.get_hits;
    }
    return;
  }
  ++counters.cmd_get;
  ++counters.get_misses;
  if (status == GetStatus::kExpired) ++counters.get_expired;
  if (status == GetStatus::kFlushed) ++counters.get_flushed;
}

ItemFacts FactsOf(const Request& request, const ItemView& item, const TtlClock& clock,
                  const SessionContext& context) {
  ItemFacts facts;
  facts.cas = Cas(context, item.cas);
  facts.client_flags = item.client_flags;
  facts.ttl = TtlFlagValue(request, item.deadline_before, item.vivified, clock);
  facts.idle = std::max<std::int64_t>(clock.now - item.last_access, 0);
  facts.fetched = item.fetched;
  facts.stale = item.stale;
  facts.win = item.win;
  facts.lost = item.lost;
  facts.binary_key = item.binary_key;
  return facts;
}

void ExecuteGet(const Request& request, SessionContext& context, std::string& out) {
  const MetaFlags& m = request.meta;
  // An R before a T sees the old TTL: look up without the touch and touch afterwards.
  const bool touch_later = Precedes(m, 'R', 'T');
  GetRequest get{HashedKey(request.key)};
  if (m.Has('T') && !touch_later) get.touch_exptime = m.ttl;
  if (m.Has('N')) get.vivify_exptime = Precedes(m, 'N', 'T') ? m.ttl : m.vivify_ttl;
  if (m.Has('R')) get.recache_ttl = m.recache_ttl;
  get.bump = !m.Has('u');
  const TtlClock clock = ClockFor(request, context);
  const GetStatus status = context.engine.Get(get, [&](const ItemView& item) {
    EncodeGetHit(request, FactsOf(request, item, clock, context), item.value, out);
  });
  if (status == GetStatus::kError) {
    out += kBackendFailureReply;
    return;
  }
  if (touch_later && status == GetStatus::kHit) context.engine.Touch(get.key, m.ttl);
  CountGet(request, status, context.counters);
  if (status != GetStatus::kHit) Reply(request, ReplyCode::kEn, out);
}

StoreMode ModeOf(char mode) {
  switch (mode) {
    case 'E':
      return StoreMode::kAdd;
    case 'A':
      return StoreMode::kAppend;
    case 'P':
      return StoreMode::kPrepend;
    case 'R':
      return StoreMode::kReplace;
    default:
      return StoreMode::kSet;
  }
}

StoreRequest MakeStore(const Request& request) {
  const MetaFlags& m = request.meta;
  StoreRequest store{HashedKey(request.key)};
  store.mode = ModeOf(m.mode);
  store.value = request.value;
  store.client_flags = m.client_flags;
  store.exptime = m.ttl;
  store.new_cas = m.Has('E') ? m.new_cas : 0;
  const bool append = store.mode == StoreMode::kAppend || store.mode == StoreMode::kPrepend;
  if (m.Has('C') && store.mode != StoreMode::kAdd) {
    // As memcached: set and replace with a CAS become cas; add ignores the CAS.
    if (!append) store.mode = StoreMode::kCas;
    store.compare_cas = append ? m.compare_cas : StrictCompareCas(m);
  }
  store.invalidate = m.Has('I') && store.mode == StoreMode::kCas;
  store.binary_key = m.Has('b');
  if (append && m.Has('N')) store.vivify_exptime = m.vivify_ttl;
  return store;
}

// memcached drops the old value when a new one cannot be stored, so no stale data survives.
void RejectStore(const Request& request, SessionContext& context, std::string_view reply,
                 std::string& out) {
  context.engine.Delete(DeleteRequest{HashedKey(request.key)});
  out += reply;
}

void ExecuteSet(const Request& request, SessionContext& context, std::string& out) {
  if (request.oversize && !request.error.empty()) {
    out += request.error;
    out += "\r\n";
    return;
  }
  CommandCounters& counters = context.counters;
  if (request.oversize || !ItemFits(request.key.size(), request.value.size(),
                                    context.config.item_size_max, request.meta.client_flags)) {
    ++counters.store_too_large;
    return RejectStore(request, context, kTooLarge, out);
  }
  const StoreRequest store = MakeStore(request);
  const StoreResult result = context.engine.Store(store);
  if (result.status == StoreStatus::kTooLarge) {
    ++counters.store_too_large;
    return RejectStore(request, context, kTooLarge, out);
  }
  if (result.status == StoreStatus::kNoMemory) {
    ++counters.store_no_memory;
    return RejectStore(request, context, kNoMemory, out);
  }
  // Nothing is known of the old value, and the engine that failed would fail its delete too.
  if (result.status == StoreStatus::kError) {
    ++counters.cmd_set;
    out += kBackendFailureReply;
    return;
  }
  ++counters.cmd_set;
  ReplyCode code = ReplyCode::kHd;
  switch (result.status) {
    case StoreStatus::kNotStored:
      code = ReplyCode::kNs;
      break;
    case StoreStatus::kExists:
      code = ReplyCode::kEx;
      break;
    case StoreStatus::kNotFound:
      code = ReplyCode::kNf;
      break;
    default:
      break;
  }
  if (store.mode == StoreMode::kCas) {
    if (code == ReplyCode::kHd) ++counters.cas_hits;
    if (code == ReplyCode::kEx) ++counters.cas_badval;
    if (code == ReplyCode::kNf) ++counters.cas_misses;
  }
  if (QuietHides(request, code)) return;
  const std::uint64_t cas = code == ReplyCode::kHd ? Cas(context, result.cas) : 0;
  EncodeStoreReply(request, code, cas, out);
}

void ExecuteDelete(const Request& request, SessionContext& context, std::string& out) {
  const MetaFlags& m = request.meta;
  DeleteRequest del{HashedKey(request.key)};
  del.compare_cas = StrictCompareCas(m);
  del.new_cas = m.Has('E') ? m.new_cas : 0;
  del.invalidate = m.Has('I');
  if (del.invalidate && m.Has('T')) del.invalidate_exptime = m.ttl;
  const DeleteStatus status = context.engine.Delete(del);
  CommandCounters& counters = context.counters;
  switch (status) {
    case DeleteStatus::kDeleted:
      // Marking stale (I) is not counted as a delete.
      if (!del.invalidate) ++counters.delete_hits;
      return Reply(request, ReplyCode::kHd, out);
    case DeleteStatus::kNotFound:
      ++counters.delete_misses;
      return Reply(request, ReplyCode::kNf, out);
    case DeleteStatus::kExists:
      ++counters.delete_misses;
      return Reply(request, ReplyCode::kEx, out);
    case DeleteStatus::kError:
      out += kBackendFailureReply;
      return;
  }
}

void ExecuteArithmetic(const Request& request, SessionContext& context, std::string& out) {
  const MetaFlags& m = request.meta;
  ArithRequest arith{HashedKey(request.key)};
  arith.increment = m.mode != 'D' && m.mode != '-';
  arith.delta = m.delta;
  arith.compare_cas = m.Has('C') ? m.compare_cas : 0;
  arith.new_cas = m.Has('E') ? m.new_cas : 0;
  arith.initial = m.initial;
  if (m.Has('T')) arith.touch_exptime = m.ttl;
  ArithResult result = context.engine.Arithmetic(arith);
  // A first attempt without N tells an autovivified counter (answered even with q, not
  // counted as a hit) from an existing one; the engine result alone cannot.
  bool created = false;
  if (result.status == ArithStatus::kNotFound && m.Has('N')) {
    arith.create_exptime = m.vivify_ttl;
    if (!Precedes(m, 'N', 'T')) arith.touch_exptime.reset();
    result = context.engine.Arithmetic(arith);
    created = true;
  }
  CommandCounters& counters = context.counters;
  switch (result.status) {
    case ArithStatus::kOk: {
      if (!created) ++(arith.increment ? counters.incr_hits : counters.decr_hits);
      const ReplyCode code = m.Has('v') ? ReplyCode::kVa : ReplyCode::kHd;
      if (QuietHides(request, code, created)) return;
      const std::int64_t ttl =
          TtlFlagValue(request, result.deadline_before, created, ClockFor(request, context));
      return EncodeArithmeticReply(request, result.value, Cas(context, result.cas), ttl, out);
    }
    case ArithStatus::kNotFound:
      ++(arith.increment ? counters.incr_misses : counters.decr_misses);
      return Reply(request, ReplyCode::kNf, out);
    case ArithStatus::kExists:
      return Reply(request, ReplyCode::kEx, out);
    case ArithStatus::kNonNumeric:
      out += kNonNumeric;
      return;
    case ArithStatus::kNotStored:
      out += created ? kCreateNoMemory : kArithNoMemory;
      return;
    case ArithStatus::kError:
      out += kBackendFailureReply;
      return;
  }
}

void ExecuteDebug(const Request& request, SessionContext& context, std::string& out) {
  ++context.counters.cmd_meta;
  GetRequest get{HashedKey(request.key)};
  get.bump = false;
  get.peek = true;
  const std::int64_t now = context.engine.Now();
  const GetStatus status = context.engine.Get(get, [&](const ItemView& item) {
    DebugFacts facts;
    // memcached prints "now - expiry": the negated remaining TTL.
    facts.exp = item.deadline == 0 ? -1 : now - item.deadline;
    facts.la = std::max<std::int64_t>(now - item.last_access, 0);
    facts.cas = Cas(context, item.cas);
    facts.fetched = item.fetched;
    facts.size = MemcachedItemSize(item.key.size(), item.value.size(), item.client_flags);
    facts.binary_key = item.binary_key;
    EncodeDebugReply(request, facts, out);
  });
  if (status == GetStatus::kError) {
    out += kBackendFailureReply;
  } else if (status != GetStatus::kHit) {
    out += "EN\r\n";
  }
}

}  // namespace

void Execute(const Request& request, SessionContext& context, std::string& out) {
  switch (request.command) {
    case Command::kMetaGet:
      return ExecuteGet(request, context, out);
    case Command::kMetaSet:
      return ExecuteSet(request, context, out);
    case Command::kMetaDelete:
      return ExecuteDelete(request, context, out);
    case Command::kMetaArithmetic:
      return ExecuteArithmetic(request, context, out);
    case Command::kMetaDebug:
      return ExecuteDebug(request, context, out);
    case Command::kMetaNoop:
      return EncodeNoopReply(out);
    default:
      out += "ERROR\r\n";
      return;
  }
}

}  // namespace mnemo::meta

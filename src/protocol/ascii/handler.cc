// Classic ASCII item commands: get/gets/gat/gats, the storage commands, delete, incr/decr and
// touch. Counters move as memcached 1.6.18's do, as observed through `stats`: get counts per
// key, gat counts as touch, cas outcomes count in cas_*, and a storage command counts in cmd_set
// unless it fails for size or memory (memcached fails those before reading the data).
#include "ascii/handler.h"

#include "ascii/domain_internal.h"
#include "ascii/handler_internal.h"
#include "core/text.h"
#include "mnemo/protocol/ascii.h"

namespace mnemo::ascii {
namespace {

using internal::Send;

constexpr std::string_view kBadFormat = "CLIENT_ERROR bad command line format";
constexpr std::string_view kTooLarge = "SERVER_ERROR object too large for cache";

StoreMode ModeOf(Command command) {
  switch (command) {
    case Command::kAdd: return StoreMode::kAdd;
    case Command::kReplace: return StoreMode::kReplace;
    case Command::kAppend: return StoreMode::kAppend;
    case Command::kPrepend: return StoreMode::kPrepend;
    case Command::kCas: return StoreMode::kCas;
    default: return StoreMode::kSet;
  }
}

void CountMiss(GetStatus status, CommandCounters& counters) {
  if (status == GetStatus::kExpired) ++counters.get_expired;
  if (status == GetStatus::kFlushed) ++counters.get_flushed;
}

// gat counts as a touch, not a get; expired and flushed misses count either way.
void CountLookup(bool touch, GetStatus status, CommandCounters& counters) {
  const bool hit = status == GetStatus::kHit;
  if (touch) {
    ++counters.cmd_touch;
    ++(hit ? counters.touch_hits : counters.touch_misses);
  } else {
    ++counters.cmd_get;
    ++(hit ? counters.get_hits : counters.get_misses);
  }
  CountMiss(status, counters);
}

void ExecuteRetrieval(const Request& request, SessionContext& context, std::string& out) {
  const bool touch = request.command == Command::kGat || request.command == Command::kGats;
  const bool with_cas = request.command == Command::kGets || request.command == Command::kGats;
  const std::size_t start = out.size();
  text::Tokenizer keys(request.keys);
  for (std::string_view key = keys.Next(); !key.empty(); key = keys.Next()) {
    if (key.size() > kMaxKeyLength) {
      // memcached drops the VALUEs it already built; the earlier lookups stay counted.
      out.resize(start);
      Send(false, kBadFormat, out);
      return;
    }
    GetRequest get{HashedKey(key)};
    if (touch) get.touch_exptime = request.exptime;
    GetStatus status = context.engine.Get(get, [&](const ItemView& item) {
      if (with_cas) {
        EncodeValue(key, item.client_flags, item.value, context.config.cas_enabled ? item.cas : 0,
                    out);
      } else {
        EncodeValue(key, item.client_flags, item.value, out);
      }
    });
    if (status == GetStatus::kError) {
      // One request, one reply: the whole multi-get fails, as twemproxy fails a multi-get with
      // a failed fragment. Values and END after an error line would be read as later replies.
      out.resize(start);
      Send(false, kBackendFailureLine, out);
      return;
    }
    CountLookup(touch, status, context.counters);
  }
  EncodeEnd(out);
}

// With CAS disabled (-C) every item's CAS reads as 0 and no cas command can match.
void CasWithoutCas(const Request& request, SessionContext& context, std::string& out) {
  GetRequest peek{HashedKey(request.key)};
  peek.bump = false;
  peek.peek = true;
  const bool present = context.engine.Get(peek, [](const ItemView&) {}) == GetStatus::kHit;
  ++(present ? context.counters.cas_badval : context.counters.cas_misses);
  Send(request.quiet, StoreReplyText(present ? StoreStatus::kExists : StoreStatus::kNotFound), out);
}

void CountStore(StoreStatus status, bool is_cas, CommandCounters& counters) {
  switch (status) {
    case StoreStatus::kStored:
      if (is_cas) ++counters.cas_hits;
      break;
    case StoreStatus::kExists: ++counters.cas_badval; break;
    case StoreStatus::kNotFound: ++counters.cas_misses; break;
    case StoreStatus::kTooLarge: ++counters.store_too_large; break;
    case StoreStatus::kNoMemory: ++counters.store_no_memory; break;
    case StoreStatus::kNotStored:
    case StoreStatus::kError: break;
  }
}

void ExecuteStore(const Request& request, SessionContext& context, std::string& out) {
  const StoreMode mode = ModeOf(request.command);
  if (request.oversize) {
    // The value never reached us; memcached does not count it in cmd_set.
    ++context.counters.store_too_large;
    if (mode == StoreMode::kSet) context.engine.Delete(DeleteRequest{HashedKey(request.key)});
    Send(request.quiet, kTooLarge, out);
    return;
  }
  if (mode == StoreMode::kCas && !context.config.cas_enabled) {
    ++context.counters.cmd_set;
    CasWithoutCas(request, context, out);
    return;
  }
  StoreRequest store{HashedKey(request.key)};
  store.mode = mode;
  store.value = request.value;
  store.client_flags = request.client_flags;
  store.exptime = request.exptime;
  if (mode == StoreMode::kCas) store.compare_cas = request.cas;
  const StoreResult result = context.engine.Store(store);
  CountStore(result.status, mode == StoreMode::kCas, context.counters);
  const bool failed =
      result.status == StoreStatus::kTooLarge || result.status == StoreStatus::kNoMemory;
  // memcached fails these while allocating, before the data is read and counted in cmd_set.
  if (!failed) ++context.counters.cmd_set;
  // A set that could not be stored must not leave the old value readable.
  if (failed && mode == StoreMode::kSet) {
    context.engine.Delete(DeleteRequest{HashedKey(request.key)});
  }
  Send(request.quiet, StoreReplyText(result.status), out);
}

void ExecuteDelete(const Request& request, SessionContext& context, std::string& out) {
  const DeleteStatus status = context.engine.Delete(DeleteRequest{HashedKey(request.key)});
  if (status != DeleteStatus::kError) {
    ++(status == DeleteStatus::kDeleted ? context.counters.delete_hits
                                        : context.counters.delete_misses);
  }
  Send(request.quiet, DeleteReplyText(status), out);
}

void ExecuteArithmetic(const Request& request, SessionContext& context, std::string& out) {
  ArithRequest arith{HashedKey(request.key)};
  arith.increment = request.command == Command::kIncr;
  arith.delta = request.delta;
  const ArithResult result = context.engine.Arithmetic(arith);
  CommandCounters& c = context.counters;
  if (result.status == ArithStatus::kOk) {
    ++(arith.increment ? c.incr_hits : c.decr_hits);
    if (!request.quiet) EncodeNumber(result.value, out);
    return;
  }
  if (result.status == ArithStatus::kNotFound) ++(arith.increment ? c.incr_misses : c.decr_misses);
  Send(request.quiet, ArithReplyText(result.status), out);
}

// touch goes through Get so that expired and flushed misses are counted as memcached does;
// like memcached's touch it also marks the item fetched.
void ExecuteTouch(const Request& request, SessionContext& context, std::string& out) {
  GetRequest get{HashedKey(request.key)};
  get.touch_exptime = request.exptime;
  const GetStatus status = context.engine.Get(get, [](const ItemView&) {});
  if (status == GetStatus::kError) {
    Send(request.quiet, TouchReplyText(TouchStatus::kError), out);
    return;
  }
  CommandCounters& c = context.counters;
  ++c.cmd_touch;
  ++(status == GetStatus::kHit ? c.touch_hits : c.touch_misses);
  CountMiss(status, c);
  const TouchStatus touched =
      status == GetStatus::kHit ? TouchStatus::kTouched : TouchStatus::kNotFound;
  Send(request.quiet, TouchReplyText(touched), out);
}

}  // namespace

namespace internal {

void Send(bool quiet, std::string_view line, std::string& out) {
  if (!quiet) EncodeLine(line, out);
}

}  // namespace internal

void AppendError(const Request& request, std::string& out) {
  if (!request.error.empty()) Send(request.quiet, request.error, out);
}

void Execute(const Request& request, SessionContext& context, std::string& out) {
  switch (request.command) {
    case Command::kGet:
    case Command::kGets:
    case Command::kGat:
    case Command::kGats: return ExecuteRetrieval(request, context, out);
    case Command::kSet:
    case Command::kAdd:
    case Command::kReplace:
    case Command::kAppend:
    case Command::kPrepend:
    case Command::kCas: return ExecuteStore(request, context, out);
    case Command::kDelete: return ExecuteDelete(request, context, out);
    case Command::kIncr:
    case Command::kDecr: return ExecuteArithmetic(request, context, out);
    case Command::kTouch: return ExecuteTouch(request, context, out);
    case Command::kAdmin: return internal::ExecuteAdmin(request, context, out);
    case Command::kServers:
    case Command::kDomainUpdate:
    case Command::kClients: return internal::ExecuteDomain(request, context, out);
    default: return internal::ExecuteServerCommand(request, context, out);
  }
}

}  // namespace mnemo::ascii

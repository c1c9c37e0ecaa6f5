#include "binary/handler.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "binary/sasl.h"
#include "mnemo/engine.h"
#include "mnemo/key.h"
#include "mnemo/protocol/binary.h"

namespace mnemo::binary {
namespace {

// memcached's reply when a store cannot get memory (more specific than StatusText's).
constexpr std::string_view kStoreNoMemoryText = "Out of memory allocating item";

class Executor {
 public:
  Executor(const Request& request, SessionContext& context, std::string& out)
      : request_(request), context_(context), counters_(context.counters), out_(out) {}

  void Run();

 private:
  ResponseFields Fields(Status status, std::uint64_t cas = 0) const {
    return {static_cast<Opcode>(request_.opcode), status, request_.opaque,
            context_.config.cas_enabled ? cas : 0};
  }
  std::uint64_t RequestCas() const { return context_.config.cas_enabled ? request_.cas : 0; }
  void Error(Status status, std::string_view text = {}) {
    AppendStatusError(static_cast<Opcode>(request_.opcode), status, request_.opaque, out_, text);
  }
  // A success without a body; quiet opcodes send nothing.
  void Success(std::uint64_t cas = 0) {
    if (!request_.quiet) AppendResponse(Fields(Status::kSuccess, cas), {}, {}, {}, out_);
  }
  // An engine's kError (mnemo/protocol/response.h); sent even for quiet opcodes, as errors are.
  void BackendFailure() { Error(Status::kTemporaryFailure, kBackendFailure); }
  // GetK and GATK report a miss with the key and no text; the others with "Not found".
  void Miss() {
    if (request_.quiet) return;
    if (request_.return_key) {
      AppendResponse(Fields(Status::kKeyNotFound), {}, request_.key, {}, out_);
    } else {
      Error(Status::kKeyNotFound);
    }
  }

  void Get();
  void Touch();
  void Store();
  void StoreResultReply(StoreMode mode, const StoreResult& result);
  void Delete();
  void Arithmetic();
  void Flush();
  void Stats();

  const Request& request_;
  SessionContext& context_;
  CommandCounters& counters_;
  std::string& out_;
};

void Executor::Run() {
  if (RefuseUnauthenticated(request_, context_, out_)) return;
  switch (request_.command) {
    case Command::kGet:
      return Get();
    case Command::kTouch:
    case Command::kGat:
      return Touch();
    case Command::kSet:
    case Command::kAdd:
    case Command::kReplace:
    case Command::kAppend:
    case Command::kPrepend:
      return Store();
    case Command::kDelete:
      return Delete();
    case Command::kIncr:
    case Command::kDecr:
      return Arithmetic();
    case Command::kFlushAll:
      return Flush();
    case Command::kStats:
      return Stats();
    case Command::kSaslListMechs:
    case Command::kSaslAuth:
    case Command::kSaslStep:
      return ExecuteSasl(request_, context_, out_);
    case Command::kNoop:
      return AppendResponse(Fields(Status::kSuccess), {}, {}, {}, out_);
    case Command::kVersion:
      return AppendVersion(request_.opaque, context_.config.version, out_);
    case Command::kQuit:
      Success();
      context_.close = true;
      return;
    default:
      // An unknown opcode too large to buffer (kNone), or a command binary does not have.
      return Error(Status::kUnknownCommand);
  }
}

void Executor::Get() {
  ++counters_.cmd_get;
  GetRequest get{HashedKey(request_.key)};
  const std::string_view key = request_.return_key ? request_.key : std::string_view();
  GetStatus status = context_.engine.Get(get, [&](const ItemView& item) {
    AppendGetHit(Fields(Status::kSuccess, item.cas), item.client_flags, key, item.value, out_);
  });
  if (status == GetStatus::kHit) {
    ++counters_.get_hits;
    return;
  }
  if (status == GetStatus::kError) return BackendFailure();
  ++counters_.get_misses;
  if (status == GetStatus::kExpired) ++counters_.get_expired;
  if (status == GetStatus::kFlushed) ++counters_.get_flushed;
  Miss();
}

// Touch and the GAT family: memcached counts both as touches, never as gets. A touch hit
// answers like a get hit without the value.
void Executor::Touch() {
  ++counters_.cmd_touch;
  GetRequest get{HashedKey(request_.key)};
  get.touch_exptime = request_.exptime;
  const std::string_view key = request_.return_key ? request_.key : std::string_view();
  const bool with_value = request_.command == Command::kGat;
  GetStatus status = context_.engine.Get(get, [&](const ItemView& item) {
    AppendGetHit(Fields(Status::kSuccess, item.cas), item.client_flags, key,
                 with_value ? item.value : std::string_view(), out_);
  });
  if (status == GetStatus::kHit) {
    ++counters_.touch_hits;
    return;
  }
  if (status == GetStatus::kError) return BackendFailure();
  ++counters_.touch_misses;
  Miss();
}

StoreMode ModeOf(Command command) {
  switch (command) {
    case Command::kAdd:
      return StoreMode::kAdd;
    case Command::kReplace:
      return StoreMode::kReplace;
    case Command::kAppend:
      return StoreMode::kAppend;
    case Command::kPrepend:
      return StoreMode::kPrepend;
    default:
      return StoreMode::kSet;
  }
}

void Executor::Store() {
  const HashedKey key(request_.key);
  // A set that fails for size must not leave the old value readable (memcached unlinks it);
  // the other modes keep it.
  auto too_large = [&] {
    if (request_.command == Command::kSet) context_.engine.Delete(DeleteRequest{key});
    Error(Status::kTooLarge);
  };
  if (request_.oversize) return too_large();
  StoreRequest store{key};
  store.mode = ModeOf(request_.command);
  store.value = request_.value;
  store.client_flags = request_.client_flags;
  store.exptime = request_.exptime;
  store.compare_cas = RequestCas();
  // With a CAS, binary set, add and replace all behave as cas: a missing key is "Not found"
  // and a matching add succeeds. Append and prepend only compare.
  const bool is_cas =
      store.compare_cas != 0 && (store.mode == StoreMode::kSet || store.mode == StoreMode::kAdd ||
                                 store.mode == StoreMode::kReplace);
  if (is_cas) store.mode = StoreMode::kCas;
  StoreResult result = context_.engine.Store(store);
  if (result.status == StoreStatus::kTooLarge) return too_large();
  ++counters_.cmd_set;
  if (is_cas) {
    if (result.status == StoreStatus::kStored) ++counters_.cas_hits;
    if (result.status == StoreStatus::kExists) ++counters_.cas_badval;
    if (result.status == StoreStatus::kNotFound) ++counters_.cas_misses;
  }
  StoreResultReply(store.mode, result);
}

void Executor::StoreResultReply(StoreMode mode, const StoreResult& result) {
  switch (result.status) {
    case StoreStatus::kStored:
      return Success(result.cas);
    case StoreStatus::kNotStored:
      // add on a live key is "exists", replace on a missing one "not found".
      if (mode == StoreMode::kAdd) return Error(Status::kKeyExists);
      if (mode == StoreMode::kReplace) return Error(Status::kKeyNotFound);
      return Error(Status::kNotStored);
    case StoreStatus::kExists:
      return Error(Status::kKeyExists);
    case StoreStatus::kNotFound:
      return Error(Status::kKeyNotFound);
    case StoreStatus::kTooLarge:
      return Error(Status::kTooLarge);
    case StoreStatus::kNoMemory:
      return Error(Status::kOutOfMemory, kStoreNoMemoryText);
    case StoreStatus::kError:
      return BackendFailure();
  }
}

void Executor::Delete() {
  DeleteRequest del{HashedKey(request_.key)};
  del.compare_cas = RequestCas();
  switch (context_.engine.Delete(del)) {
    case DeleteStatus::kDeleted:
      ++counters_.delete_hits;
      return Success();
    case DeleteStatus::kNotFound:
      ++counters_.delete_misses;
      return Error(Status::kKeyNotFound);
    case DeleteStatus::kExists:
      return Error(Status::kKeyExists);
    case DeleteStatus::kError:
      return BackendFailure();
  }
}

// memcached tries the delta first and creates the counter only on a miss; a created counter
// counts as neither hit nor miss. The header CAS is not checked when creating.
void Executor::Arithmetic() {
  const bool incr = request_.command == Command::kIncr;
  ArithRequest arith{HashedKey(request_.key)};
  arith.increment = incr;
  arith.delta = request_.delta;
  arith.compare_cas = RequestCas();
  ArithResult result = context_.engine.Arithmetic(arith);
  bool created = false;
  if (result.status == ArithStatus::kNotFound && request_.create_on_miss) {
    arith.create_exptime = request_.exptime;
    arith.initial = request_.initial;
    arith.compare_cas = 0;
    result = context_.engine.Arithmetic(arith);
    created = true;
  }
  switch (result.status) {
    case ArithStatus::kOk:
      if (!created) ++(incr ? counters_.incr_hits : counters_.decr_hits);
      if (!request_.quiet) AppendCounter(Fields(Status::kSuccess, result.cas), result.value, out_);
      return;
    case ArithStatus::kNotFound:
      ++(incr ? counters_.incr_misses : counters_.decr_misses);
      return Error(Status::kKeyNotFound);
    case ArithStatus::kNonNumeric:
      return Error(Status::kNonNumeric);
    case ArithStatus::kExists:
      return Error(Status::kKeyExists);
    case ArithStatus::kNotStored:
      return Error(Status::kNotStored);
    case ArithStatus::kError:
      return BackendFailure();
  }
}

void Executor::Flush() {
  // memcached -F refuses with an auth error, which even FlushQ sends.
  if (!context_.config.flush_enabled) return Error(Status::kAuthError);
  ++counters_.cmd_flush;
  context_.engine.FlushAll(request_.has_number ? request_.number : 0);
  Success();
}

// One packet per stat, then an empty terminator; an unknown group is "Not found".
void Executor::Stats() {
  const std::string_view group = request_.key;
  if (group == "reset") {
    counters_.Reset();
    context_.hooks.ResetStats();
    return AppendStatEnd(request_.opaque, out_);
  }
  const std::size_t mark = out_.size();
  const bool known =
      CollectStats(context_, group, [&](std::string_view name, std::string_view value) {
        AppendStat(request_.opaque, name, value, out_);
      });
  if (!known) {
    out_.resize(mark);
    return Error(Status::kKeyNotFound);
  }
  AppendStatEnd(request_.opaque, out_);
}

}  // namespace

void Execute(const Request& request, SessionContext& context, std::string& out) {
  Executor(request, context, out).Run();
}

}  // namespace mnemo::binary

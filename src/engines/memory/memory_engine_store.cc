// MemoryEngine's writes: the store modes and incr/decr. Every rule here is memcached 1.6.18's
// as the MapEngine states it; what differs is only where the bytes go.
#include <cstring>

#include "engines/memory/memory_engine.h"
#include "mnemo/item_rules.h"

namespace mnemo {
namespace {

using memory::ItemRef;
using memory::ItemSpec;

// Copies `bytes` to `out` and returns the end; memcpy must not see the null data() of an
// empty view.
char* Put(char* out, std::string_view bytes) {
  if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
  return out + bytes.size();
}

void RefreshAccess(ItemRef item, std::uint32_t now) {
  if (std::int64_t{item.last_access()} + kAccessUpdateInterval < now) item.set_last_access(now);
}

}  // namespace

StoreResult MemoryEngine::Store(const StoreRequest& request) {
  const std::int64_t now = clock_.Now();
  StoreMode mode = request.mode;
  // As memcached: set and replace with a CAS behave as cas; add ignores the CAS.
  if (request.compare_cas != 0 && (mode == StoreMode::kSet || mode == StoreMode::kReplace)) {
    mode = StoreMode::kCas;
  }
  // For append/prepend memcached checks the new piece here (with the request's flags) and the
  // grown item later.
  if (!ItemFits(request.key.key().size(), request.value.size(), config_.item_size_max,
                request.client_flags)) {
    // A failed set must not leave the old value readable (memcached unlinks it).
    if (request.mode == StoreMode::kSet) {
      Shard& shard = ShardFor(request.key);
      std::lock_guard lock(shard.mu());
      Shard::Found found = shard.Find(request.key);
      if (found) shard.Unlink(found, memory::UnlinkReason::kRemoved, Rel(now));
    }
    return {StoreStatus::kTooLarge, 0};
  }
  return WithRoom<StoreResult>(request.key, [&](Shard& shard, bool last) {
    return StoreLocked(shard, request, mode, now, last);
  });
}

std::optional<StoreResult> MemoryEngine::StoreLocked(Shard& shard, const StoreRequest& request,
                                                     StoreMode mode, std::int64_t now, bool last) {
  Shard::Found old = shard.FindLive(request.key, Rel(now));
  ItemSpec spec = NewSpec(request.key, now);
  spec.client_flags = request.client_flags;
  spec.deadline = RelDeadline(ToDeadline(request.exptime, now));
  spec.value_length = request.value.size();
  spec.binary_key = request.binary_key;
  std::optional<StoreResult> refused =
      old ? CheckExisting(shard, request, mode, old.item, now, &spec)
          : CheckMissing(request, mode, now, &spec);
  if (refused) return refused;
  const bool splice = old && (mode == StoreMode::kAppend || mode == StoreMode::kPrepend);
  const std::uint64_t old_cas = old ? old.item.cas() : 0;
  Shard::NewItemRef created = shard.NewItem(spec, Rel(now));
  if (!created) {
    if (!last) return std::nullopt;
    ++shard.stats().classes[memory::ClassOf(spec.value_length + spec.key.size())].outofmemory;
    return StoreResult{StoreStatus::kNoMemory, 0};
  }
  char* out = created.item.mutable_value();
  if (splice) {
    // Making room may have moved the old item, or evicted it: then the append has nothing
    // to append to, as if the eviction had come first.
    Shard::Found again = shard.Find(request.key);
    if (!again || again.item.cas() != old_cas) {
      shard.Abandon(created);
      return StoreResult{StoreStatus::kNotStored, 0};
    }
    const std::string_view prev = again.item.value();
    if (mode == StoreMode::kAppend) {
      Put(Put(out, prev), request.value);
    } else {
      Put(Put(out, request.value), prev);
    }
  } else {
    Put(out, request.value);
  }
  created.item.set_cas(NextCas(request.new_cas));
  shard.Link(request.key, created);
  ++shard.counters_for(created.item).cmd_set;
  return StoreResult{StoreStatus::kStored, created.item.cas()};
}

std::optional<StoreResult> MemoryEngine::CheckMissing(const StoreRequest& request, StoreMode mode,
                                                      std::int64_t now, ItemSpec* spec) const {
  switch (mode) {
    case StoreMode::kSet:
    case StoreMode::kAdd:
      return std::nullopt;
    case StoreMode::kCas:
      return StoreResult{StoreStatus::kNotFound, 0};
    case StoreMode::kAppend:
    case StoreMode::kPrepend:
      // meta N on append/prepend (after 1.6.18): the value alone becomes the new item.
      if (!request.vivify_exptime) return StoreResult{StoreStatus::kNotStored, 0};
      spec->deadline = RelDeadline(ToDeadline(*request.vivify_exptime, now));
      return std::nullopt;
    case StoreMode::kReplace:
      return StoreResult{StoreStatus::kNotStored, 0};
  }
  return std::nullopt;
}

std::optional<StoreResult> MemoryEngine::CheckExisting(Shard& shard, const StoreRequest& request,
                                                       StoreMode mode, ItemRef old,
                                                       std::int64_t now, ItemSpec* spec) {
  const CasCheck cas = CompareCas(request.compare_cas, old.cas(), request.invalidate);
  memory::ClassCounters& counters = shard.counters_for(old);
  switch (mode) {
    case StoreMode::kAdd:
      // add fails on a live item but counts as a use of it.
      RefreshAccess(old, Rel(now));
      old.set_frequency(memory::S3Fifo::Accessed(old.frequency()));
      return StoreResult{StoreStatus::kNotStored, 0};
    case StoreMode::kCas:
      if (cas == CasCheck::kStale) {
        // The stale value keeps the item's TTL and any recache token already handed out.
        spec->deadline = old.deadline();
        spec->bits = memory::kStale | (old.bits() & memory::kTokenSent);
      } else if (cas != CasCheck::kMatch) {
        ++counters.cas_badval;
        return StoreResult{StoreStatus::kExists, 0};
      }
      ++counters.cas_hits;
      return std::nullopt;
    case StoreMode::kAppend:
    case StoreMode::kPrepend:
      if (cas != CasCheck::kNone && cas != CasCheck::kMatch) {
        return StoreResult{StoreStatus::kExists, 0};
      }
      spec->value_length = old.value_length() + request.value.size();
      // memcached cannot allocate the grown item and answers NOT_STORED, not "too large".
      if (!ItemFits(request.key.key().size(), spec->value_length, config_.item_size_max,
                    old.client_flags())) {
        return StoreResult{StoreStatus::kNotStored, 0};
      }
      spec->client_flags = old.client_flags();
      spec->deadline = old.deadline();
      spec->binary_key = false;  // the joined item is built afresh, without the bit
      return std::nullopt;
    case StoreMode::kSet:
    case StoreMode::kReplace:
      return std::nullopt;
  }
  return std::nullopt;
}

ArithResult MemoryEngine::Arithmetic(const ArithRequest& request) {
  const std::int64_t now = clock_.Now();
  return WithRoom<ArithResult>(request.key, [&](Shard& shard, bool last) {
    Shard::Found found = shard.FindLive(request.key, Rel(now));
    if (found) return ApplyDelta(shard, request, found.item, now, last);
    if (request.create_exptime) return CreateCounter(shard, request, now, last);
    return std::optional<ArithResult>(ArithResult{ArithStatus::kNotFound});
  });
}

std::optional<ArithResult> MemoryEngine::ApplyDelta(Shard& shard, const ArithRequest& request,
                                                    ItemRef item, std::int64_t now, bool last) {
  // memcached rejects an empty value before it looks at the CAS.
  if (item.value_length() == 0) return ArithResult{ArithStatus::kNonNumeric};
  if (request.compare_cas != 0 && request.compare_cas != item.cas()) {
    return ArithResult{ArithStatus::kExists};
  }
  std::optional<std::uint64_t> number = ParseCounter(item.value());
  if (!number) return ArithResult{ArithStatus::kNonNumeric};
  std::uint64_t value = 0;
  if (request.increment) {
    value = *number + request.delta;  // wraps modulo 2^64 as memcached does
  } else {
    value = request.delta > *number ? 0 : *number - request.delta;
  }
  const std::string text = FormatCounter(value, item.value_length());
  ItemRef target = item;
  if (text.size() == item.value_length()) {
    // The result fits: memcached rewrites the value in place and keeps the item's state.
    Put(item.mutable_value(), text);
    item.set_cas(NextCas(request.new_cas));
    RefreshAccess(item, Rel(now));
  } else {
    if (!ItemFits(request.key.key().size(), text.size(), config_.item_size_max,
                  item.client_flags())) {
      return ArithResult{ArithStatus::kNotStored};
    }
    ItemSpec spec = NewSpec(request.key, now);
    spec.client_flags = item.client_flags();
    spec.deadline = item.deadline();
    std::optional<ItemRef> grown = Replace(shard, request.key, spec, text, request.new_cas, now);
    if (!grown) {
      if (!last) return std::nullopt;
      return ArithResult{ArithStatus::kNotStored};
    }
    target = *grown;
  }
  const std::int64_t before = AbsDeadline(target.deadline());
  if (request.touch_exptime) {
    shard.SetDeadline(shard.Find(request.key),
                      RelDeadline(ToDeadline(*request.touch_exptime, now)));
  }
  memory::ClassCounters& counters = shard.counters_for(target);
  ++(request.increment ? counters.incr_hits : counters.decr_hits);
  return ArithResult{ArithStatus::kOk, value, target.cas(), AbsDeadline(target.deadline()), before};
}

std::optional<ArithResult> MemoryEngine::CreateCounter(Shard& shard, const ArithRequest& request,
                                                       std::int64_t now, bool last) {
  const std::string text = FormatCounter(request.initial, 0);
  if (!ItemFits(request.key.key().size(), text.size(), config_.item_size_max)) {
    return ArithResult{ArithStatus::kNotStored};
  }
  ItemSpec spec = NewSpec(request.key, now);
  spec.deadline = RelDeadline(ToDeadline(*request.create_exptime, now));
  std::optional<ItemRef> created = Replace(shard, request.key, spec, text, request.new_cas, now);
  if (!created) {
    if (!last) return std::nullopt;
    return ArithResult{ArithStatus::kNotStored};
  }
  const std::int64_t before = AbsDeadline(created->deadline());
  if (request.touch_exptime) {
    shard.SetDeadline(shard.Find(request.key),
                      RelDeadline(ToDeadline(*request.touch_exptime, now)));
  }
  return ArithResult{ArithStatus::kOk, request.initial, created->cas(),
                     AbsDeadline(created->deadline()), before};
}

std::optional<ItemRef> MemoryEngine::Replace(Shard& shard, const HashedKey& key, ItemSpec spec,
                                             std::string_view value, std::uint64_t new_cas,
                                             std::int64_t now) {
  spec.value_length = value.size();
  Shard::NewItemRef created = shard.NewItem(spec, Rel(now));
  if (!created) return std::nullopt;
  Put(created.item.mutable_value(), value);
  created.item.set_cas(NextCas(new_cas));
  shard.Link(key, created);
  return created.item;
}

}  // namespace mnemo

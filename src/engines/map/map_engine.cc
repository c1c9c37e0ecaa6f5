#include "engines/map/map_engine.h"

#include <utility>

#include "mnemo/item_rules.h"

namespace mnemo {

MapEngine::MapEngine(const Clock& clock, MapEngineConfig config) : clock_(clock), config_(config) {}

MapEngine::~MapEngine() = default;

MapEngine::Liveness MapEngine::Check(const Item& item, std::int64_t now) const {
  // memcached tests the flush before the expiry, so a flushed item counts as flushed.
  if (item.flushed) return Liveness::kFlushed;
  if (flush_moment_ && now >= *flush_moment_ && item.stored_at <= *flush_moment_) {
    return Liveness::kFlushed;
  }
  if (IsExpired(item.deadline, now)) return Liveness::kExpired;
  return Liveness::kLive;
}

MapEngine::Map::iterator MapEngine::FindLive(std::string_view key, std::int64_t now,
                                             GetStatus* miss) {
  auto it = items_.find(key);
  if (it == items_.end()) {
    if (miss != nullptr) *miss = GetStatus::kMiss;
    return it;
  }
  Liveness liveness = Check(it->second, now);
  if (liveness == Liveness::kLive) return it;
  if (miss != nullptr) {
    *miss = liveness == Liveness::kExpired ? GetStatus::kExpired : GetStatus::kFlushed;
  }
  ++counters_.reclaimed;
  if (!it->second.fetched) ++counters_.expired_unfetched;
  items_.erase(it);
  return items_.end();
}

MapEngine::Item& MapEngine::Link(std::string_view key, Item item, std::uint64_t new_cas,
                                 std::int64_t now) {
  item.cas = NextCas(new_cas);
  item.last_access = now;
  item.stored_at = now;
  item.fetched = false;
  item.flushed = false;
  ++counters_.total_items;
  auto [it, inserted] = items_.insert_or_assign(std::string(key), std::move(item));
  return it->second;
}

std::uint64_t MapEngine::NextCas(std::uint64_t requested) {
  return requested != 0 ? requested : ++last_cas_;
}

void MapEngine::Bump(Item& item, std::int64_t now) {
  item.fetched = true;
  item.last_access = now;
}

void MapEngine::SettlePendingFlush(std::int64_t now) {
  if (!flush_moment_ || now < *flush_moment_) return;
  for (auto& [key, item] : items_) {
    if (item.stored_at <= *flush_moment_) item.flushed = true;
  }
  flush_moment_.reset();
}

ItemView MapEngine::View(std::string_view key, const Item& item) const {
  ItemView view;
  view.key = key;
  view.value = item.value;
  view.client_flags = item.client_flags;
  view.cas = item.cas;
  view.deadline = item.deadline;
  view.last_access = item.last_access;
  view.fetched = item.fetched;
  view.stale = item.stale;
  view.deadline_before = item.deadline;
  view.binary_key = item.binary_key;
  return view;
}

GetStatus MapEngine::Get(const GetRequest& request, ItemVisitor on_hit) {
  std::lock_guard lock(mu_);
  const std::int64_t now = clock_.Now();
  GetStatus miss = GetStatus::kMiss;
  auto it = FindLive(request.key.key(), now, &miss);
  if (it == items_.end()) {
    if (request.vivify_exptime && !request.peek) return Vivify(request, now, on_hit);
    return miss;
  }
  Item& item = it->second;
  ItemView view = View(it->first, item);  // access state from before this request
  view.lost = item.token_sent;
  if (request.peek) {
    on_hit(view);
    return GetStatus::kHit;
  }
  if (request.touch_exptime) {
    item.deadline = ToDeadline(*request.touch_exptime, now);
    ++counters_.touch_hits;
  }
  // One recache token per item: the first fetcher of a stale item, or the first to see the
  // remaining TTL under its R threshold, wins (W); later fetchers see it taken (Z).
  bool won = false;
  if (request.recache_ttl && !item.token_sent && item.deadline != 0 &&
      item.deadline < ToDeadline(*request.recache_ttl, now)) {
    won = true;
  }
  if (item.stale && !item.token_sent) won = true;
  if (won) item.token_sent = true;
  view.win = won;
  view.deadline = item.deadline;
  if (request.bump) Bump(item, now);
  ++counters_.get_hits;
  on_hit(view);
  return GetStatus::kHit;
}

GetStatus MapEngine::Vivify(const GetRequest& request, std::int64_t now, ItemVisitor on_hit) {
  Item stub;
  stub.deadline = ToDeadline(*request.vivify_exptime, now);
  stub.token_sent = true;  // this caller wins; everyone else sees Z until a real store
  Item& item = Link(request.key.key(), std::move(stub), 0, now);
  ItemView view = View(request.key.key(), item);
  view.win = true;
  view.vivified = true;
  if (request.bump) Bump(item, now);
  on_hit(view);
  return GetStatus::kHit;
}

StoreResult MapEngine::Store(const StoreRequest& request) {
  std::lock_guard lock(mu_);
  const std::int64_t now = clock_.Now();
  const std::string_view key = request.key.key();
  StoreMode mode = request.mode;
  // As memcached: set and replace with a CAS behave as cas; add ignores the CAS.
  if (request.compare_cas != 0 && (mode == StoreMode::kSet || mode == StoreMode::kReplace)) {
    mode = StoreMode::kCas;
  }
  // For append/prepend memcached checks the new piece here (with the request's flags) and the
  // grown item later.
  if (!ItemFits(key.size(), request.value.size(), config_.item_size_max, request.client_flags)) {
    // A failed set must not leave the old value readable (memcached unlinks it).
    if (request.mode == StoreMode::kSet) {
      auto it = items_.find(key);
      if (it != items_.end()) items_.erase(it);
    }
    return {StoreStatus::kTooLarge, 0};
  }
  auto it = FindLive(key, now);
  StoreResult result = it != items_.end() ? StoreExisting(request, mode, it->second, now)
                                          : StoreMissing(request, mode, now);
  if (result.status == StoreStatus::kStored) ++counters_.cmd_set;
  return result;
}

StoreResult MapEngine::StoreExisting(const StoreRequest& request, StoreMode mode, Item& old,
                                     std::int64_t now) {
  const CasCheck cas = CompareCas(request.compare_cas, old.cas, request.invalidate);
  Item item;
  item.value = std::string(request.value);
  item.client_flags = request.client_flags;
  item.deadline = ToDeadline(request.exptime, now);
  item.binary_key = request.binary_key;
  switch (mode) {
    case StoreMode::kAdd:
      // add fails on a live item but counts as a use of it.
      if (old.last_access < now - kAccessUpdateInterval) old.last_access = now;
      return {StoreStatus::kNotStored, 0};
    case StoreMode::kCas:
      if (cas == CasCheck::kStale) {
        // The stale value keeps the item's TTL and any recache token already handed out.
        item.deadline = old.deadline;
        item.stale = true;
        item.token_sent = old.token_sent;
      } else if (cas != CasCheck::kMatch) {
        ++counters_.cas_badval;
        return {StoreStatus::kExists, 0};
      }
      ++counters_.cas_hits;
      break;
    case StoreMode::kAppend:
    case StoreMode::kPrepend: {
      if (cas != CasCheck::kNone && cas != CasCheck::kMatch) return {StoreStatus::kExists, 0};
      item.value = mode == StoreMode::kAppend ? old.value + item.value : item.value + old.value;
      // memcached cannot allocate the grown item and answers NOT_STORED, not "too large".
      if (!ItemFits(request.key.key().size(), item.value.size(), config_.item_size_max,
                    old.client_flags)) {
        return {StoreStatus::kNotStored, 0};
      }
      item.client_flags = old.client_flags;
      item.deadline = old.deadline;
      item.binary_key = false;  // the joined item is built afresh, without the bit
      break;
    }
    case StoreMode::kSet:
    case StoreMode::kReplace:
      break;
  }
  Item& linked = Link(request.key.key(), std::move(item), request.new_cas, now);
  return {StoreStatus::kStored, linked.cas};
}

StoreResult MapEngine::StoreMissing(const StoreRequest& request, StoreMode mode, std::int64_t now) {
  Item item;
  item.value = std::string(request.value);
  item.client_flags = request.client_flags;
  item.deadline = ToDeadline(request.exptime, now);
  item.binary_key = request.binary_key;
  switch (mode) {
    case StoreMode::kSet:
    case StoreMode::kAdd:
      break;
    case StoreMode::kCas:
      return {StoreStatus::kNotFound, 0};
    case StoreMode::kAppend:
    case StoreMode::kPrepend:
      // meta N on append/prepend (after 1.6.18): the value alone becomes the new item.
      if (!request.vivify_exptime) return {StoreStatus::kNotStored, 0};
      item.deadline = ToDeadline(*request.vivify_exptime, now);
      break;
    case StoreMode::kReplace:
      return {StoreStatus::kNotStored, 0};
  }
  Item& linked = Link(request.key.key(), std::move(item), request.new_cas, now);
  return {StoreStatus::kStored, linked.cas};
}

DeleteStatus MapEngine::Delete(const DeleteRequest& request) {
  std::lock_guard lock(mu_);
  const std::int64_t now = clock_.Now();
  auto it = FindLive(request.key.key(), now);
  if (it == items_.end()) return DeleteStatus::kNotFound;
  Item& item = it->second;
  if (request.compare_cas != 0 && request.compare_cas != item.cas) return DeleteStatus::kExists;
  if (request.invalidate) {
    // The item stays, served as stale, and the next fetcher may win the token again.
    if (request.invalidate_exptime) item.deadline = ToDeadline(*request.invalidate_exptime, now);
    item.stale = true;
    item.token_sent = false;
    item.cas = NextCas(request.new_cas);
  } else {
    items_.erase(it);
  }
  ++counters_.delete_hits;
  return DeleteStatus::kDeleted;
}

ArithResult MapEngine::Arithmetic(const ArithRequest& request) {
  std::lock_guard lock(mu_);
  const std::int64_t now = clock_.Now();
  auto it = FindLive(request.key.key(), now);
  if (it != items_.end()) return ApplyDelta(request, it->second, now);
  if (request.create_exptime) return CreateCounter(request, now);
  return {ArithStatus::kNotFound};
}

ArithResult MapEngine::CreateCounter(const ArithRequest& request, std::int64_t now) {
  Item item;
  item.value = FormatCounter(request.initial, 0);
  if (!ItemFits(request.key.key().size(), item.value.size(), config_.item_size_max)) {
    return {ArithStatus::kNotStored};
  }
  item.deadline = ToDeadline(*request.create_exptime, now);
  Item& linked = Link(request.key.key(), std::move(item), request.new_cas, now);
  const std::int64_t before = linked.deadline;
  if (request.touch_exptime) linked.deadline = ToDeadline(*request.touch_exptime, now);
  return {ArithStatus::kOk, request.initial, linked.cas, linked.deadline, before};
}

ArithResult MapEngine::ApplyDelta(const ArithRequest& request, Item& item, std::int64_t now) {
  // memcached rejects an empty value before it looks at the CAS.
  if (item.value.empty()) return {ArithStatus::kNonNumeric};
  if (request.compare_cas != 0 && request.compare_cas != item.cas) return {ArithStatus::kExists};
  std::optional<std::uint64_t> number = ParseCounter(item.value);
  if (!number) return {ArithStatus::kNonNumeric};
  std::uint64_t value = 0;
  if (request.increment) {
    value = *number + request.delta;  // wraps modulo 2^64 as memcached does
  } else {
    value = request.delta > *number ? 0 : *number - request.delta;
  }
  std::string text = FormatCounter(value, item.value.size());
  Item* target = &item;
  if (text.size() == item.value.size()) {
    // The result fits: memcached rewrites the value in place and keeps the item's state.
    item.value = std::move(text);
    item.cas = NextCas(request.new_cas);
    item.stored_at = now;
    if (item.last_access < now - kAccessUpdateInterval) item.last_access = now;
  } else {
    if (!ItemFits(request.key.key().size(), text.size(), config_.item_size_max,
                  item.client_flags)) {
      return {ArithStatus::kNotStored};
    }
    Item grown;
    grown.value = std::move(text);
    grown.client_flags = item.client_flags;
    grown.deadline = item.deadline;
    target = &Link(request.key.key(), std::move(grown), request.new_cas, now);
  }
  const std::int64_t before = target->deadline;
  if (request.touch_exptime) target->deadline = ToDeadline(*request.touch_exptime, now);
  ++(request.increment ? counters_.incr_hits : counters_.decr_hits);
  return {ArithStatus::kOk, value, target->cas, target->deadline, before};
}

TouchStatus MapEngine::Touch(const HashedKey& key, std::int64_t exptime) {
  std::lock_guard lock(mu_);
  const std::int64_t now = clock_.Now();
  auto it = FindLive(key.key(), now);
  if (it == items_.end()) return TouchStatus::kNotFound;
  it->second.deadline = ToDeadline(exptime, now);
  Bump(it->second, now);
  ++counters_.touch_hits;
  return TouchStatus::kTouched;
}

void MapEngine::FlushAll(std::int64_t delay) {
  std::lock_guard lock(mu_);
  const std::int64_t now = clock_.Now();
  SettlePendingFlush(now);
  if (delay > 0) {
    // memcached's oldest_live is one second before the requested moment, and it applies
    // once the clock reaches it; a moment already reached flushes right away.
    std::int64_t moment = ToDeadline(delay, now) - 1;
    if (moment > now) {
      flush_moment_ = moment;
      return;
    }
  }
  // Immediate: everything stored so far is gone, including items stored earlier this second
  // (memcached uses the CAS counter for that); items stored after this call survive.
  flush_moment_.reset();
  for (auto& [key, item] : items_) item.flushed = true;
}

void MapEngine::ForEach(FunctionRef<bool(const ItemView&)> visit) {
  std::lock_guard lock(mu_);
  const std::int64_t now = clock_.Now();
  for (const auto& [key, item] : items_) {
    if (Check(item, now) != Liveness::kLive) continue;
    if (!visit(View(key, item))) break;
  }
}

}  // namespace mnemo

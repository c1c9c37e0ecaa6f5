// WriteOps: the store modes and incr/decr, as MapEngine does them.
#include <string>
#include <utility>

#include "engines/sqlite/write_ops.h"
#include "mnemo/item_rules.h"

namespace mnemo::sqlite {

Result<StoreResult> WriteOps::Store(const StoreRequest& request) {
  const std::int64_t now = shared_.Now();
  const std::string_view key = request.key.key();
  StoreMode mode = request.mode;
  // As memcached: set and replace with a CAS behave as cas; add ignores the CAS.
  if (request.compare_cas != 0 && (mode == StoreMode::kSet || mode == StoreMode::kReplace)) {
    mode = StoreMode::kCas;
  }
  const std::size_t item_size_max = shared_.config().item_size_max;
  if (!ItemFits(key.size(), request.value.size(), item_size_max, request.client_flags)) {
    // A failed set must not leave the old value readable (memcached unlinks it).
    if (request.mode == StoreMode::kSet) {
      Changed(key);
      Result<std::optional<Removed>> erased = rows_.EraseKey(key);
      if (!erased.ok()) return erased.error();
      if (*erased) Forget(**erased);
    }
    return StoreResult{StoreStatus::kTooLarge, 0};
  }
  Result<std::optional<Row>> found = FindLive(key, now, nullptr);
  if (!found.ok()) return found.error();
  Result<StoreResult> result =
      *found ? StoreExisting(request, mode, **found, now) : StoreMissing(request, mode, now);
  if (result.ok() && result->status == StoreStatus::kStored) Add(shared_.counters.cmd_set);
  return result;
}

Result<StoreResult> WriteOps::StoreExisting(const StoreRequest& request, StoreMode mode, Row& old,
                                            std::int64_t now) {
  const CasCheck cas = CompareCas(request.compare_cas, old.cas, request.invalidate);
  Row row;
  row.client_flags = request.client_flags;
  row.deadline = ToDeadline(request.exptime, now);
  row.binary_key = request.binary_key;
  switch (mode) {
    case StoreMode::kAdd: {
      // add fails on a live item but counts as a use of it.
      if (old.last_access >= now - kAccessUpdateInterval) return StoreResult{StoreStatus::kNotStored, 0};
      old.last_access = now;
      Result<void> updated = UpdateRow(request.key.key(), old);
      if (!updated.ok()) return updated.error();
      return StoreResult{StoreStatus::kNotStored, 0};
    }
    case StoreMode::kCas:
      if (cas == CasCheck::kStale) {
        // The stale value keeps the item's TTL and any recache token already handed out.
        row.deadline = old.deadline;
        row.stale = true;
        row.token_sent = old.token_sent;
      } else if (cas != CasCheck::kMatch) {
        Add(shared_.counters.cas_badval);
        return StoreResult{StoreStatus::kExists, 0};
      }
      Add(shared_.counters.cas_hits);
      break;
    case StoreMode::kAppend:
    case StoreMode::kPrepend: {
      if (cas != CasCheck::kNone && cas != CasCheck::kMatch) {
        return StoreResult{StoreStatus::kExists, 0};
      }
      // memcached cannot allocate the grown item and answers NOT_STORED, not "too large".
      const std::size_t grown = old.value.size() + request.value.size();
      if (!ItemFits(request.key.key().size(), grown, shared_.config().item_size_max,
                    old.client_flags)) {
        return StoreResult{StoreStatus::kNotStored, 0};
      }
      const bool append = mode == StoreMode::kAppend;
      row.value.reserve(grown);
      row.value.append(append ? std::string_view(old.value) : request.value);
      row.value.append(append ? request.value : std::string_view(old.value));
      row.client_flags = old.client_flags;
      row.deadline = old.deadline;
      row.binary_key = false;  // the joined item is built afresh, without the bit
      return Link(request.key.key(), row, request.new_cas, now, &old);
    }
    case StoreMode::kSet:
    case StoreMode::kReplace:
      break;
  }
  row.value = std::string(request.value);
  return Link(request.key.key(), row, request.new_cas, now, &old);
}

Result<StoreResult> WriteOps::StoreMissing(const StoreRequest& request, StoreMode mode,
                                           std::int64_t now) {
  Row row;
  row.client_flags = request.client_flags;
  row.deadline = ToDeadline(request.exptime, now);
  row.binary_key = request.binary_key;
  switch (mode) {
    case StoreMode::kSet:
    case StoreMode::kAdd:
      break;
    case StoreMode::kCas:
      return StoreResult{StoreStatus::kNotFound, 0};
    case StoreMode::kAppend:
    case StoreMode::kPrepend:
      // meta N on append/prepend (after 1.6.18): the value alone becomes the new item.
      if (!request.vivify_exptime) return StoreResult{StoreStatus::kNotStored, 0};
      row.deadline = ToDeadline(*request.vivify_exptime, now);
      break;
    case StoreMode::kReplace:
      return StoreResult{StoreStatus::kNotStored, 0};
  }
  row.value = std::string(request.value);
  return Link(request.key.key(), row, request.new_cas, now, nullptr);
}

Result<StoreResult> WriteOps::Link(std::string_view key, Row& row, std::uint64_t new_cas,
                                   std::int64_t now, const Row* old) {
  Stamp(row, new_cas, now);
  const std::uint64_t cas = row.cas;
  Result<bool> written = Write(key, std::move(row), old);
  if (!written.ok()) return written.error();
  if (!*written) return StoreResult{StoreStatus::kNoMemory, 0};
  return StoreResult{StoreStatus::kStored, cas};
}

Result<ArithResult> WriteOps::Arithmetic(const ArithRequest& request) {
  const std::int64_t now = shared_.Now();
  Result<std::optional<Row>> found = FindLive(request.key.key(), now, nullptr);
  if (!found.ok()) return found.error();
  if (*found) return ApplyDelta(request, **found, now);
  if (request.create_exptime) return CreateCounter(request, now);
  return ArithResult{ArithStatus::kNotFound};
}

Result<ArithResult> WriteOps::CreateCounter(const ArithRequest& request, std::int64_t now) {
  Row row;
  row.value = FormatCounter(request.initial, 0);
  if (!ItemFits(request.key.key().size(), row.value.size(), shared_.config().item_size_max)) {
    return ArithResult{ArithStatus::kNotStored};
  }
  row.deadline = ToDeadline(*request.create_exptime, now);
  Stamp(row, request.new_cas, now);
  const std::int64_t before = row.deadline;
  if (request.touch_exptime) row.deadline = ToDeadline(*request.touch_exptime, now);
  Result<bool> written = Write(request.key.key(), row, nullptr);
  if (!written.ok()) return written.error();
  if (!*written) return ArithResult{ArithStatus::kNotStored};
  return ArithResult{ArithStatus::kOk, request.initial, row.cas, row.deadline, before};
}

Result<ArithResult> WriteOps::ApplyDelta(const ArithRequest& request, Row& row, std::int64_t now) {
  // memcached rejects an empty value before it looks at the CAS.
  if (row.value.empty()) return ArithResult{ArithStatus::kNonNumeric};
  if (request.compare_cas != 0 && request.compare_cas != row.cas) {
    return ArithResult{ArithStatus::kExists};
  }
  std::optional<std::uint64_t> number = ParseCounter(row.value);
  if (!number) return ArithResult{ArithStatus::kNonNumeric};
  std::uint64_t value = 0;
  if (request.increment) {
    value = *number + request.delta;  // wraps modulo 2^64 as memcached does
  } else {
    value = request.delta > *number ? 0 : *number - request.delta;
  }
  std::string text = FormatCounter(value, row.value.size());
  const std::string_view key = request.key.key();
  Row result;
  const std::int64_t before = row.deadline;
  if (text.size() == row.value.size()) {
    // The result fits: memcached rewrites the value in place and keeps the item's state. The
    // row still gets a new seq, because for a delayed flush_all it now counts as stored now.
    result = std::move(row);
    result.value = std::move(text);
    result.cas = NextCas(request.new_cas);
    result.seq = NextSeq(now);
    result.stored_at = now;
    if (result.last_access < now - kAccessUpdateInterval) result.last_access = now;
    if (request.touch_exptime) result.deadline = ToDeadline(*request.touch_exptime, now);
    Changed(key);
    Result<void> put = rows_.Put(key, result);  // same key and size: the totals stay
    if (!put.ok()) return put.error();
  } else {
    if (!ItemFits(key.size(), text.size(), shared_.config().item_size_max, row.client_flags)) {
      return ArithResult{ArithStatus::kNotStored};
    }
    result.value = std::move(text);
    result.client_flags = row.client_flags;
    result.deadline = row.deadline;
    Stamp(result, request.new_cas, now);
    if (request.touch_exptime) result.deadline = ToDeadline(*request.touch_exptime, now);
    Result<bool> written = Write(key, result, &row);
    if (!written.ok()) return written.error();
    if (!*written) return ArithResult{ArithStatus::kNotStored};
  }
  Add(request.increment ? shared_.counters.incr_hits : shared_.counters.decr_hits);
  return ArithResult{ArithStatus::kOk, value, result.cas, result.deadline, before};
}

}  // namespace mnemo::sqlite

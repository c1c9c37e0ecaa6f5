#include "session/watching_engine.h"

#include "ascii/handler_internal.h"
#include "mnemo/item_rules.h"

namespace mnemo {
namespace {

FetchStatus FromGet(GetStatus status) {
  switch (status) {
    case GetStatus::kHit:
      return FetchStatus::kFound;
    case GetStatus::kExpired:
      return FetchStatus::kExpired;
    case GetStatus::kFlushed:
      return FetchStatus::kFlushed;
    case GetStatus::kMiss:
    case GetStatus::kError:  // nothing was found (an upstream failed): memcached has no status
      break;
  }
  return FetchStatus::kNotFound;
}

StoreCommand CommandOf(const StoreRequest& request) {
  switch (request.mode) {
    case StoreMode::kAdd:
      return StoreCommand::kAdd;
    case StoreMode::kReplace:
      return StoreCommand::kReplace;
    case StoreMode::kAppend:
      return StoreCommand::kAppend;
    case StoreMode::kPrepend:
      return StoreCommand::kPrepend;
    case StoreMode::kCas:
      return StoreCommand::kCas;
    case StoreMode::kSet:
      break;
  }
  // A meta or binary set with a CAS is memcached's cas command.
  return request.compare_cas != 0 ? StoreCommand::kCas : StoreCommand::kSet;
}

// memcached's ttl field: seconds left, in an unsigned 32-bit number (so a deadline already
// passed wraps around); 0 for an item that never expires.
std::uint32_t TtlOf(std::int64_t deadline, std::int64_t now) {
  return deadline == 0 ? 0 : static_cast<std::uint32_t>(deadline - now);
}

}  // namespace

WatchingEngine::Peeked WatchingEngine::Peek(const HashedKey& key) {
  GetRequest peek{.key = key, .bump = false, .peek = true};
  Peeked peeked;
  peeked.fetch.key = key.key();
  peeked.fetch.client_fd = client_fd_;
  const GetStatus status = inner_.Get(peek, [&](const ItemView& item) {
    peeked.fetch.slab_class = MemcachedSlabClass(item.key, item.value.size(), item.client_flags);
    peeked.fetch.value_size = static_cast<std::uint32_t>(item.value.size());
    peeked.deadline = item.deadline;
  });
  peeked.fetch.status = FromGet(status);
  return peeked;
}

GetStatus WatchingEngine::Get(const GetRequest& request, ItemVisitor on_hit) {
  FetchEvent event{.key = request.key.key(), .client_fd = client_fd_};
  const GetStatus status = inner_.Get(request, [&](const ItemView& item) {
    event.slab_class = MemcachedSlabClass(item.key, item.value.size(), item.client_flags);
    event.value_size = static_cast<std::uint32_t>(item.value.size());
    on_hit(item);
  });
  event.status = FromGet(status);
  sink_.ItemGet(event);
  return status;
}

StoreResult WatchingEngine::Store(const StoreRequest& request) {
  const Peeked before = Peek(request.key);
  sink_.ItemGet(before.fetch);
  const StoreResult result = inner_.Store(request);
  StoreEvent event{.key = request.key.key(),
                   .status = result.status,
                   .command = CommandOf(request),
                   .client_fd = client_fd_};
  const std::int64_t now = inner_.Now();
  // The stored item as it is now (append/prepend joined it and kept its exptime), unless it
  // expired on arrival (a negative exptime): then what the request carried.
  const Peeked after = result.status == StoreStatus::kStored ? Peek(request.key) : Peeked{};
  if (after.fetch.status == FetchStatus::kFound) {
    event.slab_class = after.fetch.slab_class;
    event.value_size = after.fetch.value_size;
    event.ttl = TtlOf(after.deadline, now);
  } else {
    event.slab_class =
        MemcachedSlabClass(request.key.key(), request.value.size(), request.client_flags);
    event.value_size = static_cast<std::uint32_t>(request.value.size());
    event.ttl = TtlOf(ToDeadline(request.exptime, now), now);
  }
  sink_.ItemStore(event);
  return result;
}

DeleteStatus WatchingEngine::Delete(const DeleteRequest& request) {
  sink_.ItemGet(Peek(request.key).fetch);
  return inner_.Delete(request);
}

ArithResult WatchingEngine::Arithmetic(const ArithRequest& request) {
  sink_.ItemGet(Peek(request.key).fetch);
  return inner_.Arithmetic(request);
}

TouchStatus WatchingEngine::Touch(const HashedKey& key, std::int64_t exptime) {
  sink_.ItemGet(Peek(key).fetch);
  return inner_.Touch(key, exptime);
}

std::uint32_t MemcachedSlabClass(std::string_view key, std::size_t value_size,
                                 std::uint32_t client_flags) {
  return ascii::internal::SlabClass(MemcachedItemSize(key.size(), value_size, client_flags));
}

}  // namespace mnemo

// The lines of mnemod's live log streams (`watch`), byte for byte memcached 1.6.18's: key=value
// fields in its order, each line ending in a bare "\n", keys URI-encoded as memcached's
// uriencode() does, and the timestamp as seconds "." microseconds without zero padding
// (memcached prints tv_usec with %d, so 5 microseconds is ".5").
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mnemo/engine.h"
#include "mnemo/watch.h"

namespace mnemo::server {

// When an event happened and its place in the global order (memcached's gid).
struct WatchStamp {
  std::int64_t seconds = 0;
  std::int64_t micros = 0;
  std::uint64_t gid = 0;
};

// Letters, digits and "-._~" stay; every other byte becomes %XX (upper-case hex).
void AppendUriEncoded(std::string_view key, std::string& out);

// "ts=.. gid=.. type=item_get key=K status=S clsid=C cfd=FD size=N\n"
std::string FormatItemGet(const WatchStamp& stamp, const FetchEvent& event);

// "ts=.. gid=.. type=item_store key=K status=S cmd=C ttl=T clsid=C cfd=FD size=N\n"
std::string FormatItemStore(const WatchStamp& stamp, const StoreEvent& event);

// "ts=.. gid=.. type=eviction key=K fetch=yes|no ttl=T la=L clsid=C size=N\n": T is the
// seconds the item had left (-1: none), L the seconds since it was last read or written.
std::string FormatEviction(const WatchStamp& stamp, const EvictedItem& item);

// What a watcher that fell behind reads before the next line it has room for: how many lines
// it missed ("skipped=N\n").
std::string FormatSkipped(std::uint64_t skipped);

}  // namespace mnemo::server

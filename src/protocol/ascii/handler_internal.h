// Pieces of the classic ASCII handler shared by its source files: the one place where noreply
// hides a reply, the command groups, and the item dumps (stats cachedump, lru_crawler
// metadump). Internal to mnemo_ascii. Thread safety: as the SessionContext.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/context.h"
#include "mnemo/protocol/request.h"

namespace mnemo::ascii::internal {

// Every reply line of a classic command goes through here: noreply (`quiet`) hides it. In 1.6.18
// that covers a command's error lines too, once the command has seen its noreply token.
void Send(bool quiet, std::string_view line, std::string& out);

// flush_all, version, verbosity, quit, shutdown, cache_memlimit and stats.
void ExecuteServerCommand(const Request& request, SessionContext& context, std::string& out);
// slabs, lru, lru_crawler, watch, refresh_certs and the debug-build verbs.
void ExecuteAdmin(const Request& request, SessionContext& context, std::string& out);

// memcached's default slab classes (-n 48, -f 1.25, 512 KiB largest chunk) number 1..39.
inline constexpr std::uint32_t kLargestSlabClass = 39;
// Class ids at or above this are illegal everywhere (MAX_NUMBER_OF_SLAB_CLASSES).
inline constexpr std::uint32_t kSlabClassLimit = 64;

// The slab class memcached would store an item of this total size in (MemcachedItemSize()).
std::uint32_t SlabClass(std::size_t item_size);

// `stats cachedump <class> <limit>`: "ITEM <key> [<bytes> b; <expiry> s]" lines for the items
// of one slab class (limit 0 = all, at most 2 MB of lines as memcached), then END.
void EncodeCacheDump(Engine& engine, std::uint32_t slab_class, std::uint32_t limit,
                     std::string& out);

// Which classes an lru_crawler crawl/metadump names: "all", ids such as "1,4" (1..63), and
// for metadump "hash". Returns nullopt for anything else (reply: BADCLASS invalid class id);
// a mask with bit i set for class i otherwise.
std::optional<std::uint64_t> ParseClassSpec(std::string_view spec, bool allow_hash);

// `lru_crawler metadump`: one "key=<urlencoded> exp= la= cas= fetch= cls= size=" line per item
// of the chosen classes, each ending in a bare \n as in 1.6.18, then END\r\n.
void EncodeMetaDump(Engine& engine, std::uint64_t class_mask, bool cas_enabled, std::string& out);

}  // namespace mnemo::ascii::internal

// Item dumps of the classic protocol: `stats cachedump` and `lru_crawler metadump`. Engines
// have no slab classes, so an item's class is the one memcached's default slab sizes would
// give it, which keeps `cls=` and cachedump's class argument meaningful to existing tools.
#include <array>
#include <charconv>

#include "ascii/handler_internal.h"
#include "core/text.h"
#include "mnemo/item_rules.h"
#include "mnemo/protocol/ascii.h"

namespace mnemo::ascii::internal {
namespace {

// memcached -n 48 -f 1.25: the first chunk holds the 48-byte item header plus 48 bytes, each
// next one is 1.25 times larger (8-byte aligned), and the last class is the 512 KiB maximum.
constexpr std::uint32_t kFirstChunk = 96;
constexpr double kGrowthFactor = 1.25;
constexpr std::uint32_t kChunkAlign = 8;
constexpr std::uint32_t kLargestChunk = 512 * 1024;
// memcached builds a cachedump reply in a 2 MB buffer and stops when it is full.
constexpr std::size_t kMaxCacheDumpBytes = 2 * 1024 * 1024;

constexpr std::array<std::uint32_t, kLargestSlabClass + 1> ChunkSizes() {
  std::array<std::uint32_t, kLargestSlabClass + 1> sizes{};
  std::uint32_t size = kFirstChunk;
  for (std::uint32_t id = 1; id < kLargestSlabClass; ++id) {
    if (size % kChunkAlign != 0) size += kChunkAlign - size % kChunkAlign;
    sizes[id] = size;
    size = static_cast<std::uint32_t>(size * kGrowthFactor);
  }
  sizes[kLargestSlabClass] = kLargestChunk;
  return sizes;
}

constexpr std::array<std::uint32_t, kLargestSlabClass + 1> kChunkSizes = ChunkSizes();

template <class Integer>
void AppendNumber(Integer number, std::string& out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), number);
  (void)ec;  // 24 bytes hold any 64-bit number
  out.append(buffer, end);
}

// Percent-encoding as memcached's metadump does it: everything but letters, digits and -._~
// becomes %XX with upper-case hex digits.
void AppendUriEncoded(std::string_view key, std::string& out) {
  constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : key) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                       (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (plain) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
}

std::uint32_t ClassOf(const ItemView& item) {
  return SlabClass(MemcachedItemSize(item.key.size(), item.value.size(), item.client_flags));
}

}  // namespace

std::uint32_t SlabClass(std::size_t item_size) {
  for (std::uint32_t id = 1; id <= kLargestSlabClass; ++id) {
    if (item_size <= kChunkSizes[id]) return id;
  }
  // Larger items are chained chunks of the largest class.
  return kLargestSlabClass;
}

void EncodeCacheDump(Engine& engine, std::uint32_t slab_class, std::uint32_t limit,
                     std::string& out) {
  const std::size_t start = out.size();
  std::uint32_t shown = 0;
  engine.ForEach([&](const ItemView& item) {
    if (limit != 0 && shown >= limit) return false;
    if (ClassOf(item) != slab_class) return true;
    const std::size_t line_start = out.size();
    out += "ITEM ";
    out += item.key;
    out += " [";
    AppendNumber(item.value.size(), out);
    out += " b; ";
    AppendNumber(item.deadline, out);
    out += " s]\r\n";
    if (out.size() - start + 5 > kMaxCacheDumpBytes) {
      out.resize(line_start);
      return false;
    }
    ++shown;
    return true;
  });
  EncodeEnd(out);
}

std::optional<std::uint64_t> ParseClassSpec(std::string_view spec, bool allow_hash) {
  if (spec == "all" || (allow_hash && spec == "hash")) return ~std::uint64_t{0};
  std::uint64_t mask = 0;
  while (!spec.empty()) {
    const std::size_t comma = spec.find(',');
    const std::string_view id_token = spec.substr(0, comma);
    spec.remove_prefix(comma == std::string_view::npos ? spec.size() : comma + 1);
    if (id_token.empty()) continue;  // "1,,2" names classes 1 and 2
    std::optional<std::uint32_t> id = text::ParseU32(id_token);
    if (!id || *id < 1 || *id >= kSlabClassLimit) return std::nullopt;
    mask |= std::uint64_t{1} << *id;
  }
  if (mask == 0) return std::nullopt;
  return mask;
}

void EncodeMetaDump(Engine& engine, std::uint64_t class_mask, bool cas_enabled, std::string& out) {
  engine.ForEach([&](const ItemView& item) {
    const std::uint32_t slab_class = ClassOf(item);
    if ((class_mask & (std::uint64_t{1} << slab_class)) == 0) return true;
    out += "key=";
    AppendUriEncoded(item.key, out);
    out += " exp=";
    AppendNumber(item.deadline == 0 ? std::int64_t{-1} : item.deadline, out);
    out += " la=";
    AppendNumber(item.last_access, out);
    out += " cas=";
    AppendNumber(cas_enabled ? item.cas : 0, out);
    out += item.fetched ? " fetch=yes" : " fetch=no";
    out += " cls=";
    AppendNumber(slab_class, out);
    out += " size=";
    AppendNumber(MemcachedItemSize(item.key.size(), item.value.size(), item.client_flags), out);
    out += '\n';
    return true;
  });
  EncodeEnd(out);
}

}  // namespace mnemo::ascii::internal

// The byte layout of one item inside a segment, and ItemRef, the accessor the rest of the
// memory engine reads and changes items through. Items are packed back to back with no
// alignment padding (fields are copied with memcpy), so an item costs exactly its header, key
// and value. One allocation per item: header, key and value are contiguous; only values too
// big for a segment live in their own pages, with an 8-byte pointer in place of the value.
//
// Thread safety: none. An ItemRef is used only while its shard's mutex is held, and anything
// that may move items (allocation, eviction, merging segments) invalidates it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace mnemo::memory {

// The fixed part of the header, as it sits in a segment. Why each byte is there:
//   cas          64-bit like memcached's; meta E/C round-trip any value a client chose.
//   last_access  seconds since the engine epoch in the low 31 bits (68 years of uptime):
//                meta l and h, me la=, and flush_all, which compares it with the flush
//                moment. The top bit is the binary-key bit (see binary_key()): `bits` has
//                no spare bit left, and an access time never needs the 32nd.
//   deadline     seconds since the engine epoch, 0 = never; touch/gat rewrite it in place.
//   bits         2-bit S3-FIFO frequency and six flags (ItemBit).
//   key_length   memcached keys are at most 250 bytes.
// Then, variable: the value length as a LEB128 varint (1 byte up to 127, 2 up to 16383, at
// most 5), the client flags only when nonzero (4 bytes; most items have none), the key, and
// the value (or the external pointer).
// No hash tag: eviction, which walks segments rather than the index, rehashes an item's key to
// find its index slot. That costs one hash per item judged at a log's head (rare next to
// gets) and saves 3 bytes an item: 1.8% more items at -m 64 with 100-byte values.
struct [[gnu::packed]] FixedHeader {
  std::uint64_t cas;
  std::uint32_t last_access;
  std::uint32_t deadline;
  std::uint8_t bits;
  std::uint8_t key_length;
};
static_assert(sizeof(FixedHeader) == 18, "every header byte is accounted for above");

inline constexpr std::size_t kMaxVarintBytes = 5;
// The largest last access a header holds, and the bit above it that marks a binary key.
inline constexpr std::uint32_t kMaxLastAccess = 0x7fffffff;
inline constexpr std::uint32_t kBinaryKeyBit = 0x80000000;
inline constexpr std::size_t kMaxHeaderBytes = sizeof(FixedHeader) + kMaxVarintBytes + 4;

enum ItemBit : std::uint8_t {
  kFrequencyMask = 0x03,  // S3-FIFO access count, saturating at 3
  kFetched = 0x04,        // read since stored (meta h, *_unfetched stats)
  kStale = 0x08,          // meta invalidation: served with X until replaced
  kTokenSent = 0x10,      // a meta fetcher holds the recache token (W given, others get Z)
  kHasFlags = 0x20,       // client flags follow the value length
  kExternal = 0x40,       // the value lives in its own pages; an 8-byte pointer follows the key
  kDead = 0x80,           // unlinked: eviction and merges skip it, its bytes are garbage
};

std::size_t VarintBytes(std::size_t value);

// The bytes an item occupies in its segment.
std::size_t EntryBytes(std::size_t key_length, std::size_t value_length, bool has_flags,
                       bool external);

// Everything needed to write a new item's header and key; the value is copied in afterwards
// through ItemRef::mutable_value().
struct ItemSpec {
  std::uint64_t cas = 0;
  std::uint32_t last_access = 0;  // clamped to kMaxLastAccess
  std::uint32_t deadline = 0;
  std::uint32_t tag = 0;  // picks the queue on admission; not stored in the item
  std::uint8_t bits = 0;  // kHasFlags and kExternal are derived, not taken from here
  bool binary_key = false;
  std::uint32_t client_flags = 0;
  std::string_view key;
  std::size_t value_length = 0;
  char* external = nullptr;  // the value's pages when the value does not live inline
};

class ItemRef {
 public:
  ItemRef() = default;
  explicit ItemRef(char* at) : at_(at) {}

  // Writes spec at `at`, which must have EntryBytes(...) bytes of room.
  static ItemRef Write(char* at, const ItemSpec& spec);

  explicit operator bool() const { return at_ != nullptr; }
  char* data() const { return at_; }

  std::uint64_t cas() const { return Load<std::uint64_t>(offsetof(FixedHeader, cas)); }
  void set_cas(std::uint64_t v) { Store(offsetof(FixedHeader, cas), v); }
  std::uint32_t last_access() const { return AccessWord() & kMaxLastAccess; }
  void set_last_access(std::uint32_t v) {
    SetAccessWord((AccessWord() & kBinaryKeyBit) | std::min(v, kMaxLastAccess));
  }
  // The key was stored through a meta base64 (b) request; mg k and me show it encoded.
  bool binary_key() const { return (AccessWord() & kBinaryKeyBit) != 0; }
  void set_binary_key(bool on) {
    SetAccessWord((AccessWord() & kMaxLastAccess) | (on ? kBinaryKeyBit : 0));
  }
  std::uint32_t deadline() const { return Load<std::uint32_t>(offsetof(FixedHeader, deadline)); }
  void set_deadline(std::uint32_t v) { Store(offsetof(FixedHeader, deadline), v); }

  std::uint8_t bits() const { return static_cast<std::uint8_t>(at_[offsetof(FixedHeader, bits)]); }
  bool Has(ItemBit bit) const { return (bits() & bit) != 0; }
  void Set(ItemBit bit, bool on);
  std::uint8_t frequency() const { return bits() & kFrequencyMask; }
  void set_frequency(std::uint8_t freq);

  std::size_t key_length() const {
    return static_cast<std::uint8_t>(at_[offsetof(FixedHeader, key_length)]);
  }
  std::size_t value_length() const;
  std::uint32_t client_flags() const;
  std::string_view key() const;
  std::string_view value() const { return {mutable_value(), value_length()}; }
  char* mutable_value() const;

  std::size_t entry_bytes() const;
  char* external() const;  // nullptr for an inline value

 private:
  template <class T>
  T Load(std::size_t offset) const {
    T v;
    std::memcpy(&v, at_ + offset, sizeof(T));
    return v;
  }
  template <class T>
  void Store(std::size_t offset, T v) {
    std::memcpy(at_ + offset, &v, sizeof(T));
  }
  // Offset of the key: after the varint and the optional flags.
  std::size_t KeyOffset() const;
  std::uint32_t AccessWord() const {
    return Load<std::uint32_t>(offsetof(FixedHeader, last_access));
  }
  void SetAccessWord(std::uint32_t v) { Store(offsetof(FixedHeader, last_access), v); }

  char* at_ = nullptr;
};

}  // namespace mnemo::memory

#include "engines/memory/item_layout.h"

#include <algorithm>

namespace mnemo::memory {
namespace {

constexpr std::size_t kVarintOffset = sizeof(FixedHeader);

std::size_t DecodeVarint(const char* p, std::size_t* length) {
  std::size_t value = 0;
  std::size_t i = 0;
  for (std::uint8_t byte = 0x80; (byte & 0x80) != 0; ++i) {
    byte = static_cast<std::uint8_t>(p[i]);
    value |= static_cast<std::size_t>(byte & 0x7f) << (7 * i);
  }
  *length = i;
  return value;
}

std::size_t EncodeVarint(char* p, std::size_t value) {
  std::size_t i = 0;
  while (value >= 0x80) {
    p[i++] = static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  p[i++] = static_cast<char>(value);
  return i;
}

}  // namespace

std::size_t VarintBytes(std::size_t value) {
  std::size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

std::size_t EntryBytes(std::size_t key_length, std::size_t value_length, bool has_flags,
                       bool external) {
  return sizeof(FixedHeader) + VarintBytes(value_length) + (has_flags ? 4 : 0) + key_length +
         (external ? sizeof(char*) : value_length);
}

ItemRef ItemRef::Write(char* at, const ItemSpec& spec) {
  FixedHeader header;
  header.cas = spec.cas;
  header.last_access =
      std::min(spec.last_access, kMaxLastAccess) | (spec.binary_key ? kBinaryKeyBit : 0);
  header.deadline = spec.deadline;
  std::uint8_t bits = spec.bits & static_cast<std::uint8_t>(~(kHasFlags | kExternal));
  if (spec.client_flags != 0) bits |= kHasFlags;
  if (spec.external != nullptr) bits |= kExternal;
  header.bits = bits;
  header.key_length = static_cast<std::uint8_t>(spec.key.size());
  std::memcpy(at, &header, sizeof(header));
  char* p = at + kVarintOffset;
  p += EncodeVarint(p, spec.value_length);
  if (spec.client_flags != 0) {
    std::memcpy(p, &spec.client_flags, 4);
    p += 4;
  }
  std::memcpy(p, spec.key.data(), spec.key.size());
  p += spec.key.size();
  if (spec.external != nullptr) std::memcpy(p, &spec.external, sizeof(char*));
  return ItemRef(at);
}

void ItemRef::Set(ItemBit bit, bool on) {
  std::uint8_t b = bits();
  b = on ? (b | bit) : (b & static_cast<std::uint8_t>(~bit));
  at_[offsetof(FixedHeader, bits)] = static_cast<char>(b);
}

void ItemRef::set_frequency(std::uint8_t freq) {
  std::uint8_t b = (bits() & static_cast<std::uint8_t>(~kFrequencyMask)) | (freq & kFrequencyMask);
  at_[offsetof(FixedHeader, bits)] = static_cast<char>(b);
}

std::size_t ItemRef::value_length() const {
  std::size_t n = 0;
  return DecodeVarint(at_ + kVarintOffset, &n);
}

std::size_t ItemRef::KeyOffset() const {
  std::size_t n = 0;
  DecodeVarint(at_ + kVarintOffset, &n);
  return kVarintOffset + n + (Has(kHasFlags) ? 4 : 0);
}

std::uint32_t ItemRef::client_flags() const {
  if (!Has(kHasFlags)) return 0;
  std::size_t n = 0;
  DecodeVarint(at_ + kVarintOffset, &n);
  return Load<std::uint32_t>(kVarintOffset + n);
}

std::string_view ItemRef::key() const { return {at_ + KeyOffset(), key_length()}; }

char* ItemRef::external() const {
  if (!Has(kExternal)) return nullptr;
  return Load<char*>(KeyOffset() + key_length());
}

char* ItemRef::mutable_value() const {
  if (Has(kExternal)) return external();
  return at_ + KeyOffset() + key_length();
}

std::size_t ItemRef::entry_bytes() const {
  std::size_t n = 0;
  std::size_t value_length = DecodeVarint(at_ + kVarintOffset, &n);
  return kVarintOffset + n + (Has(kHasFlags) ? 4 : 0) + key_length() +
         (Has(kExternal) ? sizeof(char*) : value_length);
}

}  // namespace mnemo::memory

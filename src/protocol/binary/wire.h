// Big-endian integer reads and writes for the binary protocol's header and extras, and the
// one function that lays out a packet.
// Internal to libmnemo. Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mnemo/protocol/binary.h"

namespace mnemo::binary::wire {

// REQUIRES: in.size() >= offset + sizeof the integer.
template <class T>
T ReadBig(std::string_view in, std::size_t offset) {
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    value = static_cast<T>((value << 8) | static_cast<unsigned char>(in[offset + i]));
  }
  return value;
}

template <class T>
void WriteBig(T value, char* out) {
  for (std::size_t i = sizeof(T); i > 0; --i) {
    out[i - 1] = static_cast<char>(value & 0xff);
    value = static_cast<T>(value >> 8);
  }
}

template <class T>
void AppendBig(T value, std::string& out) {
  char bytes[sizeof(T)];
  WriteBig(value, bytes);
  out.append(bytes, sizeof(T));
}

// Appends a whole packet: `header` with its three lengths set from the parts, then the parts.
void AppendPacket(Header header, std::string_view extras, std::string_view key,
                  std::string_view value, std::string& out);

}  // namespace mnemo::binary::wire

// Helpers shared by the three codecs.
#include "codec.h"

#include "mnemo/key.h"

namespace mnemo::client {

const Codec& CodecFor(Protocol protocol) {
  switch (protocol) {
    case Protocol::kMeta:
      return MetaCodec();
    case Protocol::kBinary:
      return BinaryCodec();
    case Protocol::kAscii:
      break;
  }
  return AsciiCodec();
}

std::optional<StoreStatus> StoreStatusOf(const Outcome& outcome) {
  switch (outcome.code) {
    case Code::kOk:
      return StoreStatus::kStored;
    case Code::kNotStored:
      return StoreStatus::kNotStored;
    case Code::kExists:
      return StoreStatus::kExists;
    case Code::kNotFound:
      return StoreStatus::kNotFound;
    case Code::kTooLarge:
      return StoreStatus::kTooLarge;
    case Code::kNoMemory:
      return StoreStatus::kNoMemory;
    default:
      return std::nullopt;
  }
}

bool IsTextKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyLength) return false;
  for (char c : key) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7f) return false;
  }
  return true;
}

bool KeyIsValid(Protocol protocol, std::string_view key) {
  if (protocol == Protocol::kAscii) return IsTextKey(key);
  return !key.empty() && key.size() <= kMaxKeyLength;
}

Code ServerErrorCode(std::string_view message) {
  if (message.find("too large") != std::string_view::npos) return Code::kTooLarge;
  if (message.find("out of memory") != std::string_view::npos) return Code::kNoMemory;
  return Code::kServerError;
}

}  // namespace mnemo::client

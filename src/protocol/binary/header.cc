#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "binary/wire.h"
#include "mnemo/protocol/binary.h"

namespace mnemo::binary {

std::string_view StatusText(Status status) {
  // The exact values memcached 1.6.18 sends (punctuation included).
  switch (status) {
    case Status::kKeyNotFound:
      return "Not found";
    case Status::kKeyExists:
      return "Data exists for key.";
    case Status::kTooLarge:
      return "Too large.";
    case Status::kInvalidArguments:
      return "Invalid arguments";
    case Status::kNotStored:
      return "Not stored.";
    case Status::kNonNumeric:
      return "Non-numeric server-side value for incr or decr";
    case Status::kAuthError:
      return "Auth failure.";
    case Status::kUnknownCommand:
      return "Unknown command";
    case Status::kOutOfMemory:
      return "Out of memory";
    case Status::kTemporaryFailure:
      return "Temporary failure";
    case Status::kSuccess:
    case Status::kAuthContinue:
      break;
  }
  return {};
}

std::array<char, kHeaderSize> EncodeHeader(const Header& header) {
  std::array<char, kHeaderSize> out{};
  out[0] = static_cast<char>(header.magic);
  out[1] = static_cast<char>(header.opcode);
  wire::WriteBig(header.key_length, &out[2]);
  out[4] = static_cast<char>(header.extras_length);
  out[5] = static_cast<char>(header.data_type);
  wire::WriteBig(header.vbucket_or_status, &out[6]);
  wire::WriteBig(header.body_length, &out[8]);
  wire::WriteBig(header.opaque, &out[12]);
  wire::WriteBig(header.cas, &out[16]);
  return out;
}

std::optional<Header> DecodeHeader(std::string_view in) {
  if (in.size() < kHeaderSize) return std::nullopt;
  Header header;
  header.magic = static_cast<std::uint8_t>(in[0]);
  header.opcode = static_cast<std::uint8_t>(in[1]);
  header.key_length = wire::ReadBig<std::uint16_t>(in, 2);
  header.extras_length = static_cast<std::uint8_t>(in[4]);
  header.data_type = static_cast<std::uint8_t>(in[5]);
  header.vbucket_or_status = wire::ReadBig<std::uint16_t>(in, 6);
  header.body_length = wire::ReadBig<std::uint32_t>(in, 8);
  header.opaque = wire::ReadBig<std::uint32_t>(in, 12);
  header.cas = wire::ReadBig<std::uint64_t>(in, 16);
  return header;
}

void wire::AppendPacket(Header header, std::string_view extras, std::string_view key,
                        std::string_view value, std::string& out) {
  header.key_length = static_cast<std::uint16_t>(key.size());
  header.extras_length = static_cast<std::uint8_t>(extras.size());
  header.body_length = static_cast<std::uint32_t>(extras.size() + key.size() + value.size());
  const auto bytes = EncodeHeader(header);
  out.reserve(out.size() + bytes.size() + header.body_length);
  out.append(bytes.data(), bytes.size());
  out.append(extras);
  out.append(key);
  out.append(value);
}

}  // namespace mnemo::binary

// Server-direction encoders: every response packet memcached's binary protocol sends.
#include <cstdint>
#include <string>
#include <string_view>

#include "binary/wire.h"
#include "mnemo/protocol/binary.h"

namespace mnemo::binary {

void AppendResponse(const ResponseFields& fields, std::string_view extras, std::string_view key,
                    std::string_view value, std::string& out) {
  Header header;
  header.magic = kResponseMagic;
  header.opcode = static_cast<std::uint8_t>(fields.opcode);
  header.vbucket_or_status = static_cast<std::uint16_t>(fields.status);
  header.opaque = fields.opaque;
  header.cas = fields.cas;
  wire::AppendPacket(header, extras, key, value, out);
}

void AppendGetHit(const ResponseFields& fields, std::uint32_t client_flags, std::string_view key,
                  std::string_view value, std::string& out) {
  char extras[4];
  wire::WriteBig(client_flags, extras);
  AppendResponse(fields, std::string_view(extras, sizeof(extras)), key, value, out);
}

void AppendCounter(const ResponseFields& fields, std::uint64_t value, std::string& out) {
  char bytes[8];
  wire::WriteBig(value, bytes);
  AppendResponse(fields, {}, {}, std::string_view(bytes, sizeof(bytes)), out);
}

void AppendStat(std::uint32_t opaque, std::string_view name, std::string_view value,
                std::string& out) {
  AppendResponse({Opcode::kStat, Status::kSuccess, opaque, 0}, {}, name, value, out);
}

void AppendStatEnd(std::uint32_t opaque, std::string& out) {
  AppendResponse({Opcode::kStat, Status::kSuccess, opaque, 0}, {}, {}, {}, out);
}

void AppendVersion(std::uint32_t opaque, std::string_view version, std::string& out) {
  AppendResponse({Opcode::kVersion, Status::kSuccess, opaque, 0}, {}, {}, version, out);
}

void AppendStatusError(Opcode opcode, Status status, std::uint32_t opaque, std::string& out,
                       std::string_view text) {
  AppendResponse({opcode, status, opaque, 0}, {}, {}, text.empty() ? StatusText(status) : text,
                 out);
}

void AppendError(const Request& request, std::string& out) {
  if (request.error.empty()) return;
  AppendResponse({static_cast<Opcode>(request.opcode), static_cast<Status>(request.binary_status),
                  request.opaque, 0},
                 {}, {}, request.error, out);
}

}  // namespace mnemo::binary

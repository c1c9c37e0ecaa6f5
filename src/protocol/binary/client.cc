// Client-direction code: request encoders and the incremental response parser.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "binary/wire.h"
#include "mnemo/protocol/binary.h"

namespace mnemo::binary {

void AppendRequest(const RequestFields& fields, std::string_view extras, std::string_view key,
                   std::string_view value, std::string& out) {
  Header header;
  header.magic = kRequestMagic;
  header.opcode = static_cast<std::uint8_t>(fields.opcode);
  header.vbucket_or_status = fields.vbucket;
  header.opaque = fields.opaque;
  header.cas = fields.cas;
  wire::AppendPacket(header, extras, key, value, out);
}

void AppendSimpleRequest(const RequestFields& fields, std::string& out) {
  AppendRequest(fields, {}, {}, {}, out);
}

void AppendKeyRequest(const RequestFields& fields, std::string_view key, std::string& out) {
  AppendRequest(fields, {}, key, {}, out);
}

void AppendStoreRequest(const RequestFields& fields, std::string_view key, std::string_view value,
                        std::uint32_t client_flags, std::uint32_t exptime, std::string& out) {
  char extras[8];
  wire::WriteBig(client_flags, extras);
  wire::WriteBig(exptime, extras + 4);
  AppendRequest(fields, std::string_view(extras, sizeof(extras)), key, value, out);
}

void AppendConcatRequest(const RequestFields& fields, std::string_view key, std::string_view value,
                         std::string& out) {
  AppendRequest(fields, {}, key, value, out);
}

void AppendArithmeticRequest(const RequestFields& fields, std::string_view key, std::uint64_t delta,
                             std::uint64_t initial, std::uint32_t exptime, std::string& out) {
  char extras[20];
  wire::WriteBig(delta, extras);
  wire::WriteBig(initial, extras + 8);
  wire::WriteBig(exptime, extras + 16);
  AppendRequest(fields, std::string_view(extras, sizeof(extras)), key, {}, out);
}

void AppendFlushRequest(const RequestFields& fields, std::uint32_t delay, std::string& out) {
  char extras[4];
  wire::WriteBig(delay, extras);
  AppendRequest(fields, std::string_view(extras, sizeof(extras)), {}, {}, out);
}

void AppendStatRequest(const RequestFields& fields, std::string_view group, std::string& out) {
  AppendRequest(fields, {}, group, {}, out);
}

void AppendVerbosityRequest(const RequestFields& fields, std::uint32_t level, std::string& out) {
  char extras[4];
  wire::WriteBig(level, extras);
  AppendRequest(fields, std::string_view(extras, sizeof(extras)), {}, {}, out);
}

void AppendTouchRequest(const RequestFields& fields, std::string_view key, std::uint32_t exptime,
                        std::string& out) {
  char extras[4];
  wire::WriteBig(exptime, extras);
  AppendRequest(fields, std::string_view(extras, sizeof(extras)), key, {}, out);
}

void AppendSaslRequest(const RequestFields& fields, std::string_view mechanism,
                       std::string_view data, std::string& out) {
  AppendRequest(fields, {}, mechanism, data, out);
}

std::optional<std::uint32_t> Response::ClientFlags() const {
  if (extras.size() != 4) return std::nullopt;
  return wire::ReadBig<std::uint32_t>(extras, 0);
}

std::optional<std::uint64_t> Response::Counter() const {
  if (value.size() != 8) return std::nullopt;
  return wire::ReadBig<std::uint64_t>(value, 0);
}

ParseResult ParseResponse(std::string_view in, Response& out) {
  if (in.empty()) return {ParseStatus::kIncomplete, 0};
  if (static_cast<std::uint8_t>(in[0]) != kResponseMagic) return {ParseStatus::kFatal, 0};
  std::optional<Header> header = DecodeHeader(in);
  if (!header) return {ParseStatus::kIncomplete, 0};
  const std::size_t ext = header->extras_length;
  const std::size_t key = header->key_length;
  const std::size_t body = header->body_length;
  if (ext + key > body) return {ParseStatus::kFatal, 0};
  if (in.size() - kHeaderSize < body) return {ParseStatus::kIncomplete, 0};
  out.opcode = static_cast<Opcode>(header->opcode);
  out.status = static_cast<Status>(header->vbucket_or_status);
  out.data_type = header->data_type;
  out.opaque = header->opaque;
  out.cas = header->cas;
  const std::string_view packet = in.substr(kHeaderSize, body);
  out.extras = packet.substr(0, ext);
  out.key = packet.substr(ext, key);
  out.value = packet.substr(ext + key);
  return {ParseStatus::kOk, kHeaderSize + body};
}

}  // namespace mnemo::binary

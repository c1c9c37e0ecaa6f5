// The server-direction parser. Checks run in memcached 1.6.18's order: lengths that do not add
// up, then the key length, then the opcode, then the lengths each opcode allows.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "binary/wire.h"
#include "mnemo/key.h"
#include "mnemo/protocol/binary.h"

namespace mnemo::binary {
namespace {

// Which extras, key and value an opcode carries.
enum class Shape : std::uint8_t {
  kKey,     // key only: get family, delete
  kStore,   // flags + exptime extras, key, value: set, add, replace
  kConcat,  // key and value: append, prepend
  kArith,   // delta + initial + exptime extras and key: incr, decr
  kEmpty,   // nothing: noop, version, quit, SASL list mechs
  kFlush,   // an optional exptime extra
  kStat,    // an optional key (the group); further body bytes are not part of the request
  kTouch,   // exptime extra and key; further body bytes are not part of the request
  kSasl,    // mechanism as the key, data as the value
};

struct OpcodeInfo {
  Command command = Command::kNone;  // kNone: an opcode 1.6.18 answers "Unknown command"
  Shape shape = Shape::kEmpty;
  bool quiet = false;
  bool return_key = false;
};

// Indexed by opcode. Verbosity (0x1b) stays unknown: 1.6.18 has no binary verbosity.
constexpr std::size_t kOpcodeCount = 0x25;
constexpr std::array<OpcodeInfo, kOpcodeCount> kOpcodes = [] {
  std::array<OpcodeInfo, kOpcodeCount> t{};
  auto add = [&t](Opcode op, Command command, Shape shape, bool quiet = false,
                  bool return_key = false) {
    t[static_cast<std::size_t>(op)] = {command, shape, quiet, return_key};
  };
  add(Opcode::kGet, Command::kGet, Shape::kKey);
  add(Opcode::kGetQ, Command::kGet, Shape::kKey, true);
  add(Opcode::kGetK, Command::kGet, Shape::kKey, false, true);
  add(Opcode::kGetKQ, Command::kGet, Shape::kKey, true, true);
  add(Opcode::kSet, Command::kSet, Shape::kStore);
  add(Opcode::kSetQ, Command::kSet, Shape::kStore, true);
  add(Opcode::kAdd, Command::kAdd, Shape::kStore);
  add(Opcode::kAddQ, Command::kAdd, Shape::kStore, true);
  add(Opcode::kReplace, Command::kReplace, Shape::kStore);
  add(Opcode::kReplaceQ, Command::kReplace, Shape::kStore, true);
  add(Opcode::kAppend, Command::kAppend, Shape::kConcat);
  add(Opcode::kAppendQ, Command::kAppend, Shape::kConcat, true);
  add(Opcode::kPrepend, Command::kPrepend, Shape::kConcat);
  add(Opcode::kPrependQ, Command::kPrepend, Shape::kConcat, true);
  add(Opcode::kDelete, Command::kDelete, Shape::kKey);
  add(Opcode::kDeleteQ, Command::kDelete, Shape::kKey, true);
  add(Opcode::kIncrement, Command::kIncr, Shape::kArith);
  add(Opcode::kIncrementQ, Command::kIncr, Shape::kArith, true);
  add(Opcode::kDecrement, Command::kDecr, Shape::kArith);
  add(Opcode::kDecrementQ, Command::kDecr, Shape::kArith, true);
  add(Opcode::kQuit, Command::kQuit, Shape::kEmpty);
  add(Opcode::kQuitQ, Command::kQuit, Shape::kEmpty, true);
  add(Opcode::kFlush, Command::kFlushAll, Shape::kFlush);
  add(Opcode::kFlushQ, Command::kFlushAll, Shape::kFlush, true);
  add(Opcode::kNoop, Command::kNoop, Shape::kEmpty);
  add(Opcode::kVersion, Command::kVersion, Shape::kEmpty);
  add(Opcode::kStat, Command::kStats, Shape::kStat);
  add(Opcode::kTouch, Command::kTouch, Shape::kTouch);
  add(Opcode::kGat, Command::kGat, Shape::kTouch);
  add(Opcode::kGatQ, Command::kGat, Shape::kTouch, true);
  add(Opcode::kGatK, Command::kGat, Shape::kTouch, false, true);
  add(Opcode::kGatKQ, Command::kGat, Shape::kTouch, true, true);
  add(Opcode::kSaslListMechs, Command::kSaslListMechs, Shape::kEmpty);
  add(Opcode::kSaslAuth, Command::kSaslAuth, Shape::kSasl);
  add(Opcode::kSaslStep, Command::kSaslStep, Shape::kSasl);
  return t;
}();

const OpcodeInfo* Lookup(std::uint8_t opcode) {
  if (opcode >= kOpcodeCount || kOpcodes[opcode].command == Command::kNone) return nullptr;
  return &kOpcodes[opcode];
}

// Whether the header's lengths are ones memcached accepts for this shape.
bool LengthsFit(Shape shape, const Header& h) {
  const std::uint32_t ext = h.extras_length;
  const std::uint32_t key = h.key_length;
  const std::uint32_t body = h.body_length;
  switch (shape) {
    case Shape::kKey:
      return ext == 0 && key > 0 && body == key;
    case Shape::kStore:
      return ext == 8 && key > 0;
    case Shape::kConcat:
      return ext == 0 && key > 0;
    case Shape::kArith:
      return ext == 20 && key > 0 && body == key + ext;
    case Shape::kEmpty:
      return ext == 0 && key == 0 && body == 0;
    case Shape::kFlush:
      return key == 0 && (ext == 0 || ext == 4) && body == ext;
    case Shape::kStat:
      return ext == 0;
    case Shape::kTouch:
      return ext == 4 && key > 0;
    case Shape::kSasl:
      return ext == 0 && key > 0;
  }
  return false;
}

bool CarriesValue(Shape shape) {
  return shape == Shape::kStore || shape == Shape::kConcat || shape == Shape::kSasl;
}

ParseResult Reject(Status status, ParseStatus how, std::size_t consumed, Request& out) {
  out.binary_status = static_cast<std::uint16_t>(status);
  out.error = StatusText(status);
  return {how, consumed};
}

// Fills the request's extras-derived fields. REQUIRES: lengths checked by LengthsFit.
void DecodeExtras(Shape shape, std::string_view extras, Request& out) {
  switch (shape) {
    case Shape::kStore:
      out.client_flags = wire::ReadBig<std::uint32_t>(extras, 0);
      out.exptime = wire::ReadBig<std::uint32_t>(extras, 4);
      break;
    case Shape::kArith: {
      out.delta = wire::ReadBig<std::uint64_t>(extras, 0);
      out.initial = wire::ReadBig<std::uint64_t>(extras, 8);
      const auto exptime = wire::ReadBig<std::uint32_t>(extras, 16);
      out.exptime = exptime;
      out.create_on_miss = exptime != kNoCreateExptime;
      break;
    }
    case Shape::kFlush:
      if (!extras.empty()) {
        out.number = wire::ReadBig<std::uint32_t>(extras, 0);
        out.has_number = true;
      }
      break;
    case Shape::kTouch:
      out.exptime = wire::ReadBig<std::uint32_t>(extras, 0);
      break;
    case Shape::kKey:
    case Shape::kConcat:
    case Shape::kEmpty:
    case Shape::kStat:
    case Shape::kSasl:
      break;
  }
}

// Where a well-formed packet ends and how many value bytes must be skipped unread.
struct Extent {
  std::size_t size = 0;
  std::size_t skip = 0;
  bool oversize = false;
};

Extent Measure(const OpcodeInfo& info, const Header& h, std::size_t buffer_limit) {
  const std::size_t head = kHeaderSize + h.extras_length + h.key_length;
  if (info.shape == Shape::kStat || info.shape == Shape::kTouch) return {head};
  const std::size_t whole = kHeaderSize + h.body_length;
  if (CarriesValue(info.shape) && h.body_length > buffer_limit) {
    return {head, whole - head, true};
  }
  return {whole};
}

// Fills the request from its extras and key (and value unless oversize). `packet` is the
// request's bytes after the header.
void Fill(const OpcodeInfo& info, const Header& h, std::string_view packet, Request& out) {
  out.command = info.command;
  out.quiet = info.quiet;
  out.return_key = info.return_key;
  DecodeExtras(info.shape, packet.substr(0, h.extras_length), out);
  out.key = packet.substr(h.extras_length, h.key_length);
  out.raw_key = out.key;
  if (info.shape == Shape::kStat) out.args = out.key;
  out.value = packet.substr(h.extras_length + h.key_length);
}

ParseResult UnknownOpcode(std::string_view in, std::size_t body, std::size_t buffer_limit,
                          Request& out) {
  // Too large to buffer: the caller swallows the body and Execute() answers it.
  if (body > buffer_limit) {
    out.oversize = true;
    out.skip_bytes = body;
    return {ParseStatus::kOk, kHeaderSize};
  }
  if (in.size() < kHeaderSize + body) return {ParseStatus::kIncomplete, 0};
  return Reject(Status::kUnknownCommand, ParseStatus::kError, kHeaderSize + body, out);
}

}  // namespace

ParseResult ParseRequest(std::string_view in, const ParserLimits& limits, Request& out) {
  out.protocol = Protocol::kBinary;
  if (in.empty()) return {ParseStatus::kIncomplete, 0};
  // memcached drops a binary connection on a bad magic byte without a reply.
  if (static_cast<std::uint8_t>(in[0]) != kRequestMagic) return {ParseStatus::kFatal, 0};
  const std::optional<Header> header = DecodeHeader(in);
  if (!header) return {ParseStatus::kIncomplete, 0};
  const Header& h = *header;
  out.opcode = h.opcode;
  out.opaque = h.opaque;
  out.cas = h.cas;

  const std::size_t body = h.body_length;
  if (std::size_t{h.extras_length} + h.key_length > body) {
    return Reject(Status::kUnknownCommand, ParseStatus::kFatal, kHeaderSize, out);
  }
  if (h.key_length > kMaxKeyLength) {
    return Reject(Status::kInvalidArguments, ParseStatus::kFatal, kHeaderSize, out);
  }
  const std::size_t buffer_limit = limits.max_value_bytes + 1024;
  const OpcodeInfo* info = Lookup(h.opcode);
  if (info == nullptr) return UnknownOpcode(in, body, buffer_limit, out);
  if (!LengthsFit(info->shape, h)) {
    return Reject(Status::kInvalidArguments, ParseStatus::kFatal, kHeaderSize, out);
  }
  const Extent extent = Measure(*info, h, buffer_limit);
  if (in.size() < extent.size) return {ParseStatus::kIncomplete, 0};
  Fill(*info, h, in.substr(kHeaderSize, extent.size - kHeaderSize), out);
  out.oversize = extent.oversize;
  out.skip_bytes = extent.skip;
  return {ParseStatus::kOk, extent.size};
}

}  // namespace mnemo::binary

// Binary request parser (binary::ParseRequest) fuzzer. On top of the shared request invariants
// (request_checks.h: consumed bytes, views inside the packet, determinism and
// self-containment, the prefix property) it checks that
//   - every strictly shorter prefix of a kOk/kError packet is kIncomplete: packets have no
//     line limit, only their announced lengths;
//   - kOk and kError fill opcode and opaque from the header; errors carry the status text of
//     their status, and AppendError answers them with a response that binary::ParseResponse
//     reads back with the same opcode, opaque, status and text;
//   - a kOk packet re-encoded with the client encoder of its opcode (header vbucket kept)
//     parses back to the same command, quiet/return-key bits, key, value, flags, exptime,
//     CAS, delta, initial, flush delay and opaque; and when the packet is canonical (data
//     type 0, no body bytes beyond what the request uses) the encoder gives the same bytes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mnemo/protocol/binary.h"
#include "request_checks.h"

namespace {

using mnemo::Command;
using mnemo::ParseResult;
using mnemo::ParserLimits;
using mnemo::ParseStatus;
using mnemo::Request;
namespace binary = mnemo::binary;
using binary::Opcode;

bool PrefixMustWait(std::string_view /*prefix*/, const ParserLimits& /*limits*/) { return true; }

void CheckResult(ParseResult result, const Request& request, std::string_view in) {
  FUZZ_CHECK(request.protocol == mnemo::Protocol::kBinary);
  if (result.status == ParseStatus::kIncomplete) return;
  if (result.status == ParseStatus::kFatal && request.error.empty()) {
    // Only a bad magic byte closes without a reply, before anything is read.
    FUZZ_CHECK(result.consumed == 0);
    FUZZ_CHECK(static_cast<std::uint8_t>(in[0]) != binary::kRequestMagic);
    return;
  }
  const std::optional<binary::Header> header = binary::DecodeHeader(in);
  FUZZ_CHECK(header.has_value());
  FUZZ_CHECK(request.opcode == header->opcode && request.opaque == header->opaque);
  if (result.status == ParseStatus::kOk) {
    FUZZ_CHECK(request.error.empty());
    return;
  }
  const auto status = static_cast<binary::Status>(request.binary_status);
  FUZZ_CHECK(!request.error.empty() && request.error == binary::StatusText(status));
  std::string sent;
  binary::AppendError(request, sent);
  binary::Response response;
  const ParseResult parsed = binary::ParseResponse(sent, response);
  FUZZ_CHECK(parsed.status == ParseStatus::kOk && parsed.consumed == sent.size());
  FUZZ_CHECK(static_cast<std::uint8_t>(response.opcode) == request.opcode);
  FUZZ_CHECK(response.opaque == request.opaque && response.status == status);
  FUZZ_CHECK(response.value == request.error && response.extras.empty() && response.key.empty());
}

void Encode(const Request& r, const binary::RequestFields& fields, std::string& wire) {
  const auto exptime = static_cast<std::uint32_t>(r.exptime);
  switch (fields.opcode) {
    case Opcode::kGet:
    case Opcode::kGetQ:
    case Opcode::kGetK:
    case Opcode::kGetKQ:
    case Opcode::kDelete:
    case Opcode::kDeleteQ:
      return binary::AppendKeyRequest(fields, r.key, wire);
    case Opcode::kSet:
    case Opcode::kSetQ:
    case Opcode::kAdd:
    case Opcode::kAddQ:
    case Opcode::kReplace:
    case Opcode::kReplaceQ:
      return binary::AppendStoreRequest(fields, r.key, r.value, r.client_flags, exptime, wire);
    case Opcode::kAppend:
    case Opcode::kAppendQ:
    case Opcode::kPrepend:
    case Opcode::kPrependQ:
      return binary::AppendConcatRequest(fields, r.key, r.value, wire);
    case Opcode::kIncrement:
    case Opcode::kIncrementQ:
    case Opcode::kDecrement:
    case Opcode::kDecrementQ:
      return binary::AppendArithmeticRequest(fields, r.key, r.delta, r.initial, exptime, wire);
    case Opcode::kFlush:
    case Opcode::kFlushQ:
      if (!r.has_number) return binary::AppendSimpleRequest(fields, wire);
      return binary::AppendFlushRequest(fields, static_cast<std::uint32_t>(r.number), wire);
    case Opcode::kStat:
      return binary::AppendStatRequest(fields, r.key, wire);
    case Opcode::kTouch:
    case Opcode::kGat:
    case Opcode::kGatQ:
    case Opcode::kGatK:
    case Opcode::kGatKQ:
      return binary::AppendTouchRequest(fields, r.key, exptime, wire);
    case Opcode::kSaslAuth:
    case Opcode::kSaslStep:
      return binary::AppendSaslRequest(fields, r.key, r.value, wire);
    case Opcode::kQuit:
    case Opcode::kQuitQ:
    case Opcode::kNoop:
    case Opcode::kVersion:
    case Opcode::kSaslListMechs:
      return binary::AppendSimpleRequest(fields, wire);
    case Opcode::kVerbosity:
      break;
  }
  FUZZ_CHECK(false && "kOk for an opcode the parser does not know");
}

void RoundTrip(const Request& r, std::string_view bytes, const ParserLimits& limits) {
  const std::optional<binary::Header> header = binary::DecodeHeader(bytes);
  FUZZ_CHECK(header.has_value());
  const binary::RequestFields fields{static_cast<Opcode>(r.opcode), r.opaque, r.cas,
                                     header->vbucket_or_status};
  std::string wire;
  Encode(r, fields, wire);
  Request again;
  const ParseResult result = binary::ParseRequest(wire, limits, again);
  FUZZ_CHECK(result.status == ParseStatus::kOk);
  FUZZ_CHECK(result.consumed == wire.size());
  FUZZ_CHECK(again.command == r.command && again.opcode == r.opcode);
  FUZZ_CHECK(again.quiet == r.quiet && again.return_key == r.return_key);
  FUZZ_CHECK(again.key == r.key && again.value == r.value && again.args == r.args);
  FUZZ_CHECK(again.client_flags == r.client_flags && again.exptime == r.exptime);
  FUZZ_CHECK(again.cas == r.cas && again.opaque == r.opaque);
  FUZZ_CHECK(again.delta == r.delta && again.initial == r.initial);
  FUZZ_CHECK(again.create_on_miss == r.create_on_miss);
  FUZZ_CHECK(again.has_number == r.has_number && again.number == r.number);
  const bool canonical =
      header->data_type == 0 && header->body_length == bytes.size() - binary::kHeaderSize;
  if (canonical) FUZZ_CHECK(wire == bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr mnemo::fuzz::RequestTarget kTarget{binary::ParseRequest, PrefixMustWait,
                                                      CheckResult, RoundTrip};
  mnemo::fuzz::RunRequestTarget(kTarget,
                                std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

// Binary response parser (binary::ParseResponse) fuzzer, two ways over the same input:
//   1. The input as a stream of response packets: the shared reply checks (reply_checks.h:
//      consumed bytes, determinism and self-containment, and every strictly shorter prefix of
//      a packet is kIncomplete); extras, key and value lie inside the packet and add up to its
//      body; and a round trip: AppendResponse with the parsed opcode, status, opaque, CAS,
//      extras, key and value gives a packet that parses the same, byte-identical to the
//      original when its data type is 0 (the encoders always send 0).
//   2. The input as FuzzedDataProvider choices: one response built by a server encoder
//      (AppendResponse, AppendGetHit, AppendCounter, AppendStat, AppendStatEnd,
//      AppendVersion, AppendStatusError, or AppendError for a request binary::ParseRequest
//      rejected) from fuzzer-chosen fields, followed by arbitrary bytes, must parse as exactly
//      that response: the same header fields, extras, key and value, and ClientFlags(),
//      Counter() and IsStatEnd() must read back what was encoded.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mnemo/protocol/binary.h"
#include "reply_checks.h"
#include "request_checks.h"

namespace {

using mnemo::ParseResult;
using mnemo::ParseStatus;
using mnemo::fuzz::Inside;
using mnemo::fuzz::Locate;
namespace binary = mnemo::binary;
using binary::Opcode;
using binary::Response;
using binary::Status;

ParseResult Parse(std::string_view in, Response& response) {
  return binary::ParseResponse(in, response);
}

bool PrefixMustWait(std::string_view /*prefix*/) { return true; }

bool Same(const Response& a, std::string_view a_bytes, const Response& b,
          std::string_view b_bytes) {
  auto same = [&](std::string_view x, std::string_view y) {
    return x == y && Locate(x, a_bytes) == Locate(y, b_bytes);
  };
  return a.opcode == b.opcode && a.status == b.status && a.data_type == b.data_type &&
         a.opaque == b.opaque && a.cas == b.cas && same(a.extras, b.extras) && same(a.key, b.key) &&
         same(a.value, b.value);
}

bool Equal(const Response& a, const Response& b) {
  return a.opcode == b.opcode && a.status == b.status && a.opaque == b.opaque && a.cas == b.cas &&
         a.extras == b.extras && a.key == b.key && a.value == b.value;
}

// Parses `wire` followed by `suffix`: exactly `wire` must be consumed, as one packet.
Response ParseEncoded(const std::string& wire, std::string_view suffix, std::string& buffer) {
  buffer = wire;
  buffer.append(suffix);
  Response response;
  const ParseResult result = binary::ParseResponse(buffer, response);
  FUZZ_CHECK(result.status == ParseStatus::kOk);
  FUZZ_CHECK(result.consumed == wire.size());
  FUZZ_CHECK(response.data_type == 0);
  return response;
}

binary::ResponseFields FieldsOf(const Response& r) { return {r.opcode, r.status, r.opaque, r.cas}; }

void CheckResponse(const Response& r, std::string_view bytes) {
  FUZZ_CHECK(bytes.size() >= binary::kHeaderSize);
  FUZZ_CHECK(Inside(r.extras, bytes) && Inside(r.key, bytes) && Inside(r.value, bytes));
  FUZZ_CHECK(binary::kHeaderSize + r.extras.size() + r.key.size() + r.value.size() == bytes.size());
  std::string wire, buffer;
  binary::AppendResponse(FieldsOf(r), r.extras, r.key, r.value, wire);
  FUZZ_CHECK(Equal(ParseEncoded(wire, {}, buffer), r));
  if (r.data_type == 0) FUZZ_CHECK(wire == bytes);
}

// The response AppendError gives for a request the server parser rejects.
void CheckErrorResponse(std::string_view request_bytes, std::string_view suffix) {
  mnemo::Request request;
  const ParseResult parsed =
      binary::ParseRequest(request_bytes, mnemo::fuzz::FuzzLimits(), request);
  if (parsed.status != ParseStatus::kError && parsed.status != ParseStatus::kFatal) return;
  std::string wire, buffer;
  binary::AppendError(request, wire);
  if (request.error.empty()) return;  // a bad magic byte closes silently
  const Response response = ParseEncoded(wire, suffix, buffer);
  FUZZ_CHECK(static_cast<std::uint8_t>(response.opcode) == request.opcode);
  FUZZ_CHECK(response.opaque == request.opaque && response.cas == 0);
  FUZZ_CHECK(static_cast<std::uint16_t>(response.status) == request.binary_status);
  FUZZ_CHECK(response.value == request.error);
}

void EncodeAndParse(FuzzedDataProvider& fdp) {
  binary::ResponseFields fields{static_cast<Opcode>(fdp.ConsumeIntegral<std::uint8_t>()),
                                static_cast<Status>(fdp.ConsumeIntegral<std::uint16_t>()),
                                fdp.ConsumeIntegral<std::uint32_t>(),
                                fdp.ConsumeIntegral<std::uint64_t>()};
  const int choice = fdp.ConsumeIntegralInRange(0, 7);
  Response expected{fields.opcode, fields.status, 0, fields.opaque, fields.cas, {}, {}, {}};
  std::string extras, key, value, wire;
  switch (choice) {
    case 0:  // any packet
      extras = fdp.ConsumeRandomLengthString(255);
      key = fdp.ConsumeRandomLengthString(1024);
      value = fdp.ConsumeRandomLengthString(2048);
      binary::AppendResponse(fields, extras, key, value, wire);
      break;
    case 1: {  // get, GAT or touch hit
      const auto flags = fdp.ConsumeIntegral<std::uint32_t>();
      key = fdp.ConsumeRandomLengthString(250);
      value = fdp.ConsumeRandomLengthString(2048);
      binary::AppendGetHit(fields, flags, key, value, wire);
      std::string buffer;
      const Response hit = ParseEncoded(wire, {}, buffer);
      FUZZ_CHECK(hit.ClientFlags() == flags);
      extras = std::string(hit.extras);
      break;
    }
    case 2: {  // incr/decr success
      const auto counter = fdp.ConsumeIntegral<std::uint64_t>();
      binary::AppendCounter(fields, counter, wire);
      std::string buffer;
      const Response hit = ParseEncoded(wire, {}, buffer);
      FUZZ_CHECK(hit.Counter() == counter && hit.value.size() == 8);
      value = std::string(hit.value);
      break;
    }
    case 3:  // one stat, or the end of the list
    case 4:
      key = choice == 3 ? fdp.ConsumeRandomLengthString(250) : "";
      value = choice == 3 ? fdp.ConsumeRandomLengthString(1024) : "";
      if (choice == 3) {
        binary::AppendStat(fields.opaque, key, value, wire);
      } else {
        binary::AppendStatEnd(fields.opaque, wire);
      }
      expected = {Opcode::kStat, Status::kSuccess, 0, fields.opaque, 0, {}, {}, {}};
      break;
    case 5:
      value = fdp.ConsumeRandomLengthString(64);
      binary::AppendVersion(fields.opaque, value, wire);
      expected = {Opcode::kVersion, Status::kSuccess, 0, fields.opaque, 0, {}, {}, {}};
      break;
    case 6: {
      const std::string text = fdp.ConsumeRandomLengthString(128);
      binary::AppendStatusError(fields.opcode, fields.status, fields.opaque, wire, text);
      value = text.empty() ? std::string(binary::StatusText(fields.status)) : text;
      expected.cas = 0;
      break;
    }
    default: {
      const std::string request = fdp.ConsumeRandomLengthString(512);
      return CheckErrorResponse(request, fdp.ConsumeRemainingBytesAsString());
    }
  }
  expected.extras = extras;
  expected.key = key;
  expected.value = value;
  std::string buffer;
  const Response response = ParseEncoded(wire, fdp.ConsumeRemainingBytesAsString(), buffer);
  FUZZ_CHECK(Equal(response, expected));
  if (choice == 3 || choice == 4) FUZZ_CHECK(response.IsStatEnd() == key.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  mnemo::fuzz::RunReplyStream<Response>(input, Parse, CheckResponse, Same, PrefixMustWait);
  FuzzedDataProvider fdp(data, size);
  EncodeAndParse(fdp);
  return 0;
}

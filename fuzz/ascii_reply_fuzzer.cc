// Classic ASCII reply parser (ascii::ParseReply) fuzzer, two ways over the same input:
//   1. The input as a stream of replies: the shared reply checks (reply_checks.h: consumed
//      bytes, determinism and self-containment, prefix property: a shorter prefix must wait
//      while it holds the line's newline -- a VALUE waiting for its data block -- or at most
//      kMaxReplyLineBytes), every view inside the reply's bytes, and a round trip: each
//      parsed reply rendered again with the server encoders (EncodeValue, EncodeStat,
//      EncodeNumber, ...) parses to the same kind, key, flags, CAS, data, name, value,
//      number and message.
//   2. The input as FuzzedDataProvider choices: one reply built by a server encoder from
//      fuzzer-chosen fields (VALUE with or without CAS, STAT, VERSION, numbers, error lines,
//      every store/delete/touch/arith reply text, any line), followed by arbitrary bytes,
//      must parse as exactly that reply, consuming exactly the encoded bytes.
// Text fields are sanitised to what the encoders accept: no newline in a line, no space in
// a key or stat name, no leading space or ':' in an error message (the parser drops those,
// as memcached's "ERROR: msg" form needs).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mnemo/protocol/ascii.h"
#include "reply_checks.h"

namespace {

using mnemo::ParseResult;
using mnemo::ParseStatus;
using mnemo::fuzz::Inside;
using mnemo::fuzz::Locate;
namespace ascii = mnemo::ascii;
using ascii::Reply;
using ascii::ReplyKind;

ParseResult Parse(std::string_view in, Reply& reply) { return ascii::ParseReply(in, reply); }

bool PrefixMustWait(std::string_view prefix) {
  return prefix.find('\n') != std::string_view::npos || prefix.size() <= ascii::kMaxReplyLineBytes;
}

bool Same(const Reply& a, std::string_view a_bytes, const Reply& b, std::string_view b_bytes) {
  auto same = [&](std::string_view x, std::string_view y) {
    return x == y && Locate(x, a_bytes) == Locate(y, b_bytes);
  };
  return a.kind == b.kind && same(a.key, b.key) && a.client_flags == b.client_flags &&
         a.cas == b.cas && a.has_cas == b.has_cas && same(a.data, b.data) && a.number == b.number &&
         same(a.name, b.name) && same(a.value, b.value) && same(a.message, b.message);
}

// Same parsed content, wherever the views point.
bool Equal(const Reply& a, const Reply& b) {
  return a.kind == b.kind && a.key == b.key && a.client_flags == b.client_flags && a.cas == b.cas &&
         a.has_cas == b.has_cas && a.data == b.data && a.number == b.number && a.name == b.name &&
         a.value == b.value && a.message == b.message;
}

// Parses `wire` followed by `suffix`: exactly `wire` must be consumed, as one kOk reply.
Reply ParseEncoded(const std::string& wire, std::string_view suffix, std::string& buffer) {
  buffer = wire;
  buffer.append(suffix);
  Reply reply;
  const ParseResult result = ascii::ParseReply(buffer, reply);
  FUZZ_CHECK(result.status == ParseStatus::kOk);
  FUZZ_CHECK(result.consumed == wire.size());
  return reply;
}

std::string Render(const Reply& r) {
  std::string wire;
  switch (r.kind) {
    case ReplyKind::kValue:
      if (r.has_cas) {
        ascii::EncodeValue(r.key, r.client_flags, r.data, r.cas, wire);
      } else {
        ascii::EncodeValue(r.key, r.client_flags, r.data, wire);
      }
      break;
    case ReplyKind::kEnd:
      ascii::EncodeEnd(wire);
      break;
    case ReplyKind::kStored:
      ascii::EncodeLine("STORED", wire);
      break;
    case ReplyKind::kNotStored:
      ascii::EncodeLine("NOT_STORED", wire);
      break;
    case ReplyKind::kExists:
      ascii::EncodeLine("EXISTS", wire);
      break;
    case ReplyKind::kNotFound:
      ascii::EncodeLine("NOT_FOUND", wire);
      break;
    case ReplyKind::kDeleted:
      ascii::EncodeLine("DELETED", wire);
      break;
    case ReplyKind::kTouched:
      ascii::EncodeLine("TOUCHED", wire);
      break;
    case ReplyKind::kNumber:
      ascii::EncodeNumber(r.number, wire);
      break;
    case ReplyKind::kStat:
      ascii::EncodeStat(r.name, r.value, wire);
      break;
    case ReplyKind::kOk:
      ascii::EncodeLine("OK", wire);
      break;
    case ReplyKind::kVersion:
      ascii::EncodeVersion(r.message, wire);
      break;
    case ReplyKind::kReset:
      ascii::EncodeLine("RESET", wire);
      break;
    case ReplyKind::kError:
      ascii::EncodeLine(r.message.empty() ? "ERROR" : "ERROR " + std::string(r.message), wire);
      break;
    case ReplyKind::kClientError:
      ascii::EncodeClientError(r.message, wire);
      break;
    case ReplyKind::kServerError:
      ascii::EncodeServerError(r.message, wire);
      break;
    case ReplyKind::kOther:
      ascii::EncodeLine(r.message, wire);
      break;
  }
  return wire;
}

void CheckReply(const Reply& r, std::string_view bytes) {
  FUZZ_CHECK(Inside(r.key, bytes) && Inside(r.data, bytes) && Inside(r.name, bytes));
  FUZZ_CHECK(Inside(r.value, bytes) && Inside(r.message, bytes));
  if (r.kind == ReplyKind::kValue) FUZZ_CHECK(!r.key.empty());
  std::string buffer;
  FUZZ_CHECK(Equal(ParseEncoded(Render(r), {}, buffer), r));
}

// A line of printable and control bytes without a newline.
std::string Line(FuzzedDataProvider& fdp, std::size_t max) {
  return mnemo::fuzz::Without(fdp.ConsumeRandomLengthString(max), "\n");
}

// The reply kind and message a fixed server text ("NOT_FOUND", "SERVER_ERROR ...") reads as.
void CheckFixedText(std::string_view text, std::string_view suffix) {
  if (text.empty()) return;  // ArithReplyText(kOk): the number is sent instead
  std::string wire;
  std::string buffer;
  ascii::EncodeLine(text, wire);
  const Reply reply = ParseEncoded(wire, suffix, buffer);
  if (text.starts_with("SERVER_ERROR ")) {
    FUZZ_CHECK(reply.kind == ReplyKind::kServerError && reply.message == text.substr(13));
  } else if (text.starts_with("CLIENT_ERROR ")) {
    FUZZ_CHECK(reply.kind == ReplyKind::kClientError && reply.message == text.substr(13));
  } else {
    FUZZ_CHECK(reply.kind != ReplyKind::kOther && reply.kind != ReplyKind::kError);
    FUZZ_CHECK(Render(reply) == wire);
  }
}

void EncodeAndParse(FuzzedDataProvider& fdp) {
  const int choice = fdp.ConsumeIntegralInRange(0, 9);
  Reply expected;
  std::string wire;
  std::string key, data;
  switch (choice) {
    case 0:  // VALUE, with or without CAS
      key = mnemo::fuzz::Without(fdp.ConsumeRandomLengthString(mnemo::kMaxKeyLength),
                                 std::string_view("\n ", 2));
      if (key.empty()) key = "k";
      data = fdp.ConsumeRandomLengthString(1024);
      expected.kind = ReplyKind::kValue;
      expected.key = key;
      expected.client_flags = fdp.ConsumeIntegral<std::uint32_t>();
      expected.has_cas = fdp.ConsumeBool();
      expected.cas = expected.has_cas ? fdp.ConsumeIntegral<std::uint64_t>() : 0;
      expected.data = data;
      break;
    case 1:
      expected.kind = ReplyKind::kNumber;
      expected.number = fdp.ConsumeIntegral<std::uint64_t>();
      break;
    case 2:  // STAT <name> <value>: the value may hold spaces
      key = mnemo::fuzz::Without(fdp.ConsumeRandomLengthString(64), std::string_view("\n ", 2));
      data = Line(fdp, 256);
      expected.kind = ReplyKind::kStat;
      expected.name = key;
      expected.value = data;
      break;
    case 3:
    case 4:
    case 5: {  // VERSION, CLIENT_ERROR, SERVER_ERROR
      data = Line(fdp, 256);
      data.erase(0, data.find_first_not_of(": "));
      expected.kind = choice == 3   ? ReplyKind::kVersion
                      : choice == 4 ? ReplyKind::kClientError
                                    : ReplyKind::kServerError;
      expected.message = data;
      break;
    }
    case 6:
      expected.kind = ReplyKind::kEnd;
      break;
    case 7: {  // any line but a VALUE header: one reply of one line
      data = Line(fdp, 512);
      if (data.starts_with("VALUE ")) return;
      ascii::EncodeLine(data, wire);
      std::string buffer, again;
      const Reply reply = ParseEncoded(wire, fdp.ConsumeRemainingBytesAsString(), buffer);
      FUZZ_CHECK(Equal(ParseEncoded(Render(reply), {}, again), reply));
      return;
    }
    default: {  // the fixed reply texts of every engine outcome
      const auto n = fdp.ConsumeIntegral<std::uint8_t>();
      const std::string suffix = fdp.ConsumeRemainingBytesAsString();
      CheckFixedText(ascii::StoreReplyText(static_cast<mnemo::StoreStatus>(n % 6)), suffix);
      CheckFixedText(ascii::DeleteReplyText(static_cast<mnemo::DeleteStatus>(n % 3)), suffix);
      CheckFixedText(ascii::TouchReplyText(static_cast<mnemo::TouchStatus>(n % 2)), suffix);
      CheckFixedText(ascii::ArithReplyText(static_cast<mnemo::ArithStatus>(n % 5)), suffix);
      return;
    }
  }
  wire = Render(expected);
  std::string buffer;
  FUZZ_CHECK(Equal(ParseEncoded(wire, fdp.ConsumeRemainingBytesAsString(), buffer), expected));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  mnemo::fuzz::RunReplyStream<Reply>(input, Parse, CheckReply, Same, PrefixMustWait);
  FuzzedDataProvider fdp(data, size);
  EncodeAndParse(fdp);
  return 0;
}

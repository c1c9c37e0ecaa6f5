// mnemo-bench's RESP reply parser (bench/load/resp.h) fuzzer, two ways over the same input:
//   1. The input as a stream of replies: a kOk reply consumed at least its line and at most
//      the input, its text a view inside those bytes; parsing is deterministic, and the same
//      bytes followed by anything else give the same reply; every shorter prefix of a reply
//      is kIncomplete (the parser never decides early); kInvalid and kIncomplete consume none.
//   2. A reply built from fuzzer-chosen parts (+simple, -error, :integer, $bulk, $-1) parses
//      back as exactly that reply; and GET / SET requests encode to the RESP arrays they name.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../bench/load/resp.h"
#include "fuzz_check.h"

namespace {

namespace resp = mnemo::bench::resp;

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void CheckStream(std::string_view in) {
  while (!in.empty()) {
    resp::Reply reply;
    const resp::ParseResult result = resp::ParseReply(in, reply);
    if (result.status != resp::ParseStatus::kOk) {
      FUZZ_CHECK(result.consumed == 0);
      return;
    }
    FUZZ_CHECK(result.consumed >= 3 && result.consumed <= in.size());
    const std::string_view bytes = in.substr(0, result.consumed);
    FUZZ_CHECK(bytes.substr(bytes.size() - 2) == "\r\n");
    FUZZ_CHECK(Inside(reply.text, bytes));
    // The reply's bytes alone, and followed by other bytes, say the same.
    std::string alone(bytes);
    resp::Reply again;
    const resp::ParseResult same = resp::ParseReply(alone, again);
    FUZZ_CHECK(same.status == resp::ParseStatus::kOk && same.consumed == result.consumed);
    FUZZ_CHECK(again.kind == reply.kind && again.text == reply.text);
    alone += "+OK\r\n";
    FUZZ_CHECK(resp::ParseReply(alone, again).consumed == result.consumed);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      resp::Reply partial;
      FUZZ_CHECK(resp::ParseReply(bytes.substr(0, n), partial).status ==
                 resp::ParseStatus::kIncomplete);
    }
    in.remove_prefix(result.consumed);
  }
}

// A line's text: no CR or LF, which would end it early.
std::string LineText(FuzzedDataProvider& data) {
  std::string text = data.ConsumeRandomLengthString(64);
  for (char& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return text;
}

void CheckBuilt(FuzzedDataProvider& data) {
  std::string wire;
  resp::ReplyKind kind = resp::ReplyKind::kNil;
  std::string text;
  switch (data.ConsumeIntegralInRange<int>(0, 4)) {
    case 0:
      kind = resp::ReplyKind::kSimple;
      text = LineText(data);
      wire = "+" + text + "\r\n";
      break;
    case 1:
      kind = resp::ReplyKind::kError;
      text = LineText(data);
      wire = "-" + text + "\r\n";
      break;
    case 2:
      kind = resp::ReplyKind::kInteger;
      text = std::to_string(data.ConsumeIntegral<std::int64_t>());
      wire = ":" + text + "\r\n";
      break;
    case 3:
      kind = resp::ReplyKind::kBulk;
      text = data.ConsumeRandomLengthString(256);  // any bytes, CR LF included
      wire = "$" + std::to_string(text.size()) + "\r\n" + text + "\r\n";
      break;
    default:
      wire = "$-1\r\n";
      break;
  }
  const std::size_t reply_bytes = wire.size();
  wire += data.ConsumeRemainingBytesAsString();
  resp::Reply reply;
  const resp::ParseResult result = resp::ParseReply(wire, reply);
  FUZZ_CHECK(result.status == resp::ParseStatus::kOk && result.consumed == reply_bytes);
  FUZZ_CHECK(reply.kind == kind && reply.text == text);
}

void CheckRequests(std::string_view key, std::string_view value) {
  std::string out;
  resp::AppendGet(key, out);
  FUZZ_CHECK(out == "*2\r\n$3\r\nGET\r\n$" + std::to_string(key.size()) + "\r\n" +
                        std::string(key) + "\r\n");
  out.clear();
  resp::AppendSet(key, value, out);
  FUZZ_CHECK(out == "*3\r\n$3\r\nSET\r\n$" + std::to_string(key.size()) + "\r\n" +
                        std::string(key) + "\r\n$" + std::to_string(value.size()) + "\r\n" +
                        std::string(value) + "\r\n");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(bytes), size);
  CheckStream(in);
  FuzzedDataProvider data(bytes, size);
  const std::string key = data.ConsumeRandomLengthString(32);
  const std::string value = data.ConsumeRandomLengthString(64);
  CheckRequests(key, value);
  CheckBuilt(data);
  return 0;
}

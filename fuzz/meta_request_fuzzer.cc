// Meta request parser (meta::ParseRequest) fuzzer. On top of the shared request invariants
// (request_checks.h: consumed bytes, views inside the input or a decoded key in key_storage,
// determinism and self-containment, the prefix property) it checks that
//   - a shorter prefix must wait while it holds the line's newline (an ms waiting for its data
//     block, or for the block a rejected ms swallows) or at most max_line_bytes (2048): the
//     meta protocol has no multiget exception;
//   - kOk requests start with a meta verb (IsMetaCommand agrees with the parser), and every
//     error line is one line that meta::ParseReply reads as ERROR or CLIENT_ERROR;
//   - a kOk request re-encoded with meta::Encode*Request (its flag tokens passed back as
//     meta::Flag, a `b` key re-encoded from the decoded bytes) parses back to the same
//     command, key, value, flags and their values, opaque and q. The key's base64 text may
//     change: the lenient decoder skips junk, the encoder writes canonical base64.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "mnemo/protocol/base64.h"
#include "mnemo/protocol/meta.h"
#include "request_checks.h"

namespace {

using mnemo::Command;
using mnemo::ParseResult;
using mnemo::ParserLimits;
using mnemo::ParseStatus;
using mnemo::Request;
namespace meta = mnemo::meta;

std::vector<std::string_view> Split(std::string_view text) {
  std::vector<std::string_view> tokens;
  mnemo::text::Tokenizer tokenizer(text);
  for (std::string_view t = tokenizer.Next(); !t.empty(); t = tokenizer.Next()) {
    tokens.push_back(t);
  }
  return tokens;
}

bool PrefixMustWait(std::string_view prefix, const ParserLimits& limits) {
  return prefix.find('\n') != std::string_view::npos || prefix.size() <= limits.max_line_bytes;
}

void CheckErrorLine(std::string_view error) {
  FUZZ_CHECK(!error.empty());
  FUZZ_CHECK(error.find_first_of("\r\n") == std::string_view::npos);
  const std::string line = std::string(error) + "\r\n";
  meta::Reply reply;
  const ParseResult parsed = meta::ParseReply(line, reply);
  FUZZ_CHECK(parsed.status == ParseStatus::kOk && parsed.consumed == line.size());
  FUZZ_CHECK(reply.code == meta::ReplyCode::kError || reply.code == meta::ReplyCode::kClientError);
}

void CheckResult(ParseResult result, const Request& request, std::string_view in) {
  if (result.status == ParseStatus::kError) {
    FUZZ_CHECK(!request.quiet);  // meta errors are always answered
    CheckErrorLine(request.error);
    return;
  }
  if (result.status != ParseStatus::kOk) return;
  FUZZ_CHECK(request.protocol == mnemo::Protocol::kMeta);
  // The session routes a line here when it starts with a meta verb; the parser itself also
  // skips leading spaces.
  FUZZ_CHECK(meta::IsMetaCommand(in.substr(in.find_first_not_of(' '))));
  // A kOk ms may carry an error only when it is oversize: the error replaces "too large" and
  // the flags need not be valid.
  if (!request.error.empty()) {
    FUZZ_CHECK(request.oversize && request.command == Command::kMetaSet);
    CheckErrorLine(request.error);
    return;
  }
  FUZZ_CHECK(request.meta.opaque.size() < 32);
  if (request.meta.Has('b')) {
    FUZZ_CHECK(!request.key.empty());
    FUZZ_CHECK(request.key.size() <= mnemo::base64::MaxDecodedSize(request.raw_key.size()));
  }
}

// Compares the fields a meta request carries.
void CheckSame(const Request& a, const Request& b) {
  FUZZ_CHECK(a.command == b.command);
  FUZZ_CHECK(a.key == b.key);
  FUZZ_CHECK(a.value == b.value);
  FUZZ_CHECK(a.quiet == b.quiet);
  FUZZ_CHECK(a.meta.present == b.meta.present);
  FUZZ_CHECK(a.meta.opaque == b.meta.opaque);
  FUZZ_CHECK(a.meta.compare_cas == b.meta.compare_cas);
  FUZZ_CHECK(a.meta.new_cas == b.meta.new_cas);
  FUZZ_CHECK(a.meta.delta == b.meta.delta);
  FUZZ_CHECK(a.meta.initial == b.meta.initial);
  FUZZ_CHECK(a.meta.ttl == b.meta.ttl);
  FUZZ_CHECK(a.meta.vivify_ttl == b.meta.vivify_ttl);
  FUZZ_CHECK(a.meta.recache_ttl == b.meta.recache_ttl);
  FUZZ_CHECK(a.meta.client_flags == b.meta.client_flags);
  FUZZ_CHECK(a.meta.mode == b.meta.mode);
  FUZZ_CHECK(a.exptime == b.exptime && a.client_flags == b.client_flags && a.cas == b.cas);
  FUZZ_CHECK(a.delta == b.delta && a.initial == b.initial);
}

void RoundTrip(const Request& r, std::string_view /*bytes*/, const ParserLimits& limits) {
  const std::vector<std::string_view> tokens = Split(r.meta.tokens);
  std::vector<meta::Flag> flags;
  for (std::string_view token : tokens) flags.emplace_back(token[0], token.substr(1));
  const bool base64 = r.meta.Has('b');
  const auto encoding = base64 ? meta::KeyEncoding::kBase64 : meta::KeyEncoding::kText;
  std::string wire;
  switch (r.command) {
    case Command::kMetaGet:
      meta::EncodeGetRequest(r.key, flags, wire, encoding);
      break;
    case Command::kMetaSet:
      meta::EncodeSetRequest(r.key, r.value, flags, wire, encoding);
      break;
    case Command::kMetaDelete:
      meta::EncodeDeleteRequest(r.key, flags, wire, encoding);
      break;
    case Command::kMetaArithmetic:
      meta::EncodeArithmeticRequest(r.key, flags, wire, encoding);
      break;
    case Command::kMetaDebug:
      meta::EncodeDebugRequest(r.key, wire, encoding);
      break;
    case Command::kMetaNoop:
      meta::EncodeNoopRequest(wire);
      break;
    default:
      FUZZ_CHECK(false && "kOk meta request with a non-meta command");
  }
  Request again;
  const ParseResult result = meta::ParseRequest(wire, limits, again);
  FUZZ_CHECK(result.status == ParseStatus::kOk);
  FUZZ_CHECK(result.consumed == wire.size());
  CheckSame(r, again);
  // me keeps only a `b` right after the key; the others keep every token.
  if (r.command != Command::kMetaDebug) FUZZ_CHECK(Split(again.meta.tokens) == tokens);
  if (!base64) {
    FUZZ_CHECK(again.raw_key == r.raw_key);
    return;
  }
  char canonical[mnemo::base64::EncodedSize(mnemo::kMaxKeyLength)];
  const auto size = mnemo::base64::Encode(r.key, canonical);
  FUZZ_CHECK(size.has_value());
  FUZZ_CHECK(again.raw_key == std::string_view(canonical, *size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr mnemo::fuzz::RequestTarget kTarget{meta::ParseRequest, PrefixMustWait,
                                                      CheckResult, RoundTrip};
  mnemo::fuzz::RunRequestTarget(kTarget,
                                std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

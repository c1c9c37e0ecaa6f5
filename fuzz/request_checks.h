// The driver shared by the three request-parser fuzzers (classic ASCII, meta, binary). It walks
// the input as a pipeline of requests, the way a Session does, and checks for every parse:
//   - the consumed-bytes contract (fuzz_check.h);
//   - every view of the Request lies in the bytes it came from (for kOk and kError: in the
//     consumed bytes), a decoded meta key in key_storage; a kOk key is at most 250 bytes.
//     `error` is the exception: it is always one of the parser's own reply texts, never a view
//     of the input, so the protocol targets check its text instead;
//   - self-containment and determinism: parsing an exact-size copy of just those bytes (the
//     consumed ones for kOk/kError) at another address gives the same status, count and fields,
//     so nothing depends on bytes past the request, on addresses or on earlier calls; the
//     exact-size heap copy also lets ASan catch a read past the request;
//   - the prefix property: a request is not recognised before all of its bytes are there.
//     Which shorter prefixes must be kIncomplete is protocol-specific (PrefixMustWait);
//   - protocol-specific checks of the result and a re-encode round trip (RequestTarget).
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string_view>

#include "fuzz_check.h"
#include "mnemo/key.h"
#include "mnemo/protocol/request.h"

namespace mnemo::fuzz {

using RequestParser = ParseResult (*)(std::string_view, const ParserLimits&, Request&);

// Small enough that oversize values are reachable inside libFuzzer's 4 KiB inputs, with
// memcached's 2048-byte line limit.
inline ParserLimits FuzzLimits() {
  ParserLimits limits;
  limits.max_value_bytes = 1000;
  limits.max_line_bytes = 2048;
  return limits;
}

struct RequestTarget {
  RequestParser parse;
  // Whether `prefix`, a strictly shorter prefix of a kOk/kError request, must be kIncomplete.
  bool (*prefix_must_wait)(std::string_view prefix, const ParserLimits& limits);
  // Protocol-specific checks of any result; `in` is the input from the request on.
  void (*check_result)(ParseResult result, const Request& request, std::string_view in);
  // Re-encodes a kOk, not oversize request with the client encoders and parses it again.
  void (*round_trip)(const Request& request, std::string_view bytes, const ParserLimits& limits);
};

inline std::string_view KeyStorage(const Request& r) {
  return {r.key_storage.data(), r.key_storage.size()};
}

inline void CheckViews(const Request& r, std::string_view bytes) {
  FUZZ_CHECK(Inside(r.key, bytes) || Inside(r.key, KeyStorage(r)));
  FUZZ_CHECK(Inside(r.raw_key, bytes));
  FUZZ_CHECK(Inside(r.keys, bytes));
  FUZZ_CHECK(Inside(r.value, bytes));
  FUZZ_CHECK(Inside(r.verb, bytes));
  FUZZ_CHECK(Inside(r.args, bytes));
  FUZZ_CHECK(Inside(r.meta.tokens, bytes));
  FUZZ_CHECK(Inside(r.meta.opaque, bytes));
}

// Same fields, with views at the same offsets of their own buffers.
inline bool SameRequest(const Request& a, std::string_view a_bytes, const Request& b,
                        std::string_view b_bytes) {
  auto same = [&](std::string_view x, std::string_view y) {
    return x == y && Locate(x, a_bytes, KeyStorage(a)) == Locate(y, b_bytes, KeyStorage(b));
  };
  const MetaFlags& m = a.meta;
  const MetaFlags& n = b.meta;
  return a.command == b.command && a.protocol == b.protocol && a.quiet == b.quiet &&
         a.return_key == b.return_key && a.oversize == b.oversize && a.skip_bytes == b.skip_bytes &&
         same(a.key, b.key) && same(a.raw_key, b.raw_key) && same(a.keys, b.keys) &&
         same(a.value, b.value) && a.client_flags == b.client_flags && a.exptime == b.exptime &&
         a.cas == b.cas && a.delta == b.delta && a.initial == b.initial &&
         a.create_on_miss == b.create_on_miss && a.opcode == b.opcode && a.opaque == b.opaque &&
         same(a.verb, b.verb) && same(a.args, b.args) && a.number == b.number &&
         a.has_number == b.has_number && a.error == b.error && a.binary_status == b.binary_status &&
         m.present == n.present && same(m.tokens, n.tokens) && same(m.opaque, n.opaque) &&
         m.compare_cas == n.compare_cas && m.new_cas == n.new_cas && m.delta == n.delta &&
         m.initial == n.initial && m.ttl == n.ttl && m.vivify_ttl == n.vivify_ttl &&
         m.recache_ttl == n.recache_ttl && m.client_flags == n.client_flags && m.mode == n.mode;
}

// Parses an exact-size heap copy of `bytes` into a fresh Request.
struct Reparse {
  std::unique_ptr<char[]> copy;
  std::string_view bytes;
  Request request;
  ParseResult result;

  Reparse(RequestParser parse, std::string_view original, const ParserLimits& limits)
      : copy(new char[original.size()]), bytes(copy.get(), original.size()) {
    if (!original.empty()) original.copy(copy.get(), original.size());
    result = parse(bytes, limits, request);
  }
};

inline void CheckPrefixes(const RequestTarget& target, std::string_view bytes,
                          const ParserLimits& limits) {
  const std::size_t newline = bytes.find('\n');
  ForEachPrefixLength(bytes.size(), newline == bytes.npos ? bytes.size() : newline,
                      [&](std::size_t n) {
                        const std::string_view prefix = bytes.substr(0, n);
                        if (!target.prefix_must_wait(prefix, limits)) return;
                        const Reparse again(target.parse, prefix, limits);
                        FUZZ_CHECK(again.result.status == ParseStatus::kIncomplete);
                        FUZZ_CHECK(again.result.consumed == 0);
                      });
}

inline void RunRequestTarget(const RequestTarget& target, std::string_view input) {
  const ParserLimits limits = FuzzLimits();
  std::size_t at = 0;
  while (at < input.size()) {
    const std::string_view in = input.substr(at);
    Request request;
    const ParseResult result = target.parse(in, limits, request);
    CheckConsumed(result, in.size());
    const bool framed = result.status == ParseStatus::kOk || result.status == ParseStatus::kError;
    const std::string_view bytes = framed ? in.substr(0, result.consumed) : in;
    CheckViews(request, bytes);
    if (result.status == ParseStatus::kOk) {
      FUZZ_CHECK(request.key.size() <= kMaxKeyLength);
      FUZZ_CHECK(request.raw_key.size() <= kMaxKeyLength);
    }
    target.check_result(result, request, in);

    const Reparse again(target.parse, bytes, limits);
    FUZZ_CHECK(again.result.status == result.status);
    FUZZ_CHECK(again.result.consumed == result.consumed);
    FUZZ_CHECK(SameRequest(request, in, again.request, again.bytes));

    if (!framed) return;  // kIncomplete: wait; kFatal: the connection closes
    CheckPrefixes(target, bytes, limits);
    if (result.status == ParseStatus::kOk && !request.oversize) {
      target.round_trip(request, bytes, limits);
    }
    at += result.consumed;
    if (request.oversize) at += std::min(request.skip_bytes, input.size() - at);
  }
}

}  // namespace mnemo::fuzz

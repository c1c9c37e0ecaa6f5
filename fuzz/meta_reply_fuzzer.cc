// Meta reply parser (meta::ParseReply) fuzzer, two ways over the same input:
//   1. The input as a stream of replies: the shared reply checks (reply_checks.h: consumed
//      bytes, determinism and self-containment, prefix property: a shorter prefix must wait
//      while it holds the line's newline -- a VA waiting for its data block -- or at most
//      kMaxReplyLineBytes); every view inside the reply's bytes (a decoded key may be in
//      key_storage); a kOk reply has a code and at most kMaxFlags flags, a VA value of the
//      announced size, an ME line a key.
//   2. The input as FuzzedDataProvider choices for a whole exchange: a request (mg, ms, md,
//      ma, me or mn; text or base64 key; flags with valid fuzzer-chosen tokens, in a
//      fuzzer-chosen order) encoded with meta::Encode*Request must parse (meta::ParseRequest)
//      as kOk with the same key, value and flag values; the server's reply to it, rendered by
//      EncodeGetHit / EncodeStatus / EncodeStoreReply / EncodeArithmeticReply /
//      EncodeDebugReply / EncodeNoopReply from fuzzer-chosen item facts and followed by
//      arbitrary bytes, must parse as exactly that reply: its code, value, and the return
//      flags with their values in request order; k gives the key back, base64-decoded when
//      the reply marks it with b (the request's b, or for mg hits and me whether the item was
//      stored through a b key: the fuzzer picks that, forcing it for keys that cannot go raw).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.h"
#include "mnemo/protocol/base64.h"
#include "mnemo/protocol/meta.h"
#include "reply_checks.h"
#include "request_checks.h"

namespace {

using mnemo::Command;
using mnemo::ParseResult;
using mnemo::ParseStatus;
using mnemo::Request;
using mnemo::fuzz::Inside;
using mnemo::fuzz::Locate;
namespace meta = mnemo::meta;
using meta::ReplyCode;

ParseResult Parse(std::string_view in, meta::Reply& reply) { return meta::ParseReply(in, reply); }

bool PrefixMustWait(std::string_view prefix) {
  return prefix.find('\n') != std::string_view::npos || prefix.size() <= meta::kMaxReplyLineBytes;
}

std::string_view KeyStorage(const meta::Reply& r) {
  return {r.key_storage.data(), r.key_storage.size()};
}

bool Same(const meta::Reply& a, std::string_view a_bytes, const meta::Reply& b,
          std::string_view b_bytes) {
  auto same = [&](std::string_view x, std::string_view y) {
    return x == y && Locate(x, a_bytes, KeyStorage(a)) == Locate(y, b_bytes, KeyStorage(b));
  };
  if (a.code != b.code || a.flag_count != b.flag_count) return false;
  for (std::size_t i = 0; i < a.flag_count; ++i) {
    if (a.flags[i].letter != b.flags[i].letter || !same(a.flags[i].token, b.flags[i].token)) {
      return false;
    }
  }
  return same(a.line, b.line) && same(a.value, b.value) && same(a.key, b.key) &&
         same(a.debug, b.debug) && same(a.error, b.error);
}

void CheckReply(const meta::Reply& r, std::string_view bytes) {
  FUZZ_CHECK(r.code != ReplyCode::kNone);
  FUZZ_CHECK(r.flag_count <= meta::Reply::kMaxFlags);
  FUZZ_CHECK(Inside(r.line, bytes) && Inside(r.value, bytes) && Inside(r.debug, bytes));
  FUZZ_CHECK(Inside(r.error, bytes));
  FUZZ_CHECK(Inside(r.key, bytes) || Inside(r.key, KeyStorage(r)));
  for (std::size_t i = 0; i < r.flag_count; ++i) FUZZ_CHECK(Inside(r.flags[i].token, bytes));
  if (r.code == ReplyCode::kMe) FUZZ_CHECK(!r.key.empty());
  if (r.code == ReplyCode::kVa) {
    mnemo::text::Tokenizer tokens(r.line);
    tokens.Next();
    FUZZ_CHECK(mnemo::text::ParseU64(tokens.Next()) == r.value.size());
  }
}

// ---- Part 2: a fuzzer-chosen exchange ----

// A request to send: its flags in the order chosen. Not copied or moved once filled: the
// O flag's token points into `opaque`.
struct Exchange {
  Command command = Command::kMetaNoop;
  std::string key;
  bool base64 = false;
  std::string value;
  std::vector<meta::Flag> flags;
  std::string opaque;
};

std::string PrintableText(FuzzedDataProvider& fdp, std::size_t max) {
  std::string text = fdp.ConsumeRandomLengthString(max);
  for (char& c : text) c = static_cast<char>('!' + static_cast<unsigned char>(c) % 94);
  return text;
}

meta::Flag MakeFlag(char letter, Command command, FuzzedDataProvider& fdp, Exchange& ex) {
  switch (letter) {
    case 'T':
    case 'N':
    case 'R':
      return {letter, fdp.ConsumeIntegral<std::int32_t>()};
    case 'C':
    case 'E':
    case 'D':
    case 'J':
      return {letter, fdp.ConsumeIntegral<std::uint64_t>()};
    case 'F':
      return {letter, fdp.ConsumeIntegral<std::uint32_t>()};
    case 'M': {
      const std::string_view modes = command == Command::kMetaSet ? "EAPRS" : "I+D-";
      return {letter, modes[fdp.ConsumeIntegralInRange<std::size_t>(0, modes.size() - 1)]};
    }
    case 'O':  // at most once per request
      ex.opaque = PrintableText(fdp, 31);
      return {letter, std::string_view(ex.opaque)};
    default:
      return {letter};
  }
}

void ChooseExchange(FuzzedDataProvider& fdp, Exchange& ex) {
  constexpr Command kCommands[] = {Command::kMetaGet,    Command::kMetaSet,
                                   Command::kMetaDelete, Command::kMetaArithmetic,
                                   Command::kMetaDebug,  Command::kMetaNoop};
  ex.command = fdp.PickValueInArray(kCommands);
  ex.base64 = fdp.ConsumeBool();
  // A base64 key is at most 250 characters: 186 bytes.
  ex.key = ex.base64 ? fdp.ConsumeRandomLengthString(186) : PrintableText(fdp, 250);
  if (ex.key.empty()) ex.key = "k";
  std::string letters;
  switch (ex.command) {
    case Command::kMetaGet:
      letters = "vstcflhkOquTNRE";
      break;
    case Command::kMetaSet:
      letters = "cOkqITFCEMN";
      break;
    case Command::kMetaDelete:
      letters = "qOkCEIT";
      break;
    case Command::kMetaArithmetic:
      letters = "NJDTMqOktcvCE";
      break;
    default:
      return;
  }
  if (ex.base64) letters += 'b';
  const std::size_t count = fdp.ConsumeIntegralInRange<std::size_t>(0, letters.size());
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t pick = fdp.ConsumeIntegralInRange<std::size_t>(0, letters.size() - 1);
    ex.flags.push_back(MakeFlag(letters[pick], ex.command, fdp, ex));
    letters.erase(pick, 1);
  }
  if (ex.command == Command::kMetaSet) ex.value = fdp.ConsumeRandomLengthString(1000);
}

std::string EncodeRequest(const Exchange& ex) {
  const auto encoding = ex.base64 ? meta::KeyEncoding::kBase64 : meta::KeyEncoding::kText;
  std::string wire;
  switch (ex.command) {
    case Command::kMetaGet:
      meta::EncodeGetRequest(ex.key, ex.flags, wire, encoding);
      break;
    case Command::kMetaSet:
      meta::EncodeSetRequest(ex.key, ex.value, ex.flags, wire, encoding);
      break;
    case Command::kMetaDelete:
      meta::EncodeDeleteRequest(ex.key, ex.flags, wire, encoding);
      break;
    case Command::kMetaArithmetic:
      meta::EncodeArithmeticRequest(ex.key, ex.flags, wire, encoding);
      break;
    case Command::kMetaDebug:
      meta::EncodeDebugRequest(ex.key, wire, encoding);
      break;
    default:
      meta::EncodeNoopRequest(wire);
      break;
  }
  return wire;
}

void CheckRequest(const Exchange& ex, const Request& r) {
  FUZZ_CHECK(r.command == ex.command);
  if (ex.command == Command::kMetaNoop) return;
  FUZZ_CHECK(r.key == ex.key);
  FUZZ_CHECK(r.value == ex.value);
  FUZZ_CHECK(r.meta.Has('b') == ex.base64);
  for (const meta::Flag& flag : ex.flags) {
    const char letter = flag.letter();
    FUZZ_CHECK(r.meta.Has(letter));
    const std::string_view token = flag.token();
    const auto number = [&] { return mnemo::text::ParseI64(token).value_or(0); };
    const auto unsigned_number = [&] { return mnemo::text::ParseU64(token).value_or(0); };
    if (letter == 'T') FUZZ_CHECK(r.meta.ttl == number());
    if (letter == 'N') FUZZ_CHECK(r.meta.vivify_ttl == number());
    if (letter == 'R') FUZZ_CHECK(r.meta.recache_ttl == number());
    if (letter == 'C') FUZZ_CHECK(r.meta.compare_cas == unsigned_number());
    if (letter == 'E') FUZZ_CHECK(r.meta.new_cas == unsigned_number());
    if (letter == 'D') FUZZ_CHECK(r.meta.delta == unsigned_number());
    if (letter == 'J') FUZZ_CHECK(r.meta.initial == unsigned_number());
    if (letter == 'F') FUZZ_CHECK(r.meta.client_flags == unsigned_number());
    if (letter == 'M') FUZZ_CHECK(r.meta.mode == token[0]);
    if (letter == 'O') FUZZ_CHECK(r.meta.opaque == token);
    if (letter == 'q') FUZZ_CHECK(r.quiet);
  }
}

using Flags = std::vector<std::pair<char, std::string>>;

// The key as a k flag or an ME line shows it: base64 (a k flag is then followed by a b flag)
// or as is.
std::string KeyText(std::string_view key, bool binary) {
  if (!binary) return std::string(key);
  char encoded[mnemo::base64::EncodedSize(mnemo::kMaxKeyLength)];
  return std::string(encoded, mnemo::base64::Encode(key, encoded).value_or(0));
}

// Whether the server may show an item's key as a binary (base64) key: it must when it stored
// the item through a b key, which the fuzzer picks, and the key cannot go on the line raw.
bool ChooseBinaryKey(const Request& r, FuzzedDataProvider& fdp) {
  const bool raw_unsafe = r.key.find_first_of(" \n") != std::string_view::npos;
  return fdp.ConsumeBool() || raw_unsafe;
}

// The return flags expected, in request order: `value_of` gives the token of an item flag
// (nullopt: not reflected), O and k are reflected by every reply. `binary_key` says how k
// shows the key: as the request wrote it, except for mg hits (as the item was stored).
template <class ValueOf>
Flags Expect(const Request& r, ValueOf value_of, bool binary_key) {
  Flags flags;
  mnemo::text::Tokenizer tokens(r.meta.tokens);
  for (std::string_view token = tokens.Next(); !token.empty(); token = tokens.Next()) {
    if (std::optional<std::string> value = value_of(token[0])) {
      flags.emplace_back(token[0], *value);
    } else if (token[0] == 'O') {
      flags.emplace_back('O', std::string(token.substr(1)));
    } else if (token[0] == 'k') {
      flags.emplace_back('k', KeyText(r.key, binary_key));
      if (binary_key) flags.emplace_back('b', "");
    }
  }
  return flags;
}

std::optional<std::string> NoItemFlags(char /*letter*/) { return std::nullopt; }

void CheckFlags(const meta::Reply& reply, const Flags& expected) {
  FUZZ_CHECK(reply.flag_count == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    FUZZ_CHECK(reply.flags[i].letter == expected[i].first);
    FUZZ_CHECK(reply.flags[i].token == expected[i].second);
  }
}

// Renders the server's reply to `r` and returns the flags it must carry.
Flags EncodeReply(const Request& r, FuzzedDataProvider& fdp, std::string& wire, ReplyCode& code,
                  std::string& value) {
  constexpr ReplyCode kStoreCodes[] = {ReplyCode::kHd, ReplyCode::kNs, ReplyCode::kEx,
                                       ReplyCode::kNf};
  switch (r.command) {
    case Command::kMetaGet: {
      if (fdp.ConsumeBool()) {
        code = ReplyCode::kEn;
        meta::EncodeStatus(r, code, wire);
        return Expect(r, NoItemFlags, r.meta.Has('b'));
      }
      meta::ItemFacts item{fdp.ConsumeIntegral<std::uint64_t>(),
                           fdp.ConsumeIntegral<std::uint32_t>(),
                           fdp.ConsumeIntegral<std::int64_t>(),
                           fdp.ConsumeIntegral<std::int64_t>(),
                           fdp.ConsumeBool(),
                           fdp.ConsumeBool(),
                           fdp.ConsumeBool(),
                           fdp.ConsumeBool()};
      item.binary_key = ChooseBinaryKey(r, fdp);
      value = fdp.ConsumeRandomLengthString(512);
      code = r.meta.Has('v') ? ReplyCode::kVa : ReplyCode::kHd;
      meta::EncodeGetHit(r, item, value, wire);
      Flags flags = Expect(
          r,
          [&](char letter) -> std::optional<std::string> {
            switch (letter) {
              case 's':
                return std::to_string(value.size());
              case 't':
                return std::to_string(item.ttl);
              case 'c':
                return std::to_string(item.cas);
              case 'f':
                return std::to_string(item.client_flags);
              case 'l':
                return std::to_string(item.idle);
              case 'h':
                return item.fetched ? "1" : "0";
              default:
                return std::nullopt;
            }
          },
          item.binary_key);
      if (item.lost) flags.emplace_back('Z', "");
      if (item.stale) flags.emplace_back('X', "");
      if (item.win && !item.lost) flags.emplace_back('W', "");
      if (code == ReplyCode::kHd) value.clear();
      return flags;
    }
    case Command::kMetaSet: {
      code = fdp.PickValueInArray(kStoreCodes);
      const auto cas = fdp.ConsumeIntegral<std::uint64_t>();
      meta::EncodeStoreReply(r, code, cas, wire);
      return Expect(
          r,
          [&](char letter) -> std::optional<std::string> {
            if (letter == 'c') return std::to_string(cas);
            return std::nullopt;
          },
          r.meta.Has('b'));
    }
    case Command::kMetaDelete:
    case Command::kMetaArithmetic:
      if (r.command == Command::kMetaDelete || fdp.ConsumeBool()) {
        code =
            fdp.PickValueInArray({ReplyCode::kHd, ReplyCode::kNf, ReplyCode::kEx, ReplyCode::kNs});
        meta::EncodeStatus(r, code, wire);
        return Expect(r, NoItemFlags, r.meta.Has('b'));
      } else {
        const auto number = fdp.ConsumeIntegral<std::uint64_t>();
        const auto cas = fdp.ConsumeIntegral<std::uint64_t>();
        const auto ttl = fdp.ConsumeIntegral<std::int64_t>();
        meta::EncodeArithmeticReply(r, number, cas, ttl, wire);
        code = r.meta.Has('v') ? ReplyCode::kVa : ReplyCode::kHd;
        if (code == ReplyCode::kVa) value = std::to_string(number);
        return Expect(
            r,
            [&](char letter) -> std::optional<std::string> {
              if (letter == 'c') return std::to_string(cas);
              if (letter == 't') return std::to_string(ttl);
              return std::nullopt;
            },
            r.meta.Has('b'));
      }
    default:
      code = ReplyCode::kMn;
      meta::EncodeNoopReply(wire);
      return {};
  }
}

void CheckDebugExchange(const Request& r, FuzzedDataProvider& fdp) {
  meta::DebugFacts facts{fdp.ConsumeIntegral<std::int64_t>(),  fdp.ConsumeIntegral<std::int64_t>(),
                         fdp.ConsumeIntegral<std::uint64_t>(), fdp.ConsumeBool(),
                         fdp.ConsumeIntegral<std::uint32_t>(), fdp.ConsumeIntegral<std::size_t>()};
  facts.binary_key = ChooseBinaryKey(r, fdp);
  std::string wire;
  meta::EncodeDebugReply(r, facts, wire);
  const std::size_t size = wire.size();
  wire += fdp.ConsumeRemainingBytesAsString();
  meta::Reply reply;
  const ParseResult result = meta::ParseReply(wire, reply);
  FUZZ_CHECK(result.status == ParseStatus::kOk && result.consumed == size);
  FUZZ_CHECK(reply.code == ReplyCode::kMe && reply.key == KeyText(r.key, facts.binary_key));
  FUZZ_CHECK(reply.DebugField("exp") == std::to_string(facts.exp));
  FUZZ_CHECK(reply.DebugField("la") == std::to_string(facts.la));
  FUZZ_CHECK(reply.DebugField("cas") == std::to_string(facts.cas));
  FUZZ_CHECK(reply.DebugField("fetch") == (facts.fetched ? "yes" : "no"));
  FUZZ_CHECK(reply.DebugField("cls") == std::to_string(facts.slab_class));
  FUZZ_CHECK(reply.DebugField("size") == std::to_string(facts.size));
}

void CheckExchange(FuzzedDataProvider& fdp) {
  Exchange ex;
  ChooseExchange(fdp, ex);
  const std::string request_wire = EncodeRequest(ex);
  Request request;
  const ParseResult parsed = meta::ParseRequest(request_wire, mnemo::fuzz::FuzzLimits(), request);
  FUZZ_CHECK(parsed.status == ParseStatus::kOk && parsed.consumed == request_wire.size());
  CheckRequest(ex, request);
  if (ex.command == Command::kMetaDebug) return CheckDebugExchange(request, fdp);

  std::string wire, value;
  ReplyCode code = ReplyCode::kNone;
  const Flags flags = EncodeReply(request, fdp, wire, code, value);
  const std::size_t size = wire.size();
  wire += fdp.ConsumeRemainingBytesAsString();
  meta::Reply reply;
  const ParseResult result = meta::ParseReply(wire, reply);
  FUZZ_CHECK(result.status == ParseStatus::kOk && result.consumed == size);
  FUZZ_CHECK(reply.code == code && reply.value == value);
  CheckFlags(reply, flags);
  if (request.meta.Has('k')) FUZZ_CHECK(reply.key == request.key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  mnemo::fuzz::RunReplyStream<meta::Reply>(input, Parse, CheckReply, Same, PrefixMustWait);
  FuzzedDataProvider fdp(data, size);
  CheckExchange(fdp);
  return 0;
}

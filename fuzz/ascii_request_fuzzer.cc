// Classic ASCII request parser (ascii::ParseRequest) fuzzer. On top of the shared request
// invariants (request_checks.h: consumed bytes, views inside the input, determinism and
// self-containment, the prefix property) it checks that
//   - a shorter prefix of a request must wait (kIncomplete) while it holds the line's newline
//     (a storage command waiting for its data block), holds at most max_line_bytes (2048), or
//     is a get/gets line of at most kMaxMultigetLineBytes: memcached closes a connection only
//     when a line grows past 2048 bytes without a newline, and lets multigets grow;
//   - every error line is a one-line reply that ascii::ParseReply reads as an error, and
//     AppendError writes it unless noreply hides it;
//   - a kOk request with a client encoder (get/gets/gat/gats, the six storage commands,
//     delete, incr/decr, touch, flush_all, stats, version, verbosity, quit) re-encoded with
//     ascii::Encode*Request parses back to the same command, keys, value, flags, exptime,
//     cas, delta, number and noreply; the domain verbs (servers, clients, domain_update with
//     valid change lines) to the same name, notify, version and parsed changes. cache_memlimit, shutdown and the admin verbs have no
//     client encoder; flush_all with a non-numeric delay cannot be re-encoded.
// `keys` of get/gets are not length-checked by the parser (the handler rejects a long key
// after answering the earlier ones), so the 250-byte check applies to `key` only.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "mnemo/protocol/ascii.h"
#include "mnemo/protocol/domains.h"
#include "request_checks.h"

namespace {

using mnemo::Command;
using mnemo::ParseResult;
using mnemo::ParserLimits;
using mnemo::ParseStatus;
using mnemo::Request;
namespace ascii = mnemo::ascii;

std::vector<std::string_view> Split(std::string_view text) {
  std::vector<std::string_view> tokens;
  mnemo::text::Tokenizer tokenizer(text);
  for (std::string_view t = tokenizer.Next(); !t.empty(); t = tokenizer.Next()) {
    tokens.push_back(t);
  }
  return tokens;
}

// memcached's multiget exception: at most 100 spaces, then "get " or "gets ".
bool IsMultigetLine(std::string_view line) {
  const std::size_t start = line.find_first_not_of(' ');
  if (start == std::string_view::npos || start > 100) return false;
  line.remove_prefix(start);
  return line.starts_with("get ") || line.starts_with("gets ");
}

bool PrefixMustWait(std::string_view prefix, const ParserLimits& limits) {
  if (prefix.find('\n') != std::string_view::npos) return true;
  if (prefix.size() <= limits.max_line_bytes) return true;
  return IsMultigetLine(prefix) && prefix.size() <= ascii::kMaxMultigetLineBytes;
}

void CheckResult(ParseResult result, const Request& request, std::string_view /*bytes*/) {
  FUZZ_CHECK(request.protocol == mnemo::Protocol::kAscii);
  if (result.status == ParseStatus::kOk) FUZZ_CHECK(request.error.empty());
  if (result.status != ParseStatus::kError) return;
  FUZZ_CHECK(!request.error.empty());
  FUZZ_CHECK(request.error.find_first_of("\r\n") == std::string_view::npos);
  std::string sent;
  ascii::AppendError(request, sent);
  if (request.quiet) {
    FUZZ_CHECK(sent.empty());
    return;
  }
  FUZZ_CHECK(sent == std::string(request.error) + "\r\n");
  ascii::Reply reply;
  const ParseResult parsed = ascii::ParseReply(sent, reply);
  FUZZ_CHECK(parsed.status == ParseStatus::kOk && parsed.consumed == sent.size());
  FUZZ_CHECK(reply.kind == ascii::ReplyKind::kError ||
             reply.kind == ascii::ReplyKind::kClientError ||
             reply.kind == ascii::ReplyKind::kServerError);
}

std::optional<mnemo::StoreMode> StoreModeOf(Command command) {
  switch (command) {
    case Command::kSet:
      return mnemo::StoreMode::kSet;
    case Command::kAdd:
      return mnemo::StoreMode::kAdd;
    case Command::kReplace:
      return mnemo::StoreMode::kReplace;
    case Command::kAppend:
      return mnemo::StoreMode::kAppend;
    case Command::kPrepend:
      return mnemo::StoreMode::kPrepend;
    case Command::kCas:
      return mnemo::StoreMode::kCas;
    default:
      return std::nullopt;
  }
}

// The request bytes the client encoders give for `r`, or nullopt when there is no encoder.
std::optional<std::string> Encode(const Request& r) {
  std::string wire;
  const auto kind = r.command == Command::kGets || r.command == Command::kGats
                        ? ascii::GetKind::kGets
                        : ascii::GetKind::kGet;
  if (std::optional<mnemo::StoreMode> mode = StoreModeOf(r.command)) {
    ascii::EncodeStoreRequest(*mode, r.key, r.client_flags, r.exptime, r.value, r.cas, r.quiet,
                              wire);
    return wire;
  }
  switch (r.command) {
    case Command::kGet:
    case Command::kGets:
      ascii::EncodeGetRequest(kind, Split(r.keys), wire);
      break;
    case Command::kGat:
    case Command::kGats:
      ascii::EncodeGatRequest(kind, r.exptime, Split(r.keys), wire);
      break;
    case Command::kDelete:
      ascii::EncodeDeleteRequest(r.key, r.quiet, wire);
      break;
    case Command::kIncr:
    case Command::kDecr:
      ascii::EncodeArithmeticRequest(r.command == Command::kIncr, r.key, r.delta, r.quiet, wire);
      break;
    case Command::kTouch:
      ascii::EncodeTouchRequest(r.key, r.exptime, r.quiet, wire);
      break;
    case Command::kFlushAll:
      if (!r.args.empty() && !r.has_number) return std::nullopt;
      ascii::EncodeFlushAllRequest(r.has_number ? std::optional(r.number) : std::nullopt, r.quiet,
                                   wire);
      break;
    case Command::kStats: {
      std::string args(r.verb);
      if (!r.args.empty()) args.append(" ").append(r.args);
      ascii::EncodeStatsRequest(args, wire);
      break;
    }
    case Command::kVersion:
      ascii::EncodeVersionRequest(wire);
      break;
    case Command::kQuit:
      ascii::EncodeQuitRequest(wire);
      break;
    case Command::kVerbosity:
      ascii::EncodeVerbosityRequest(static_cast<std::uint32_t>(r.number), r.quiet, wire);
      break;
    case Command::kServers:
      mnemo::domains::EncodeServersRequest(r.domain.name, r.domain.notify, wire);
      break;
    case Command::kClients:
      mnemo::domains::EncodeClientsRequest(wire);
      break;
    case Command::kDomainUpdate: {
      // Change lines are re-encoded in their normal form, so they compare once parsed.
      auto changes = mnemo::domains::ParseChanges(r.domain.lines, r.domain.count);
      if (!changes) return std::nullopt;
      mnemo::domains::EncodeUpdateRequest(r.domain.name, r.domain.version, *changes, wire);
      break;
    }
    default:
      return std::nullopt;
  }
  return wire;
}

void RoundTrip(const Request& r, std::string_view /*bytes*/, const ParserLimits& limits) {
  const std::optional<std::string> wire = Encode(r);
  if (!wire) return;
  Request again;
  const ParseResult result = ascii::ParseRequest(*wire, limits, again);
  FUZZ_CHECK(result.status == ParseStatus::kOk);
  FUZZ_CHECK(result.consumed == wire->size());
  FUZZ_CHECK(again.command == r.command);
  FUZZ_CHECK(again.key == r.key);
  FUZZ_CHECK(Split(again.keys) == Split(r.keys));
  FUZZ_CHECK(again.value == r.value);
  FUZZ_CHECK(again.client_flags == r.client_flags);
  FUZZ_CHECK(again.exptime == r.exptime);
  FUZZ_CHECK(again.cas == r.cas);
  FUZZ_CHECK(again.delta == r.delta);
  FUZZ_CHECK(again.quiet == r.quiet);
  FUZZ_CHECK(again.has_number == r.has_number);
  FUZZ_CHECK(again.number == r.number);
  if (r.command == Command::kStats) {
    FUZZ_CHECK(again.verb == r.verb);
    FUZZ_CHECK(again.args == r.args);
  }
  FUZZ_CHECK(again.domain.name == r.domain.name);
  FUZZ_CHECK(again.domain.notify == r.domain.notify);
  FUZZ_CHECK(again.domain.version == r.domain.version);
  FUZZ_CHECK(again.domain.count == r.domain.count);
  if (r.command == Command::kDomainUpdate) {
    auto before = mnemo::domains::ParseChanges(r.domain.lines, r.domain.count);
    auto after = mnemo::domains::ParseChanges(again.domain.lines, again.domain.count);
    FUZZ_CHECK(before && after && before->size() == after->size());
    for (std::size_t i = 0; i < before->size(); ++i) {
      FUZZ_CHECK((*before)[i].kind == (*after)[i].kind);
      FUZZ_CHECK((*before)[i].server == (*after)[i].server);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr mnemo::fuzz::RequestTarget kTarget{ascii::ParseRequest, PrefixMustWait,
                                                      CheckResult, RoundTrip};
  mnemo::fuzz::RunRequestTarget(kTarget,
                                std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

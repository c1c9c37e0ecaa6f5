#include "mnemo/session.h"

#include <algorithm>
#include <optional>

#include "ascii/domain_internal.h"
#include "ascii/handler.h"
#include "binary/handler.h"
#include "binary/sasl.h"
#include "core/context.h"
#include "meta/handler.h"
#include "mnemo/protocol/ascii.h"
#include "mnemo/protocol/binary.h"
#include "mnemo/protocol/meta.h"
#include "session/ascii_auth.h"
#include "session/try_only_engine.h"
#include "session/watching_engine.h"

namespace mnemo {
namespace {

constexpr unsigned char kBinaryRequestMagic = 0x80;

// A text line is routed to the meta parser when its verb is one of the two-letter meta verbs.
// Returns nullopt while too few bytes have arrived to tell.
std::optional<bool> IsMetaLine(std::string_view in) {
  if (in.size() < 3 && in.find('\n') == std::string_view::npos) return std::nullopt;
  return meta::IsMetaCommand(in);
}

// True for the requests that EngineCalls::kNonBlocking may run: those that make at most one
// engine call, a get, so that a declined one has had no effect. Left out: an ASCII get of
// several keys, since keys served before a declined one would have been bumped and counted;
// an mg with T (TryGet declines a touch anyway, and after R the handler touches in a second
// call).
bool RunsWithoutBlocking(const Request& request) {
  switch (request.command) {
    case Command::kGet:
    case Command::kGets:
      return request.keys.find(' ') == std::string_view::npos;
    case Command::kMetaGet:
      // With T after R, the handler touches after its get: a second engine call.
      return !request.meta.Has('T');
    case Command::kMetaNoop:
    case Command::kNoop:
    case Command::kVersion:
      return true;
    default:
      return false;
  }
}

// Runs one parsed request (or answers its parse error), appending its reply to `output`.
void ExecuteParsed(const Request& request, ParseStatus status, Protocol parsed_as,
                   SessionContext& context, std::string& output) {
  if (status == ParseStatus::kOk) {
    if (parsed_as == Protocol::kBinary) {
      binary::Execute(request, context, output);
    } else if (parsed_as == Protocol::kMeta) {
      meta::Execute(request, context, output);
    } else {
      ascii::Execute(request, context, output);
    }
    return;
  }
  // memcached counts a storage command once it has read the data block, good or not.
  if (request.bad_chunk) ++context.counters.cmd_set;
  if (parsed_as == Protocol::kBinary) {
    // With -S, memcached refuses a packet for want of auth before it looks at its opcode or
    // lengths (a bad magic byte, no header at all, still closes silently).
    if (request.error.empty() || !binary::RefuseUnauthenticated(request, context, output)) {
      binary::AppendError(request, output);
    }
  } else if (parsed_as == Protocol::kMeta) {
    // Meta errors are sent even with q.
    if (!request.error.empty()) ascii::EncodeLine(request.error, output);
  } else {
    ascii::AppendError(request, output);
  }
  if (status == ParseStatus::kFatal) context.close = true;
}

}  // namespace

Session::Session(Engine& engine, const SessionConfig& config, CommandCounters& counters,
                 SessionHooks* hooks)
    : engine_(engine),
      config_(config),
      counters_(counters),
      hooks_(hooks != nullptr ? hooks : &default_hooks_),
      mode_(config.protocol) {
  if (mode_ == ProtocolMode::kBinary) {
    protocol_ = Protocol::kBinary;
    protocol_known_ = true;
  } else if (mode_ == ProtocolMode::kAscii) {
    protocol_known_ = true;
  }
}

Session::~Session() = default;

std::size_t Session::Process(std::string_view input, std::string& output, EngineCalls calls) {
  const bool non_blocking = calls == EngineCalls::kNonBlocking;
  blocked_ = false;
  // A watcher's further input is never executed (memcached stops reading it).
  if (watch_flags_ != 0) return input.size();
  // Only while someone watches do requests go through the reporting engine; one question per
  // call, not per request. It makes blocking calls, so a watched call that must not block is
  // left whole to the caller's thread that may.
  std::optional<WatchingEngine> watching;
  if (WatchSink* sink = hooks_->Watching()) {
    if (non_blocking) {
      blocked_ = true;
      return 0;
    }
    watching.emplace(engine_, *sink, client_fd_);
  }
  TryOnlyEngine try_only(engine_);
  Engine& engine = watching ? static_cast<Engine&>(*watching) : engine_;
  SessionContext context{non_blocking ? static_cast<Engine&>(try_only) : engine, config_,
                         counters_, *hooks_};
  context.subscriptions = &domain_subscriptions_;
  context.auth = &auth_;
  ParserLimits limits;
  limits.max_value_bytes = config_.item_size_max;
  std::size_t consumed = 0;
  std::size_t requests = 0;
  at_request_limit_ = false;
  blocked_ = false;

  while (!closing_ && consumed < input.size() && output.size() < config_.output_high_water) {
    std::string_view in = input.substr(consumed);
    if (skip_bytes_ > 0) {
      std::size_t n = std::min(skip_bytes_, in.size());
      skip_bytes_ -= n;
      consumed += n;
      counters_.bytes_read += n;
      continue;
    }
    if (requests == config_.max_requests_per_call && requests != 0) {
      at_request_limit_ = true;
      break;
    }
    if (config_.ascii_auth_required && !auth_.authenticated) {
      const std::optional<std::size_t> used = AsciiSignIn(in, context, auth_, output);
      if (!used) break;
      ++requests;
      consumed += *used;
      if (context.close) closing_ = true;
      continue;
    }
    Request request;
    Protocol parsed_as = protocol_;
    const ParseResult result = ParseNext(in, limits, request, parsed_as);
    if (result.status == ParseStatus::kIncomplete) break;
    if (non_blocking && result.status == ParseStatus::kOk && !RunsWithoutBlocking(request)) {
      blocked_ = true;
      break;
    }
    // What a request the engine declines must leave as it found it.
    const std::optional<CommandCounters> counted_before =
        non_blocking ? std::optional<CommandCounters>(counters_) : std::nullopt;
    // Counted per request, not per call, so stats do not depend on how reads were split.
    counters_.bytes_read += result.consumed;
    const std::size_t reply_start = output.size();
    ExecuteParsed(request, result.status, parsed_as, context, output);
    if (try_only.declined()) {
      output.resize(reply_start);
      counters_ = *counted_before;
      blocked_ = true;
      break;
    }
    ++requests;
    consumed += result.consumed;
    if (result.status == ParseStatus::kOk && parsed_as == Protocol::kAscii &&
        domain_subscriptions_) {
      domain_subscriptions_->AppendNotices(*hooks_, reply_start, output);
    }
    if (result.status == ParseStatus::kOk && request.oversize) skip_bytes_ = request.skip_bytes;
    counters_.bytes_written += output.size() - reply_start;
    if (context.close) closing_ = true;
    if (context.watch_flags != 0) {
      watch_flags_ = context.watch_flags;
      return input.size();
    }
  }
  return consumed;
}

ParseResult Session::ParseNext(std::string_view in, const ParserLimits& limits, Request& request,
                               Protocol& parsed_as) {
  if (!protocol_known_) {
    protocol_ = static_cast<unsigned char>(in[0]) == kBinaryRequestMagic ? Protocol::kBinary
                                                                         : Protocol::kAscii;
    protocol_known_ = true;
  }
  parsed_as = protocol_;
  if (protocol_ == Protocol::kBinary) return binary::ParseRequest(in, limits, request);
  const std::optional<bool> is_meta = IsMetaLine(in);
  if (!is_meta) return ParseResult{ParseStatus::kIncomplete, 0};
  parsed_as = *is_meta ? Protocol::kMeta : Protocol::kAscii;
  return *is_meta ? meta::ParseRequest(in, limits, request)
                  : ascii::ParseRequest(in, limits, request);
}

}  // namespace mnemo

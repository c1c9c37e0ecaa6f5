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
#include "session/deferring_engine.h"
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

// True for the requests EngineCalls::kNonBlocking may run, capturing the engine calls they
// need: those whose only effects are engine calls, counters and their reply, which can all be
// thrown away and made again when the request is replayed. Everything else (flush_all, stats,
// item dumps, verbosity, auth, watch, quit, ...) runs the old way, on a thread that may block.
bool Capturable(const Request& request) {
  switch (request.command) {
    case Command::kGet:
    case Command::kGets:
    case Command::kGat:
    case Command::kGats:
    case Command::kSet:
    case Command::kAdd:
    case Command::kReplace:
    case Command::kAppend:
    case Command::kPrepend:
    case Command::kCas:
    case Command::kDelete:
    case Command::kIncr:
    case Command::kDecr:
    case Command::kTouch:
    case Command::kMetaGet:
    case Command::kMetaSet:
    case Command::kMetaDelete:
    case Command::kMetaArithmetic:
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
  at_request_limit_ = false;
  pending_.clear();
  // Captures are replayed only by the kNonBlocking call that follows them: a call that may
  // block makes its own.
  if (!non_blocking) captures_.clear();
  // A watcher's further input is never executed (memcached stops reading it).
  if (watch_flags_ != 0) return input.size();
  // Only while someone watches do requests go through the reporting engine; one question per
  // call, not per request. It makes blocking calls, so a watched call that must not block is
  // left whole to the caller's thread that may.
  std::optional<WatchingEngine> watching;
  if (WatchSink* sink = hooks_->Watching()) {
    if (non_blocking) {
      captures_.clear();
      blocked_ = true;
      return 0;
    }
    watching.emplace(engine_, *sink, client_fd_);
  }
  const auto context_over = [this](Engine& engine) {
    SessionContext context{engine, config_, counters_, *hooks_};
    context.subscriptions = &domain_subscriptions_;
    context.auth = &auth_;
    return context;
  };
  if (!non_blocking) {
    SessionContext context = context_over(watching ? *watching : engine_);
    return RunRequests(input, output, context, nullptr);
  }
  DeferringEngine deferring(engine_, captures_);
  SessionContext context = context_over(deferring);
  const std::size_t consumed = RunRequests(input, output, context, &deferring);
  deferring.Finish(pending_);
  if (!pending_.empty()) blocked_ = true;
  return consumed;
}

std::size_t Session::RunRequests(std::string_view input, std::string& output,
                                 SessionContext& context, DeferringEngine* deferring) {
  ParserLimits limits;
  limits.max_value_bytes = config_.item_size_max;
  std::size_t consumed = 0;  // the requests executed for good
  std::size_t parsed = 0;    // beyond `consumed` once a request was deferred
  std::size_t requests = 0;
  while (!closing_ && parsed < input.size() && output.size() < config_.output_high_water) {
    std::string_view in = input.substr(parsed);
    if (skip_bytes_ > 0) {  // never after a deferred request: an oversize one stops deferring
      std::size_t n = std::min(skip_bytes_, in.size());
      skip_bytes_ -= n;
      parsed = consumed += n;
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
      parsed = consumed += *used;
      if (context.close) closing_ = true;
      continue;
    }
    Request request;
    Protocol parsed_as = protocol_;
    const ParseResult result = ParseNext(in, limits, request, parsed_as);
    if (result.status == ParseStatus::kIncomplete) break;
    const Step step =
        RunOne(request, result, parsed_as, context, output, deferring, parsed != consumed);
    if (step == Step::kStopBefore) {
      blocked_ = true;
      break;
    }
    ++requests;
    parsed += result.consumed;
    if (step == Step::kConsumed) consumed = parsed;
    if (step == Step::kDeferredLast) break;
    if (context.watch_flags != 0) {
      watch_flags_ = context.watch_flags;
      return input.size();
    }
  }
  return consumed;
}

Session::Step Session::RunOne(const Request& request, const ParseResult& result, Protocol parsed_as,
                              SessionContext& context, std::string& output,
                              DeferringEngine* deferring, bool deferring_rest) {
  const bool ok = result.status == ParseStatus::kOk;
  // A parse error after a deferred request is answered when that request is replayed.
  if (deferring != nullptr && (ok ? !Capturable(request) : deferring_rest)) {
    return Step::kStopBefore;
  }
  // What a deferred request must leave as it found it.
  const std::optional<CommandCounters> counted_before =
      deferring != nullptr ? std::optional<CommandCounters>(counters_) : std::nullopt;
  // Counted per request, not per call, so stats do not depend on how reads were split.
  counters_.bytes_read += result.consumed;
  const std::size_t reply_start = output.size();
  if (deferring != nullptr) deferring->BeginRequest();
  ExecuteParsed(request, result.status, parsed_as, context, output);
  if (deferring != nullptr &&
      (deferring->refused() || deferring->captured_in_request() || deferring_rest)) {
    output.resize(reply_start);
    counters_ = *counted_before;
    if (deferring->refused()) return Step::kStopBefore;
    // The requests after an oversize one start behind the value it swallows once consumed.
    return deferring->stop() || (ok && request.oversize) ? Step::kDeferredLast : Step::kDeferred;
  }
  if (deferring != nullptr) deferring->RequestConsumed();
  if (ok && parsed_as == Protocol::kAscii && domain_subscriptions_) {
    domain_subscriptions_->AppendNotices(*hooks_, reply_start, output);
  }
  if (ok && request.oversize) skip_bytes_ = request.skip_bytes;
  counters_.bytes_written += output.size() - reply_start;
  if (context.close) closing_ = true;
  return Step::kConsumed;
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

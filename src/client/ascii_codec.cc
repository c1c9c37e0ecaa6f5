// The classic ASCII protocol: requests from ascii::Encode*Request, replies from
// ascii::ParseReply. A multi-get goes out as get lines of at most kKeysPerLine keys, each
// answered by its own END.
#include <algorithm>

#include "codec.h"
#include "mnemo/protocol/ascii.h"

namespace mnemo::client {
namespace {

constexpr std::size_t kKeysPerLine = 100;

bool IsErrorReply(const ascii::Reply& r) {
  return r.kind == ascii::ReplyKind::kError || r.kind == ascii::ReplyKind::kClientError ||
         r.kind == ascii::ReplyKind::kServerError;
}

std::string ErrorText(const ascii::Reply& r) {
  const char* word = r.kind == ascii::ReplyKind::kClientError   ? "CLIENT_ERROR"
                     : r.kind == ascii::ReplyKind::kServerError ? "SERVER_ERROR"
                                                                : "ERROR";
  return r.message.empty() ? word : std::string(word) + " " + std::string(r.message);
}

void SetError(const ascii::Reply& r, Outcome& outcome) {
  outcome.code =
      r.kind == ascii::ReplyKind::kServerError ? ServerErrorCode(r.message) : Code::kServerError;
  if (r.kind == ascii::ReplyKind::kClientError &&
      r.message.find("non-numeric") != std::string_view::npos) {
    outcome.code = Code::kNonNumeric;
  }
  outcome.message = ErrorText(r);
}

// Folds one reply of a single-reply command. Returns false when it does not belong there.
bool FoldSingle(const Op& op, const ascii::Reply& r, Outcome& outcome) {
  using K = ascii::ReplyKind;
  if (IsErrorReply(r)) {
    SetError(r, outcome);
    return true;
  }
  switch (r.kind) {
    case K::kStored:
    case K::kDeleted:
    case K::kTouched:
    case K::kOk:
    case K::kReset:
      outcome.code = Code::kOk;
      return true;
    case K::kNotStored:
      outcome.code = Code::kNotStored;
      return true;
    case K::kExists:
      outcome.code = Code::kExists;
      return true;
    case K::kNotFound:
      outcome.code = Code::kNotFound;
      return true;
    case K::kNumber:
      outcome.number = r.number;
      return op.kind == OpKind::kArithmetic;
    case K::kVersion:
      outcome.message = std::string(r.message);
      return op.kind == OpKind::kVersion || op.kind == OpKind::kNoop;
    default:
      return false;
  }
}

// Folds one reply of a command answered by a list up to END. Returns true at the END.
bool FoldList(const Op& op, const ascii::Reply& r, Outcome& outcome) {
  using K = ascii::ReplyKind;
  switch (r.kind) {
    case K::kValue:
      outcome.items.push_back(
          {std::string(r.key), std::string(r.data), r.client_flags, r.has_cas ? r.cas : 0});
      return false;
    case K::kStat:
      outcome.stats.emplace_back(r.name, r.value);
      return false;
    case K::kOther:
      // lru_crawler answers BUSY (and no END) while another crawl runs.
      if (op.kind == OpKind::kLines && r.message.starts_with("BUSY")) {
        outcome.code = Code::kServerError;
        outcome.message = std::string(r.message);
        return true;
      }
      outcome.lines.emplace_back(r.message);
      return false;
    case K::kEnd:
      return --outcome.pending == 0;
    default:
      // stats reset / detail answer with one line; anything else ends the exchange in doubt.
      if (op.kind == OpKind::kStats && (r.kind == K::kReset || r.kind == K::kOk)) return true;
      if (IsErrorReply(r)) {
        SetError(r, outcome);
      } else {
        outcome.code = Code::kServerError;
        outcome.message = "unexpected reply";
      }
      if (op.kind == OpKind::kGet) outcome.discard_connection = true;
      return true;
  }
}

class Ascii final : public Codec {
 public:
  void Encode(const Op& op, std::string& out, Outcome& outcome) const override {
    outcome.pending = 1;
    switch (op.kind) {
      case OpKind::kGet:
        EncodeGets(op, out, outcome);
        break;
      case OpKind::kStore:
        ascii::EncodeStoreRequest(op.mode, op.key, op.store.flags, op.store.exptime, op.value,
                                  op.cas, false, out);
        break;
      case OpKind::kDelete:
        ascii::EncodeDeleteRequest(op.key, false, out);
        break;
      case OpKind::kArithmetic:
        ascii::EncodeArithmeticRequest(op.increment, op.key, op.delta, false, out);
        break;
      case OpKind::kTouch:
        ascii::EncodeTouchRequest(op.key, op.exptime, false, out);
        break;
      case OpKind::kFlush:
        ascii::EncodeFlushAllRequest(op.delay, false, out);
        break;
      case OpKind::kStats:
        ascii::EncodeStatsRequest(op.text, out);
        break;
      case OpKind::kVersion:
      case OpKind::kNoop:
        ascii::EncodeVersionRequest(out);
        break;
      case OpKind::kVerbosity:
        ascii::EncodeVerbosityRequest(op.level, false, out);
        break;
      case OpKind::kLines:
        ascii::EncodeLine(op.text, out);
        break;
    }
  }

  Feed Parse(const Op& op, std::string_view in, Outcome& outcome) const override {
    const bool list =
        op.kind == OpKind::kGet || op.kind == OpKind::kStats || op.kind == OpKind::kLines;
    Feed feed;
    while (true) {
      ascii::Reply r;
      const ParseResult p = ascii::ParseReply(in.substr(feed.consumed), r);
      if (p.status == ParseStatus::kIncomplete) return feed;
      if (p.status != ParseStatus::kOk) {
        return {Feed::Status::kBroken, feed.consumed, "malformed reply"};
      }
      feed.consumed += p.consumed;
      const bool done = list ? FoldList(op, r, outcome) : FoldSingle(op, r, outcome);
      if (!list && !done) return {Feed::Status::kBroken, feed.consumed, "unexpected reply"};
      if (done) {
        feed.status = Feed::Status::kDone;
        return feed;
      }
    }
  }

 private:
  static void EncodeGets(const Op& op, std::string& out, Outcome& outcome) {
    const auto kind = op.get.with_cas ? ascii::GetKind::kGets : ascii::GetKind::kGet;
    outcome.pending = 0;
    for (std::size_t i = 0; i < op.keys.size(); i += kKeysPerLine) {
      const auto chunk = op.keys.subspan(i, std::min(kKeysPerLine, op.keys.size() - i));
      if (op.get.touch) {
        ascii::EncodeGatRequest(kind, *op.get.touch, chunk, out);
      } else {
        ascii::EncodeGetRequest(kind, chunk, out);
      }
      ++outcome.pending;
    }
  }
};

}  // namespace

const Codec& AsciiCodec() {
  static const Ascii codec;
  return codec;
}

}  // namespace mnemo::client

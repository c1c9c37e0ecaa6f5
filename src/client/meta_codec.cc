// The meta protocol: mg/ms/md/ma/mn from meta::Encode*Request, replies from meta::ParseReply.
// Keys the text protocol cannot carry go base64-encoded (the `b` flag). A get of any number of
// keys is one quiet mg per key (misses stay silent) closed by mn, whose MN ends the exchange.
// Meta has no flush/stats/version/verbosity, so those go out as classic ASCII commands on the
// same connection, which memcached accepts.
#include <array>
#include <charconv>

#include "codec.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::client {
namespace {

meta::KeyEncoding EncodingOf(std::string_view key) {
  return IsTextKey(key) ? meta::KeyEncoding::kText : meta::KeyEncoding::kBase64;
}

char ModeToken(StoreMode mode) {
  switch (mode) {
    case StoreMode::kAdd:
      return 'E';
    case StoreMode::kReplace:
      return 'R';
    case StoreMode::kAppend:
      return 'A';
    case StoreMode::kPrepend:
      return 'P';
    case StoreMode::kSet:
    case StoreMode::kCas:
      break;
  }
  return 'S';
}

template <class T>
T NumberOr(std::optional<std::string_view> token, T fallback) {
  if (!token) return fallback;
  T value{};
  auto [end, ec] = std::from_chars(token->data(), token->data() + token->size(), value);
  return ec == std::errc() ? value : fallback;
}

void EncodeGet(const Op& op, std::string& out) {
  for (std::string_view key : op.keys) {
    std::array<meta::Flag, 6> flags = {'v', 'f', 'k', 'q', 'c', 'c'};
    std::size_t count = op.get.with_cas ? 5 : 4;
    if (op.get.touch) flags[count++] = meta::Flag('T', *op.get.touch);
    meta::EncodeGetRequest(key, std::span(flags.data(), count), out, EncodingOf(key));
  }
  meta::EncodeNoopRequest(out);
}

void EncodeKeyOp(const Op& op, std::string& out) {
  const auto encoding = EncodingOf(op.key);
  switch (op.kind) {
    case OpKind::kStore: {
      std::array<meta::Flag, 4> flags = {
          meta::Flag('F', op.store.flags), meta::Flag('T', op.store.exptime),
          meta::Flag('M', ModeToken(op.mode)), meta::Flag('C', op.cas)};
      const std::size_t count = op.mode == StoreMode::kCas ? 4 : 3;
      meta::EncodeSetRequest(op.key, op.value, std::span(flags.data(), count), out, encoding);
      break;
    }
    case OpKind::kDelete:
      meta::EncodeDeleteRequest(op.key, {}, out, encoding);
      break;
    case OpKind::kArithmetic:
      meta::EncodeArithmeticRequest(
          op.key, {'v', meta::Flag('M', op.increment ? 'I' : 'D'), meta::Flag('D', op.delta)}, out,
          encoding);
      break;
    case OpKind::kTouch:
      meta::EncodeGetRequest(op.key, {meta::Flag('T', op.exptime)}, out, encoding);
      break;
    default:
      break;
  }
}

void SetError(const meta::Reply& r, Outcome& outcome) {
  outcome.message = std::string(r.line);
  outcome.code = Code::kServerError;
  if (r.code == meta::ReplyCode::kServerError) outcome.code = ServerErrorCode(r.error);
  if (r.code == meta::ReplyCode::kClientError &&
      r.error.find("non-numeric") != std::string_view::npos) {
    outcome.code = Code::kNonNumeric;
  }
}

bool IsError(meta::ReplyCode code) {
  return code == meta::ReplyCode::kError || code == meta::ReplyCode::kClientError ||
         code == meta::ReplyCode::kServerError;
}

// One reply of a quiet multi-get. Returns true at the closing MN.
bool FoldGet(const meta::Reply& r, Outcome& outcome) {
  if (r.code == meta::ReplyCode::kVa) {
    outcome.items.push_back({std::string(r.key), std::string(r.value),
                             NumberOr<std::uint32_t>(r.Find('f'), 0),
                             NumberOr<std::uint64_t>(r.Find('c'), 0)});
  } else if (IsError(r.code)) {
    SetError(r, outcome);  // a bad key line: the others still answer, MN still comes
  }
  return r.code == meta::ReplyCode::kMn;
}

void FoldSingle(const Op& op, const meta::Reply& r, Outcome& outcome) {
  using C = meta::ReplyCode;
  switch (r.code) {
    case C::kHd:
      outcome.code = Code::kOk;
      break;
    case C::kVa:
      outcome.code = Code::kOk;
      outcome.number = NumberOr<std::uint64_t>(r.value, 0);
      break;
    case C::kNs:
      outcome.code = Code::kNotStored;
      break;
    case C::kEx:
      outcome.code = Code::kExists;
      break;
    case C::kNf:
    case C::kEn:
      outcome.code = Code::kNotFound;
      break;
    case C::kMn:
      outcome.code = op.kind == OpKind::kNoop ? Code::kOk : Code::kServerError;
      break;
    default:
      SetError(r, outcome);
      break;
  }
}

class Meta final : public Codec {
 public:
  void Encode(const Op& op, std::string& out, Outcome& outcome) const override {
    switch (op.kind) {
      case OpKind::kGet:
        EncodeGet(op, out);
        break;
      case OpKind::kNoop:
        meta::EncodeNoopRequest(out);
        break;
      case OpKind::kStore:
      case OpKind::kDelete:
      case OpKind::kArithmetic:
      case OpKind::kTouch:
        EncodeKeyOp(op, out);
        break;
      default:
        AsciiCodec().Encode(op, out, outcome);
        return;
    }
    outcome.pending = 1;
  }

  Feed Parse(const Op& op, std::string_view in, Outcome& outcome) const override {
    switch (op.kind) {
      case OpKind::kGet:
      case OpKind::kNoop:
      case OpKind::kStore:
      case OpKind::kDelete:
      case OpKind::kArithmetic:
      case OpKind::kTouch:
        break;
      default:
        return AsciiCodec().Parse(op, in, outcome);
    }
    Feed feed;
    while (true) {
      meta::Reply r;
      const ParseResult p = meta::ParseReply(in.substr(feed.consumed), r);
      if (p.status == ParseStatus::kIncomplete) return feed;
      if (p.status != ParseStatus::kOk) {
        return {Feed::Status::kBroken, feed.consumed, "malformed meta reply"};
      }
      feed.consumed += p.consumed;
      bool done = true;
      if (op.kind == OpKind::kGet) {
        done = FoldGet(r, outcome);
      } else {
        FoldSingle(op, r, outcome);
      }
      if (done) {
        feed.status = Feed::Status::kDone;
        return feed;
      }
    }
  }
};

}  // namespace

const Codec& MetaCodec() {
  static const Meta codec;
  return codec;
}

}  // namespace mnemo::client

// The binary protocol: packets from binary::Append*Request, responses from
// binary::ParseResponse. A get of any number of keys is one quiet GetKQ (GatKQ) per key closed
// by a Noop, whose response ends the exchange; misses stay silent. Statuses are mapped to the
// outcomes the ASCII protocol gives for the same command, so callers see one set of answers.
#include <algorithm>
#include <limits>

#include "codec.h"
#include "mnemo/protocol/binary.h"

namespace mnemo::client {
namespace {

using binary::Opcode;
using binary::Status;

std::uint32_t WireExptime(std::int64_t exptime) {
  return static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(exptime, 0, std::numeric_limits<std::uint32_t>::max()));
}

Opcode StoreOpcode(StoreMode mode) {
  switch (mode) {
    case StoreMode::kAdd:
      return Opcode::kAdd;
    case StoreMode::kReplace:
      return Opcode::kReplace;
    case StoreMode::kAppend:
      return Opcode::kAppend;
    case StoreMode::kPrepend:
      return Opcode::kPrepend;
    case StoreMode::kSet:
    case StoreMode::kCas:
      break;
  }
  return Opcode::kSet;
}

void EncodeStore(const Op& op, std::string& out) {
  binary::RequestFields fields{StoreOpcode(op.mode), 0, op.mode == StoreMode::kCas ? op.cas : 0};
  if (op.mode == StoreMode::kAppend || op.mode == StoreMode::kPrepend) {
    binary::AppendConcatRequest(fields, op.key, op.value, out);
  } else {
    binary::AppendStoreRequest(fields, op.key, op.value, op.store.flags,
                               WireExptime(op.store.exptime), out);
  }
}

void EncodeGet(const Op& op, std::string& out) {
  std::uint32_t opaque = 0;
  for (std::string_view key : op.keys) {
    if (op.get.touch) {
      binary::AppendTouchRequest({Opcode::kGatKQ, opaque++}, key, WireExptime(*op.get.touch), out);
    } else {
      binary::AppendKeyRequest({Opcode::kGetKQ, opaque++}, key, out);
    }
  }
  binary::AppendSimpleRequest({Opcode::kNoop, opaque}, out);
}

// ASCII's answer to a failed store, by mode: see Client::Store.
Code StoreFailure(StoreMode mode, Status status) {
  switch (status) {
    case Status::kKeyNotFound:
      return mode == StoreMode::kCas ? Code::kNotFound : Code::kNotStored;
    case Status::kKeyExists:
      return mode == StoreMode::kAdd ? Code::kNotStored : Code::kExists;
    case Status::kNotStored:
      return Code::kNotStored;
    case Status::kTooLarge:
      return Code::kTooLarge;
    case Status::kOutOfMemory:
      return Code::kNoMemory;
    default:
      return Code::kServerError;
  }
}

void SetCode(const Op& op, const binary::Response& r, Outcome& outcome) {
  if (r.status == Status::kSuccess) {
    outcome.code = Code::kOk;
    if (op.kind == OpKind::kArithmetic) outcome.number = r.Counter().value_or(0);
    if (op.kind == OpKind::kVersion) outcome.message = std::string(r.value);
    return;
  }
  if (op.kind == OpKind::kStore) {
    outcome.code = StoreFailure(op.mode, r.status);
  } else if (r.status == Status::kKeyNotFound) {
    outcome.code = Code::kNotFound;
  } else if (r.status == Status::kKeyExists) {
    outcome.code = Code::kExists;
  } else if (r.status == Status::kNonNumeric) {
    outcome.code = Code::kNonNumeric;
  } else {
    outcome.code = Code::kServerError;
  }
  if (outcome.code == Code::kServerError) {
    outcome.message =
        "status " + std::to_string(static_cast<int>(r.status)) + ": " + std::string(r.value);
  }
}

// Folds one response. Returns true when the exchange is complete.
bool Fold(const Op& op, const binary::Response& r, Outcome& outcome) {
  if (op.kind == OpKind::kGet) {
    if (r.opcode == Opcode::kNoop) return true;
    if (r.status == Status::kSuccess) {
      outcome.items.push_back({std::string(r.key), std::string(r.value),
                               r.ClientFlags().value_or(0), op.get.with_cas ? r.cas : 0});
    } else if (r.status != Status::kKeyNotFound) {
      SetCode(op, r, outcome);
    }
    return false;
  }
  if (op.kind == OpKind::kStats && r.status == Status::kSuccess && !r.IsStatEnd()) {
    outcome.stats.emplace_back(r.key, r.value);
    return false;
  }
  SetCode(op, r, outcome);
  return true;
}

class Binary final : public Codec {
 public:
  void Encode(const Op& op, std::string& out, Outcome& outcome) const override {
    outcome.pending = 1;
    switch (op.kind) {
      case OpKind::kGet:
        EncodeGet(op, out);
        break;
      case OpKind::kStore:
        EncodeStore(op, out);
        break;
      case OpKind::kDelete:
        binary::AppendKeyRequest({Opcode::kDelete}, op.key, out);
        break;
      case OpKind::kArithmetic:
        binary::AppendArithmeticRequest({op.increment ? Opcode::kIncrement : Opcode::kDecrement},
                                        op.key, op.delta, 0, binary::kNoCreateExptime, out);
        break;
      case OpKind::kTouch:
        binary::AppendTouchRequest({Opcode::kTouch}, op.key, WireExptime(op.exptime), out);
        break;
      case OpKind::kFlush:
        if (op.delay) {
          binary::AppendFlushRequest({Opcode::kFlush}, WireExptime(*op.delay), out);
        } else {
          binary::AppendSimpleRequest({Opcode::kFlush}, out);
        }
        break;
      case OpKind::kStats:
        binary::AppendStatRequest({Opcode::kStat}, op.text, out);
        break;
      case OpKind::kVersion:
        binary::AppendSimpleRequest({Opcode::kVersion}, out);
        break;
      case OpKind::kVerbosity:
        binary::AppendVerbosityRequest({Opcode::kVerbosity}, op.level, out);
        break;
      case OpKind::kNoop:
        binary::AppendSimpleRequest({Opcode::kNoop}, out);
        break;
      case OpKind::kLines:
        break;  // the client sends these over ASCII only
    }
  }

  Feed Parse(const Op& op, std::string_view in, Outcome& outcome) const override {
    Feed feed;
    while (true) {
      binary::Response r;
      const ParseResult p = binary::ParseResponse(in.substr(feed.consumed), r);
      if (p.status == ParseStatus::kIncomplete) return feed;
      if (p.status != ParseStatus::kOk) {
        return {Feed::Status::kBroken, feed.consumed, "malformed binary response"};
      }
      feed.consumed += p.consumed;
      if (Fold(op, r, outcome)) {
        feed.status = Feed::Status::kDone;
        return feed;
      }
    }
  }
};

}  // namespace

const Codec& BinaryCodec() {
  static const Binary codec;
  return codec;
}

}  // namespace mnemo::client

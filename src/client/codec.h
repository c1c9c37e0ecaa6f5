// The protocol layer of the client: one protocol-neutral description of an operation (Op), what
// its replies amount to (Outcome), and a Codec per protocol that renders an Op with libmnemo's
// request encoders and folds the replies, read with libmnemo's reply parsers, into an Outcome.
// Nothing here touches a socket: the exchange layer feeds bytes in as they arrive.
// Thread safety: codecs are stateless singletons; per-request state lives in the Outcome.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mnemo/client/client.h"
#include "mnemo/engine.h"

namespace mnemo::client {

enum class OpKind : std::uint8_t {
  kGet,  // get/gets/gat/gats of `keys`
  kStore,
  kDelete,
  kArithmetic,
  kTouch,
  kFlush,
  kStats,
  kVersion,
  kVerbosity,
  kNoop,
  kLines,  // a raw ASCII command answered by lines up to END (lru_crawler metadump, cachedump)
};

struct Op {
  OpKind kind = OpKind::kNoop;
  std::span<const std::string_view> keys;  // kGet
  GetOptions get;
  std::string_view key;
  StoreMode mode = StoreMode::kSet;
  std::string_view value;
  StoreOptions store;
  std::uint64_t cas = 0;
  bool increment = true;
  std::uint64_t delta = 0;
  std::int64_t exptime = 0;           // kTouch
  std::optional<std::int64_t> delay;  // kFlush
  std::string_view text;              // kStats group, kLines command
  std::uint32_t level = 0;            // kVerbosity
};

// How an operation ended, protocol-neutrally.
enum class Code : std::uint8_t {
  kOk,  // stored, deleted, touched, counted, or a retrieval/admin command that completed
  kNotFound,
  kNotStored,
  kExists,
  kNonNumeric,
  kTooLarge,
  kNoMemory,
  kServerError,  // ERROR, CLIENT_ERROR, SERVER_ERROR or an unexpected status: see `message`
};

struct Outcome {
  Code code = Code::kOk;
  std::vector<Item> items;         // kGet hits
  Stats stats;                     // kStats
  std::vector<std::string> lines;  // kLines
  std::uint64_t number = 0;        // kArithmetic
  std::string message;             // kVersion: the version; kServerError: the server's words
  // Parser state: replies still expected (END lines, noop markers, ...).
  std::size_t pending = 0;
  // The reply left the stream in a state we do not trust: close the connection afterwards.
  bool discard_connection = false;
};

// What one call to Codec::Parse achieved.
struct Feed {
  enum class Status : std::uint8_t { kMore, kDone, kBroken };
  Status status = Status::kMore;
  std::size_t consumed = 0;
  std::string why;  // kBroken
};

class Codec {
 public:
  virtual ~Codec() = default;
  // Appends the request bytes of `op` and primes `outcome.pending`.
  virtual void Encode(const Op& op, std::string& out, Outcome& outcome) const = 0;
  // Consumes whole replies of `op` from the front of `in`, folding them into `outcome`.
  virtual Feed Parse(const Op& op, std::string_view in, Outcome& outcome) const = 0;
};

// Singletons, one per protocol.
const Codec& AsciiCodec();
const Codec& MetaCodec();
const Codec& BinaryCodec();
const Codec& CodecFor(Protocol protocol);

// Whether the key can travel in `protocol` (1..250 bytes; ASCII also without spaces or control
// characters; meta sends other keys base64-encoded).
bool KeyIsValid(Protocol protocol, std::string_view key);
// A key the text protocols can send as is.
bool IsTextKey(std::string_view key);

// Sorts a SERVER_ERROR text into kTooLarge / kNoMemory / kServerError, as memcached words them.
Code ServerErrorCode(std::string_view message);

// A store's outcome as its status; nullopt for an outcome no store reply gives.
std::optional<StoreStatus> StoreStatusOf(const Outcome& outcome);

}  // namespace mnemo::client

// memcached's binary protocol in both directions, sans I/O: the 24-byte header, the server's
// request parser and response encoders, and the client's request encoders and response parser.
// Every reply byte follows memcached 1.6.18, which answers with status texts as values.
//
// Deliberate differences from 1.6.18: an unknown opcode whose packet carries extras or a key is
// skipped by its announced body length (1.6.18 skips extras and key twice and loses sync), and
// opcode 0x1b (verbosity) is parsed as unknown, as 1.6.18 does, but has a client encoder.
//
// Thread safety: pure functions over caller-owned buffers; the parsers allocate nothing.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mnemo/protocol/request.h"

namespace mnemo::binary {

inline constexpr std::uint8_t kRequestMagic = 0x80;
inline constexpr std::uint8_t kResponseMagic = 0x81;
inline constexpr std::size_t kHeaderSize = 24;
// Incr/decr with this exptime fail on a miss instead of creating the counter.
inline constexpr std::uint32_t kNoCreateExptime = 0xffffffff;

enum class Opcode : std::uint8_t {
  kGet = 0x00,
  kSet = 0x01,
  kAdd = 0x02,
  kReplace = 0x03,
  kDelete = 0x04,
  kIncrement = 0x05,
  kDecrement = 0x06,
  kQuit = 0x07,
  kFlush = 0x08,
  kGetQ = 0x09,
  kNoop = 0x0a,
  kVersion = 0x0b,
  kGetK = 0x0c,
  kGetKQ = 0x0d,
  kAppend = 0x0e,
  kPrepend = 0x0f,
  kStat = 0x10,
  kSetQ = 0x11,
  kAddQ = 0x12,
  kReplaceQ = 0x13,
  kDeleteQ = 0x14,
  kIncrementQ = 0x15,
  kDecrementQ = 0x16,
  kQuitQ = 0x17,
  kFlushQ = 0x18,
  kAppendQ = 0x19,
  kPrependQ = 0x1a,
  kVerbosity = 0x1b,
  kTouch = 0x1c,
  kGat = 0x1d,
  kGatQ = 0x1e,
  kSaslListMechs = 0x20,
  kSaslAuth = 0x21,
  kSaslStep = 0x22,
  kGatK = 0x23,
  kGatKQ = 0x24,
};

enum class Status : std::uint16_t {
  kSuccess = 0x00,
  kKeyNotFound = 0x01,
  kKeyExists = 0x02,
  kTooLarge = 0x03,
  kInvalidArguments = 0x04,
  kNotStored = 0x05,
  kNonNumeric = 0x06,
  kAuthError = 0x20,
  kAuthContinue = 0x21,
  kUnknownCommand = 0x81,
  kOutOfMemory = 0x82,
  kTemporaryFailure = 0x86,  // an engine's kError (the proxy's upstream failed)
};

// The text memcached sends as the value of an error response ("Not found", "Too large.", ...);
// empty for kSuccess, kAuthContinue and codes it does not know.
std::string_view StatusText(Status status);

// The fixed header of every packet, host byte order. `vbucket_or_status` is the vbucket id in
// a request and the status in a response.
struct Header {
  std::uint8_t magic = kRequestMagic;
  std::uint8_t opcode = 0;
  std::uint16_t key_length = 0;
  std::uint8_t extras_length = 0;
  std::uint8_t data_type = 0;
  std::uint16_t vbucket_or_status = 0;
  std::uint32_t body_length = 0;
  std::uint32_t opaque = 0;
  std::uint64_t cas = 0;

  friend bool operator==(const Header&, const Header&) = default;
};

std::array<char, kHeaderSize> EncodeHeader(const Header& header);
// Reads the first 24 bytes of `in`; nullopt when fewer have arrived. Checks nothing else.
std::optional<Header> DecodeHeader(std::string_view in);

// ---- Server direction: requests in ----

// Parses the request packet at the front of `in` into `out` (whose views then point into `in`).
//
// kOk: a complete request. Touch, GAT* and Stat take only their extras and key; any further
// body bytes are read as the next packet, as memcached does. A storage or SASL packet whose body
// exceeds limits.max_value_bytes + 1 KiB is kOk with out.oversize set once its extras and key
// have arrived: the caller swallows out.skip_bytes and the handler answers it (an unknown opcode
// that large comes back the same way with out.command == Command::kNone).
// kIncomplete: the header or body has not fully arrived; nothing consumed.
// kError: an unknown opcode (status 0x81); its whole packet is consumed; AppendError() answers.
// kFatal: memcached closes the connection: a first byte other than 0x80 (no reply), extras and
// key longer than the body (0x81), a key over 250 bytes or lengths wrong for the opcode (0x04).
// In every case out.opcode and out.opaque are filled once the header has arrived.
ParseResult ParseRequest(std::string_view in, const ParserLimits& limits, Request& out);

// ---- Server direction: responses out ----

struct ResponseFields {
  Opcode opcode = Opcode::kGet;  // echoes the request's, whatever its value
  Status status = Status::kSuccess;
  std::uint32_t opaque = 0;
  std::uint64_t cas = 0;
};

// Appends one response packet: header, then extras, key and value.
void AppendResponse(const ResponseFields& fields, std::string_view extras, std::string_view key,
                    std::string_view value, std::string& out);

// A get, GAT or touch hit: a 4-byte flags extra; `key` empty unless GetK/GATK; `value` empty for
// touch.
void AppendGetHit(const ResponseFields& fields, std::uint32_t client_flags, std::string_view key,
                  std::string_view value, std::string& out);

// Incr/decr success: the new value as 8 bytes, big-endian.
void AppendCounter(const ResponseFields& fields, std::uint64_t value, std::string& out);

// One stat as a Stat response (key = name), and the empty packet that ends the list.
void AppendStat(std::uint32_t opaque, std::string_view name, std::string_view value,
                std::string& out);
void AppendStatEnd(std::uint32_t opaque, std::string& out);

void AppendVersion(std::uint32_t opaque, std::string_view version, std::string& out);

// An error response: CAS 0, the status text as the value (or `text` when given, as for
// "Out of memory allocating item").
void AppendStatusError(Opcode opcode, Status status, std::uint32_t opaque, std::string& out,
                       std::string_view text = {});

// The response to a request ParseRequest() rejected (kError/kFatal): appends nothing when
// request.error is empty (bad magic closes silently).
void AppendError(const Request& request, std::string& out);

// ---- Client direction: requests out ----

struct RequestFields {
  Opcode opcode = Opcode::kNoop;
  std::uint32_t opaque = 0;
  std::uint64_t cas = 0;
  std::uint16_t vbucket = 0;
};

// Appends one request packet. The encoders below fill extras for their opcodes; they do not
// check that fields.opcode is one of those named, nor key lengths (at most 250 bytes).
void AppendRequest(const RequestFields& fields, std::string_view extras, std::string_view key,
                   std::string_view value, std::string& out);

// Noop, Version, Quit(Q), Flush(Q) without a delay, SASL list mechs: a header only.
void AppendSimpleRequest(const RequestFields& fields, std::string& out);
// Get, GetQ, GetK, GetKQ, Delete(Q): the key only.
void AppendKeyRequest(const RequestFields& fields, std::string_view key, std::string& out);
// Set, Add, Replace and their Q forms: flags and exptime extras; fields.cas compares and swaps.
void AppendStoreRequest(const RequestFields& fields, std::string_view key, std::string_view value,
                        std::uint32_t client_flags, std::uint32_t exptime, std::string& out);
// Append, Prepend and their Q forms: no extras.
void AppendConcatRequest(const RequestFields& fields, std::string_view key, std::string_view value,
                         std::string& out);
// Increment, Decrement and their Q forms; exptime kNoCreateExptime = fail on a miss.
void AppendArithmeticRequest(const RequestFields& fields, std::string_view key, std::uint64_t delta,
                             std::uint64_t initial, std::uint32_t exptime, std::string& out);
// Flush(Q) with a delay extra.
void AppendFlushRequest(const RequestFields& fields, std::uint32_t delay, std::string& out);
// Stat: `group` travels as the key ("" = general stats).
void AppendStatRequest(const RequestFields& fields, std::string_view group, std::string& out);
void AppendVerbosityRequest(const RequestFields& fields, std::uint32_t level, std::string& out);
// Touch, GAT, GATQ, GATK, GATKQ: the exptime extra and the key.
void AppendTouchRequest(const RequestFields& fields, std::string_view key, std::uint32_t exptime,
                        std::string& out);
// SASL auth and step: the mechanism as the key, the client's data as the value.
void AppendSaslRequest(const RequestFields& fields, std::string_view mechanism,
                       std::string_view data, std::string& out);

// ---- Client direction: responses in ----

// One response packet; the views point into the parser's input.
struct Response {
  Opcode opcode = Opcode::kGet;
  Status status = Status::kSuccess;
  std::uint8_t data_type = 0;
  std::uint32_t opaque = 0;
  std::uint64_t cas = 0;
  std::string_view extras;
  std::string_view key;
  std::string_view value;

  // The flags extra of a get/GAT/touch hit; nullopt when the extras are not 4 bytes.
  std::optional<std::uint32_t> ClientFlags() const;
  // The value of an incr/decr success; nullopt when it is not 8 bytes.
  std::optional<std::uint64_t> Counter() const;
  // A Stat response with an empty key ends a stats listing.
  bool IsStatEnd() const { return opcode == Opcode::kStat && key.empty(); }
};

// kOk: `out` holds the packet at the front of `in`; `consumed` is its size. kIncomplete: the
// packet has not fully arrived (the parser waits for any announced body length; callers that
// distrust the server cap their buffer). kFatal: the first byte is not 0x81, or extras and key
// are longer than the body; the stream cannot be resynchronised.
ParseResult ParseResponse(std::string_view in, Response& out);

}  // namespace mnemo::binary

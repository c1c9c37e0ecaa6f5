#include "server/udp_exchange.h"

#include <charconv>

#include "mnemo/protocol/ascii.h"
#include "mnemo/protocol/binary.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::server {
namespace {

constexpr std::size_t kMaxPayload = kUdpMaxDatagram - kUdpHeaderBytes;
constexpr unsigned char kBinaryRequestMagic = 0x80;
constexpr std::string_view kValuePrefix = "VALUE ";

std::uint16_t BigEndian16(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(bytes[at]) << 8 |
                                    static_cast<std::uint8_t>(bytes[at + 1]));
}

void AppendBigEndian16(std::string& out, std::size_t value) {
  out += static_cast<char>(value >> 8 & 0xff);
  out += static_cast<char>(value & 0xff);
}

// A successful binary get or gat: its response carries a value.
bool IsBinaryHit(std::string_view response) {
  if (response.size() < 8) return false;
  const std::uint8_t opcode = static_cast<std::uint8_t>(response[1]);
  const bool get = opcode == 0x00 || opcode == 0x09 || opcode == 0x0c || opcode == 0x0d;
  const bool gat = opcode >= 0x1d && opcode <= 0x24;
  return (get || gat) && response[6] == 0 && response[7] == 0;
}

bool IsBinary(std::string_view payload) {
  return static_cast<unsigned char>(payload[0]) == kBinaryRequestMagic;
}

// Parses the request at the front of `payload` the way the session will, to learn whether the
// datagram holds all of it (an oversize value's rest included) and what its replies look like.
bool ParseWhole(std::string_view payload, bool binary, const ParserLimits& limits,
                Request& request) {
  ParseResult parsed;
  if (binary) {
    parsed = binary::ParseRequest(payload, limits, request);
  } else if (meta::IsMetaCommand(payload)) {
    parsed = meta::ParseRequest(payload, limits, request);
  } else {
    parsed = ascii::ParseRequest(payload, limits, request);
  }
  if (parsed.status == ParseStatus::kIncomplete || parsed.consumed == 0) return false;
  if (parsed.status != ParseStatus::kOk) {
    request.command = Command::kNone;  // an error line: one reply, never split
    return true;
  }
  return !request.oversize || request.skip_bytes <= payload.size() - parsed.consumed;
}

bool IsAsciiRetrieval(const Request& request) {
  if (request.protocol != Protocol::kAscii) return false;
  switch (request.command) {
    case Command::kGet:
    case Command::kGets:
    case Command::kGat:
    case Command::kGats:
      return true;
    default:
      return false;
  }
}

std::string_view LastToken(std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  const std::size_t space = text.rfind(' ');
  return space == std::string_view::npos ? text : text.substr(space + 1);
}

// The end of the VALUE block at `at`, and its key; 0 when `reply` holds no whole block there.
std::size_t ValueBlockEnd(std::string_view reply, std::size_t at, std::string_view& key) {
  if (reply.substr(at, kValuePrefix.size()) != kValuePrefix) return 0;
  const std::size_t line_end = reply.find("\r\n", at);
  if (line_end == std::string_view::npos) return 0;
  std::string_view fields =
      reply.substr(at + kValuePrefix.size(), line_end - at - kValuePrefix.size());
  const std::size_t key_end = fields.find(' ');
  if (key_end == std::string_view::npos) return 0;
  key = fields.substr(0, key_end);
  fields.remove_prefix(key_end + 1);
  const std::size_t flags_end = fields.find(' ');  // the length follows the flags
  if (flags_end == std::string_view::npos) return 0;
  fields.remove_prefix(flags_end + 1);
  std::size_t length = 0;
  const auto [end, error] = std::from_chars(fields.data(), fields.data() + fields.size(), length);
  if (error != std::errc() || end == fields.data()) return 0;
  const std::size_t block_end = line_end + 2 + length + 2;
  return block_end <= reply.size() ? block_end : 0;
}

}  // namespace

void UdpReply::AppendFramed(std::uint16_t request_id, std::string_view reply) {
  const std::size_t total = (reply.size() + kMaxPayload - 1) / kMaxPayload;
  std::size_t sequence = 0;
  do {
    AppendBigEndian16(bytes_, request_id);
    AppendBigEndian16(bytes_, sequence);
    AppendBigEndian16(bytes_, total);
    AppendBigEndian16(bytes_, 0);
    bytes_.append(reply.substr(0, kMaxPayload));
    reply.remove_prefix(std::min(reply.size(), kMaxPayload));
    ends_.push_back(bytes_.size());
    ++sequence;
  } while (!reply.empty());
}

std::vector<std::size_t> SplitRetrievalReply(std::string_view reply, std::string_view keys) {
  std::vector<std::size_t> ends;
  std::string_view last_found;
  std::size_t at = 0;
  for (;;) {
    std::string_view key;
    const std::size_t end = ValueBlockEnd(reply, at, key);
    if (end == 0) break;
    ends.push_back(end);
    last_found = key;
    at = end;
  }
  if (at == reply.size() && !ends.empty()) return ends;
  if (!ends.empty() && last_found == LastToken(keys)) {
    ends.back() = reply.size();
  } else {
    ends.push_back(reply.size());
  }
  return ends;
}

UdpExchange::UdpExchange(Engine& engine, const SessionConfig& config, CommandCounters& counters,
                         SessionHooks* hooks)
    : engine_(engine), config_(config), counters_(counters), hooks_(hooks) {
  config_.protocol = ProtocolMode::kAuto;
  config_.max_requests_per_call = 1;
}

void UdpExchange::Answer(std::string_view datagram, UdpReply& reply) {
  reply.Clear();
  replies_.clear();
  executed_ = {};
  if (datagram.size() <= kUdpHeaderBytes) return;
  const std::uint16_t request_id = BigEndian16(datagram, 0);
  std::size_t used = 0;
  // memcached reads the count as two bytes that must be 0 and 1; the sequence it ignores.
  if (BigEndian16(datagram, 4) == 1) {
    const std::string_view payload = datagram.substr(kUdpHeaderBytes);
    // A session per datagram: memcached picks the protocol by its first byte, and keeps no
    // state from one datagram to the next (where it does, that is a bug not copied).
    Session session(engine_, config_, counters_, hooks_);
    binary_ = IsBinary(payload);
    previous_ = Previous::kNone;
    closed_ = false;
    while (used < payload.size() && !closed_) {
      const std::size_t n = AnswerOne(session, payload.substr(used), request_id, reply);
      if (n == 0) break;
      used += n;
    }
    executed_ = payload.substr(0, used);
  }
  // The session counted what it executed; memcached counts every byte it received and sent.
  counters_.bytes_read += datagram.size() - used;
  counters_.bytes_written += kUdpHeaderBytes * reply.count();
}

std::size_t UdpExchange::AnswerOne(Session& session, std::string_view payload,
                                   std::uint16_t request_id, UdpReply& reply) {
  ParserLimits limits;
  limits.max_value_bytes = config_.item_size_max;
  Request request;
  if (!ParseWhole(payload, binary_, limits, request)) return 0;
  output_.clear();
  const std::size_t used = session.Process(payload, output_);
  if (used == 0) return 0;
  replies_ += output_;
  const Previous previous = previous_;
  previous_ = output_.empty()                   ? Previous::kEmpty
              : binary_ && IsBinaryHit(output_) ? Previous::kBinaryHit
                                                : Previous::kOther;
  if (output_.empty()) {
    // memcached sends a bare header for an empty binary reply or quit, but not after another
    // empty reply or a binary hit (it depends on how it reuses its response objects; these are
    // the cases seen on the live daemon that do not vary).
    const bool bare = previous != Previous::kEmpty && previous != Previous::kBinaryHit;
    if ((binary_ || session.closing()) && bare) reply.AppendFramed(request_id, {});
  } else if (IsAsciiRetrieval(request)) {
    std::size_t begin = 0;
    for (const std::size_t end : SplitRetrievalReply(output_, request.keys)) {
      reply.AppendFramed(request_id, std::string_view(output_).substr(begin, end - begin));
      begin = end;
    }
  } else {
    reply.AppendFramed(request_id, output_);
  }
  // memcached's UDP connection stays open after quit; the rest of the datagram is dropped.
  closed_ = session.closing();
  return used;
}

}  // namespace mnemo::server

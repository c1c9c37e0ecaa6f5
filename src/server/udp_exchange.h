// UdpExchange: memcached's UDP transport without the sockets. One request datagram in, the
// reply datagrams out, each framed with memcached's 8-byte header (request id, sequence number,
// datagram count, reserved; all big-endian).
//
// What memcached 1.6.18 does, and so what this does (observed on the live daemon):
// - a datagram of 8 bytes or fewer, or whose header announces more than one datagram, is
//   dropped without a reply (memcached has no multi-datagram requests);
// - every request in the datagram is answered; each request's reply is its own set of
//   datagrams, and so is each hit of a multi-key get (END rides with the last key's hit, or
//   goes alone after a miss); a reply longer than 1392 bytes is cut into 1400-byte datagrams
//   numbered 0..n-1 of n;
// - the protocol is chosen per datagram by its first byte (0x80 = binary), whatever -B says;
// - a request the datagram does not hold whole (a line without \n, a short value) is dropped
//   with what follows it; memcached would take the next datagram, from any client, as its rest;
// - a reply that is suppressed (noreply, meta q) sends nothing, but an empty binary quiet reply
//   and `quit` send a bare header with a count of 0 (unless the reply before was one too, or a
//   binary hit: memcached's own rule depends on how it reuses response objects);
// - bytes_read counts whole datagrams, bytes_written every header.
//
// Thread safety: one UdpExchange per thread (it reuses buffers, and the counters it writes have
// one writer); the engine and hooks are shared as the sessions' are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mnemo/engine.h"
#include "mnemo/session.h"

namespace mnemo::server {

inline constexpr std::size_t kUdpHeaderBytes = 8;
// memcached's UDP_MAX_PAYLOAD_SIZE: a reply datagram, header included, is at most this long.
inline constexpr std::size_t kUdpMaxDatagram = 1400;
// memcached's UDP_READ_BUFFER_SIZE: the most of a request datagram it reads.
inline constexpr std::size_t kUdpReadBuffer = 65536;

// The reply datagrams of one request datagram, back to back in one buffer (reused between
// calls, so serving allocates nothing once it has grown).
class UdpReply {
 public:
  std::size_t count() const { return ends_.size(); }
  std::string_view datagram(std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_).substr(begin, ends_[i] - begin);
  }
  void Clear() {
    bytes_.clear();
    ends_.clear();
  }
  // Frames one reply as datagrams of at most kUdpMaxDatagram bytes. An empty reply is one
  // bare header whose count is 0, as memcached sends it.
  void AppendFramed(std::uint16_t request_id, std::string_view reply);

 private:
  std::string bytes_;
  std::vector<std::size_t> ends_;
};

class UdpExchange {
 public:
  // All must outlive the exchange; `hooks` may be null. `config.protocol` is ignored (UDP
  // chooses per request) and so is its request limit (a datagram is answered whole).
  UdpExchange(Engine& engine, const SessionConfig& config, CommandCounters& counters,
              SessionHooks* hooks);

  // Executes the requests in `datagram` and replaces `reply` with the datagrams to send back
  // (none for a datagram memcached drops). `datagram` must stay unchanged while executed() is
  // used.
  void Answer(std::string_view datagram, UdpReply& reply);

  // The requests the last Answer executed, exactly as received, and the replies they produced
  // before framing (suppressed ones absent): for -vv logging.
  std::string_view executed() const { return executed_; }
  std::string_view replies() const { return replies_; }

 private:
  // Executes the request at the front of `payload`; returns the bytes it took, 0 when the
  // datagram does not hold it whole.
  std::size_t AnswerOne(Session& session, std::string_view payload, std::uint16_t request_id,
                        UdpReply& reply);

  Engine& engine_;
  SessionConfig config_;
  CommandCounters& counters_;
  SessionHooks* hooks_;
  std::string output_;
  std::string_view executed_;
  std::string replies_;
  bool binary_ = false;  // the protocol of the datagram being answered
  enum class Previous : std::uint8_t { kNone, kEmpty, kBinaryHit, kOther };
  Previous previous_ = Previous::kNone;  // the reply before, in this datagram
  bool closed_ = false;  // the last request was quit: the rest of the datagram is dropped
};

// Where the replies of a multi-key ASCII retrieval split into datagram sets: after each VALUE
// block, except that the trailer (END, or an error) joins the last block when the last key
// asked for is the last key found. `keys` is the request's key list. Returns the end offsets of
// the pieces; the last one is reply.size().
std::vector<std::size_t> SplitRetrievalReply(std::string_view reply, std::string_view keys);

}  // namespace mnemo::server

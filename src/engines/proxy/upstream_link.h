// One event loop's connection to one upstream server, for the proxy engine's non-blocking calls
// (async_calls.h): an asio socket on that loop, connected lazily (TCP_NODELAY), and a FIFO of
// the requests in flight on it. Requests are encoded with mnemo_client's codec as they are
// queued and go out together: Flush() starts one write of everything queued, and what is queued
// while a write runs joins the next one (pipelining). Replies are folded with the same codec's
// reply parser, in FIFO order, and each finished request goes back to the LinkSink.
//
// A failure -- connect refused or timed out, a reset, EOF, a reply the codec cannot follow, no
// progress within the io timeout while requests are in flight -- hands every request in flight
// back as failed, exactly once each, and closes the socket; the next Flush() reconnects.
//
// Thread safety: everything runs on the thread of the io_context. Handlers keep the link alive
// (shared_ptr) and are ignored once the link was closed after they were started; Shutdown()
// detaches the sink, so nothing reaches it afterwards.
#pragma once

#include <asio/generic/stream_protocol.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "client/codec.h"
#include "mnemo/client/options.h"

namespace mnemo::proxy {

// One request on a link: the operation and the outcome its replies fold into. The link owns it
// while it is in flight; callers derive from it to remember what the request was for.
struct LinkStep {
  virtual ~LinkStep() = default;
  client::Op op;
  client::Outcome outcome;
};

class UpstreamLink;

// Told, exactly once per queued step, how it ended. May queue more steps (on any link) and
// flush them.
class LinkSink {
 public:
  virtual ~LinkSink() = default;
  // The codec folded the step's whole reply into step->outcome.
  virtual void Replied(UpstreamLink& link, std::unique_ptr<LinkStep> step) = 0;
  // The link failed before the reply was complete.
  virtual void Failed(UpstreamLink& link, std::unique_ptr<LinkStep> step,
                      const std::string& why) = 0;
};

struct LinkTimeouts {
  std::chrono::milliseconds connect{1000};
  std::chrono::milliseconds io{2000};  // longest wait without progress while requests wait
};

class UpstreamLink : public std::enable_shared_from_this<UpstreamLink> {
 public:
  UpstreamLink(asio::io_context& io, std::size_t server, client::ServerSpec spec,
               const client::Codec& codec, LinkTimeouts timeouts, LinkSink& sink);

  // The server's index in the client's configured list.
  std::size_t server() const { return server_; }

  // Encodes the step's request behind those queued; sent by the next Flush().
  void Enqueue(std::unique_ptr<LinkStep> step);
  // Connects when closed; else starts writing what is queued unless a write is running (its
  // completion writes the rest).
  void Flush();
  // Fails every step in flight with `why` and closes; the next Flush() reconnects.
  void Fail(const std::string& why);
  // For the owner's destruction: fails what is in flight (synchronously), then forgets the sink.
  void Shutdown();

  std::size_t in_flight() const { return steps_.size(); }
  // Writes started since creation: what the tests count to see pipelining.
  std::size_t writes() const { return writes_; }

 private:
  enum class State : std::uint8_t { kClosed, kConnecting, kOpen };
  using Socket = asio::generic::stream_protocol::socket;
  using Endpoints = std::vector<asio::generic::stream_protocol::endpoint>;

  void Connect();
  void ConnectTo(const Endpoints& endpoints);
  void Connected(const std::error_code& error);
  void StartWrite();
  void Written(const std::error_code& error);
  void StartRead();
  void Read(const std::error_code& error, std::size_t bytes);
  void ParseReplies();
  // (Re)starts the no-progress timer while steps wait; stops it when none does.
  void Watch(std::chrono::milliseconds limit);
  void Close();

  const std::size_t server_;
  const client::ServerSpec spec_;
  const client::Codec& codec_;
  const LinkTimeouts timeouts_;
  LinkSink* sink_;

  Socket socket_;
  asio::ip::tcp::resolver resolver_;
  asio::steady_timer timer_;
  State state_ = State::kClosed;
  // Bumped by Close(): handlers started before carry the old value and do nothing.
  std::uint64_t generation_ = 0;
  std::uint64_t watch_ = 0;                      // the same for timer waits, bumped by each Watch()
  bool watching_ = false;                        // a timer wait runs: steps are in flight
  std::deque<std::unique_ptr<LinkStep>> steps_;  // in flight, in the order sent
  std::string queued_;                           // encoded, not yet handed to a write
  std::string writing_;                          // the running write's bytes
  bool write_running_ = false;
  std::string input_;  // received, not yet folded into a reply
  std::vector<char> read_buffer_;
  std::size_t writes_ = 0;
};

}  // namespace mnemo::proxy

#include "engines/proxy/upstream_link.h"

#include <asio/connect.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/write.hpp>
#include <string_view>
#include <utility>

namespace mnemo::proxy {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

}  // namespace

UpstreamLink::UpstreamLink(asio::io_context& io, std::size_t server, client::ServerSpec spec,
                           const client::Codec& codec, LinkTimeouts timeouts, LinkSink& sink)
    : server_(server),
      spec_(std::move(spec)),
      codec_(codec),
      timeouts_(timeouts),
      sink_(&sink),
      socket_(io),
      resolver_(io),
      timer_(io),
      read_buffer_(kReadChunk) {}

void UpstreamLink::Enqueue(std::unique_ptr<LinkStep> step) {
  codec_.Encode(step->op, queued_, step->outcome);
  steps_.push_back(std::move(step));
}

void UpstreamLink::Flush() {
  if (steps_.empty()) return;
  // Started only when nothing was being watched: a steady stream of new requests must not keep
  // postponing the timeout of an upstream that stopped answering the earlier ones.
  if (!watching_) Watch(state_ == State::kOpen ? timeouts_.io : timeouts_.connect);
  if (state_ == State::kClosed) {
    Connect();
  } else if (state_ == State::kOpen) {
    StartWrite();
  }
}

void UpstreamLink::Fail(const std::string& why) {
  std::deque<std::unique_ptr<LinkStep>> failed;
  failed.swap(steps_);
  Close();
  for (std::unique_ptr<LinkStep>& step : failed) {
    if (sink_ != nullptr) sink_->Failed(*this, std::move(step), why);
  }
}

void UpstreamLink::Shutdown() {
  Fail("stopped");
  sink_ = nullptr;
  std::error_code ignored;
  socket_.close(ignored);
}

void UpstreamLink::Connect() {
  state_ = State::kConnecting;
  if (spec_.is_unix) {
    ConnectTo({asio::local::stream_protocol::endpoint(spec_.host)});
    return;
  }
  resolver_.async_resolve(
      spec_.host, std::to_string(spec_.port),
      [self = shared_from_this(), generation = generation_](
          const std::error_code& error, const asio::ip::tcp::resolver::results_type& results) {
        if (generation != self->generation_) return;
        if (error) return self->Fail("connect: " + error.message());
        Endpoints endpoints;
        for (const auto& entry : results) endpoints.emplace_back(entry.endpoint());
        self->ConnectTo(endpoints);
      });
}

void UpstreamLink::ConnectTo(const Endpoints& endpoints) {
  asio::async_connect(socket_, endpoints,
                      [self = shared_from_this(), generation = generation_](
                          const std::error_code& error, const auto& /*endpoint*/) {
                        if (generation == self->generation_) self->Connected(error);
                      });
}

void UpstreamLink::Connected(const std::error_code& error) {
  if (error) return Fail("connect: " + error.message());
  state_ = State::kOpen;
  // Requests are small and each write is a whole batch: never let Nagle hold one back.
  std::error_code ignored;  // a unix socket has no such option
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  Watch(timeouts_.io);
  StartRead();
  StartWrite();
}

void UpstreamLink::StartWrite() {
  if (state_ != State::kOpen || write_running_ || queued_.empty()) return;
  writing_.swap(queued_);
  queued_.clear();
  write_running_ = true;
  ++writes_;
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this(), generation = generation_](
                        const std::error_code& error, std::size_t /*bytes*/) {
                      if (generation == self->generation_) self->Written(error);
                    });
}

void UpstreamLink::Written(const std::error_code& error) {
  write_running_ = false;
  if (error) return Fail("write: " + error.message());
  writing_.clear();
  StartWrite();
}

void UpstreamLink::StartRead() {
  socket_.async_read_some(asio::buffer(read_buffer_),
                          [self = shared_from_this(), generation = generation_](
                              const std::error_code& error, std::size_t bytes) {
                            if (generation == self->generation_) self->Read(error, bytes);
                          });
}

void UpstreamLink::Read(const std::error_code& error, std::size_t bytes) {
  if (error) {
    // An idle connection the server closed (a restart, its idle timeout) fails nothing.
    if (steps_.empty()) return Close();
    return Fail(error == asio::error::eof ? std::string("connection closed by server")
                                          : "read: " + error.message());
  }
  input_.append(read_buffer_.data(), bytes);
  const std::uint64_t generation = generation_;
  ParseReplies();
  if (generation != generation_ || state_ != State::kOpen) return;
  Watch(timeouts_.io);  // progress: the wait starts again
  StartRead();
}

void UpstreamLink::ParseReplies() {
  const std::uint64_t generation = generation_;
  std::size_t offset = 0;
  while (!steps_.empty()) {
    LinkStep& step = *steps_.front();
    const client::Feed feed =
        codec_.Parse(step.op, std::string_view(input_).substr(offset), step.outcome);
    offset += feed.consumed;
    if (feed.status == client::Feed::Status::kMore) break;
    if (feed.status == client::Feed::Status::kBroken) return Fail(feed.why);
    std::unique_ptr<LinkStep> done = std::move(steps_.front());
    steps_.pop_front();
    const bool in_doubt = done->outcome.discard_connection;
    sink_->Replied(*this, std::move(done));  // may queue more here, or (in Done) fail us
    if (generation != generation_) return;
    if (in_doubt) return Fail("reply left the stream in doubt");
  }
  input_.erase(0, offset);
  // Bytes nobody asked for: the stream cannot be trusted any more.
  if (steps_.empty() && !input_.empty()) return Fail("unexpected bytes from the server");
  StartWrite();
}

void UpstreamLink::Watch(std::chrono::milliseconds limit) {
  ++watch_;
  watching_ = !steps_.empty();
  if (!watching_) {
    timer_.cancel();
    return;
  }
  timer_.expires_after(limit);
  timer_.async_wait([self = shared_from_this(), watch = watch_](const std::error_code& error) {
    // A wait replaced by a later Watch() may still complete without an error: the count tells.
    if (!error && watch == self->watch_) self->Fail("timed out");
  });
}

void UpstreamLink::Close() {
  ++generation_;
  ++watch_;
  watching_ = false;
  state_ = State::kClosed;
  std::error_code ignored;
  socket_.close(ignored);
  resolver_.cancel();
  timer_.cancel();
  queued_.clear();
  writing_.clear();
  write_running_ = false;
  input_.clear();
}

}  // namespace mnemo::proxy

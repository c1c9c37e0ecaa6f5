#include "domain_link.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace mnemo::client {
namespace {

// Waits until `fd` is ready for `events` or the timeout passes.
bool WaitFor(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  int rc = 0;
  do {
    rc = poll(&p, 1, static_cast<int>(timeout.count()));
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

}  // namespace

Result<std::unique_ptr<DomainLink>> DomainLink::Open(const ServerSpec& server,
                                                     std::chrono::milliseconds timeout,
                                                     const TlsOptions& tls) {
  auto connection = Connection::Open(server, timeout, tls);
  if (!connection) return Error{server.Label() + ": " + connection.error().message};
  return std::unique_ptr<DomainLink>(
      new DomainLink(std::move(connection.value()), server.Label(), timeout));
}

Result<void> DomainLink::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = connection_->Send(bytes.data(), bytes.size());
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!WaitFor(connection_->fd(), POLLOUT, timeout_)) return Fail("timed out sending");
      continue;
    }
    return Fail(std::string("send: ") + std::strerror(errno));
  }
  return {};
}

Result<domains::Reply> DomainLink::Next() {
  std::string& input = connection_->input();
  for (;;) {
    domains::Reply reply;
    const ParseResult parsed = domains::ParseReply(input, reply);
    if (parsed.status == ParseStatus::kOk) {
      line_.assign(input, 0, parsed.consumed);
      input.erase(0, parsed.consumed);
      domains::ParseReply(line_, reply);  // again, so that its views point into line_
      return reply;
    }
    if (parsed.status == ParseStatus::kFatal) return Fail("unexpected reply");
    // Read before waiting: TLS may hold decrypted bytes the socket no longer signals.
    char buffer[4096];
    const ssize_t n = connection_->Receive(buffer, sizeof(buffer));
    if (n == 0) return Fail("connection closed by the server");
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!WaitFor(connection_->fd(), POLLIN, timeout_)) return Fail("timed out reading");
      continue;
    }
    if (n < 0 && errno != EINTR) return Fail(std::string("recv: ") + std::strerror(errno));
    if (n > 0) input.append(buffer, static_cast<std::size_t>(n));
  }
}

Result<domains::List> DomainLink::Servers(std::string_view name, bool notify) {
  std::string request;
  domains::EncodeServersRequest(name, notify, request);
  if (Result<void> sent = Send(request); !sent) return sent.error();
  domains::List list;
  bool header = false;
  for (;;) {
    Result<domains::Reply> reply = Next();
    if (!reply) return reply.error();
    switch (reply->kind) {
      case domains::ReplyKind::kServers:
        header = true;
        list.version = reply->version;
        break;
      case domains::ReplyKind::kServer:
        if (!header) return Fail("SERVER before SERVERS");
        list.servers.push_back(reply->server);
        break;
      case domains::ReplyKind::kNotice:
        ++notices_;
        break;
      case domains::ReplyKind::kEnd:
        if (!header) return Fail("END without SERVERS");
        return list;
      default:
        return Fail("servers: " + std::string(reply->line));
    }
  }
}

Result<domains::UpdateResult> DomainLink::Update(std::string_view name, std::uint64_t version,
                                                 std::span<const domains::Change> changes) {
  std::string request;
  domains::EncodeUpdateRequest(name, version, changes, request);
  if (Result<void> sent = Send(request); !sent) return sent.error();
  Result<domains::Reply> reply = Next();
  if (!reply) return reply.error();
  if (reply->kind == domains::ReplyKind::kUpdated) {
    return domains::UpdateResult{domains::UpdateStatus::kUpdated, reply->version};
  }
  if (reply->kind == domains::ReplyKind::kExists) {
    return domains::UpdateResult{domains::UpdateStatus::kExists, reply->version};
  }
  return Fail("domain_update: " + std::string(reply->line));
}

Result<std::vector<domains::ClientInfo>> DomainLink::Clients() {
  std::string request;
  domains::EncodeClientsRequest(request);
  if (Result<void> sent = Send(request); !sent) return sent.error();
  std::vector<domains::ClientInfo> clients;
  for (;;) {
    Result<domains::Reply> reply = Next();
    if (!reply) return reply.error();
    if (reply->kind == domains::ReplyKind::kEnd) return clients;
    if (reply->kind == domains::ReplyKind::kNotice) continue;
    if (reply->kind != domains::ReplyKind::kClient) {
      return Fail("clients: " + std::string(reply->line));
    }
    clients.push_back(reply->client);
  }
}

}  // namespace mnemo::client

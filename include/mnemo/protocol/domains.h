// Domains: named, versioned server lists kept by the servers (docs/domains.md). This header has
// the wire grammar of the three ASCII verbs that carry them (`servers`, `domain_update`,
// `clients`) in both directions, and DomainHooks, the interface through which a Session reaches
// the host's domain store. libmnemo parses and renders; storing domains is the host's business.
//
// Thread safety: the free functions are pure over caller-owned buffers. A DomainHooks
// implementation is shared by every session of a server and must be safe to call from any
// thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mnemo/protocol/request.h"

namespace mnemo::domains {

// Longest domain name: the same as a key's.
inline constexpr std::size_t kMaxNameBytes = 250;
// Most lines one domain_update may carry; more closes the connection.
inline constexpr std::uint32_t kMaxUpdateLines = 1024;

// One server of a list. `address` is "host:port" ("[v6]:port" for IPv6 literals).
struct Server {
  std::string address;
  std::uint32_t weight = 1;

  // "host:port", or "host:port:weight" when the weight is not 1.
  std::string Text() const;
  bool operator==(const Server&) const = default;
};

struct List {
  std::uint64_t version = 0;  // 0: unknown domain
  std::vector<Server> servers;
};

// One line of a domain_update.
struct Change {
  enum class Kind : std::uint8_t { kAdd, kDelete, kClear };
  Kind kind = Kind::kAdd;
  Server server;  // kAdd: the server; kDelete: its address (weight unused)
};

// Applies `changes` in order to `servers`: add replaces an entry with the same address in place
// or appends, delete removes it (absent: no-op), clear empties the list.
void Apply(std::span<const Change> changes, std::vector<Server>& servers);

// "host:port[:weight]": host non-empty (IPv6 in brackets), port 1..65535, weight >= 1.
// nullopt for anything else, or when a weight is given but `allow_weight` is false.
std::optional<Server> ParseServer(std::string_view text, bool allow_weight = true);
// A name is valid when it is 1..kMaxNameBytes bytes without spaces or control characters.
bool ValidName(std::string_view name);
// Parses the lines of a domain_update (request.args, `count` lines, each ending in \n).
// nullopt when any line is malformed.
std::optional<std::vector<Change>> ParseChanges(std::string_view lines, std::uint32_t count);

// A connection's age and what it speaks, for `clients`.
struct ClientInfo {
  std::string peer;  // "ip:port", or the Unix socket path
  Protocol protocol = Protocol::kAscii;
  std::uint64_t age_seconds = 0;
};

// kFailed: the host could not keep the change (its state file cannot be written); nothing was
// applied.
enum class UpdateStatus : std::uint8_t { kUpdated, kExists, kFailed };
struct UpdateResult {
  UpdateStatus status = UpdateStatus::kUpdated;
  std::uint64_t version = 0;  // the version stored after the call
};

// What a Session needs from its host to answer the domain verbs. Returned from
// SessionHooks::Domains(); without it the verbs answer ERROR, as in memcached.
class DomainHooks {
 public:
  virtual ~DomainHooks() = default;
  // The domain's list; version 0 and no servers for an unknown domain.
  virtual List Servers(std::string_view name) = 0;
  // The version alone (0 when unknown); called on every END reply of a subscribed connection,
  // so it should be cheap.
  virtual std::uint64_t Version(std::string_view name) = 0;
  // Applies `changes` and stores the result as `version` iff `version` is newer than the
  // stored one; all or nothing.
  virtual UpdateResult Update(std::string_view name, std::uint64_t version,
                              std::span<const Change> changes) = 0;
  // Every open client connection.
  virtual std::vector<ClientInfo> Clients() = 0;
};

// ---- Server direction: replies out ----

// "SERVERS <name> <version>\r\n", a "SERVER <server>\r\n" line each, "END\r\n".
void EncodeServersReply(std::string_view name, const List& list, std::string& out);
// "UPDATED <name> <version>\r\n", "EXISTS <name> <version>\r\n", or for kFailed
// "SERVER_ERROR domain state not saved\r\n".
void EncodeUpdateReply(std::string_view name, const UpdateResult& result, std::string& out);
// "CLIENT <peer> <ascii|binary> <age>\r\n" each, then "END\r\n".
void EncodeClientsReply(std::span<const ClientInfo> clients, std::string& out);
// "SERVER_UPDATE <name> <version>\r\n".
void EncodeNotice(std::string_view name, std::uint64_t version, std::string& out);

// ---- Client direction: requests out ----

void EncodeServersRequest(std::string_view name, bool notify, std::string& out);
// "domain_update <name> <version> <n>\r\n" and one line per change.
void EncodeUpdateRequest(std::string_view name, std::uint64_t version,
                         std::span<const Change> changes, std::string& out);
void EncodeClientsRequest(std::string& out);

// ---- Client direction: replies in, one line at a time ----

enum class ReplyKind : std::uint8_t {
  kServers,  // SERVERS: name, version
  kServer,   // SERVER: server
  kNotice,   // SERVER_UPDATE: name, version
  kUpdated,  // UPDATED: name, version
  kExists,   // EXISTS: name, version
  kClient,   // CLIENT: client
  kEnd,      // END
  kError,    // ERROR, CLIENT_ERROR ..., SERVER_ERROR ...: line
  kOther,    // anything else: line
};

struct Reply {
  ReplyKind kind = ReplyKind::kOther;
  std::string_view name;
  std::uint64_t version = 0;
  Server server;
  ClientInfo client;
  std::string_view line;  // the whole line, without its terminator
};

// Parses the reply line at the front of `in`. kOk: `out` holds it. kIncomplete: no full line
// yet. kFatal: a line longer than 8192 bytes, or a SERVERS/SERVER/CLIENT/... line whose fields
// do not parse: the stream cannot be trusted any more.
ParseResult ParseReply(std::string_view in, Reply& out);

}  // namespace mnemo::domains

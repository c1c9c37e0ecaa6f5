// Domain values and wire text: server entries, change lines, the replies of the three domain
// verbs in both directions (docs/domains.md).
#include <algorithm>
#include <cctype>

#include "core/text.h"
#include "mnemo/protocol/domains.h"

namespace mnemo::domains {
namespace {

constexpr std::size_t kMaxReplyLine = 8192;

std::string_view ProtocolName(Protocol protocol) {
  return protocol == Protocol::kBinary ? "binary" : "ascii";
}

std::optional<Protocol> ProtocolFromName(std::string_view name) {
  if (name == "ascii") return Protocol::kAscii;
  if (name == "binary") return Protocol::kBinary;
  return std::nullopt;
}

void AppendNamed(std::string_view word, std::string_view name, std::uint64_t version,
                 std::string& out) {
  out.append(word).append(" ").append(name).append(" ").append(std::to_string(version));
  out.append("\r\n");
}

// "<WORD> <name> <version>" replies: the two fields, or nullopt.
bool ReadNamed(text::Tokenizer& tokens, Reply& out) {
  out.name = tokens.Next();
  std::optional<std::uint64_t> version = text::ParseU64(tokens.Next());
  if (!ValidName(out.name) || !version || !tokens.Done()) return false;
  out.version = *version;
  return true;
}

bool ReadClient(text::Tokenizer& tokens, Reply& out) {
  out.client.peer = std::string(tokens.Next());
  std::optional<Protocol> protocol = ProtocolFromName(tokens.Next());
  std::optional<std::uint64_t> age = text::ParseU64(tokens.Next());
  if (out.client.peer.empty() || !protocol || !age || !tokens.Done()) return false;
  out.client.protocol = *protocol;
  out.client.age_seconds = *age;
  return true;
}

// Fills `out` from one reply line; false when a known reply's fields do not parse.
bool ReadReplyLine(std::string_view line, Reply& out) {
  out.line = line;
  text::Tokenizer tokens(line);
  const std::string_view word = tokens.Next();
  if (word == "END" && tokens.Done()) {
    out.kind = ReplyKind::kEnd;
    return true;
  }
  if (word == "SERVER") {
    out.kind = ReplyKind::kServer;
    std::optional<Server> server = ParseServer(tokens.Next());
    if (!server || !tokens.Done()) return false;
    out.server = std::move(*server);
    return true;
  }
  if (word == "CLIENT") {
    out.kind = ReplyKind::kClient;
    return ReadClient(tokens, out);
  }
  constexpr std::pair<std::string_view, ReplyKind> kNamed[] = {
      {"SERVERS", ReplyKind::kServers},
      {"SERVER_UPDATE", ReplyKind::kNotice},
      {"UPDATED", ReplyKind::kUpdated},
      {"EXISTS", ReplyKind::kExists}};
  for (const auto& [text, kind] : kNamed) {
    if (word != text) continue;
    out.kind = kind;
    return ReadNamed(tokens, out);
  }
  const bool error = word == "ERROR" || word == "CLIENT_ERROR" || word == "SERVER_ERROR";
  out.kind = error ? ReplyKind::kError : ReplyKind::kOther;
  return true;
}

}  // namespace

std::string Server::Text() const {
  return weight == 1 ? address : address + ":" + std::to_string(weight);
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  return std::none_of(name.begin(), name.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; });
}

std::optional<Server> ParseServer(std::string_view text, bool allow_weight) {
  // The host ends at the first ':' outside brackets; what follows is port[:weight].
  std::size_t host_end = 0;
  if (text.starts_with('[')) {
    host_end = text.find(']');
    if (host_end == std::string_view::npos || host_end < 2) return std::nullopt;
    ++host_end;
  } else {
    host_end = text.find(':');
    if (host_end == std::string_view::npos || host_end == 0) return std::nullopt;
  }
  if (host_end >= text.size() || text[host_end] != ':') return std::nullopt;
  const std::string_view host = text.substr(0, host_end);
  if (!ValidName(host)) return std::nullopt;
  std::string_view rest = text.substr(host_end + 1);
  const std::size_t colon = rest.find(':');
  const std::string_view port_text = rest.substr(0, colon);
  const auto all_digits = [](std::string_view s) {
    return !s.empty() && s.size() <= 10 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!all_digits(port_text)) return std::nullopt;
  const std::uint64_t port = *text::ParseU64(port_text);
  if (port == 0 || port > 65535) return std::nullopt;
  Server server{std::string(host) + ":" + std::to_string(port), 1};
  if (colon == std::string_view::npos) return server;
  const std::string_view weight_text = rest.substr(colon + 1);
  if (!allow_weight || !all_digits(weight_text)) return std::nullopt;
  const std::uint64_t weight = *text::ParseU64(weight_text);
  if (weight == 0 || weight > 0xffffffffu) return std::nullopt;
  server.weight = static_cast<std::uint32_t>(weight);
  return server;
}

void Apply(std::span<const Change> changes, std::vector<Server>& servers) {
  for (const Change& change : changes) {
    auto same = std::find_if(servers.begin(), servers.end(),
                             [&](const Server& s) { return s.address == change.server.address; });
    switch (change.kind) {
      case Change::Kind::kClear:
        servers.clear();
        break;
      case Change::Kind::kDelete:
        if (same != servers.end()) servers.erase(same);
        break;
      case Change::Kind::kAdd:
        if (same != servers.end()) {
          *same = change.server;
        } else {
          servers.push_back(change.server);
        }
        break;
    }
  }
}

std::optional<std::vector<Change>> ParseChanges(std::string_view lines, std::uint32_t count) {
  std::vector<Change> changes;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::optional<text::Line> line = text::FindLine(lines);
    if (!line) return std::nullopt;
    lines.remove_prefix(line->length);
    text::Tokenizer tokens(line->line);
    const std::string_view word = tokens.Next();
    Change change;
    if (word == "clear") {
      change.kind = Change::Kind::kClear;
    } else if (word == "add" || word == "delete") {
      change.kind = word == "add" ? Change::Kind::kAdd : Change::Kind::kDelete;
      std::optional<Server> server = ParseServer(tokens.Next(), word == "add");
      if (!server) return std::nullopt;
      change.server = std::move(*server);
    } else {
      return std::nullopt;
    }
    if (!tokens.Done()) return std::nullopt;
    changes.push_back(std::move(change));
  }
  return changes;
}

void EncodeServersReply(std::string_view name, const List& list, std::string& out) {
  AppendNamed("SERVERS", name, list.version, out);
  for (const Server& server : list.servers) out.append("SERVER ").append(server.Text()) += "\r\n";
  out.append("END\r\n");
}

void EncodeUpdateReply(std::string_view name, const UpdateResult& result, std::string& out) {
  if (result.status == UpdateStatus::kFailed) {
    out.append("SERVER_ERROR domain state not saved\r\n");
    return;
  }
  AppendNamed(result.status == UpdateStatus::kUpdated ? "UPDATED" : "EXISTS", name, result.version,
              out);
}

void EncodeClientsReply(std::span<const ClientInfo> clients, std::string& out) {
  for (const ClientInfo& client : clients) {
    out.append("CLIENT ").append(client.peer).append(" ").append(ProtocolName(client.protocol));
    out.append(" ").append(std::to_string(client.age_seconds)).append("\r\n");
  }
  out.append("END\r\n");
}

void EncodeNotice(std::string_view name, std::uint64_t version, std::string& out) {
  AppendNamed("SERVER_UPDATE", name, version, out);
}

void EncodeServersRequest(std::string_view name, bool notify, std::string& out) {
  out.append("servers ").append(name).append(notify ? " notify\r\n" : "\r\n");
}

void EncodeUpdateRequest(std::string_view name, std::uint64_t version,
                         std::span<const Change> changes, std::string& out) {
  out.append("domain_update ").append(name).append(" ").append(std::to_string(version));
  out.append(" ").append(std::to_string(changes.size())).append("\r\n");
  for (const Change& change : changes) {
    switch (change.kind) {
      case Change::Kind::kClear:
        out.append("clear\r\n");
        break;
      case Change::Kind::kAdd:
        out.append("add ").append(change.server.Text()) += "\r\n";
        break;
      case Change::Kind::kDelete:
        out.append("delete ").append(change.server.address) += "\r\n";
        break;
    }
  }
}

void EncodeClientsRequest(std::string& out) { out.append("clients\r\n"); }

ParseResult ParseReply(std::string_view in, Reply& out) {
  std::optional<text::Line> line = text::FindLine(in);
  if (!line) {
    if (in.size() > kMaxReplyLine) return {ParseStatus::kFatal, 0};
    return {ParseStatus::kIncomplete, 0};
  }
  if (line->length > kMaxReplyLine || !ReadReplyLine(line->line, out)) {
    return {ParseStatus::kFatal, 0};
  }
  return {ParseStatus::kOk, line->length};
}

}  // namespace mnemo::domains

// The read-only commands: list, clients, stats, version.
#include <iomanip>
#include <ostream>

#include "admin.h"

namespace mcadmin {
namespace {

namespace mc = mnemo::client;
namespace md = mnemo::domains;

int ReportDown(const Survey& survey, std::ostream& err) {
  for (const auto& [label, error] : survey.down) err << "mcadmin: " << error << " (skipped)\n";
  return survey.down.empty() ? kExitOk : kExitServer;
}

}  // namespace

std::string Json(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

int List(const Settings& settings, std::ostream& out, std::ostream& err) {
  const Survey survey = TakeSurvey(settings);
  const int code = ReportDown(survey, err);
  if (survey.lists.empty()) return kExitServer;
  if (settings.json) {
    out << "{\"domain\": " << Json(settings.domain) << ", \"version\": " << survey.newest.version
        << ", \"servers\": [";
    for (std::size_t i = 0; i < survey.newest.servers.size(); ++i) {
      out << (i ? ", " : "") << Json(survey.newest.servers[i].Text());
    }
    out << "]}\n";
    return code;
  }
  out << settings.domain << " version " << survey.newest.version << '\n';
  for (const md::Server& server : survey.newest.servers) out << server.Text() << '\n';
  for (const auto& [label, list] : survey.lists) {
    if (list.version < survey.newest.version) {
      err << "mcadmin: " << label << " has version " << list.version << " (run sync)\n";
    }
  }
  return code;
}

int Clients(const Settings& settings, std::ostream& out, std::ostream& err) {
  const Survey survey = TakeSurvey(settings);
  int code = ReportDown(survey, err);
  if (!settings.json) {
    out << std::left << std::setw(24) << "SERVER" << std::setw(40) << "CLIENT" << std::setw(10)
        << "PROTOCOL"
        << "AGE\n";
  }
  bool first = true;
  if (settings.json) out << "[";
  for (const mc::ServerSpec& server : survey.servers) {
    if (survey.down.count(server.Label())) continue;
    auto clients = mc::FetchClients(server, settings.timeout, settings.tls);
    if (!clients) {
      err << "mcadmin: " << clients.error().message << " (skipped)\n";
      code = kExitServer;
      continue;
    }
    for (const md::ClientInfo& client : clients.value()) {
      const char* protocol = client.protocol == mnemo::Protocol::kBinary ? "binary" : "ascii";
      if (settings.json) {
        out << (first ? "" : ", ") << "{\"server\": " << Json(server.Label())
            << ", \"client\": " << Json(client.peer) << ", \"protocol\": \"" << protocol
            << "\", \"age\": " << client.age_seconds << "}";
      } else {
        out << std::left << std::setw(24) << server.Label() << std::setw(40) << client.peer
            << std::setw(10) << protocol << client.age_seconds << '\n';
      }
      first = false;
    }
  }
  if (settings.json) out << "]\n";
  return code;
}

int ServerCommand(const Settings& settings, const std::string& command, std::ostream& out,
                  std::ostream& err) {
  const Survey survey = TakeSurvey(settings);
  int code = ReportDown(survey, err);
  mc::Options options;
  for (const md::Server& server : survey.newest.servers) {
    if (auto spec = mc::ToServerSpec(server)) options.servers.push_back(spec.value());
  }
  if (options.servers.empty()) options.servers = settings.seeds;
  options.connect_timeout = options.io_timeout = settings.timeout;
  options.tls = settings.tls;
  auto client = mc::Client::Create(options);
  if (!client) {
    err << "mcadmin: " << client.error().message << '\n';
    return kExitUsage;
  }
  if (command == "version") {
    for (const auto& server : client.value()->Version()) {
      if (!server.result) {
        err << "mcadmin: " << server.result.error().message << '\n';
        code = kExitServer;
        continue;
      }
      out << server.server << '\t' << server.result.value() << '\n';
    }
    return code;
  }
  for (const auto& server : client.value()->GetStats()) {
    if (!server.result) {
      err << "mcadmin: " << server.result.error().message << '\n';
      code = kExitServer;
      continue;
    }
    out << "[" << server.server << "]\n";
    for (const auto& [name, value] : server.result.value()) out << name << ' ' << value << '\n';
  }
  return code;
}

}  // namespace mcadmin

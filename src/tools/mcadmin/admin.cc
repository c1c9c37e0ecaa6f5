// Survey, change and sync: the parts of mcadmin that write.
#include "admin.h"

#include <unistd.h>

#include <algorithm>
#include <ostream>
#include <random>
#include <set>
#include <thread>

namespace mcadmin {
namespace {

namespace mc = mnemo::client;
namespace md = mnemo::domains;

// Concurrent admins each lose a version now and then; this many rounds is plenty.
constexpr int kMaxRounds = 20;

void AddServer(Survey& survey, std::set<std::string>& known, const mc::ServerSpec& spec) {
  if (known.insert(spec.Label()).second) survey.servers.push_back(spec);
}

void AddListed(Survey& survey, std::set<std::string>& known, const md::List& list) {
  for (const md::Server& server : list.servers) {
    if (auto spec = mc::ToServerSpec(server)) AddServer(survey, known, spec.value());
  }
}

// The whole list as one update: clear, then every server.
std::vector<md::Change> WholeList(const std::vector<md::Server>& servers) {
  std::vector<md::Change> changes{{md::Change::Kind::kClear, {}}};
  for (const md::Server& server : servers) changes.push_back({md::Change::Kind::kAdd, server});
  return changes;
}

std::uint64_t HighestVersion(const Survey& survey) {
  std::uint64_t highest = 0;
  for (const auto& [label, list] : survey.lists) highest = std::max(highest, list.version);
  return highest;
}

struct PushResult {
  bool lost_race = false;  // some server already had this version or a newer one
  int code = kExitOk;
};

// Pushes `servers` as `version` to every target; reports the ones that are down.
PushResult Push(const Settings& settings, const std::vector<mc::ServerSpec>& targets,
                std::uint64_t version, const std::vector<md::Server>& servers, std::ostream& err) {
  const std::vector<md::Change> changes = WholeList(servers);
  PushResult result;
  for (const mc::ServerSpec& target : targets) {
    auto pushed =
        mc::PushDomain(target, settings.domain, version, changes, settings.timeout, settings.tls);
    if (!pushed) {
      err << "mcadmin: " << pushed.error().message << " (skipped; run sync later)\n";
      result.code = kExitServer;
    } else if (pushed->status != md::UpdateStatus::kUpdated) {
      result.lost_race = true;
    }
  }
  return result;
}

void Backoff() {
  // Two admins that collide must not keep colliding in lockstep.
  static std::mt19937 random(static_cast<unsigned>(getpid()));
  std::this_thread::sleep_for(std::chrono::milliseconds(5 + random() % 40));
}

void PrintList(const Settings& settings, const md::List& list, std::ostream& out) {
  out << settings.domain << " version " << list.version << '\n';
  for (const md::Server& server : list.servers) out << server.Text() << '\n';
}

}  // namespace

Survey TakeSurvey(const Settings& settings) {
  Survey survey;
  std::set<std::string> known;
  for (const mc::ServerSpec& seed : settings.seeds) AddServer(survey, known, seed);
  for (std::size_t i = 0; i < survey.servers.size(); ++i) {
    const mc::ServerSpec spec = survey.servers[i];
    auto list = mc::FetchDomain(spec, settings.domain, settings.timeout, settings.tls);
    if (!list) {
      survey.down[spec.Label()] = list.error().message;
      continue;
    }
    AddListed(survey, known, list.value());
    if (list->version > survey.newest.version) survey.newest = list.value();
    survey.lists[spec.Label()] = std::move(list.value());
  }
  return survey;
}

int Change(const Settings& settings, const md::Change& change, std::ostream& out,
           std::ostream& err) {
  for (int round = 0; round < kMaxRounds; ++round) {
    Survey survey = TakeSurvey(settings);
    if (survey.lists.empty()) {
      for (const auto& [label, error] : survey.down) err << "mcadmin: " << error << '\n';
      err << "mcadmin: no server of domain " << settings.domain << " could be reached\n";
      return kExitServer;
    }
    md::List next{HighestVersion(survey) + 1, survey.newest.servers};
    const md::Change changes[] = {change};
    md::Apply(changes, next.servers);
    // Every server of the old list and of the new one learns the new list, but only one that
    // answered `servers`: on a plain memcached the change lines would run as commands.
    int code = kExitOk;
    std::vector<mc::ServerSpec> targets;
    std::set<std::string> known;
    for (const mc::ServerSpec& spec : survey.servers) {
      known.insert(spec.Label());
      if (survey.lists.count(spec.Label())) targets.push_back(spec);
    }
    for (const auto& [label, error] : survey.down) {
      err << "mcadmin: " << error << " (skipped; run sync later)\n";
      code = kExitServer;
    }
    Survey added;
    AddListed(added, known, next);
    for (const mc::ServerSpec& spec : added.servers) {
      auto probe = mc::FetchDomain(spec, settings.domain, settings.timeout, settings.tls);
      if (!probe) {
        err << "mcadmin: " << probe.error().message << " (skipped; run sync later)\n";
        code = kExitServer;
        continue;
      }
      targets.push_back(spec);
    }
    const PushResult pushed = Push(settings, targets, next.version, next.servers, err);
    if (!pushed.lost_race) {
      PrintList(settings, next, out);
      return std::max(code, pushed.code);
    }
    Backoff();
  }
  err << "mcadmin: gave up after " << kMaxRounds << " rounds of concurrent changes\n";
  return kExitServer;
}

int Sync(const Settings& settings, std::ostream& out, std::ostream& err) {
  for (int round = 0; round < kMaxRounds; ++round) {
    Survey survey = TakeSurvey(settings);
    int code = kExitOk;
    for (const auto& [label, error] : survey.down) {
      err << "mcadmin: " << error << " (skipped)\n";
      code = kExitServer;
    }
    if (survey.newest.version == 0) {
      err << "mcadmin: no server knows domain " << settings.domain << '\n';
      return kExitServer;
    }
    // Two lists under one version (a server that missed a race): a new version settles it.
    bool split = false;
    for (const auto& [label, list] : survey.lists) {
      split =
          split || (list.version == survey.newest.version && list.servers != survey.newest.servers);
    }
    md::List target = survey.newest;
    if (split) target.version = HighestVersion(survey) + 1;
    std::vector<mc::ServerSpec> lagging;
    for (const mc::ServerSpec& spec : survey.servers) {
      auto it = survey.lists.find(spec.Label());
      if (it != survey.lists.end() && it->second.version < target.version) {
        lagging.push_back(spec);
      }
    }
    const PushResult pushed = Push(settings, lagging, target.version, target.servers, err);
    if (!pushed.lost_race) {
      out << "synced " << lagging.size() << " server(s)\n";
      PrintList(settings, target, out);
      return std::max(code, pushed.code);
    }
    Backoff();
  }
  err << "mcadmin: gave up after " << kMaxRounds << " rounds of concurrent changes\n";
  return kExitServer;
}

}  // namespace mcadmin

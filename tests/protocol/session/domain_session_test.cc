// The domain verbs through Session::Process: ERROR without DomainHooks (as memcached), the
// replies with them, and change notices only for connections that asked for them.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "engines/map/map_engine.h"
#include "manual_clock.h"
#include "mnemo/protocol/domains.h"
#include "mnemo/session.h"

namespace mnemo {
namespace {

// An in-memory store with the same rules as mnemod's.
class FakeDomains final : public domains::DomainHooks {
 public:
  domains::List Servers(std::string_view name) override {
    auto it = lists_.find(std::string(name));
    return it == lists_.end() ? domains::List{} : it->second;
  }
  std::uint64_t Version(std::string_view name) override { return Servers(name).version; }
  domains::UpdateResult Update(std::string_view name, std::uint64_t version,
                               std::span<const domains::Change> changes) override {
    domains::List& list = lists_[std::string(name)];
    if (version <= list.version) return {domains::UpdateStatus::kExists, list.version};
    domains::Apply(changes, list.servers);
    list.version = version;
    return {domains::UpdateStatus::kUpdated, version};
  }
  std::vector<domains::ClientInfo> Clients() override {
    return {{"127.0.0.1:4000", Protocol::kAscii, 7}};
  }

 private:
  std::map<std::string, domains::List> lists_;
};

class WithDomains final : public SessionHooks {
 public:
  domains::DomainHooks* Domains() override { return &store; }
  FakeDomains store;
};

class DomainSessionTest : public ::testing::Test {
 protected:
  std::string Run(Session& session, std::string_view input) {
    std::string output;
    std::size_t used = session.Process(input, output);
    EXPECT_EQ(used, input.size());
    return output;
  }

  testing::ManualClock clock_;
  MapEngine engine_{clock_};
  SessionConfig config_;
  CommandCounters counters_;
  WithDomains hooks_;
};

TEST_F(DomainSessionTest, WithoutHooksEveryVerbIsAnError) {
  Session session(engine_, config_, counters_);
  EXPECT_EQ(Run(session, "servers a\r\nclients\r\ndomain_update a 1 1\r\nadd h:1\r\n"),
            "ERROR\r\nERROR\r\nERROR\r\n");
}

TEST_F(DomainSessionTest, UpdateThenServers) {
  Session session(engine_, config_, counters_, &hooks_);
  EXPECT_EQ(Run(session, "servers app\r\n"), "SERVERS app 0\r\nEND\r\n");
  EXPECT_EQ(Run(session, "domain_update app 3 2\r\nadd a:1\r\nadd b:2:4\r\n"),
            "UPDATED app 3\r\n");
  EXPECT_EQ(Run(session, "domain_update app 3 1\r\nclear\r\n"), "EXISTS app 3\r\n");
  EXPECT_EQ(Run(session, "domain_update app 2 1\r\nclear\r\n"), "EXISTS app 3\r\n");
  EXPECT_EQ(Run(session, "servers app\r\n"),
            "SERVERS app 3\r\nSERVER a:1\r\nSERVER b:2:4\r\nEND\r\n");
}

TEST_F(DomainSessionTest, BadChangeLineAppliesNothing) {
  Session session(engine_, config_, counters_, &hooks_);
  EXPECT_EQ(Run(session, "domain_update app 1 2\r\nadd a:1\r\nadd nope\r\nget k\r\n"),
            "CLIENT_ERROR bad domain update line\r\nEND\r\n");
  EXPECT_EQ(hooks_.store.Version("app"), 0u);
}

TEST_F(DomainSessionTest, Clients) {
  Session session(engine_, config_, counters_, &hooks_);
  EXPECT_EQ(Run(session, "clients\r\n"), "CLIENT 127.0.0.1:4000 ascii 7\r\nEND\r\n");
}

TEST_F(DomainSessionTest, NoticeOnlyForSubscribersBeforeTheNextEnd) {
  Session watcher(engine_, config_, counters_, &hooks_);
  Session plain(engine_, config_, counters_, &hooks_);
  Session admin(engine_, config_, counters_, &hooks_);
  EXPECT_EQ(Run(watcher, "servers app notify\r\n"), "SERVERS app 0\r\nEND\r\n");
  EXPECT_EQ(Run(plain, "servers app\r\n"), "SERVERS app 0\r\nEND\r\n");
  EXPECT_EQ(Run(admin, "domain_update app 5 1\r\nadd a:1\r\n"), "UPDATED app 5\r\n");
  // A reply without END carries nothing; the notice waits for the next END.
  EXPECT_EQ(Run(watcher, "set k 0 0 1\r\nv\r\n"), "STORED\r\n");
  EXPECT_EQ(Run(watcher, "get k\r\n"), "VALUE k 0 1\r\nv\r\nSERVER_UPDATE app 5\r\nEND\r\n");
  EXPECT_EQ(Run(watcher, "get k\r\n"), "VALUE k 0 1\r\nv\r\nEND\r\n");
  EXPECT_EQ(Run(plain, "get k\r\n"), "VALUE k 0 1\r\nv\r\nEND\r\n");
}

TEST_F(DomainSessionTest, NoticeOnlyBeforeAnEndLine) {
  Session watcher(engine_, config_, counters_, &hooks_);
  Session admin(engine_, config_, counters_, &hooks_);
  Run(watcher, "servers app notify\r\n");
  Run(admin, "domain_update app 2 0\r\n");
  EXPECT_EQ(Run(watcher, "set k 0 0 3\r\nEND\r\n"), "STORED\r\n");
  // A reply that is nothing but END gets the notice too.
  EXPECT_EQ(Run(watcher, "stats detail dump\r\n"), "SERVER_UPDATE app 2\r\nEND\r\n");
}

TEST_F(DomainSessionTest, NoNoticeForWhatTheSubscriberAlreadyRead) {
  Session watcher(engine_, config_, counters_, &hooks_);
  Session admin(engine_, config_, counters_, &hooks_);
  Run(watcher, "servers app notify\r\n");
  Run(admin, "domain_update app 5 1\r\nadd a:1\r\n");
  EXPECT_EQ(Run(watcher, "servers app notify\r\n"),
            "SERVERS app 5\r\nSERVER a:1\r\nEND\r\n");
  EXPECT_EQ(Run(watcher, "get k\r\n"), "END\r\n");
}

}  // namespace
}  // namespace mnemo

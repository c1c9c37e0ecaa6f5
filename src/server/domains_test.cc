// DomainStore: the version rule, all-or-nothing updates, the state file (format, atomic
// replacement, reload) and what a damaged file does at start.
#include "server/domains.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace mnemo::server {
namespace {

namespace fs = std::filesystem;
using domains::Change;
using domains::UpdateStatus;

class DomainStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mnemo-domains-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "domains.state").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void WriteState(std::string_view text) { std::ofstream(path_) << text; }

  fs::path dir_;
  std::string path_;
  Logger log_{0};
};

const Change kAddA{Change::Kind::kAdd, {"a:1", 1}};
const Change kAddB{Change::Kind::kAdd, {"b:2", 3}};
const Change kDeleteA{Change::Kind::kDelete, {"a:1", 1}};

TEST_F(DomainStoreTest, OnlyNewerVersionsApply) {
  DomainStore store("", log_);
  EXPECT_EQ(store.Get("app").version, 0u);
  const Change first[] = {kAddA, kAddB};
  auto r = store.Update("app", 5, first);
  EXPECT_EQ(r.status, UpdateStatus::kUpdated);
  EXPECT_EQ(r.version, 5u);
  const Change second[] = {kDeleteA};
  r = store.Update("app", 5, second);
  EXPECT_EQ(r.status, UpdateStatus::kExists);
  EXPECT_EQ(r.version, 5u);
  r = store.Update("app", 4, second);
  EXPECT_EQ(r.status, UpdateStatus::kExists);
  EXPECT_EQ(store.Get("app").servers.size(), 2u);
  r = store.Update("app", 6, second);
  EXPECT_EQ(r.status, UpdateStatus::kUpdated);
  ASSERT_EQ(store.Get("app").servers.size(), 1u);
  EXPECT_EQ(store.Get("app").servers[0].Text(), "b:2:3");
  EXPECT_EQ(store.Version("other"), 0u);
}

TEST_F(DomainStoreTest, SurvivesARestart) {
  {
    DomainStore store(path_, log_);
    const Change changes[] = {kAddA, kAddB};
    ASSERT_EQ(store.Update("app", 9, changes).status, UpdateStatus::kUpdated);
    ASSERT_EQ(store.Update("web", 1, changes).status, UpdateStatus::kUpdated);
  }
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));
  DomainStore again(path_, log_);
  EXPECT_EQ(again.size(), 2u);
  const domains::List app = again.Get("app");
  EXPECT_EQ(app.version, 9u);
  ASSERT_EQ(app.servers.size(), 2u);
  EXPECT_EQ(app.servers[1].Text(), "b:2:3");
}

TEST_F(DomainStoreTest, DamagedFilesStartEmpty) {
  for (std::string_view text :
       {"", "garbage\n", "mnemo-domains 1\ndomain app 1 1\nserver a:1\n",
        "mnemo-domains 1\ndomain app 1 2\nserver a:1\nend\n",
        "mnemo-domains 1\ndomain app 0 0\nend\n",
        "mnemo-domains 1\ndomain app 1 1\nserver x\nend\n",
        "mnemo-domains 1\ndomain a 1 0\ndomain a 2 0\nend\n", "mnemo-domains 1\nend\nmore\n"}) {
    WriteState(text);
    DomainStore store(path_, log_);
    EXPECT_EQ(store.size(), 0u) << text;
  }
}

TEST_F(DomainStoreTest, FormatParsesBack) {
  std::map<std::string, domains::List, std::less<>> all;
  all["x"] = domains::List{3, {{"h:1", 1}, {"[::1]:2", 7}}};
  all["y"] = domains::List{1, {}};
  const std::string text = FormatDomainState(all);
  EXPECT_EQ(text,
            "mnemo-domains 1\ndomain x 3 2\nserver h:1\nserver [::1]:2:7\ndomain y 1 0\nend\n");
  auto parsed = ParseDomainState(text);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->at("x").servers, all["x"].servers);
}

TEST_F(DomainStoreTest, UnwritableFileRefusesTheUpdate) {
  DomainStore store((dir_ / "missing-dir" / "domains.state").string(), log_);
  const Change changes[] = {kAddA};
  auto r = store.Update("app", 1, changes);
  EXPECT_EQ(r.status, UpdateStatus::kFailed);
  EXPECT_EQ(store.Version("app"), 0u);
}

TEST(DomainStatePathTest, StateDirThenSnapshotThenNothing) {
  ServerConfig config;
  EXPECT_EQ(DomainStatePath(config), "");
  config.snapshot_file = "/var/cache/m.snap";
  EXPECT_EQ(DomainStatePath(config), "/var/cache/m.snap.domains");
  config.state_dir = "/var/lib/mnemo";
  EXPECT_EQ(DomainStatePath(config), "/var/lib/mnemo/domains.state");
}

}  // namespace
}  // namespace mnemo::server

// The Syncer acknowledges a commit only after a sync that started after the commit was handed
// over, lets the writer hand over more while a sync runs, and fails what a failed sync held.
#include "engines/sqlite/syncer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "engines/sqlite/writer.h"

namespace mnemo::sqlite {
namespace {

class NoJob final : public WriteJob {
 public:
  bool Run(WriteOps& /*ops*/) override { return true; }
  void Finish(bool /*ok*/) override {}
};

// A sync the test lets through one at a time, and the jobs the Syncer finished.
class Disk {
 public:
  bool Sync() {
    std::unique_lock lock(mu_);
    ++started_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return released_ >= started_; });
    return result_;
  }
  void Finished(std::vector<WriteJob*>& jobs, bool synced) {
    std::lock_guard lock(mu_);
    for (WriteJob* job : jobs) finished_.push_back({job, synced});
    cv_.notify_all();
  }
  void WaitForSyncs(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return started_ >= n; });
  }
  void Release(bool result = true) {
    std::lock_guard lock(mu_);
    result_ = result;
    ++released_;
    cv_.notify_all();
  }
  void WaitForFinished(std::size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return finished_.size() >= n; });
  }
  struct Finish {
    WriteJob* job;
    bool synced;
    bool operator==(const Finish&) const = default;
  };
  std::vector<Finish> finished() {
    std::lock_guard lock(mu_);
    return finished_;
  }
  int started() {
    std::lock_guard lock(mu_);
    return started_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int started_ = 0;
  int released_ = 0;
  bool result_ = true;
  std::vector<Finish> finished_;
};

Syncer MakeSyncer(Disk& disk) {
  return Syncer(
      [&disk] { return disk.Sync(); },
      [&disk](std::vector<WriteJob*>& jobs, bool synced) { disk.Finished(jobs, synced); });
}

TEST(SyncerTest, AJobHandedDuringASyncWaitsForTheNextOne) {
  Disk disk;
  NoJob first, second, third;
  Syncer syncer = MakeSyncer(disk);
  syncer.Hand({&first});
  disk.WaitForSyncs(1);
  // The first sync is under way: what is handed now may not be on disk yet.
  syncer.Hand({&second});
  syncer.Hand({&third});
  EXPECT_TRUE(disk.finished().empty());
  disk.Release();
  disk.WaitForFinished(1);
  disk.WaitForSyncs(2);
  EXPECT_EQ(disk.finished(), (std::vector<Disk::Finish>{{&first, true}}));
  // One sync covers both commits made while the first ran.
  disk.Release();
  disk.WaitForFinished(3);
  EXPECT_EQ(disk.finished(),
            (std::vector<Disk::Finish>{{&first, true}, {&second, true}, {&third, true}}));
  syncer.Flush();
  EXPECT_EQ(disk.started(), 2);
}

TEST(SyncerTest, AFailedSyncFailsTheJobsItHeld) {
  Disk disk;
  NoJob first, second;
  Syncer syncer = MakeSyncer(disk);
  syncer.Hand({&first});
  disk.WaitForSyncs(1);
  disk.Release(false);
  disk.WaitForFinished(1);
  syncer.Hand({&second});
  disk.WaitForSyncs(2);
  disk.Release(true);
  syncer.Flush();
  EXPECT_EQ(disk.finished(), (std::vector<Disk::Finish>{{&first, false}, {&second, true}}));
}

TEST(SyncerTest, FlushAndTheDestructorFinishEverythingHandedOver) {
  Disk disk;
  std::vector<NoJob> jobs(5);
  {
    Syncer syncer = MakeSyncer(disk);
    for (NoJob& job : jobs) syncer.Hand({&job});
    for (int i = 0; i < 5; ++i) disk.Release();  // as many syncs as it may take
    syncer.Flush();
    EXPECT_EQ(disk.finished().size(), jobs.size());
    syncer.Hand({&jobs[0]});
    disk.Release();
  }  // the destructor syncs and finishes the last one before it returns
  const std::vector<Disk::Finish> finished = disk.finished();
  ASSERT_EQ(finished.size(), jobs.size() + 1);
  EXPECT_TRUE(std::all_of(finished.begin(), finished.end(),
                          [](const Disk::Finish& f) { return f.synced; }));
}

}  // namespace
}  // namespace mnemo::sqlite

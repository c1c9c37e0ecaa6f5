// Warm restart: what a snapshot keeps (values, flags, deadlines, CAS and the CAS counter), and
// that every damaged file -- missing, empty, cut at any byte, any byte flipped, another format
// version or engine -- is refused whole, leaving the engine empty.
#include "engines/memory/snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "engines/memory/snapshot_format.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

struct Saved {
  std::string value;
  std::uint32_t flags = 0;
  std::uint64_t cas = 0;
  std::int64_t deadline = 0;
  bool operator==(const Saved&) const = default;
};

std::map<std::string, Saved> Contents(MemoryEngine& engine) {
  std::map<std::string, Saved> items;
  engine.ForEach([&](const ItemView& item) {
    items[std::string(item.key)] = {std::string(item.value), item.client_flags, item.cas,
                                    item.deadline};
    return true;
  });
  return items;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

class SnapshotTest : public ::testing::Test {
 protected:
  SnapshotTest()
      : dir_(::testing::TempDir() + "mnemo_snapshot_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    std::filesystem::create_directories(dir_);
  }
  ~SnapshotTest() override { std::filesystem::remove_all(dir_); }

  StoreResult Set(MemoryEngine& engine, std::string_view key, std::string_view value,
                  std::uint32_t flags = 0, std::int64_t exptime = 0, std::uint64_t cas = 0) {
    StoreRequest request{HashedKey(key)};
    request.value = value;
    request.client_flags = flags;
    request.exptime = exptime;
    request.new_cas = cas;
    return engine.Store(request);
  }
  // A small saved cache: the bytes every damage test starts from.
  std::string SavedBytes() {
    Set(engine_, "a", "alpha", 7, 100);
    Set(engine_, "b", "beta");
    EXPECT_TRUE(SaveSnapshot(engine_, path_).ok());
    return ReadFile(path_);
  }
  // Loads `bytes` into a fresh engine: the error, and nothing stored.
  std::string LoadFails(std::string_view bytes) {
    WriteFile(path_, bytes);
    MemoryEngine fresh(clock_, MemoryEngineConfig{});
    Result<SnapshotSummary> loaded = LoadSnapshot(fresh, path_);
    EXPECT_TRUE(Contents(fresh).empty());
    return loaded.ok() ? "" : loaded.error().message;
  }

  std::string dir_;
  std::string path_ = dir_ + "/cache.snap";
  testing::ManualClock clock_;
  MemoryEngine engine_{clock_, MemoryEngineConfig{}};
};

TEST(SnapshotCrc, MatchesTheStandardCheckValue) {
  EXPECT_EQ(memory::Crc32(0, "123456789"), 0xcbf43926u);
  EXPECT_EQ(memory::Crc32(memory::Crc32(0, "1234"), "56789"), 0xcbf43926u);
}

TEST_F(SnapshotTest, RoundTripKeepsValuesFlagsDeadlinesAndCas) {
  Set(engine_, "plain", "v1");
  Set(engine_, "flags", "v2", 0xdeadbeef);
  Set(engine_, "ttl", "v3", 1, 1000);
  Set(engine_, "explicit_cas", "v4", 0, 0, 5000);  // meta E: above the counter
  Set(engine_, "big", std::string(600 * 1024, 'x'));
  Set(engine_, "empty", "");
  const std::map<std::string, Saved> before = Contents(engine_);
  ASSERT_EQ(before.size(), 6u);
  Result<SnapshotSummary> saved = SaveSnapshot(engine_, path_);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_EQ(saved->items, 6u);

  clock_.Advance(10);  // the restart takes a while; deadlines stay where they were
  MemoryEngine restarted(clock_, MemoryEngineConfig{});
  Result<SnapshotSummary> loaded = LoadSnapshot(restarted, path_);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->items, 6u);
  EXPECT_EQ(loaded->expired, 0u);
  EXPECT_EQ(Contents(restarted), before);
  EXPECT_EQ(before.at("ttl").deadline, 1'700'000'000 + 1000);
  // New writes get CAS values no reloaded item has.
  EXPECT_GT(Set(restarted, "new", "n").cas, 5000u);
}

TEST_F(SnapshotTest, CasCounterSurvivesDeletedItems) {
  for (int i = 0; i < 10; ++i) Set(engine_, "k" + std::to_string(i), "v");
  for (int i = 1; i < 10; ++i) {
    engine_.Delete(DeleteRequest{HashedKey("k" + std::to_string(i))});
  }
  ASSERT_TRUE(SaveSnapshot(engine_, path_).ok());
  MemoryEngine restarted(clock_, MemoryEngineConfig{});
  ASSERT_TRUE(LoadSnapshot(restarted, path_).ok());
  // CAS 10 belonged to a deleted item a client may still hold: it must not come back.
  EXPECT_EQ(Set(restarted, "new", "n").cas, 11u);
}

TEST_F(SnapshotTest, ExpiredAndInvalidatedItemsAreNotReloaded) {
  Set(engine_, "short", "s", 0, 5);
  Set(engine_, "long", "l", 0, 500);
  Set(engine_, "stale", "x");
  DeleteRequest invalidate{HashedKey("stale")};
  invalidate.invalidate = true;
  ASSERT_EQ(engine_.Delete(invalidate), DeleteStatus::kDeleted);
  Result<SnapshotSummary> saved = SaveSnapshot(engine_, path_);
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->items, 2u);
  clock_.Advance(60);
  MemoryEngine restarted(clock_, MemoryEngineConfig{});
  Result<SnapshotSummary> loaded = LoadSnapshot(restarted, path_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->items, 1u);
  EXPECT_EQ(loaded->expired, 1u);
  EXPECT_EQ(Contents(restarted).count("long"), 1u);
}

TEST_F(SnapshotTest, SaveReplacesTheFileAndLeavesNoTemporary) {
  WriteFile(path_, "old contents");
  Set(engine_, "k", "v");
  ASSERT_TRUE(SaveSnapshot(engine_, path_).ok());
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "cache.snap");
  }
  EXPECT_EQ(files, 1u);
  EXPECT_TRUE(ReadFile(path_).starts_with(memory::kSnapshotMagic));
}

TEST_F(SnapshotTest, SaveIntoAMissingDirectoryFails) {
  Result<SnapshotSummary> saved = SaveSnapshot(engine_, dir_ + "/no/such/dir/cache.snap");
  ASSERT_FALSE(saved.ok());
  EXPECT_NE(saved.error().message.find("No such file"), std::string::npos);
}

TEST_F(SnapshotTest, MissingAndEmptyFilesAreRefused) {
  MemoryEngine fresh(clock_, MemoryEngineConfig{});
  Result<SnapshotSummary> missing = LoadSnapshot(fresh, dir_ + "/absent.snap");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos);
  EXPECT_EQ(LoadFails(""), "empty file");
}

TEST_F(SnapshotTest, EveryTruncationIsRefused) {
  const std::string bytes = SavedBytes();
  for (std::size_t size = 1; size < bytes.size(); ++size) {
    const std::string error = LoadFails(std::string_view(bytes).substr(0, size));
    EXPECT_FALSE(error.empty()) << "cut at " << size;
  }
  EXPECT_NE(LoadFails(bytes.substr(0, bytes.size() - 3)).find("truncated"), std::string::npos);
}

TEST_F(SnapshotTest, EveryFlippedByteIsRefused) {
  const std::string bytes = SavedBytes();
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    EXPECT_FALSE(LoadFails(damaged).empty()) << "byte " << at;
  }
  std::string value_flip = bytes;
  value_flip[value_flip.find("alpha")] = 'A';
  EXPECT_EQ(LoadFails(value_flip), "damaged file: checksum mismatch");
  EXPECT_NE(LoadFails(bytes + "x").find("damaged"), std::string::npos);
}

// Rewrites the header field at `offset` and the checksum, as another writer would have.
std::string Reheader(std::string bytes, std::size_t offset, std::string_view field) {
  bytes.replace(offset, field.size(), field);
  const std::uint32_t crc = memory::Crc32(0, std::string_view(bytes).substr(0, bytes.size() - 4));
  for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<char>(crc >> (8 * i));
  return bytes;
}

TEST_F(SnapshotTest, OtherVersionsEnginesAndFilesAreRefused) {
  const std::string bytes = SavedBytes();
  EXPECT_EQ(LoadFails(Reheader(bytes, 8, std::string("\x02\0\0\0", 4))),
            "snapshot format version 2, this mnemod reads version 1");
  EXPECT_EQ(LoadFails(Reheader(bytes, 13, "sqlite")),
            "written by the 'sqlite' engine, not 'memory'");
  EXPECT_EQ(LoadFails("# a text file, not a snapshot\n"), "not a Mnemo snapshot (bad magic)");
}

}  // namespace
}  // namespace mnemo

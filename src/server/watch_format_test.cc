// The watch line formats against lines captured from memcached 1.6.18 (ts and gid as there).
#include "server/watch_format.h"

#include <gtest/gtest.h>

namespace mnemo::server {
namespace {

TEST(WatchFormatTest, ItemGetFoundAsMemcached) {
  const FetchEvent event{
      .key = "a", .status = FetchStatus::kFound, .slab_class = 1, .value_size = 1, .client_fd = 25};
  EXPECT_EQ(FormatItemGet({1795332212, 10793, 4}, event),
            "ts=1795332212.10793 gid=4 type=item_get key=a status=found clsid=1 cfd=25 size=1\n");
}

TEST(WatchFormatTest, ItemGetMissAndOtherStatuses) {
  FetchEvent event{.key = "b", .client_fd = 7};
  EXPECT_EQ(FormatItemGet({5, 0, 1}, event),
            "ts=5.0 gid=1 type=item_get key=b status=not_found clsid=0 cfd=7 size=0\n");
  event.status = FetchStatus::kExpired;
  EXPECT_NE(FormatItemGet({5, 0, 1}, event).find(" status=expired "), std::string::npos);
  event.status = FetchStatus::kFlushed;
  EXPECT_NE(FormatItemGet({5, 0, 1}, event).find(" status=flushed "), std::string::npos);
}

TEST(WatchFormatTest, EvictionAsMemcached) {
  const EvictedItem item{.key = "k/1", .value_size = 100, .fetched = false, .ttl = -1, .idle = 3};
  EXPECT_EQ(FormatEviction({7, 12, 3}, item),
            "ts=7.12 gid=3 type=eviction key=k%2F1 fetch=no ttl=-1 la=3 clsid=" +
                std::to_string(MemcachedSlabClass("k/1", 100, 0)) + " size=100\n");
  const EvictedItem read{.key = "a", .value_size = 1, .fetched = true, .ttl = 55, .idle = 0};
  EXPECT_NE(FormatEviction({7, 12, 4}, read).find(" fetch=yes ttl=55 la=0 clsid=1 size=1\n"),
            std::string::npos);
}

TEST(WatchFormatTest, ItemStoreAsMemcached) {
  const StoreEvent event{.key = "a",
                         .status = StoreStatus::kStored,
                         .command = StoreCommand::kReplace,
                         .ttl = 100,
                         .slab_class = 1,
                         .value_size = 1,
                         .client_fd = 25};
  EXPECT_EQ(FormatItemStore({1795332213, 518481, 9}, event),
            "ts=1795332213.518481 gid=9 type=item_store key=a status=stored cmd=replace ttl=100 "
            "clsid=1 cfd=25 size=1\n");
}

TEST(WatchFormatTest, EveryStoreStatusAndCommandName) {
  const std::pair<StoreStatus, std::string> statuses[] = {
      {StoreStatus::kStored, "stored"},      {StoreStatus::kNotStored, "not_stored"},
      {StoreStatus::kExists, "exists"},      {StoreStatus::kNotFound, "not_found"},
      {StoreStatus::kTooLarge, "too_large"}, {StoreStatus::kNoMemory, "no_memory"}};
  for (const auto& [status, name] : statuses) {
    const StoreEvent event{.key = "k", .status = status};
    EXPECT_NE(FormatItemStore({}, event).find(" status=" + name + " "), std::string::npos) << name;
  }
  const std::pair<StoreCommand, std::string> commands[] = {
      {StoreCommand::kSet, "set"},         {StoreCommand::kAdd, "add"},
      {StoreCommand::kReplace, "replace"}, {StoreCommand::kAppend, "append"},
      {StoreCommand::kPrepend, "prepend"}, {StoreCommand::kCas, "cas"}};
  for (const auto& [command, name] : commands) {
    const StoreEvent event{.key = "k", .command = command};
    EXPECT_NE(FormatItemStore({}, event).find(" cmd=" + name + " "), std::string::npos) << name;
  }
}

TEST(WatchFormatTest, KeysAreUriEncodedAsMemcached) {
  std::string out;
  AppendUriEncoded("k%b/c", out);
  EXPECT_EQ(out, "k%25b%2Fc");
  out.clear();
  AppendUriEncoded("~a-b_c.d09AZ", out);
  EXPECT_EQ(out, "~a-b_c.d09AZ");
  out.clear();
  AppendUriEncoded(std::string_view("\x01\xff=", 3), out);
  EXPECT_EQ(out, "%01%FF%3D");
}

TEST(WatchFormatTest, SkippedNotice) { EXPECT_EQ(FormatSkipped(12), "skipped=12\n"); }

}  // namespace
}  // namespace mnemo::server

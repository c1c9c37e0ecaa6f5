#include "engines/sqlite/journal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace mnemo::sqlite {
namespace {

Row FullRow() {
  Row row;
  row.seq = 7;
  row.value = std::string("bin\0ary", 7);
  row.client_flags = 0xfffffffe;
  row.cas = UINT64_MAX;
  row.deadline = 1'700'000'300;
  row.last_access = 1'700'000'001;
  row.stored_at = 1'700'000'000;
  row.fetched = true;
  row.token_sent = true;
  row.binary_key = true;
  return row;
}

void ExpectSameRow(const Row& a, const Row& b) {
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.client_flags, b.client_flags);
  EXPECT_EQ(a.cas, b.cas);
  EXPECT_EQ(a.deadline, b.deadline);
  EXPECT_EQ(a.last_access, b.last_access);
  EXPECT_EQ(a.stored_at, b.stored_at);
  EXPECT_EQ(a.fetched, b.fetched);
  EXPECT_EQ(a.stale, b.stale);
  EXPECT_EQ(a.token_sent, b.token_sent);
  EXPECT_EQ(a.binary_key, b.binary_key);
}

TEST(JournalTest, RecordsRoundTripInOrder) {
  std::string bytes;
  EncodeRecord(bytes, "k1", FullRow());
  EncodeRecord(bytes, "gone", std::nullopt);
  Row empty;
  empty.stale = true;
  EncodeRecord(bytes, std::string(250, 'x'), empty);
  Result<std::vector<JournalRecord>> records = DecodeRecords(bytes);
  ASSERT_TRUE(records.ok()) << records.error().message;
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].key, "k1");
  ASSERT_TRUE((*records)[0].row);
  ExpectSameRow(*(*records)[0].row, FullRow());
  EXPECT_EQ((*records)[1].key, "gone");
  EXPECT_FALSE((*records)[1].row);
  EXPECT_EQ((*records)[2].key, std::string(250, 'x'));
  ASSERT_TRUE((*records)[2].row);
  ExpectSameRow(*(*records)[2].row, empty);
  EXPECT_TRUE(DecodeRecords("")->empty());
}

TEST(JournalTest, DamagedBytesAreAnErrorNotAGuess) {
  std::string bytes;
  EncodeRecord(bytes, "k1", FullRow());
  EncodeRecord(bytes, "k2", std::nullopt);
  // Every cut short of the whole fails, except the one between the two records.
  const std::size_t first = bytes.size() - (1 + 4 + 2);
  for (std::size_t size = 1; size < bytes.size(); ++size) {
    Result<std::vector<JournalRecord>> records = DecodeRecords(bytes.substr(0, size));
    EXPECT_EQ(records.ok(), size == first) << size;
  }
  std::string unknown_kind = bytes;
  unknown_kind[0] = 9;
  EXPECT_FALSE(DecodeRecords(unknown_kind).ok());
  std::string empty_key;
  EncodeRecord(empty_key, "", std::nullopt);
  EXPECT_FALSE(DecodeRecords(empty_key).ok());
  std::string huge_length = bytes;
  huge_length[1] = '\xff';  // the key length's low byte: past the end
  EXPECT_FALSE(DecodeRecords(huge_length).ok());
  const Result<std::vector<JournalRecord>> failed = DecodeRecords(bytes + "x");
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("damaged"), std::string::npos);
}

TEST(JournalTest, PendingRowsKeepTheLastChangeUntilFoldedAndCountTheirBytes) {
  PendingRows pending;
  std::optional<Row> row;
  EXPECT_FALSE(pending.Find("k", &row));
  pending.Publish("k", FullRow(), 3);
  pending.Publish("d", std::nullopt, 3);
  EXPECT_EQ(pending.size(), 2u);
  const std::size_t bytes = pending.bytes();
  ASSERT_TRUE(pending.Find("d", &row));
  EXPECT_FALSE(row);               // deleted: known, and absent
  pending.Publish("k", Row{}, 5);  // a later change, in a later journal row
  EXPECT_EQ(pending.bytes(), bytes - FullRow().value.size());
  EXPECT_EQ(pending.KeysUpTo(3), std::vector<std::string>{"d"});
  EXPECT_EQ(pending.KeysUpTo(5), (std::vector<std::string>{"d", "k"}));
  pending.Forget("k", 3);  // folded as of row 3: the change of row 5 stays
  std::int64_t journal_id = 0;
  ASSERT_TRUE(pending.Get("k", &row, &journal_id));
  EXPECT_EQ(journal_id, 5);
  pending.Forget("k", 5);
  pending.Forget("d", 3);
  EXPECT_FALSE(pending.Find("k", &row));
  EXPECT_EQ(pending.size(), 0u);
  EXPECT_EQ(pending.bytes(), 0u);
}

// A fold round takes its keys in the table's order (bytes compared as unsigned, a prefix first):
// keys alike in their first 16 bytes, of different lengths, with zero and high bytes.
TEST(JournalTest, KeysUpToAreInByteOrder) {
  PendingRows pending;
  std::vector<std::string> keys = {"b",
                                   "a",
                                   "ab",
                                   "abcdefghijklmnop",
                                   "abcdefgh",
                                   "abcdefghi",
                                   "\xff",
                                   "\x80z",
                                   "\x7f",
                                   "key:0000002",
                                   "key:0000010",
                                   "key:0000001",
                                   "abcdefghijklmnopq",
                                   "abcdefghijklmnopa"};
  keys.push_back(std::string("ab\0", 3));
  for (int i = 0; i < 300; ++i) keys.push_back("k" + std::to_string(i * 7919 % 1000));
  for (const std::string& key : keys) pending.Publish(key, Row{}, 1);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  EXPECT_EQ(pending.KeysUpTo(1), keys);
  EXPECT_TRUE(pending.KeysUpTo(0).empty());
}

TEST(JournalTest, FoldKeysMergeSortedPartsAndCountEmptyOnes) {
  FoldKeys keys;
  keys.Add({"b", "d"});
  keys.Add({});
  keys.Add({"a", "c", "e"});
  EXPECT_EQ(keys.parts(), 3u);
  std::vector<std::string> taken;
  while (!keys.empty()) taken.push_back(keys.Take());
  EXPECT_EQ(taken, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  keys.Clear();
  EXPECT_EQ(keys.parts(), 0u);
  EXPECT_TRUE(keys.empty());
}

// Stats looks for dead pending rows only when one can be: it counts the rows with a deadline,
// and finds rows by a predicate in place.
TEST(JournalTest, PendingRowsCountTheirDeadlinesAndFindRowsInPlace) {
  PendingRows pending;
  Row expiring;
  expiring.deadline = 100;
  Row lasting;
  lasting.seq = 7;
  pending.Publish("a", expiring, 1);
  pending.Publish("b", lasting, 1);
  pending.Publish("c", std::nullopt, 1);
  EXPECT_EQ(pending.with_deadline(), 1u);
  pending.Publish("b", expiring, 2);  // replaced by a row with a deadline
  EXPECT_EQ(pending.with_deadline(), 2u);
  pending.Publish("a", lasting, 2);  // and the other way
  EXPECT_EQ(pending.with_deadline(), 1u);
  pending.Publish("b", expiring, 3);  // deadline to deadline
  EXPECT_EQ(pending.with_deadline(), 1u);
  std::vector<std::string> keys =
      pending.KeysWhere([](const Row& row) { return row.deadline != 0 || row.seq == 7; });
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b"}));  // a deletion has no row to test
  // Folded as of journal row 2, while the change of row 3 is pending: kept.
  pending.Forget("b", 2);
  EXPECT_EQ(pending.with_deadline(), 1u);
  pending.Forget("b", 3);
  EXPECT_EQ(pending.with_deadline(), 0u);
  pending.Publish("a", expiring, 4);
  pending.Forget("a", 4);
  EXPECT_EQ(pending.with_deadline(), 0u);
}

}  // namespace
}  // namespace mnemo::sqlite

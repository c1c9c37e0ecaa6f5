// The bytes of a warm-restart snapshot (mnemod --snapshot / -e): a header, one record per
// item, and a trailer whose CRC-32 covers everything before it. Writing streams to a file
// descriptor through a small buffer; reading checks a whole file's bytes (magic, format
// version, engine, record structure, checksum) before a single record is handed out, so a
// damaged file is refused as a whole rather than half loaded.
//
// Layout, integers little-endian:
//   header   "MNEMOSNP" | u32 format version | u8 n | n bytes engine id | i64 saved at (unix s)
//   record   u8 1 | u16 key length | u32 flags | i64 deadline (unix s, 0 = never) | u64 CAS
//            | u64 value length | key | value
//   trailer  u8 0xff | u64 record count | u64 CAS counter | u32 CRC-32 of all bytes before it
//
// Thread safety: SnapshotWriter is used by one thread; the free functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mnemo/function_ref.h"
#include "mnemo/result.h"

namespace mnemo::memory {

inline constexpr std::string_view kSnapshotMagic = "MNEMOSNP";
// Raised whenever the layout changes: an old mnemod then refuses a new file (and the reverse)
// instead of misreading it.
inline constexpr std::uint32_t kSnapshotVersion = 1;

// One item as saved: everything a reloaded item keeps.
struct SnapshotRecord {
  std::string_view key;
  std::string_view value;
  std::uint32_t client_flags = 0;
  std::int64_t deadline = 0;  // absolute unix seconds; 0 = never expires
  std::uint64_t cas = 0;
};

// The standard CRC-32 (IEEE 802.3, as zlib's crc32), continued from `crc` (0 to start).
std::uint32_t Crc32(std::uint32_t crc, std::string_view bytes);

class SnapshotWriter {
 public:
  // Writes to `fd`, which the caller owns and closes; the header goes out with the first flush.
  SnapshotWriter(int fd, std::string_view engine_id, std::int64_t saved_at);
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  // Returns false once a write has failed; later calls do nothing.
  bool Add(const SnapshotRecord& record);
  // Writes the trailer and flushes. Does not fsync: the caller decides about durability.
  Result<void> Finish(std::uint64_t cas_counter);

  std::uint64_t records() const { return records_; }

 private:
  void Put(std::string_view bytes);
  template <class T>
  void PutInt(T value);
  bool Flush();

  int fd_;
  std::string buffer_;
  std::uint32_t crc_ = 0;
  std::uint64_t records_ = 0;
  int errno_ = 0;  // of the first failed write; 0 while all went well
};

// What a checked snapshot holds; `records` is the view RecordsOf() walks.
struct SnapshotContents {
  std::int64_t saved_at = 0;
  std::uint64_t record_count = 0;
  std::uint64_t cas_counter = 0;
  std::string_view records;
};

// Checks a whole file's bytes. The error says in a few words what is wrong: not a snapshot,
// another format version, another engine, truncated, or damaged.
Result<SnapshotContents> CheckSnapshot(std::string_view bytes, std::string_view engine_id);

// Calls visit for every record, in file order. REQUIRES: `contents` came from CheckSnapshot
// and the bytes it views are still alive.
void ForEachRecord(const SnapshotContents& contents,
                   FunctionRef<void(const SnapshotRecord&)> visit);

}  // namespace mnemo::memory

#include "engines/memory/snapshot_format.h"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

namespace mnemo::memory {
namespace {

constexpr std::uint8_t kRecordTag = 1;
constexpr std::uint8_t kEndTag = 0xff;
constexpr std::size_t kTrailer = 1 + 8 + 8 + 4;
// Writes go out in pieces of about this size; larger values are written straight from the
// engine's memory instead of being copied into the buffer first.
constexpr std::size_t kBufferBytes = 256 * 1024;

constexpr std::array<std::uint32_t, 256> MakeCrcTable() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<std::uint32_t, 256> kCrcTable = MakeCrcTable();

// Reads little-endian integers from a bounded view; every read fails cleanly past the end.
class Cursor {
 public:
  explicit Cursor(std::string_view bytes, std::size_t at = 0) : bytes_(bytes), at_(at) {}

  template <class T>
  std::optional<T> Int() {
    if (bytes_.size() - at_ < sizeof(T)) return std::nullopt;
    std::make_unsigned_t<T> value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      value |= static_cast<std::make_unsigned_t<T>>(static_cast<unsigned char>(bytes_[at_ + i]))
               << (8 * i);
    }
    at_ += sizeof(T);
    return static_cast<T>(value);
  }
  std::optional<std::string_view> Bytes(std::uint64_t n) {
    if (bytes_.size() - at_ < n) return std::nullopt;
    std::string_view out = bytes_.substr(at_, static_cast<std::size_t>(n));
    at_ += static_cast<std::size_t>(n);
    return out;
  }
  std::size_t at() const { return at_; }
  std::size_t left() const { return bytes_.size() - at_; }

 private:
  std::string_view bytes_;
  std::size_t at_;
};

// One record after its tag byte. nullopt when it runs past the end of `cursor`'s bytes.
std::optional<SnapshotRecord> ReadRecord(Cursor& cursor) {
  std::optional<std::uint16_t> key_length = cursor.Int<std::uint16_t>();
  std::optional<std::uint32_t> flags = cursor.Int<std::uint32_t>();
  std::optional<std::int64_t> deadline = cursor.Int<std::int64_t>();
  std::optional<std::uint64_t> cas = cursor.Int<std::uint64_t>();
  std::optional<std::uint64_t> value_length = cursor.Int<std::uint64_t>();
  if (!key_length || !flags || !deadline || !cas || !value_length) return std::nullopt;
  std::optional<std::string_view> key = cursor.Bytes(*key_length);
  std::optional<std::string_view> value = key ? cursor.Bytes(*value_length) : std::nullopt;
  if (!value) return std::nullopt;
  return SnapshotRecord{*key, *value, *flags, *deadline, *cas};
}

Error Damaged(const std::string& what) { return Error{"damaged file: " + what}; }

}  // namespace

std::uint32_t Crc32(std::uint32_t crc, std::string_view bytes) {
  crc = ~crc;
  for (char byte : bytes) {
    crc = kCrcTable[(crc ^ static_cast<unsigned char>(byte)) & 0xff] ^ (crc >> 8);
  }
  return ~crc;
}

SnapshotWriter::SnapshotWriter(int fd, std::string_view engine_id, std::int64_t saved_at)
    : fd_(fd) {
  buffer_.reserve(kBufferBytes);
  Put(kSnapshotMagic);
  PutInt(kSnapshotVersion);
  PutInt(static_cast<std::uint8_t>(engine_id.size()));
  Put(engine_id.substr(0, 255));
  PutInt(saved_at);
}

bool SnapshotWriter::Add(const SnapshotRecord& record) {
  if (errno_ != 0) return false;
  PutInt(kRecordTag);
  PutInt(static_cast<std::uint16_t>(record.key.size()));
  PutInt(record.client_flags);
  PutInt(record.deadline);
  PutInt(record.cas);
  PutInt(static_cast<std::uint64_t>(record.value.size()));
  Put(record.key);
  Put(record.value);
  ++records_;
  return errno_ == 0;
}

Result<void> SnapshotWriter::Finish(std::uint64_t cas_counter) {
  PutInt(kEndTag);
  PutInt(records_);
  PutInt(cas_counter);
  PutInt(crc_);  // computed before these four bytes join it
  if (!Flush() || errno_ != 0) return Error{std::string("write: ") + std::strerror(errno_)};
  return {};
}

void SnapshotWriter::Put(std::string_view bytes) {
  crc_ = Crc32(crc_, bytes);
  if (buffer_.size() + bytes.size() <= kBufferBytes) {
    buffer_.append(bytes);
    return;
  }
  if (!Flush()) return;
  if (bytes.size() < kBufferBytes) {
    buffer_.append(bytes);
    return;
  }
  // A large value: written where it lies.
  while (!bytes.empty() && errno_ == 0) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) errno_ = n < 0 ? errno : EIO;
    if (n > 0) bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

template <class T>
void SnapshotWriter::PutInt(T value) {
  char bytes[sizeof(T)];
  const auto bits = static_cast<std::make_unsigned_t<T>>(value);
  for (std::size_t i = 0; i < sizeof(T); ++i) bytes[i] = static_cast<char>(bits >> (8 * i));
  Put(std::string_view(bytes, sizeof(T)));
}

bool SnapshotWriter::Flush() {
  std::string_view pending = buffer_;
  while (!pending.empty() && errno_ == 0) {
    const ssize_t n = ::write(fd_, pending.data(), pending.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) errno_ = n < 0 ? errno : EIO;
    if (n > 0) pending.remove_prefix(static_cast<std::size_t>(n));
  }
  buffer_.clear();
  return errno_ == 0;
}

Result<SnapshotContents> CheckSnapshot(std::string_view bytes, std::string_view engine_id) {
  Cursor header(bytes);
  std::optional<std::string_view> magic = header.Bytes(kSnapshotMagic.size());
  if (!magic || *magic != kSnapshotMagic) return Error{"not a Mnemo snapshot (bad magic)"};
  std::optional<std::uint32_t> version = header.Int<std::uint32_t>();
  if (!version) return Error{"truncated file (ends inside the header)"};
  if (*version != kSnapshotVersion) {
    return Error{"snapshot format version " + std::to_string(*version) +
                 ", this mnemod reads version " + std::to_string(kSnapshotVersion)};
  }
  std::optional<std::uint8_t> id_length = header.Int<std::uint8_t>();
  std::optional<std::string_view> id = id_length ? header.Bytes(*id_length) : std::nullopt;
  std::optional<std::int64_t> saved_at = id ? header.Int<std::int64_t>() : std::nullopt;
  if (!saved_at) return Error{"truncated file (ends inside the header)"};
  if (*id != engine_id) {
    return Error{"written by the '" + std::string(*id) + "' engine, not '" +
                 std::string(engine_id) + "'"};
  }
  // Walk the records before trusting the checksum, to tell a cut-off file from a damaged one.
  Cursor walk(bytes, header.at());
  std::uint64_t count = 0;
  for (;;) {
    std::optional<std::uint8_t> tag = walk.Int<std::uint8_t>();
    if (!tag)
      return Error{"truncated file (no end marker after " + std::to_string(count) + " records)"};
    if (*tag == kEndTag) break;
    if (*tag != kRecordTag) {
      return Damaged("unknown record tag at byte " + std::to_string(walk.at() - 1));
    }
    if (!ReadRecord(walk)) {
      return Error{"truncated file (record " + std::to_string(count + 1) + " is cut off)"};
    }
    ++count;
  }
  const std::size_t records_end = walk.at() - 1;
  if (walk.left() != kTrailer - 1) {
    return walk.left() < kTrailer - 1 ? Error{"truncated file (ends inside the trailer)"}
                                      : Damaged("bytes after the end marker");
  }
  std::optional<std::uint64_t> record_count = walk.Int<std::uint64_t>();
  std::optional<std::uint64_t> cas_counter = walk.Int<std::uint64_t>();
  std::optional<std::uint32_t> crc = walk.Int<std::uint32_t>();
  if (Crc32(0, bytes.substr(0, bytes.size() - 4)) != *crc) return Damaged("checksum mismatch");
  if (*record_count != count) return Damaged("record count mismatch");
  return SnapshotContents{*saved_at, count, *cas_counter,
                          bytes.substr(header.at(), records_end - header.at())};
}

void ForEachRecord(const SnapshotContents& contents,
                   FunctionRef<void(const SnapshotRecord&)> visit) {
  Cursor cursor(contents.records);
  while (cursor.left() > 0) {
    cursor.Int<std::uint8_t>();  // the record tag, checked by CheckSnapshot
    std::optional<SnapshotRecord> record = ReadRecord(cursor);
    if (!record) return;
    visit(*record);
  }
}

}  // namespace mnemo::memory

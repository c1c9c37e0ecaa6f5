#include "engines/memory/snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engines/memory/snapshot_format.h"
#include "mnemo/item_rules.h"

namespace mnemo {
namespace {

using memory::SnapshotRecord;

Error SystemError(const std::string& what) { return Error{what + ": " + std::strerror(errno)}; }

// Closes a descriptor however the function that opened it returns.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error close() may carry for a file just written.
  bool Close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

// A whole file mapped read-only, so that it can be checked before anything is stored and then
// stored without a copy.
class MappedFile {
 public:
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }
  Result<void> Map(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return SystemError("cannot open");
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) return SystemError("cannot stat");
    if (info.st_size == 0) return Error{"empty file"};
    size_ = static_cast<std::size_t>(info.st_size);
    void* data = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (data == MAP_FAILED) return SystemError("cannot map");
    data_ = data;
    return {};
  }
  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// The directory entry of a renamed file is durable only once its directory is synced.
void SyncDirectoryOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

// The exptime that gives a reloaded item `deadline` back: relative while that is in range,
// so a test clock near the epoch works as well as a real one; absolute beyond.
std::int64_t ExptimeFor(std::int64_t deadline, std::int64_t now) {
  if (deadline == 0) return 0;
  const std::int64_t left = deadline - now;
  return left <= kMaxRelativeExptime ? left : deadline;
}

Result<SnapshotSummary> WriteItems(MemoryEngine& engine, int fd) {
  memory::SnapshotWriter writer(fd, kMemorySnapshotEngineId, engine.Now());
  // Read before the items: any CAS an item carries is then at most this (or was set by
  // meta E, which the load accounts for item by item).
  const std::uint64_t cas_counter = engine.cas_counter();
  bool written = true;
  engine.ForEach([&](const ItemView& item) {
    if (item.stale) return true;
    written = writer.Add(
        SnapshotRecord{item.key, item.value, item.client_flags, item.deadline, item.cas});
    return written;
  });
  Result<void> finished = writer.Finish(cas_counter);
  if (!finished) return finished.error();
  return SnapshotSummary{writer.records(), 0, 0};
}

}  // namespace

Result<SnapshotSummary> SaveSnapshot(MemoryEngine& engine, const std::string& path) {
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) return SystemError("cannot create " + temp);
  Result<SnapshotSummary> summary = WriteItems(engine, fd.get());
  Result<void> durable;
  if (summary && ::fsync(fd.get()) != 0) durable = SystemError("fsync " + temp);
  if (summary && durable && !fd.Close()) durable = SystemError("close " + temp);
  if (!summary || !durable) {
    ::unlink(temp.c_str());
    return summary ? durable.error() : summary.error();
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Error error = SystemError("cannot rename " + temp);
    ::unlink(temp.c_str());
    return error;
  }
  SyncDirectoryOf(path);
  return summary;
}

Result<SnapshotSummary> LoadSnapshot(MemoryEngine& engine, const std::string& path) {
  MappedFile file;
  if (Result<void> mapped = file.Map(path); !mapped) return mapped.error();
  Result<memory::SnapshotContents> contents =
      memory::CheckSnapshot(file.bytes(), kMemorySnapshotEngineId);
  if (!contents) return contents.error();
  const std::int64_t now = engine.Now();
  SnapshotSummary summary;
  std::uint64_t highest_cas = contents->cas_counter;
  memory::ForEachRecord(*contents, [&](const SnapshotRecord& record) {
    if (record.deadline != 0 && IsExpired(record.deadline, now)) {
      ++summary.expired;
      return;
    }
    if (record.key.empty() || record.key.size() > kMaxKeyLength) {
      ++summary.refused;
      return;
    }
    StoreRequest request{HashedKey(record.key)};
    request.value = record.value;
    request.client_flags = record.client_flags;
    request.exptime = ExptimeFor(record.deadline, now);
    request.new_cas = record.cas;
    if (engine.Store(request).status != StoreStatus::kStored) {
      ++summary.refused;
      return;
    }
    ++summary.items;
    highest_cas = std::max(highest_cas, record.cas);
  });
  engine.RaiseCasCounter(highest_cas);
  return summary;
}

}  // namespace mnemo

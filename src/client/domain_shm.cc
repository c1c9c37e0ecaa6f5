#include "domain_shm.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace mnemo::client {
namespace {

constexpr std::size_t kWords = SharedDomain::kMaxTextBytes / 8;
// Readers retry a few times while writers keep changing the segment under them, then give up.
constexpr int kReadAttempts = 64;

std::uint64_t Fnv1a64(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string ListText(const domains::List& list) {
  std::string text;
  for (const domains::Server& server : list.servers) text += server.Text() + "\n";
  return text;
}

std::optional<domains::List> ParseText(std::uint64_t version, std::string_view rest) {
  domains::List list{version, {}};
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::optional<domains::Server> server = domains::ParseServer(rest.substr(0, end));
    if (!server || end == std::string_view::npos) return std::nullopt;
    list.servers.push_back(std::move(*server));
    rest.remove_prefix(end + 1);
  }
  return list;
}

// Unlocks on scope exit.
class FileLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {
    while (flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~FileLock() { flock(fd_, LOCK_UN); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

}  // namespace

struct SharedDomain::Segment {
  struct Slot {
    std::atomic<std::uint64_t> sequence;  // odd while a writer is inside
    std::atomic<std::uint64_t> version;
    std::atomic<std::uint64_t> length;
    std::atomic<std::uint64_t> words[kWords];
  };
  Slot slots[2];
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "shared memory needs address-free atomics");

std::string SharedDomain::SegmentName(std::string_view domain) {
  char name[64];
  std::snprintf(name, sizeof(name), "/mnemo-domain-%016llx",
                static_cast<unsigned long long>(Fnv1a64(domain)));
  return name;
}

void SharedDomain::Remove(std::string_view domain) {
  const std::string name = SegmentName(domain);
  shm_unlink(name.c_str());
  shm_unlink((name + ".lead").c_str());
}

Result<std::unique_ptr<SharedDomain>> SharedDomain::Open(std::string_view domain) {
  const std::string name = SegmentName(domain);
  const int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Error{"shm_open " + name + ": " + std::strerror(errno)};
  struct stat info {};
  // A new segment is zero-filled: both slots empty, sequences even.
  const bool sized =
      fstat(fd, &info) == 0 && (static_cast<std::size_t>(info.st_size) == sizeof(Segment) ||
                                (info.st_size == 0 && ftruncate(fd, sizeof(Segment)) == 0));
  void* memory = sized ? mmap(nullptr, sizeof(Segment), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
                       : MAP_FAILED;
  const int lead_fd = memory != MAP_FAILED
                          ? shm_open((name + ".lead").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)
                          : -1;
  if (lead_fd < 0) {
    const std::string reason = sized ? std::strerror(errno) : "segment of another size";
    if (memory != MAP_FAILED) munmap(memory, sizeof(Segment));
    close(fd);
    return Error{"shared memory " + name + ": " + reason};
  }
  return std::unique_ptr<SharedDomain>(
      new SharedDomain(fd, lead_fd, static_cast<Segment*>(memory)));
}

SharedDomain::~SharedDomain() {
  munmap(segment_, sizeof(Segment));
  close(lead_fd_);  // releases the leader lock
  close(fd_);
}

// Both sequences are loaded before and after copying, so what is returned is the segment as it
// was at one instant: the newest complete list then. Reading one slot at a time could return
// the older slot after the writer had moved on twice, i.e. go back in time.
std::optional<domains::List> SharedDomain::Read() const {
  const Segment::Slot* slots = segment_->slots;
  for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
    std::uint64_t before[2];
    for (int i = 0; i < 2; ++i) before[i] = slots[i].sequence.load(std::memory_order_acquire);
    std::uint64_t versions[2] = {0, 0};
    std::string texts[2];
    for (int i = 0; i < 2; ++i) {
      // An odd slot is being written, or its writer died: the other one holds the newest.
      if (before[i] % 2 == 1) continue;
      versions[i] = slots[i].version.load(std::memory_order_relaxed);
      const std::uint64_t length =
          std::min<std::uint64_t>(slots[i].length.load(std::memory_order_relaxed), kMaxTextBytes);
      texts[i].resize(length);
      for (std::size_t w = 0; w * 8 < length; ++w) {
        const std::uint64_t word = slots[i].words[w].load(std::memory_order_relaxed);
        std::memcpy(texts[i].data() + w * 8, &word, std::min<std::size_t>(8, length - w * 8));
      }
    }
    std::atomic_thread_fence(std::memory_order_acquire);
    if (slots[0].sequence.load(std::memory_order_relaxed) != before[0] ||
        slots[1].sequence.load(std::memory_order_relaxed) != before[1]) {
      continue;  // a writer moved in between: again
    }
    const int newest = versions[0] >= versions[1] ? 0 : 1;
    if (versions[newest] == 0) return std::nullopt;
    return ParseText(versions[newest], texts[newest]);
  }
  return std::nullopt;
}

bool SharedDomain::Publish(const domains::List& list) {
  const std::string text = ListText(list);
  if (text.size() > kMaxTextBytes) return false;
  FileLock lock(fd_);  // one writer at a time, across processes; released if we die
  // An unfinished slot (its writer died) counts as version 0: the one to overwrite.
  std::uint64_t versions[2];
  for (int i = 0; i < 2; ++i) {
    const Segment::Slot& slot = segment_->slots[i];
    const bool complete = slot.sequence.load(std::memory_order_relaxed) % 2 == 0;
    versions[i] = complete ? slot.version.load(std::memory_order_relaxed) : 0;
  }
  if (std::max(versions[0], versions[1]) >= list.version) return true;
  Segment::Slot* target = &segment_->slots[versions[0] <= versions[1] ? 0 : 1];
  const std::uint64_t sequence = target->sequence.load(std::memory_order_relaxed);
  const std::uint64_t odd = sequence % 2 == 0 ? sequence + 1 : sequence + 2;
  target->sequence.store(odd, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  target->version.store(list.version, std::memory_order_relaxed);
  target->length.store(text.size(), std::memory_order_relaxed);
  for (std::size_t i = 0; i * 8 < text.size(); ++i) {
    std::uint64_t word = 0;
    std::memcpy(&word, text.data() + i * 8, std::min<std::size_t>(8, text.size() - i * 8));
    target->words[i].store(word, std::memory_order_relaxed);
  }
  target->sequence.store(odd + 1, std::memory_order_release);
  return true;
}

bool SharedDomain::TryLead() {
  if (leading_) return true;
  if (flock(lead_fd_, LOCK_EX | LOCK_NB) != 0) return false;
  leading_ = true;
  return true;
}

}  // namespace mnemo::client

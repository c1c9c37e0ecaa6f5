// SharedDomain: the newest list of one domain, shared by the processes of one host through a
// POSIX shared memory segment (docs/domains.md, "Shared memory"), so that one process picking
// up a change is enough for all of them; and the leader lock that makes only one of them keep a
// subscribed connection to the servers.
//
// The segment holds two slots, each a seqlock-versioned record (sequence odd while written).
// A writer takes an exclusive flock on the segment, writes the slot that does not hold the
// newest complete list and bumps its sequence last; a reader takes the newest slot whose
// sequence was even and unchanged around its copy. A writer that dies mid-update leaves its
// slot odd: readers skip it and still find the last complete list in the other one. Every
// shared word is a std::atomic, so concurrent readers and writers never race.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mnemo/protocol/domains.h"
#include "mnemo/result.h"

namespace mnemo::client {

class SharedDomain {
 public:
  // Largest list text (one "host:port[:w]\n" per server) a slot holds.
  static constexpr std::size_t kMaxTextBytes = 16 * 1024;

  // Opens (creating if needed) the segment of `name`. Errors when shared memory is unusable;
  // callers then keep their list to themselves.
  static Result<std::unique_ptr<SharedDomain>> Open(std::string_view name);
  ~SharedDomain();
  SharedDomain(const SharedDomain&) = delete;
  SharedDomain& operator=(const SharedDomain&) = delete;

  // The newest complete list at one instant, so successive reads never go back in time; nullopt
  // when none was published yet, or when writers changed the segment during each of a bounded
  // number of tries.
  std::optional<domains::List> Read() const;
  // Publishes `list` unless the segment already holds this version or a newer one. False when
  // the list is too long to share.
  bool Publish(const domains::List& list);
  // Tries to become (or stay) the one process that watches the servers; the lock is released
  // when this object is destroyed or the process dies.
  bool TryLead();
  bool leading() const { return leading_; }

  // The segment names of a domain ("/mnemo-domain-<hash>" and its ".lead" lock).
  static std::string SegmentName(std::string_view domain);
  // Removes the domain's segments (tests, or an administrator cleaning up).
  static void Remove(std::string_view domain);

 private:
  struct Segment;
  SharedDomain(int fd, int lead_fd, Segment* segment)
      : fd_(fd), lead_fd_(lead_fd), segment_(segment) {}

  const int fd_;
  const int lead_fd_;
  Segment* const segment_;
  std::atomic<bool> leading_{false};
};

}  // namespace mnemo::client

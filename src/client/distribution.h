// Which server owns a key: modula, libmemcached's ketama, and libmemcached's weighted ketama
// (identical to twemproxy's ketama), reproducing the originals key for key. The algorithms are
// described in shared/hashing.md; tests/data holds the maps the real libraries produced.
//
// A Distributor is built for a set of live servers and is immutable afterwards; the client
// rebuilds it when a server is ejected or comes back, which keeps the other servers' points
// where they were (only the dead server's keys move).
// Thread safety: immutable after Build(); share it freely between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mnemo/client/options.h"

namespace mnemo::client {

class Distributor {
 public:
  struct Point {
    std::uint32_t value = 0;
    std::uint32_t server = 0;  // index into the configured server list
  };

  // `live[i]` says whether servers[i] takes part; it must have servers.size() entries.
  static Distributor Build(Distribution distribution, Hash hash,
                           const std::vector<ServerSpec>& servers, const std::vector<bool>& live);

  // The index (into the configured list) of the server that owns `key`; nullopt when no server
  // is live. With one live server nothing is hashed, as in the originals.
  std::optional<std::size_t> Pick(std::string_view key) const;

  // The continuum, sorted by value then server index (empty in modula mode).
  const std::vector<Point>& points() const { return points_; }

  // What ketama hashes for a server: its twemproxy name if it has one, else the host as written,
  // with ":port" unless the port is 11211.
  static std::string HashedName(const ServerSpec& server);

 private:
  Hash hash_ = Hash::kOneAtATime;
  bool consistent_ = false;
  std::vector<std::size_t> live_;  // modula: the live servers, in configuration order
  std::vector<Point> points_;
};

}  // namespace mnemo::client

// mnemo's memcached client: every memcached operation over ASCII (default), meta or binary,
// against one server or many, with keys spread as libmemcached or twemproxy spread them (see
// options.h). A multi-get sends each server its share at once and merges the answers.
//
// Outcomes the protocol defines (a miss, NOT_STORED, EXISTS, NOT_FOUND) are values; Error is for
// real failures: a server that cannot be reached or answers with an error, a timeout, a key the
// protocol cannot carry. Error messages start with the server's label ("127.0.0.1:11211: ...").
//
// Failure handling (libmemcached's auto-eject): with Options::failure_limit = N > 0, a server
// whose operations fail N times in a row is ejected: for Options::retry_interval it gets no keys
// (the distribution is rebuilt over the others, so only its keys move) and broadcast commands
// skip it at once. When the interval ends it is put back; one more failure ejects it again, a
// success clears its count. With failure_limit 0 servers are never ejected.
//
// Thread safety: a Client may be shared by any number of threads; each operation borrows a
// connection per server from a small pool. Returned values own their bytes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mnemo/client/options.h"
#include "mnemo/engine.h"
#include "mnemo/protocol/response.h"
#include "mnemo/result.h"

namespace mnemo::client {

struct Item {
  std::string key;
  std::string value;
  std::uint32_t flags = 0;
  std::uint64_t cas = 0;  // set by gets/gats (0 otherwise)
};

struct GetOptions {
  bool with_cas = false;              // gets/gats
  std::optional<std::int64_t> touch;  // gat/gats: the new exptime
};

struct StoreOptions {
  std::uint32_t flags = 0;
  std::int64_t exptime = 0;  // memcached's: 0 never, <= 30 days relative, else a unix time
};

struct Counter {
  ArithStatus status = ArithStatus::kOk;  // kOk, kNotFound or kNonNumeric
  std::uint64_t value = 0;                // the new value when kOk
};

using Stats = std::vector<std::pair<std::string, std::string>>;

// One server's part of a broadcast command (stats, version, flush_all, ...).
template <class T>
struct PerServer {
  std::size_t index = 0;  // in Options::servers
  std::string server;     // its label
  Result<T> result;
};

struct MultiGetResult {
  std::vector<Item> items;    // the hits, grouped by server, each group in the order asked
  std::vector<Error> errors;  // one per server that failed; its keys count as not found
};

class ClientCore;    // the implementation, in src/client
class DomainClient;  // mnemo/client/domain.h

class Client {
 public:
  // Fails on an empty server list or settings that cannot work. Connects lazily.
  static Result<std::unique_ptr<Client>> Create(Options options);
  // A client over the server list named `domain` that the seed servers keep, following it when
  // it changes (mnemo/client/domain.h; DomainClient::Create for more settings).
  static Result<std::unique_ptr<DomainClient>> ForDomain(std::string domain,
                                                         std::vector<ServerSpec> seeds,
                                                         Options options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // nullopt on a miss.
  Result<std::optional<Item>> Get(std::string_view key, const GetOptions& options = {});
  MultiGetResult GetMulti(std::span<const std::string_view> keys, const GetOptions& options = {});

  // set/add/replace/append/prepend; kCas compares with `cas`. Returns kStored, kNotStored (add
  // on a present key; replace/append/prepend on a missing one), kExists / kNotFound (cas),
  // kTooLarge or kNoMemory.
  Result<StoreStatus> Store(StoreMode mode, std::string_view key, std::string_view value,
                            const StoreOptions& options = {}, std::uint64_t cas = 0);
  Result<StoreStatus> Set(std::string_view key, std::string_view value,
                          const StoreOptions& options = {}) {
    return Store(StoreMode::kSet, key, value, options);
  }

  Result<DeleteStatus> Delete(std::string_view key);  // kDeleted or kNotFound
  // incr/decr; a miss is kNotFound (nothing is created), a non-number kNonNumeric.
  Result<Counter> Arithmetic(bool increment, std::string_view key, std::uint64_t delta);
  Result<TouchStatus> Touch(std::string_view key, std::int64_t exptime);

  // Sent to every configured server; ejected ones answer with an error at once.
  std::vector<PerServer<void>> FlushAll(std::optional<std::int64_t> delay = std::nullopt);
  std::vector<PerServer<Stats>> GetStats(std::string_view group = "");
  std::vector<PerServer<std::string>> Version();
  std::vector<PerServer<void>> Verbosity(std::uint32_t level);
  std::vector<PerServer<void>> Noop();  // meta mn, binary noop; ASCII has none: version
  // Keys each server holds, from `lru_crawler metadump all`, or `stats cachedump` where that is
  // refused (always over ASCII, on a connection of its own). May be partial on busy servers.
  std::vector<PerServer<std::vector<std::string>>> ListKeys();

  // The index of the server that would get `key` now; nullopt when every server is ejected.
  std::optional<std::size_t> ServerFor(std::string_view key);
  // The auto-eject bookkeeping the operations above do, for callers that exchange requests
  // with a server on their own connections (the proxy engine's non-blocking links), so that
  // their failures eject exactly as the client's would: how long `server` stays ejected
  // (nullopt: it may be used), and one operation on it that failed or got its reply.
  std::optional<std::chrono::milliseconds> EjectedFor(std::size_t server);
  void CountFailure(std::size_t server);
  void CountSuccess(std::size_t server);
  const Options& options() const;

 private:
  explicit Client(std::unique_ptr<ClientCore> impl);
  std::unique_ptr<ClientCore> impl_;
};

}  // namespace mnemo::client

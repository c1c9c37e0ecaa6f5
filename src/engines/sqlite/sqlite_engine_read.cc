// SqliteEngine: gets and ForEach. The cache (on the calling thread) or a reader serves a get
// when it needs no change to the row beyond an access bump; anything else -- a dead row to
// reclaim, a recache token to hand out, a stub to vivify, a touch -- is handed to the writer,
// which decides again on its own view of the table. TryGet is the same first half without the
// writer and without waiting for a reader connection.
#include <string>
#include <utility>
#include <vector>

#include "engines/sqlite/engine_state.h"
#include "engines/sqlite/reader_pool.h"
#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/write_ops.h"
#include "engines/sqlite/writer.h"

namespace mnemo {
namespace {

using sqlite::GetOutcome;
using sqlite::Row;
using sqlite::SharedState;

// Rows per ForEach page; each page is one short read transaction, so a slow visitor never
// holds a WAL snapshot open.
constexpr int kPageRows = 256;
// Reads that may race with the writer folding in the very entry they look for.
constexpr int kReadAttempts = 4;

// Where a get's row comes from: the cache or a reader connection.
using RowSource = FunctionRef<Result<std::optional<Row>>()>;

// The row under key with its recorded accesses merged in. Fails (so the writer serves the
// request) when the row cannot be read consistently.
Result<std::optional<Row>> ReadMerged(SharedState& shared, std::string_view key, RowSource read) {
  for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
    const std::uint64_t epoch = shared.absorb_epoch.load();
    Result<std::optional<Row>> found = read();
    if (!found.ok() || !*found) return found;
    if (shared.overlay.Merge(key, **found)) return found;
    // No entry: either there never was one, or the writer absorbed and forgot it after our
    // read; only in the second case has the epoch moved.
    if (shared.absorb_epoch.load() == epoch) return found;
  }
  return Error{"the row kept changing"};
}

// Serves a get from the live row it found, or returns nullopt to hand it to the writer.
std::optional<GetOutcome> Serve(SharedState& shared, const GetRequest& request, Row& row) {
  const std::int64_t now = shared.Now();
  if (sqlite::Check(shared.flush(), row, now) != sqlite::Liveness::kLive) return std::nullopt;
  if (!request.peek && sqlite::WinsToken(request, row, now)) return std::nullopt;
  sqlite::FetchedItem item = sqlite::TakeItem(row);
  item.lost = row.token_sent;
  if (!request.peek) {
    // A bump that changes nothing (fetched already, accessed this second) records nothing, so
    // the writer has nothing to fold in for it.
    if (request.bump && (!row.fetched || row.last_access != now)) {
      shared.overlay.Bump(request.key.key(), row.seq, now);
    }
    sqlite::Add(shared.counters.get_hits);
  }
  return GetOutcome{GetStatus::kHit, std::move(item)};
}

// A get through a reader connection, on the calling thread; nullopt hands it to the writer. The
// row read fills the cache.
std::optional<GetOutcome> ReadGet(SharedState& shared, sqlite::RowStore& rows,
                                  const GetRequest& request) {
  const std::string_view key = request.key.key();
  auto read = [&]() -> Result<std::optional<Row>> {
    const std::uint64_t ticket = shared.cache.Ticket(key);
    // A pending change is newer than the table's row; the table is read after looking, so its
    // snapshot holds any change folded in meanwhile.
    std::optional<Row> pending;
    if (shared.pending.Find(key, &pending)) return pending;
    // Only the table's rows are cached (item_cache.h).
    Result<std::optional<Row>> found = rows.Find(key);
    if (found.ok() && *found && !shared.uncommitted.load()) {
      shared.cache.Fill(key, **found, ticket);
    }
    return found;
  };
  Result<std::optional<Row>> found = ReadMerged(shared, key, read);
  if (!found.ok()) return std::nullopt;
  if (!*found) {
    if (request.vivify_exptime && !request.peek) return std::nullopt;
    return GetOutcome{GetStatus::kMiss, std::nullopt};
  }
  return Serve(shared, request, **found);
}

// A get from a pending change or the cache, on the calling thread; nullopt when neither can
// serve it.
std::optional<GetOutcome> CacheGet(SharedState& shared, const GetRequest& request) {
  const std::string_view key = request.key.key();
  // A pending change first: it is newer than any cached row of its key (item_cache.h). It
  // needs no reader either, a deletion included.
  bool pending = false;
  auto read_pending = [&]() -> Result<std::optional<Row>> {
    std::optional<Row> row;
    pending = shared.pending.Find(key, &row);
    return row;
  };
  Result<std::optional<Row>> found = ReadMerged(shared, key, read_pending);
  if (!found.ok()) return std::nullopt;
  if (!pending) {
    if (!shared.cache.enabled()) return std::nullopt;
    auto read_cache = [&]() -> Result<std::optional<Row>> { return shared.cache.Find(key); };
    found = ReadMerged(shared, key, read_cache);
    if (!found.ok() || !*found) return std::nullopt;
  } else if (!*found) {
    if (request.vivify_exptime && !request.peek) return std::nullopt;
    return GetOutcome{GetStatus::kMiss, std::nullopt};
  }
  std::optional<GetOutcome> served = Serve(shared, request, **found);
  if (served) sqlite::Add(shared.counters.cache_hits);
  return served;
}

}  // namespace

bool SqliteEngine::ReadersMayServe(const GetRequest& request) const {
  if (readers_->empty() || shared_->uncommitted.load()) return false;
  return request.peek || !request.touch_exptime;
}

std::optional<GetOutcome> SqliteEngine::ReadOnlyGet(const GetRequest& request) {
  if (!ReadersMayServe(request)) return std::nullopt;
  std::optional<GetOutcome> outcome = CacheGet(*shared_, request);
  if (!outcome) {
    readers_->Run([&](sqlite::RowStore& rows) { outcome = ReadGet(*shared_, rows, request); });
  }
  return outcome;
}

GetStatus SqliteEngine::Get(const GetRequest& request, ItemVisitor on_hit) {
  std::optional<GetOutcome> outcome = ReadOnlyGet(request);
  if (!outcome) outcome = WriterGet(request);
  if (outcome->item) on_hit(outcome->item->View(request.key.key()));
  return outcome->status;
}

std::optional<GetStatus> SqliteEngine::TryGet(const GetRequest& request, ItemVisitor on_hit) {
  if (!ReadersMayServe(request)) return std::nullopt;
  // The memory cache only: a reader connection may read the file, and a network worker never
  // waits on disk. What the cache does not hold goes to the offload pool.
  std::optional<GetOutcome> outcome = CacheGet(*shared_, request);
  if (!outcome) return std::nullopt;
  if (outcome->item) on_hit(outcome->item->View(request.key.key()));
  return outcome->status;
}

template <class Page>
bool SqliteEngine::ReadPage(std::string_view after, bool first, Page& page) {
  bool ok = false;
  auto read = [&](sqlite::RowStore& rows) {
    Result<Page> got = rows.Page(after, first, kPageRows);
    ok = got.ok();
    if (ok) page = std::move(got).value();
  };
  if (!readers_->empty() && !shared_->uncommitted.load()) {
    readers_->Run(read);
  } else {
    writer_->Run([&](sqlite::WriteOps& ops) {
      read(ops.rows().table());
      return ok;
    });
  }
  return ok;
}

void SqliteEngine::ForEach(FunctionRef<bool(const ItemView&)> visit) {
  // The pages are read from the table: what is pending goes there first.
  if (!writer_->Run([](sqlite::WriteOps& ops) { return ops.FoldAll().ok(); })) return;
  std::string after;
  for (bool first = true;; first = false) {
    std::vector<sqlite::KeyedRow> page;
    if (!ReadPage(after, first, page) || page.empty()) return;
    const std::int64_t now = shared_->Now();
    const sqlite::FlushView flush = shared_->flush();
    for (sqlite::KeyedRow& keyed : page) {
      shared_->overlay.Merge(keyed.key, keyed.row);
      if (sqlite::Check(flush, keyed.row, now) != sqlite::Liveness::kLive) continue;
      const sqlite::FetchedItem item = sqlite::TakeItem(keyed.row);
      if (!visit(item.View(keyed.key))) return;
    }
    if (page.size() < static_cast<std::size_t>(kPageRows)) return;
    after = std::move(page.back().key);
  }
}

}  // namespace mnemo

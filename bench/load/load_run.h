// The two modes of mnemo-bench.
//
// RunLoad: closed loop. Each thread drives its share of the connections with epoll; a
// connection keeps `depth` requests in flight and sends a new one as each reply completes, until
// `requests` have been sent or `duration_s` has passed; then the replies in flight are awaited.
// Latency is measured from when a request was queued to when its reply was complete.
// With options.rate > 0 the loop is open: each thread sends its share of the rate at fixed
// intended times (OpenLoopSchedule), spread round robin over its connections, whatever is
// outstanding, and latency is measured from the intended time.
//
// RunHitRatio: one connection replays one key stream in order. Each key is fetched; on a miss
// it is set, before any request not yet sent. With depth > 1 gets are pipelined, so a hot key
// can be asked for again before the reply to its previous get: if that previous get missed,
// the in-order replay would have set the key in between and the later get would have hit, so
// it is counted as a hit and not set again (the server saw it as a miss: the one access the
// new item lacks). --strict-order instead holds such a get back until the earlier reply is in,
// which replays exactly the unpipelined sequence per key, more slowly.
//
// Both throw std::runtime_error when the server cannot be reached or breaks the protocol.
// Thread safety: call from one thread; RunLoad starts and joins its own threads.
#pragma once

#include "options.h"
#include "run_result.h"

namespace mnemo::bench {

RunResult RunLoad(const BenchOptions& options);
RunResult RunHitRatio(const BenchOptions& options);

}  // namespace mnemo::bench

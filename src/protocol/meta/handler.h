// Executes parsed meta requests (mg, ms, md, ma, mn, me) against the Engine and appends the
// exact reply bytes memcached 1.6.18 sends, bumping the same stats counters it does.
// Internal to libmnemo. Thread safety: as the SessionContext, one session thread at a time.
#pragma once

#include <string>

#include "core/context.h"
#include "mnemo/protocol/request.h"

namespace mnemo::meta {

// REQUIRES: `request` came from meta::ParseRequest with kOk. Appends the reply (nothing when
// q hides it) to `out`. An oversize ms answers "too large", or its parse error when it has one,
// and removes the key's old value as memcached does; the caller still swallows skip_bytes.
void Execute(const Request& request, SessionContext& context, std::string& out);

}  // namespace mnemo::meta

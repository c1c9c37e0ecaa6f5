// Executes parsed classic ASCII requests against the Engine and appends the exact reply bytes
// memcached 1.6.18 sends, bumping the same stats counters it does.
// Internal to libmnemo. Thread safety: as the SessionContext, one session thread at a time.
#pragma once

#include <string>

#include "core/context.h"
#include "mnemo/protocol/request.h"

namespace mnemo::ascii {

// REQUIRES: `request` came from ascii::ParseRequest with kOk. Appends the reply (nothing when
// noreply hides it, or for quit) to `out`. An oversize storage request answers "too large"
// (and set drops the key's old value, as memcached does); the caller still swallows
// request.skip_bytes. quit and an enabled shutdown set context.close.
void Execute(const Request& request, SessionContext& context, std::string& out);

}  // namespace mnemo::ascii

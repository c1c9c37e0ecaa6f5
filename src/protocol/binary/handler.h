// Executes binary protocol requests: maps each parsed Request onto the Engine with memcached
// 1.6.18's binary semantics and appends the response packets. Quiet opcodes are decided here,
// in one place: they suppress success responses (and GetQ/GetKQ/GATQ/GATKQ misses) but never
// errors.
//
// SASL: without config.sasl_required the SASL opcodes answer "Unknown command", as memcached
// without -S does; with it, binary/sasl.h runs them and refuses other commands before auth.
//
// Internal to libmnemo. Thread safety: as the SessionContext, one session at a time.
#pragma once

#include <string>

#include "core/context.h"
#include "mnemo/protocol/request.h"

namespace mnemo::binary {

// REQUIRES: request came from binary::ParseRequest with kOk. Appends zero or more response
// packets to `out` and sets context.close for Quit/QuitQ.
void Execute(const Request& request, SessionContext& context, std::string& out);

}  // namespace mnemo::binary

// -vv logging of the requests a connection executed, in memcached's "<fd command line" form.
// The session consumes many pipelined requests per call, so the consumed bytes are split
// again with libmnemo's parsers; this runs only when the verbosity asks for it.
//
// Thread safety: a pure function of its arguments (the Logger is thread-safe).
#pragma once

#include <cstddef>
#include <string_view>

#include "mnemo/protocol/request.h"
#include "server/logger.h"

namespace mnemo::server {

// `bytes` holds whole requests exactly as the session consumed them. ASCII and meta requests
// are logged by their command line, binary ones by opcode and key length.
void LogRequests(const Logger& log, int fd, Protocol protocol, std::string_view bytes,
                 std::size_t item_size_max);

}  // namespace mnemo::server

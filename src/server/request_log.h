// -vv logging of what a connection executed, in memcached 1.6.18's stderr format: each request
// as "<FD command line" and the lines it prints for the reply after it (">FD STORED",
// ">FD sending key K" per hit and ">FD END" for a get, ">FD MN"); binary requests and responses
// as memcached dumps them ("<FD Read binary protocol data:" and the header in hex, "<FD GET k",
// ">FD Writing an error: Not found", ">FD Writing bin response:" and its header).
//
// Like memcached, it prints nothing for the replies of meta commands (but MN and errors) or of
// `stats`, and nothing for a suppressed reply (memcached's "NOREPLY STORED" needs the reply the
// session never rendered). The session consumes many pipelined requests per call, so the
// requests are split again with libmnemo's parsers and each is paired with its reply by the
// reply's shape; this runs only when the verbosity asks for it.
//
// Thread safety: pure functions of their arguments (the Logger is thread-safe).
#pragma once

#include <cstddef>
#include <string_view>

#include "mnemo/protocol/request.h"
#include "server/logger.h"

namespace mnemo::server {

// `requests` holds whole requests exactly as the session consumed them; `replies` what the
// session appended for them, in order. ASCII and meta requests are split on their command
// lines, binary ones by header.
void LogExchange(const Logger& log, int fd, Protocol protocol, std::string_view requests,
                 std::string_view replies, std::size_t item_size_max);

}  // namespace mnemo::server

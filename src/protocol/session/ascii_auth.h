// memcached's ASCII authentication (-Y): until a connection signs in, every request is read as
// a candidate `set <key> <flags> <exptime> <bytes> [noreply]` whose data block is
// "user password". Anything else gets "CLIENT_ERROR unauthenticated" (binary packets too: they
// are read as text); a signed-in connection goes on with the ordinary text and meta commands.
//
// Replies follow memcached 1.6.18 (1.6.18 keeps only the last reply of one read, a bug;
// here every request gets its own): "STORED" for good credentials (auth_cmds), "CLIENT_ERROR
// authentication failure" for bad ones (auth_cmds, auth_errors), "CLIENT_ERROR bad
// authentication token format" for data without two words, "CLIENT_ERROR bad command line
// termination" for data not ending in \r\n. noreply is ignored; the key, flags and exptime are
// not looked at and nothing is stored.
//
// Internal to libmnemo. Thread safety: as the SessionContext, one session at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/context.h"
#include "mnemo/auth.h"

namespace mnemo {

// memcached closes a connection that sends more than this many bytes before authenticating
// without a newline, and one whose auth data and \r\n would not fit its 16 KiB read buffer.
inline constexpr std::size_t kMaxAuthLine = 2048;
inline constexpr std::size_t kMaxAuthData = 16 * 1024;

// Executes the request at the front of `in` for a connection not yet signed in, appends the
// reply and counts its bytes. Returns the bytes consumed, or nullopt while the request is
// incomplete. Sets context.close (consuming everything) for a line over kMaxAuthLine without a
// newline and for announced data over kMaxAuthData, as memcached does.
std::optional<std::size_t> AsciiSignIn(std::string_view in, SessionContext& context,
                                       AuthState& auth, std::string& out);

}  // namespace mnemo

// RunMnemod: the daemon's life from a parsed command line to its exit status, in memcached's
// order of checks: root without -u, the engine, the listeners (bound before -d forks, so that
// a busy port is reported on the terminal), the user switch, "mnemod listening on ADDR" lines
// on stdout, daemonizing, the pid file, then serving until stopped. With --snapshot FILE (or
// memcached's -e FILE) the engine's items are loaded from FILE before the listeners open and
// saved to it once serving has stopped; a file that cannot be loaded is reported in one line
// on stderr and the server starts empty.
//
// Thread safety: call once, from main(), before any other thread exists.
#pragma once

#include "server/config.h"

namespace mnemo::server {

// Returns the process exit status: 0 after a requested stop, memcached's sysexits otherwise
// (EX_USAGE for root without -u, EX_NOUSER for an unknown user, EX_OSERR when binding fails,
// EX_IOERR when the snapshot could not be saved).
int RunMnemod(const ServerConfig& config);

}  // namespace mnemo::server

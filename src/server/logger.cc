#include "server/logger.h"

#include <unistd.h>

#include <cerrno>
#include <string>

namespace mnemo::server {

void Logger::Log(int level, std::string_view line) const {
  if (!enabled(level)) return;
  std::string whole(line);
  whole += '\n';
  // Unbuffered and in one call: stderr may be shared by threads and by a daemon's log file.
  const char* data = whole.data();
  std::size_t left = whole.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to report a failing stderr
    data += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace mnemo::server

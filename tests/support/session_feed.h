// Drives a Session the way a server does, for session-level tests: the input arrives in reads
// of a chosen size, each read is appended to a buffer, Session::Process runs until it makes no
// more progress, and consumed bytes are dropped.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "mnemo/session.h"

namespace mnemo::testing {

// Feeds `input` to `session` in `fragment`-byte reads (0 = all at once) and returns every reply
// written, stopping early once the session closes the connection.
inline std::string FeedSession(Session& session, std::string_view input, std::size_t fragment) {
  std::string buffer, output;
  std::size_t fed = 0;
  if (fragment == 0) fragment = input.size();
  while (fed < input.size() && !session.closing()) {
    const std::size_t n = std::min(fragment, input.size() - fed);
    buffer.append(input.substr(fed, n));
    fed += n;
    std::size_t used;
    do {
      used = session.Process(buffer, output);
      EXPECT_LE(used, buffer.size());
      buffer.erase(0, used);
    } while (used > 0 && !buffer.empty() && !session.closing());
  }
  return output;
}

}  // namespace mnemo::testing

// The wall clock engines use in production (tests use ManualClock from tests/support).
// Thread safety: Now() may be called from any thread.
#pragma once

#include "mnemo/engine.h"

namespace mnemo {

class SystemClock final : public Clock {
 public:
  std::int64_t Now() const override;
};

}  // namespace mnemo

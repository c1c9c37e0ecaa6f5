// Authentication for sessions: memcached's binary SASL (-S, mechanism PLAIN) and its ASCII
// auth (-Y, a first `set` whose data is "user password"). libmnemo parses the exchanges and
// writes memcached's replies; whether a user and password are good is the embedder's call,
// behind Authenticator, so that the library never reads a password file or a clock.
//
// Thread safety: one Authenticator may serve every session of every thread, so Check() must
// be safe to call concurrently. AuthState belongs to one session.
#pragma once

#include <string_view>

namespace mnemo {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // True when `user` may sign in with `password`. Implementations should compare in constant
  // time and must never log either argument.
  virtual bool Check(std::string_view user, std::string_view password) const = 0;
};

// Where one connection stands. Once authenticated, a connection stays so (memcached never
// signs a connection out, not even after a later failed SASL auth).
struct AuthState {
  bool authenticated = false;
  // A SASL PLAIN auth without data answered "continue": the next step carries the data.
  bool sasl_started = false;
};

}  // namespace mnemo

// Binary SASL as memcached 1.6.18 runs it with -S: list mechs (0x20), auth (0x21) and step
// (0x22) with the PLAIN mechanism, and the gate that refuses every other command (but version)
// before a connection has signed in. The password check is the embedder's Authenticator.
//
// Replies, each checked against memcached: list mechs answers "PLAIN"; a good auth
// "Authenticated" (counted in auth_cmds); a bad one "Auth failure." (auth_cmds and auth_errors)
// and the connection stays open; an auth without data "continue" (0x21) and the following step
// carries the data; a mechanism name over 32 bytes "Invalid arguments"; data too large for
// memcached's item memory "Out of memory". A refused command gets "Auth failure." and the
// connection is closed after it.
//
// Internal to libmnemo. Thread safety: as the SessionContext, one session at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/context.h"
#include "mnemo/protocol/request.h"

namespace mnemo::binary {

// memcached's MAX_SASL_MECH_LEN.
inline constexpr std::size_t kMaxSaslMechanism = 32;
// Mechanism plus data above this fail with "Out of memory", as in memcached, whose SASL buffer
// is an item: with the default slab page, the item header and the data must fit 512 KiB.
inline constexpr std::size_t kMaxSaslBytes = 512 * 1024 - 64;

// RFC 4616: [authzid] NUL authcid NUL password.
struct PlainCredentials {
  std::string_view authzid;
  std::string_view user;
  std::string_view password;
};
// nullopt unless `data` holds exactly two NULs and a non-empty user.
std::optional<PlainCredentials> ParsePlain(std::string_view data);

// REQUIRES: request.command is kSaslListMechs, kSaslAuth or kSaslStep.
void ExecuteSasl(const Request& request, SessionContext& context, std::string& out);

// With config.sasl_required, a connection not yet signed in may send only list mechs, auth,
// step and version. Returns true (after appending memcached's reply and setting
// context.close) when `request` is refused for that.
bool RefuseUnauthenticated(const Request& request, SessionContext& context, std::string& out);

}  // namespace mnemo::binary

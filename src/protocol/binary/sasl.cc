#include "binary/sasl.h"

#include <cstdint>

#include "mnemo/auth.h"
#include "mnemo/protocol/binary.h"

namespace mnemo::binary {
namespace {

constexpr std::string_view kMechanisms = "PLAIN";
constexpr std::string_view kAuthenticated = "Authenticated";

void Reply(const Request& request, Status status, std::string_view value, std::string& out) {
  AppendResponse({static_cast<Opcode>(request.opcode), status, request.opaque, 0}, {}, {}, value,
                 out);
}

void SendError(const Request& request, Status status, std::string& out) {
  AppendStatusError(static_cast<Opcode>(request.opcode), status, request.opaque, out);
}

bool CheckPlain(std::string_view data, const Authenticator* authenticator) {
  const std::optional<PlainCredentials> plain = ParsePlain(data);
  if (!plain || authenticator == nullptr) return false;
  // Acting for another user (an authzid other than oneself) is not offered.
  if (!plain->authzid.empty() && plain->authzid != plain->user) return false;
  return authenticator->Check(plain->user, plain->password);
}

// Auth or step with acceptable sizes: start, continue or finish the PLAIN exchange.
void Authenticate(const Request& request, SessionContext& context, AuthState& auth,
                  std::string& out) {
  const bool step = request.command == Command::kSaslStep;
  const bool known = request.key == kMechanisms;
  if (!step && known && request.value.empty()) {
    // PLAIN without an initial response: the client sends it in a step.
    auth.sasl_started = true;
    return Reply(request, Status::kAuthContinue, {}, out);
  }
  const bool may_finish = known && (!step || auth.sasl_started);
  auth.sasl_started = false;
  ++context.counters.auth_cmds;
  if (may_finish && CheckPlain(request.value, context.config.authenticator)) {
    auth.authenticated = true;
    return Reply(request, Status::kSuccess, kAuthenticated, out);
  }
  ++context.counters.auth_errors;
  SendError(request, Status::kAuthError, out);
}

// By opcode, as memcached decides before it checks a packet's lengths: a malformed SASL
// packet gets its framing error, any other one the auth error.
bool AllowedBeforeAuth(std::uint8_t opcode) {
  const auto op = static_cast<Opcode>(opcode);
  return op == Opcode::kSaslListMechs || op == Opcode::kSaslAuth || op == Opcode::kSaslStep ||
         op == Opcode::kVersion;
}

}  // namespace

std::optional<PlainCredentials> ParsePlain(std::string_view data) {
  const std::size_t first = data.find('\0');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = data.find('\0', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  if (data.find('\0', second + 1) != std::string_view::npos) return std::nullopt;
  PlainCredentials plain{data.substr(0, first), data.substr(first + 1, second - first - 1),
                         data.substr(second + 1)};
  if (plain.user.empty()) return std::nullopt;
  return plain;
}

void ExecuteSasl(const Request& request, SessionContext& context, std::string& out) {
  if (!context.config.sasl_required) return SendError(request, Status::kUnknownCommand, out);
  if (request.command == Command::kSaslListMechs) {
    return Reply(request, Status::kSuccess, kMechanisms, out);
  }
  if (request.key.size() > kMaxSaslMechanism) {
    return SendError(request, Status::kInvalidArguments, out);
  }
  if (request.oversize || request.key.size() + request.value.size() > kMaxSaslBytes) {
    return SendError(request, Status::kOutOfMemory, out);
  }
  AuthState unused;  // handler tests drive no session: nothing to remember
  Authenticate(request, context, context.auth != nullptr ? *context.auth : unused, out);
}

bool RefuseUnauthenticated(const Request& request, SessionContext& context, std::string& out) {
  if (!context.config.sasl_required) return false;
  if (context.auth != nullptr && context.auth->authenticated) return false;
  if (AllowedBeforeAuth(request.opcode)) return false;
  SendError(request, Status::kAuthError, out);
  context.close = true;
  return true;
}

}  // namespace mnemo::binary

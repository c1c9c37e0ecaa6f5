// Client-side request bytes of the classic ASCII protocol.
#include <charconv>

#include "mnemo/protocol/ascii.h"

namespace mnemo::ascii {
namespace {

template <class Integer>
void AppendNumber(Integer number, std::string& out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), number);
  (void)ec;  // 24 bytes hold any 64-bit number
  out.append(buffer, end);
}

void AppendKeys(std::span<const std::string_view> keys, std::string& out) {
  for (std::string_view key : keys) {
    out += ' ';
    out += key;
  }
}

void EndLine(bool noreply, std::string& out) {
  if (noreply) out += " noreply";
  out += "\r\n";
}

std::string_view StoreVerb(StoreMode mode) {
  switch (mode) {
    case StoreMode::kSet: return "set ";
    case StoreMode::kAdd: return "add ";
    case StoreMode::kReplace: return "replace ";
    case StoreMode::kAppend: return "append ";
    case StoreMode::kPrepend: return "prepend ";
    case StoreMode::kCas: return "cas ";
  }
  return "set ";
}

}  // namespace

void EncodeGetRequest(GetKind kind, std::span<const std::string_view> keys, std::string& out) {
  out += kind == GetKind::kGets ? "gets" : "get";
  AppendKeys(keys, out);
  out += "\r\n";
}

void EncodeGatRequest(GetKind kind, std::int64_t exptime, std::span<const std::string_view> keys,
                      std::string& out) {
  out += kind == GetKind::kGets ? "gats " : "gat ";
  AppendNumber(exptime, out);
  AppendKeys(keys, out);
  out += "\r\n";
}

void EncodeStoreRequest(StoreMode mode, std::string_view key, std::uint32_t client_flags,
                        std::int64_t exptime, std::string_view value, std::uint64_t cas,
                        bool noreply, std::string& out) {
  out += StoreVerb(mode);
  out += key;
  out += ' ';
  AppendNumber(client_flags, out);
  out += ' ';
  AppendNumber(exptime, out);
  out += ' ';
  AppendNumber(value.size(), out);
  if (mode == StoreMode::kCas) {
    out += ' ';
    AppendNumber(cas, out);
  }
  EndLine(noreply, out);
  out += value;
  out += "\r\n";
}

void EncodeDeleteRequest(std::string_view key, bool noreply, std::string& out) {
  out += "delete ";
  out += key;
  EndLine(noreply, out);
}

void EncodeArithmeticRequest(bool increment, std::string_view key, std::uint64_t delta,
                             bool noreply, std::string& out) {
  out += increment ? "incr " : "decr ";
  out += key;
  out += ' ';
  AppendNumber(delta, out);
  EndLine(noreply, out);
}

void EncodeTouchRequest(std::string_view key, std::int64_t exptime, bool noreply,
                        std::string& out) {
  out += "touch ";
  out += key;
  out += ' ';
  AppendNumber(exptime, out);
  EndLine(noreply, out);
}

void EncodeFlushAllRequest(std::optional<std::int64_t> delay, bool noreply, std::string& out) {
  out += "flush_all";
  if (delay) {
    out += ' ';
    AppendNumber(*delay, out);
  }
  EndLine(noreply, out);
}

void EncodeStatsRequest(std::string_view args, std::string& out) {
  out += "stats";
  if (!args.empty()) {
    out += ' ';
    out += args;
  }
  out += "\r\n";
}

void EncodeVersionRequest(std::string& out) { out += "version\r\n"; }

void EncodeVerbosityRequest(std::uint32_t level, bool noreply, std::string& out) {
  out += "verbosity ";
  AppendNumber(level, out);
  EndLine(noreply, out);
}

void EncodeQuitRequest(std::string& out) { out += "quit\r\n"; }

}  // namespace mnemo::ascii

// Server-side reply bytes of the classic ASCII protocol.
#include <charconv>

#include "mnemo/protocol/ascii.h"

namespace mnemo::ascii {
namespace {

constexpr std::string_view kCrlf = "\r\n";

void AppendDecimal(std::uint64_t number, std::string& out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), number);
  (void)ec;  // 24 bytes hold any 64-bit number
  out.append(buffer, end);
}

void AppendValueHeader(std::string_view key, std::uint32_t client_flags, std::size_t bytes,
                       std::string& out) {
  out += "VALUE ";
  out += key;
  out += ' ';
  AppendDecimal(client_flags, out);
  out += ' ';
  AppendDecimal(bytes, out);
}

void AppendData(std::string_view data, std::string& out) {
  out += kCrlf;
  out += data;
  out += kCrlf;
}

}  // namespace

void EncodeValue(std::string_view key, std::uint32_t client_flags, std::string_view data,
                 std::string& out) {
  AppendValueHeader(key, client_flags, data.size(), out);
  AppendData(data, out);
}

void EncodeValue(std::string_view key, std::uint32_t client_flags, std::string_view data,
                 std::uint64_t cas, std::string& out) {
  AppendValueHeader(key, client_flags, data.size(), out);
  out += ' ';
  AppendDecimal(cas, out);
  AppendData(data, out);
}

void EncodeEnd(std::string& out) { out += "END\r\n"; }

void EncodeLine(std::string_view line, std::string& out) {
  out += line;
  out += kCrlf;
}

void EncodeNumber(std::uint64_t number, std::string& out) {
  AppendDecimal(number, out);
  out += kCrlf;
}

void EncodeStat(std::string_view name, std::string_view value, std::string& out) {
  out += "STAT ";
  out += name;
  out += ' ';
  out += value;
  out += kCrlf;
}

void EncodeVersion(std::string_view version, std::string& out) {
  out += "VERSION ";
  out += version;
  out += kCrlf;
}

void EncodeClientError(std::string_view message, std::string& out) {
  out += "CLIENT_ERROR ";
  out += message;
  out += kCrlf;
}

void EncodeServerError(std::string_view message, std::string& out) {
  out += "SERVER_ERROR ";
  out += message;
  out += kCrlf;
}

std::string_view StoreReplyText(StoreStatus status) {
  switch (status) {
    case StoreStatus::kStored: return "STORED";
    case StoreStatus::kNotStored: return "NOT_STORED";
    case StoreStatus::kExists: return "EXISTS";
    case StoreStatus::kNotFound: return "NOT_FOUND";
    case StoreStatus::kTooLarge: return "SERVER_ERROR object too large for cache";
    case StoreStatus::kNoMemory: return "SERVER_ERROR out of memory storing object";
    case StoreStatus::kError: return kBackendFailureLine;
  }
  return "SERVER_ERROR Unhandled storage type.";
}

std::string_view DeleteReplyText(DeleteStatus status) {
  switch (status) {
    case DeleteStatus::kDeleted: return "DELETED";
    case DeleteStatus::kNotFound: return "NOT_FOUND";
    case DeleteStatus::kExists: return "EXISTS";
    case DeleteStatus::kError: return kBackendFailureLine;
  }
  return "NOT_FOUND";
}

std::string_view TouchReplyText(TouchStatus status) {
  switch (status) {
    case TouchStatus::kTouched: return "TOUCHED";
    case TouchStatus::kNotFound: return "NOT_FOUND";
    case TouchStatus::kError: return kBackendFailureLine;
  }
  return "NOT_FOUND";
}

std::string_view ArithReplyText(ArithStatus status) {
  switch (status) {
    case ArithStatus::kOk: return "";
    case ArithStatus::kNotFound: return "NOT_FOUND";
    case ArithStatus::kNonNumeric:
      return "CLIENT_ERROR cannot increment or decrement non-numeric value";
    // Classic incr/decr neither compares CAS nor creates items; an engine that still fails
    // this way ran out of room, which memcached words like this.
    case ArithStatus::kExists:
    case ArithStatus::kNotStored: return "SERVER_ERROR out of memory";
    case ArithStatus::kError: return kBackendFailureLine;
  }
  return "SERVER_ERROR out of memory";
}

}  // namespace mnemo::ascii

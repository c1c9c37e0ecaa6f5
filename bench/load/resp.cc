#include "resp.h"

#include <charconv>

namespace mnemo::bench::resp {
namespace {

void AppendBulk(std::string_view bytes, std::string& out) {
  out += '$';
  out += std::to_string(bytes.size());
  out += "\r\n";
  out += bytes;
  out += "\r\n";
}

}  // namespace

void AppendGet(std::string_view key, std::string& out) {
  out += "*2\r\n$3\r\nGET\r\n";
  AppendBulk(key, out);
}

void AppendSet(std::string_view key, std::string_view value, std::string& out) {
  out += "*3\r\n$3\r\nSET\r\n";
  AppendBulk(key, out);
  AppendBulk(value, out);
}

ParseResult ParseReply(std::string_view in, Reply& reply) {
  const std::size_t end = in.find("\r\n");
  if (end == std::string_view::npos) {
    // A line that cannot end well is invalid now rather than after more input.
    if (!in.empty() && std::string_view("+-:$").find(in[0]) == std::string_view::npos) {
      return {ParseStatus::kInvalid, 0};
    }
    return {ParseStatus::kIncomplete, 0};
  }
  const std::string_view line = in.substr(1, end - 1);
  const std::size_t after_line = end + 2;
  switch (in[0]) {
    case '+':
      reply = {ReplyKind::kSimple, line};
      return {ParseStatus::kOk, after_line};
    case '-':
      reply = {ReplyKind::kError, line};
      return {ParseStatus::kOk, after_line};
    case ':': {
      std::int64_t number = 0;
      const auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), number);
      if (ec != std::errc() || ptr != line.data() + line.size()) return {ParseStatus::kInvalid, 0};
      reply = {ReplyKind::kInteger, line};
      return {ParseStatus::kOk, after_line};
    }
    case '$': {
      if (line == "-1") {
        reply = {ReplyKind::kNil, {}};
        return {ParseStatus::kOk, after_line};
      }
      std::size_t length = 0;
      const auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), length);
      if (line.empty() || ec != std::errc() || ptr != line.data() + line.size()) {
        return {ParseStatus::kInvalid, 0};
      }
      if (in.size() - after_line < length + 2) return {ParseStatus::kIncomplete, 0};
      if (in.substr(after_line + length, 2) != "\r\n") return {ParseStatus::kInvalid, 0};
      reply = {ReplyKind::kBulk, in.substr(after_line, length)};
      return {ParseStatus::kOk, after_line + length + 2};
    }
    default:
      return {ParseStatus::kInvalid, 0};
  }
}

}  // namespace mnemo::bench::resp

// Test helpers for the classic ASCII tests: run requests through ParseStream at every fragment
// size and check that every size gives the same results, describe requests compactly, and a
// small driver that executes a byte stream against an engine as a session would.
// Test-only. Thread safety: none needed.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "ascii/handler.h"
#include "core/context.h"
#include "fragments.h"
#include "mnemo/protocol/ascii.h"

namespace mnemo::ascii::test {

inline std::string_view StatusName(ParseStatus s) {
  switch (s) {
    case ParseStatus::kOk: return "ok";
    case ParseStatus::kIncomplete: return "incomplete";
    case ParseStatus::kError: return "error";
    case ParseStatus::kFatal: return "fatal";
  }
  return "?";
}

// Everything a parse produced, in one comparable line.
inline std::string Describe(const testing::Parsed& p) {
  const Request& r = p.request;
  std::string s(StatusName(p.status));
  s += " consumed=" + std::to_string(p.consumed);
  s += " cmd=" + std::to_string(static_cast<int>(r.command));
  s += " key=" + std::string(r.key) + " keys=" + std::string(r.keys);
  s += " value=" + std::string(r.value) + " error=" + std::string(r.error);
  s += " quiet=" + std::to_string(r.quiet) + " flags=" + std::to_string(r.client_flags);
  s += " exptime=" + std::to_string(r.exptime) + " cas=" + std::to_string(r.cas);
  s += " delta=" + std::to_string(r.delta) + " verb=" + std::string(r.verb);
  s += " args=" + std::string(r.args) + " number=" + std::to_string(r.number);
  s += " has_number=" + std::to_string(r.has_number);
  s += " oversize=" + std::to_string(r.oversize) + " skip=" + std::to_string(r.skip_bytes);
  return s;
}

inline std::vector<testing::Parsed> ParseAt(std::string_view input, std::size_t fragment,
                                            const ParserLimits& limits = {}) {
  return testing::ParseStream(input, fragment, [&limits](std::string_view in, Request& out) {
    return ParseRequest(in, limits, out);
  });
}

// Parses `input` at every fragment size, expects identical results, returns the whole-input run.
inline std::vector<testing::Parsed> ParseAll(std::string_view input,
                                             const ParserLimits& limits = {}) {
  return testing::ParseAtEveryFragmentSize(
      input, [&limits](std::string_view in, Request& out) { return ParseRequest(in, limits, out); },
      [](const testing::Parsed& p) { return Describe(p); });
}

// A single request that must come out whole, at every fragment size.
inline testing::Parsed ParseOne(std::string_view input, const ParserLimits& limits = {}) {
  std::vector<testing::Parsed> all = ParseAll(input, limits);
  EXPECT_EQ(all.size(), 1u) << input;
  if (all.empty()) return testing::Parsed{ParseStatus::kIncomplete, 0, Request{}, nullptr};
  return all.front();
}

// The error line of the first request, "<ok>" when it parsed, "<nothing>" when none did.
inline std::string ErrorOf(std::string_view input) {
  std::vector<testing::Parsed> all = ParseAll(input);
  if (all.empty()) return "<nothing>";
  if (all.front().status == ParseStatus::kOk) return "<ok>";
  return std::string(all.front().request.error);
}

// Runs `input` (whole) through parser and handler as a session does, returns the reply bytes.
inline std::string Drive(std::string_view input, SessionContext& context,
                         const ParserLimits& limits = {}) {
  std::string out;
  std::size_t skip = 0;
  while (!input.empty() && !context.close) {
    if (skip > 0) {
      std::size_t n = std::min(skip, input.size());
      input.remove_prefix(n);
      skip -= n;
      continue;
    }
    Request request;
    ParseResult r = ParseRequest(input, limits, request);
    if (r.status == ParseStatus::kIncomplete) break;
    if (r.status == ParseStatus::kOk) {
      Execute(request, context, out);
      if (request.oversize) skip = request.skip_bytes;
    } else {
      AppendError(request, out);
      if (r.status == ParseStatus::kFatal) context.close = true;
    }
    input.remove_prefix(r.consumed);
  }
  return out;
}

}  // namespace mnemo::ascii::test

// Test helpers for the meta parser tests: run an input through ParseStream at every fragment
// size, check that every size yields the same requests, and describe requests compactly.
// Test-only. Thread safety: none needed.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "fragments.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::meta::test {

// The decoded key. ParseStream moves requests, so a `b` key view into key_storage would dangle;
// the bytes travel with the request, so rebuild the view from them.
inline std::string Key(const Request& r) {
  if (r.meta.Has('b')) return std::string(r.key_storage.data(), r.key.size());
  return std::string(r.key);
}

inline std::string_view StatusName(ParseStatus s) {
  switch (s) {
    case ParseStatus::kOk:
      return "ok";
    case ParseStatus::kIncomplete:
      return "incomplete";
    case ParseStatus::kError:
      return "error";
    case ParseStatus::kFatal:
      return "fatal";
  }
  return "?";
}

// Everything a parse produced, in one comparable line.
inline std::string Describe(const testing::Parsed& p) {
  const Request& r = p.request;
  const MetaFlags& m = r.meta;
  std::string s(StatusName(p.status));
  s += " consumed=" + std::to_string(p.consumed);
  s += " cmd=" + std::to_string(static_cast<int>(r.command));
  s += " key=" + Key(r) + " raw=" + std::string(r.raw_key);
  s += " value=" + std::string(r.value) + " error=" + std::string(r.error);
  s += " quiet=" + std::to_string(r.quiet) + " present=" + std::to_string(m.present);
  s += " tokens=" + std::string(m.tokens) + " opaque=" + std::string(m.opaque);
  s += " C=" + std::to_string(m.compare_cas) + " E=" + std::to_string(m.new_cas);
  s += " D=" + std::to_string(m.delta) + " J=" + std::to_string(m.initial);
  s += " T=" + std::to_string(m.ttl) + " N=" + std::to_string(m.vivify_ttl);
  s += " R=" + std::to_string(m.recache_ttl) + " F=" + std::to_string(m.client_flags);
  s += " M=" + std::string(1, m.mode ? m.mode : '-');
  s += " oversize=" + std::to_string(r.oversize) + " skip=" + std::to_string(r.skip_bytes);
  return s;
}

inline std::vector<testing::Parsed> ParseAt(std::string_view input, std::size_t fragment,
                                            const ParserLimits& limits = {}) {
  return testing::ParseStream(input, fragment, [&limits](std::string_view in, Request& out) {
    return ParseRequest(in, limits, out);
  });
}

// Parses `input` at every fragment size, expects identical results, returns the whole-input
// run.
inline std::vector<testing::Parsed> ParseAll(std::string_view input,
                                             const ParserLimits& limits = {}) {
  return testing::ParseAtEveryFragmentSize(
      input, [&limits](std::string_view in, Request& out) { return ParseRequest(in, limits, out); },
      [](const testing::Parsed& p) { return Describe(p); });
}

// Parses a single request that must come out whole, at every fragment size. The result owns
// the bytes its request's views point into.
inline testing::Parsed ParseOne(std::string_view input) {
  std::vector<testing::Parsed> all = ParseAll(input);
  EXPECT_EQ(all.size(), 1u) << input;
  if (all.empty()) return testing::Parsed{ParseStatus::kIncomplete, 0, Request{}, nullptr};
  return all.front();
}

// The error line of a single rejected request.
inline std::string ErrorOf(std::string_view input) {
  std::vector<testing::Parsed> all = ParseAll(input);
  if (all.empty()) return "<nothing parsed>";
  if (all.front().status != ParseStatus::kError) return "<not an error>";
  return std::string(all.front().request.error);
}

}  // namespace mnemo::meta::test

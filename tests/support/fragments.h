// Feeds a byte stream to a stateless parser the way a network would: the buffer grows by
// `fragment` bytes at a time, the parser runs after every arrival, and consumed bytes are
// dropped. Parser tests use it to check that every fragment size gives the same requests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mnemo/protocol/request.h"

namespace mnemo::testing {

// The fragment sizes every parser test runs (0 = whole input at once).
inline constexpr std::size_t kFragmentSizes[] = {0, 1, 2, 3, 7, 64};

struct Parsed {
  ParseStatus status;
  std::size_t consumed;
  Request request;
  // Owns the bytes the request's views point into (heap-held, so moves keep them valid).
  std::shared_ptr<const std::string> bytes;
};

// parse(std::string_view in, Request& out) -> ParseResult. Skips `request.skip_bytes` after an
// oversize request as a session would. Stops after a kFatal result.
template <class ParseFn>
std::vector<Parsed> ParseStream(std::string_view input, std::size_t fragment, ParseFn parse) {
  std::vector<Parsed> out;
  std::string buffer;
  std::size_t fed = 0;
  std::size_t skip = 0;
  if (fragment == 0) fragment = std::max<std::size_t>(1, input.size());
  while (true) {
    while (true) {
      if (skip > 0) {
        std::size_t drop = std::min(skip, buffer.size());
        buffer.erase(0, drop);
        skip -= drop;
        if (skip > 0) break;
      }
      if (buffer.empty()) break;
      Request probe;
      ParseResult r = parse(std::string_view(buffer), probe);
      if (r.status == ParseStatus::kIncomplete) break;
      Parsed p{r.status, r.consumed, Request{}, std::make_shared<const std::string>(buffer)};
      parse(std::string_view(*p.bytes), p.request);
      buffer.erase(0, r.consumed);
      if (r.status == ParseStatus::kOk && p.request.oversize) skip = p.request.skip_bytes;
      bool fatal = r.status == ParseStatus::kFatal;
      out.push_back(std::move(p));
      if (fatal) return out;
    }
    if (fed == input.size()) break;
    std::size_t n = std::min(fragment, input.size() - fed);
    buffer.append(input.substr(fed, n));
    fed += n;
  }
  return out;
}

// Parses `input` whole and at every size in kFragmentSizes, expects the same results (compared
// through `describe(const Parsed&) -> std::string`), and returns the whole-input run.
template <class ParseFn, class DescribeFn>
std::vector<Parsed> ParseAtEveryFragmentSize(std::string_view input, ParseFn parse,
                                             DescribeFn describe) {
  std::vector<Parsed> whole = ParseStream(input, 0, parse);
  for (std::size_t fragment : kFragmentSizes) {
    std::vector<Parsed> got = ParseStream(input, fragment, parse);
    EXPECT_EQ(got.size(), whole.size()) << "fragment " << fragment;
    for (std::size_t i = 0; i < got.size() && i < whole.size(); ++i) {
      EXPECT_EQ(describe(got[i]), describe(whole[i])) << "fragment " << fragment << " #" << i;
    }
  }
  return whole;
}

}  // namespace mnemo::testing

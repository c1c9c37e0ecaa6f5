// Helpers shared by the libFuzzer targets: an invariant check that names the failed condition
// before aborting (so a crash report says which invariant broke, not only where), the parse
// result contract every parser shares, and view containment.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "mnemo/protocol/request.h"

namespace mnemo::fuzz {

[[noreturn]] inline void Fail(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, condition);
  std::abort();
}

// Like assert(), but also in release builds and with the condition in the report.
#define FUZZ_CHECK(condition)                                              \
  do {                                                                     \
    if (!(condition)) ::mnemo::fuzz::Fail(#condition, __FILE__, __LINE__); \
  } while (false)

// The consumed-bytes contract of every parser: never more than the input; nothing on
// kIncomplete; something on kOk and kError (else a caller would loop on the same bytes).
// kFatal may consume anything up to the input: the connection is closing.
inline void CheckConsumed(ParseResult result, std::size_t input_size) {
  FUZZ_CHECK(result.consumed <= input_size);
  switch (result.status) {
    case ParseStatus::kIncomplete:
      FUZZ_CHECK(result.consumed == 0);
      break;
    case ParseStatus::kOk:
    case ParseStatus::kError:
      FUZZ_CHECK(result.consumed > 0);
      break;
    case ParseStatus::kFatal:
      break;
  }
}

// True when `view` lies inside `buffer`. An empty view may point anywhere: parsers return ""
// literals for absent tokens, and nothing can be read through an empty view.
inline bool Inside(std::string_view view, std::string_view buffer) {
  if (view.empty()) return true;
  const char* begin = buffer.data();
  const char* end = begin + buffer.size();
  return view.data() >= begin && view.data() + view.size() <= end;
}

// Where a view lies, as an offset that can be compared across two copies of the same bytes.
struct Place {
  enum Kind { kEmpty, kBuffer, kStorage, kElsewhere } kind = kEmpty;
  std::size_t offset = 0;
  std::size_t size = 0;

  friend bool operator==(const Place&, const Place&) = default;
};

inline Place Locate(std::string_view view, std::string_view buffer, std::string_view storage = {}) {
  if (view.empty()) return {};
  if (Inside(view, buffer)) {
    return {Place::kBuffer, static_cast<std::size_t>(view.data() - buffer.data()), view.size()};
  }
  if (!storage.empty() && Inside(view, storage)) {
    return {Place::kStorage, static_cast<std::size_t>(view.data() - storage.data()), view.size()};
  }
  return {Place::kElsewhere, 0, view.size()};
}

// Prefix lengths below `size` worth parsing: all of them for short requests; for long ones the
// first and last 64, 64 around `pivot` (a line's newline) and 128 evenly spaced, so that a
// 4 KiB input costs a few hundred parses rather than thousands.
template <class Visit>
void ForEachPrefixLength(std::size_t size, std::size_t pivot, Visit visit) {
  constexpr std::size_t kAll = 320;
  constexpr std::size_t kEdge = 64;
  if (size <= kAll) {
    for (std::size_t n = 0; n < size; ++n) visit(n);
    return;
  }
  for (std::size_t n = 0; n < kEdge; ++n) visit(n);
  for (std::size_t n = size - kEdge; n < size; ++n) visit(n);
  const std::size_t low = pivot > kEdge / 2 ? pivot - kEdge / 2 : 0;
  for (std::size_t n = low; n < pivot + kEdge / 2 && n < size; ++n) visit(n);
  for (std::size_t i = 1; i < 128; ++i) visit(size * i / 128);
}

}  // namespace mnemo::fuzz

// Pieces shared by the three reply-parser fuzzers: the walk over a pipeline of replies with
// the checks every reply parser must pass, and the sanitising of fuzzer-chosen text fields.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "mnemo/protocol/request.h"

namespace mnemo::fuzz {

// Runs `parse` (ParseResult(std::string_view, Reply&)) over an exact-size heap copy of `bytes`,
// so that ASan sees a read past the end and views can be compared by offset.
template <class Reply, class Parse>
struct ReplyReparse {
  std::unique_ptr<char[]> copy;
  std::string_view bytes;
  Reply reply{};
  ParseResult result;

  ReplyReparse(Parse parse, std::string_view original)
      : copy(new char[original.size()]), bytes(copy.get(), original.size()) {
    if (!original.empty()) original.copy(copy.get(), original.size());
    result = parse(bytes, reply);
  }
};

// Walks `input` as a stream of replies. For each parse: the consumed-bytes contract; `check`
// (the parser's own checks: views inside the consumed bytes, the re-encode round trip);
// self-containment and determinism (an exact-size copy of the consumed bytes, or of the
// whole rest when nothing was framed, parses the same; `same` compares two replies by view
// offsets); and the prefix property: every strictly shorter prefix for which
// `prefix_must_wait` holds is kIncomplete.
template <class Reply, class Parse, class Check, class Same, class MustWait>
void RunReplyStream(std::string_view input, Parse parse, Check check, Same same,
                    MustWait prefix_must_wait) {
  std::size_t at = 0;
  while (at < input.size()) {
    const std::string_view in = input.substr(at);
    Reply reply{};
    const ParseResult result = parse(in, reply);
    CheckConsumed(result, in.size());
    FUZZ_CHECK(result.status != ParseStatus::kError);  // reply parsers know no kError
    const bool framed = result.status == ParseStatus::kOk;
    const std::string_view bytes = framed ? in.substr(0, result.consumed) : in;
    const ReplyReparse<Reply, Parse> again(parse, bytes);
    FUZZ_CHECK(again.result.status == result.status);
    FUZZ_CHECK(again.result.consumed == result.consumed);
    if (!framed) return;
    check(reply, bytes);
    FUZZ_CHECK(same(reply, bytes, again.reply, again.bytes));
    const std::size_t newline = bytes.find('\n');
    ForEachPrefixLength(bytes.size(), newline == bytes.npos ? bytes.size() : newline,
                        [&](std::size_t n) {
                          const std::string_view prefix = bytes.substr(0, n);
                          if (!prefix_must_wait(prefix)) return;
                          const ReplyReparse<Reply, Parse> part(parse, prefix);
                          FUZZ_CHECK(part.result.status == ParseStatus::kIncomplete);
                          FUZZ_CHECK(part.result.consumed == 0);
                        });
    at += result.consumed;
  }
}

// `text` with every byte in `banned` replaced by '_'.
inline std::string Without(std::string text, std::string_view banned) {
  for (char& c : text) {
    if (banned.find(c) != std::string_view::npos) c = '_';
  }
  return text;
}

}  // namespace mnemo::fuzz

#include "server/command_latency.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace mnemo::server {
namespace {

struct TextCommand {
  std::string_view word;
  CommandKind kind;
  int length_token;  // the token giving a data block's length; -1: the command has none
};

constexpr TextCommand kTextCommands[] = {
    {"get", CommandKind::kGet, -1},       {"gets", CommandKind::kGet, -1},
    {"set", CommandKind::kSet, 4},        {"add", CommandKind::kSet, 4},
    {"replace", CommandKind::kSet, 4},    {"append", CommandKind::kSet, 4},
    {"prepend", CommandKind::kSet, 4},    {"cas", CommandKind::kSet, 4},
    {"delete", CommandKind::kDelete, -1}, {"incr", CommandKind::kIncrDecr, -1},
    {"decr", CommandKind::kIncrDecr, -1}, {"touch", CommandKind::kTouch, -1},
    {"gat", CommandKind::kTouch, -1},     {"gats", CommandKind::kTouch, -1},
    {"mg", CommandKind::kMetaGet, -1},    {"ms", CommandKind::kMetaSet, 2},
    {"md", CommandKind::kMetaDelete, -1}, {"ma", CommandKind::kMetaArith, -1},
};

constexpr std::string_view kLabels[kCommandKinds] = {"get", "set", "delete", "incr_decr", "touch",
                                                     "mg",  "ms",  "md",     "ma",        "other"};

// The index-th space-separated token of a command line ("" when it has fewer).
std::string_view Token(std::string_view line, int index) {
  for (;;) {
    const std::size_t start = line.find_first_not_of(' ');
    if (start == std::string_view::npos) return {};
    line.remove_prefix(start);
    const std::size_t end = std::min(line.find(' '), line.size());
    if (index-- == 0) return line.substr(0, end);
    line.remove_prefix(end);
  }
}

// The data block's length with its CRLF, as the Session will read (or swallow) it; 0 when
// the length is not one the Session accepts, so that no data follows.
std::uint64_t DataBlock(std::string_view token) {
  std::uint64_t length = 0;
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), length);
  if (error != std::errc() || end != token.data() + token.size() || token.empty()) return 0;
  // memcached's value length is an int, and the CRLF must fit beside it.
  if (length > static_cast<std::uint64_t>(std::numeric_limits<int>::max() - 2)) return 0;
  return length + 2;
}

CommandKind BinaryKind(std::uint8_t opcode) {
  switch (opcode) {
    case 0x00:
    case 0x09:
    case 0x0c:
    case 0x0d:
      return CommandKind::kGet;
    case 0x01:
    case 0x02:
    case 0x03:
    case 0x0e:
    case 0x0f:
    case 0x11:
    case 0x12:
    case 0x13:
    case 0x19:
    case 0x1a:
      return CommandKind::kSet;
    case 0x04:
    case 0x14:
      return CommandKind::kDelete;
    case 0x05:
    case 0x06:
    case 0x15:
    case 0x16:
      return CommandKind::kIncrDecr;
    case 0x1c:
    case 0x1d:
    case 0x1e:
    case 0x23:
    case 0x24:
      return CommandKind::kTouch;
    default:
      return CommandKind::kOther;
  }
}

constexpr std::size_t kBinaryHeader = 24;

}  // namespace

std::string_view CommandLabel(CommandKind kind) { return kLabels[static_cast<std::size_t>(kind)]; }

void CommandScanner::Scan(Protocol protocol, std::string_view consumed, CommandMix& mix) {
  if (protocol == Protocol::kBinary) {
    ScanBinary(consumed, mix);
  } else {
    ScanText(consumed, mix);
  }
}

bool CommandScanner::SkipData(std::string_view& consumed) {
  if (skip_ == 0) return false;
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, consumed.size()));
  consumed.remove_prefix(n);
  skip_ -= n;
  return true;
}

void CommandScanner::ScanText(std::string_view consumed, CommandMix& mix) {
  while (!consumed.empty()) {
    if (SkipData(consumed)) continue;
    const std::size_t newline = consumed.find('\n');
    // A line the Session swallowed in parts (too long): its end is counted when it comes.
    if (newline == std::string_view::npos) return;
    std::string_view line = consumed.substr(0, newline);
    consumed.remove_prefix(newline + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    const std::string_view word = Token(line, 0);
    CommandKind kind = CommandKind::kOther;
    for (const TextCommand& command : kTextCommands) {
      if (command.word != word) continue;
      kind = command.kind;
      if (command.length_token >= 0) skip_ = DataBlock(Token(line, command.length_token));
      break;
    }
    ++mix[static_cast<std::size_t>(kind)];
  }
}

void CommandScanner::ScanBinary(std::string_view consumed, CommandMix& mix) {
  while (!consumed.empty()) {
    if (SkipData(consumed)) continue;
    // The Session consumes whole headers; a bad magic closes the connection after this.
    if (consumed.size() < kBinaryHeader) return;
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(consumed[i]); };
    ++mix[static_cast<std::size_t>(BinaryKind(byte(1)))];
    skip_ = (std::uint64_t{byte(8)} << 24) | (std::uint64_t{byte(9)} << 16) |
            (std::uint64_t{byte(10)} << 8) | std::uint64_t{byte(11)};
    consumed.remove_prefix(kBinaryHeader);
  }
}

void CommandLatency::Record(const CommandMix& mix, std::chrono::nanoseconds elapsed) {
  const std::uint64_t ns = elapsed.count() > 0 ? static_cast<std::uint64_t>(elapsed.count()) : 0;
  const std::size_t bucket = static_cast<std::size_t>(
      std::lower_bound(kLatencyBoundsNs.begin(), kLatencyBoundsNs.end(), ns) -
      kLatencyBoundsNs.begin());
  for (std::size_t kind = 0; kind < kCommandKinds; ++kind) {
    if (mix[kind] == 0) continue;
    Histogram& histogram = histograms_[kind];
    histogram.buckets[bucket] += mix[kind];
    histogram.sum_ns += ns * mix[kind];
  }
}

void CommandLatency::AddTo(LatencySnapshot& total) const {
  for (std::size_t kind = 0; kind < kCommandKinds; ++kind) {
    const Histogram& histogram = histograms_[kind];
    for (std::size_t i = 0; i < histogram.buckets.size(); ++i) {
      total[kind].buckets[i] += histogram.buckets[i].load();
    }
    total[kind].sum_ns += histogram.sum_ns.load();
  }
}

LatencySnapshot LatencyTable::Sum() const {
  LatencySnapshot total{};
  for (std::size_t i = 0; i < workers_; ++i) latency_[i].AddTo(total);
  return total;
}

}  // namespace mnemo::server

#include "tools/capable/script.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "tools/capable/payload.h"

namespace mnemo::compat {
namespace {

struct MaskEntry {
  const char* name;
  Mask mask;
};
constexpr MaskEntry kMasks[] = {
    {"cas", Mask::kCas},         {"ttl", Mask::kTtl},       {"me", Mask::kMe},
    {"version", Mask::kVersion}, {"bincas", Mask::kBinCas}, {"binversion", Mask::kBinVersion},
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Splits on blanks, keeping "quoted strings" (with backslash escapes) inside one token.
Result<std::vector<std::string>> Tokenize(std::string_view s) {
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == ' ' || s[i] == '\t') {
      ++i;
      continue;
    }
    std::string token;
    bool quoted = false;
    for (; i < s.size() && (quoted || (s[i] != ' ' && s[i] != '\t')); ++i) {
      if (quoted && s[i] == '\\' && i + 1 < s.size()) {
        token += s[i++];
      } else if (s[i] == '"') {
        quoted = !quoted;
      }
      token += s[i];
    }
    if (quoted) return Error{"unterminated string"};
    tokens.push_back(std::move(token));
  }
  return tokens;
}

Result<std::size_t> ParseCount(std::string_view token) {
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || end != token.data() + token.size()) {
    return Error{"bad number '" + std::string(token) + "'"};
  }
  return value;
}

Result<Mask> ParseMask(std::string_view name) {
  for (const MaskEntry& entry : kMasks) {
    if (name == entry.name) return entry.mask;
  }
  return Error{"unknown mask '" + std::string(name) + "'"};
}

// `fill N "text"`: the text repeated N times (long keys, values and lines).
Result<std::vector<Segment>> Fill(const std::vector<std::string>& args) {
  if (args.size() != 2) return Error{"fill takes a count and a string"};
  Result<std::size_t> count = ParseCount(args[0]);
  if (!count.ok()) return count.error();
  Result<std::vector<Segment>> unit = DecodeQuoted(args[1]);
  if (!unit.ok()) return unit.error();
  if (unit->size() != 1 || !(*unit)[0].variable.empty()) return Error{"fill takes a literal"};
  std::string bytes;
  for (std::size_t i = 0; i < *count; ++i) bytes += (*unit)[0].bytes;
  return std::vector<Segment>{Segment{std::move(bytes), ""}};
}

class Parser {
 public:
  explicit Parser(const std::string& name) { script_.name = name; }
  Result<void> Line(std::string_view line);
  Result<Script> Finish();

 private:
  Result<void> Directive(std::string_view word, std::string_view rest,
                         const std::vector<std::string>& args);
  Result<void> Payload(std::string_view word, const std::vector<std::string>& args);
  Result<void> SetSplit(const std::vector<std::string>& args);
  Result<void> AddCapture(std::string_view rest);
  void EndStep(Collect collect, int idle_ms);

  Script script_;
  Step step_;
  bool in_step_ = false;
  std::vector<Mask> all_masks_;
  int line_ = 0;
  std::string proto_;
};

Result<void> Parser::Line(std::string_view raw) {
  ++line_;
  std::string_view line = Trim(raw);
  if (line.empty() || line.front() == '#') return {};
  std::size_t space = line.find_first_of(" \t");
  std::string_view word = line.substr(0, space);
  std::string_view rest = space == std::string_view::npos ? "" : Trim(line.substr(space));
  Result<std::vector<std::string>> args = Tokenize(rest);
  if (!args.ok()) return args.error();
  return Directive(word, rest, *args);
}

Result<void> Parser::Directive(std::string_view word, std::string_view rest,
                               const std::vector<std::string>& args) {
  if (word == "send" || word == "fill" || word == "hex" || word == "packet") {
    return Payload(word, args);
  }
  if ((word == "sync" || word == "eof") && args.empty()) {
    EndStep(word == "sync" ? Collect::kSync : Collect::kEof, 0);
    return {};
  }
  if (word == "idle" && args.size() == 1) {
    Result<std::size_t> ms = ParseCount(args[0]);
    if (!ms.ok()) return ms.error();
    EndStep(Collect::kIdle, static_cast<int>(*ms));
    return {};
  }
  if (word == "split") return SetSplit(args);
  if (word == "capture") return AddCapture(rest);
  if (word == "fresh" && args.empty()) {
    script_.fresh = true;
    return {};
  }
  if (word == "proto" && args.size() == 1 && (args[0] == "text" || args[0] == "binary")) {
    proto_ = args[0];
    return {};
  }
  if ((word == "mask" || word == "mask-all") && !args.empty()) {
    for (const std::string& arg : args) {
      Result<Mask> mask = ParseMask(arg);
      if (!mask.ok()) return mask.error();
      (word == "mask" ? step_.masks : all_masks_).push_back(*mask);
    }
    return {};
  }
  return Error{"unknown or malformed directive '" + std::string(word) + "'"};
}

Result<void> Parser::Payload(std::string_view word, const std::vector<std::string>& args) {
  Result<std::vector<Segment>> segments = std::vector<Segment>{};
  if (word == "packet") {
    segments = BuildPacket(args);
  } else if (word == "hex") {
    segments = DecodeHex(args);
  } else if (word == "fill") {
    segments = Fill(args);
  } else if (args.empty()) {
    return Error{"send takes one or more strings"};
  } else {
    for (const std::string& arg : args) {
      Result<std::vector<Segment>> part = DecodeQuoted(arg);
      if (!part.ok()) return part.error();
      segments->insert(segments->end(), part->begin(), part->end());
    }
  }
  if (!segments.ok()) return segments.error();
  for (Segment& s : *segments) step_.payload.push_back(std::move(s));
  in_step_ = true;
  return {};
}

Result<void> Parser::SetSplit(const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "bytes") {
    step_.split = Split::kBytes;
    return {};
  }
  if (args.size() < 2 || (args[0] != "every" && args[0] != "at")) {
    return Error{"split takes 'bytes', 'every N' or 'at O1 O2 ...'"};
  }
  step_.split = args[0] == "every" ? Split::kEvery : Split::kAt;
  step_.split_args.clear();
  for (std::size_t i = 1; i < args.size(); ++i) {
    Result<std::size_t> n = ParseCount(args[i]);
    if (!n.ok()) return n.error();
    if (*n == 0 || (!step_.split_args.empty() && *n <= step_.split_args.back())) {
      return Error{"split sizes/offsets must be positive and increasing"};
    }
    step_.split_args.push_back(*n);
  }
  if (step_.split == Split::kEvery && step_.split_args.size() != 1) {
    return Error{"split every takes one size"};
  }
  return {};
}

Result<void> Parser::AddCapture(std::string_view rest) {
  std::size_t space = rest.find(' ');
  if (space == std::string_view::npos) return Error{"capture NAME bincas|regex RE"};
  std::string name(rest.substr(0, space));
  std::string_view how = Trim(rest.substr(space));
  if (how == "bincas") {
    step_.captures.push_back(Capture{name, "", true});
    return {};
  }
  if (how.substr(0, 6) != "regex ") return Error{"capture NAME bincas|regex RE"};
  step_.captures.push_back(Capture{name, std::string(Trim(how.substr(6))), false});
  return {};
}

void Parser::EndStep(Collect collect, int idle_ms) {
  step_.line = line_;
  step_.collect = collect;
  step_.idle_ms = idle_ms;
  script_.steps.push_back(std::move(step_));
  step_ = Step{};
  in_step_ = false;
}

Result<Script> Parser::Finish() {
  if (in_step_) return Error{"the last step has no sync, eof or idle line"};
  if (script_.steps.empty()) return Error{"no steps"};
  for (std::size_t i = 0; i + 1 < script_.steps.size(); ++i) {
    if (script_.steps[i].collect == Collect::kEof) {
      return Error{"only the last step may wait for eof (line " +
                   std::to_string(script_.steps[i].line) + ")"};
    }
  }
  for (Step& step : script_.steps) {
    step.masks.insert(step.masks.end(), all_masks_.begin(), all_masks_.end());
  }
  const std::vector<Segment>& first = script_.steps.front().payload;
  bool starts_binary = !first.empty() && !first[0].bytes.empty() &&
                       static_cast<unsigned char>(first[0].bytes[0]) == 0x80;
  script_.binary = proto_.empty() ? starts_binary : proto_ == "binary";
  return std::move(script_);
}

}  // namespace

Result<Script> ParseScript(std::string_view text, const std::string& name) {
  Parser parser(name);
  std::size_t start = 0;
  int line = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++line;
    Result<void> r = parser.Line(text.substr(start, end - start));
    if (!r.ok()) return Error{name + ":" + std::to_string(line) + ": " + r.error().message};
    start = end + 1;
  }
  Result<Script> script = parser.Finish();
  if (!script.ok()) return Error{name + ": " + script.error().message};
  return script;
}

Result<Script> LoadScript(const std::string& dir, const std::string& relative_path) {
  std::ifstream in(dir + "/" + relative_path, std::ios::binary);
  if (!in) return Error{"cannot read " + dir + "/" + relative_path};
  std::stringstream text;
  text << in.rdbuf();
  std::string name = relative_path;
  if (name.size() > 4 && name.ends_with(".mcs")) name.resize(name.size() - 4);
  return ParseScript(text.str(), name);
}

std::vector<std::string> FindScripts(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> found;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".mcs") {
      found.push_back(fs::relative(it->path(), dir).generic_string());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

const char* MaskName(Mask mask) {
  for (const MaskEntry& entry : kMasks) {
    if (entry.mask == mask) return entry.name;
  }
  return "?";
}

}  // namespace mnemo::compat

#include "tools/capable/transcript.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace mnemo::compat {
namespace {

constexpr std::size_t kMaxLine = 160;  // rendered characters per line before "..."
constexpr std::size_t kContext = 4;    // rendered lines shown before the first difference
constexpr std::size_t kShownLines = 14;

bool Has(const std::vector<Mask>& masks, Mask mask) {
  return std::find(masks.begin(), masks.end(), mask) != masks.end();
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsInteger(std::string_view s) { return AllDigits(s.starts_with('-') ? s.substr(1) : s); }

// A remaining TTL rounded to the nearest ten seconds: commands that straddle a clock tick see
// t30 or t29 for the same item, and both servers tick at their own moments. -1 (no expiry)
// stays exact.
std::string RoundTtl(std::string_view number) {
  long long n = std::atoll(std::string(number).c_str());
  if (n == -1) return "-1";
  long long rounded = (std::llabs(n) + 5) / 10 * 10;
  return "~" + std::to_string(n < 0 ? -rounded : rounded);
}

std::vector<std::string> SplitSpaces(std::string_view line) {
  std::vector<std::string> tokens;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == ' ') {
      tokens.emplace_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return tokens;
}

bool IsMetaCode(const std::string& t) {
  return t == "HD" || t == "VA" || t == "EN" || t == "NS" || t == "EX" || t == "NF";
}

void MaskMetaFlags(std::vector<std::string>& tokens, const std::vector<Mask>& masks) {
  for (std::size_t i = tokens[0] == "VA" ? 2 : 1; i < tokens.size(); ++i) {
    std::string& t = tokens[i];
    std::string_view rest = std::string_view(t).substr(std::min<std::size_t>(1, t.size()));
    if (Has(masks, Mask::kCas) && t.starts_with('c') && AllDigits(rest)) t = "c<cas>";
    bool clock_flag = t.starts_with('t') || t.starts_with('l');
    if (Has(masks, Mask::kTtl) && clock_flag && IsInteger(rest)) t = t.front() + RoundTtl(rest);
  }
}

void MaskMeLine(std::vector<std::string>& tokens) {
  for (std::size_t i = 2; i < tokens.size(); ++i) {
    std::string& t = tokens[i];
    std::size_t eq = t.find('=');
    std::string name = t.substr(0, eq);
    if (name == "la" || name == "cas" || name == "cls" || name == "size") t = name + "=*";
    if (name == "exp" && IsInteger(t.substr(eq + 1))) t = "exp=" + RoundTtl(t.substr(eq + 1));
  }
}

// Length of the data block that follows a VALUE or VA header line (0 if none).
std::size_t DataLength(const std::vector<std::string>& tokens) {
  std::size_t index = tokens[0] == "VALUE" ? 3 : tokens[0] == "VA" ? 1 : 0;
  if (index == 0 || tokens.size() <= index || !AllDigits(tokens[index])) return 0;
  return std::strtoull(tokens[index].c_str(), nullptr, 10) + 2;
}

std::string MaskText(std::string_view in, const std::vector<Mask>& masks) {
  std::string out;
  while (!in.empty()) {
    std::size_t eol = in.find("\r\n");
    if (eol == std::string_view::npos) break;
    std::vector<std::string> tokens = SplitSpaces(in.substr(0, eol));
    in.remove_prefix(eol + 2);
    std::size_t data = DataLength(tokens);
    if (tokens[0] == "VALUE" && tokens.size() == 5 && Has(masks, Mask::kCas)) tokens[4] = "<cas>";
    if (IsMetaCode(tokens[0])) MaskMetaFlags(tokens, masks);
    if (tokens[0] == "ME" && Has(masks, Mask::kMe)) MaskMeLine(tokens);
    if (tokens[0] == "VERSION" && Has(masks, Mask::kVersion)) tokens = {"VERSION", "*"};
    for (std::size_t i = 0; i < tokens.size(); ++i) out += (i ? " " : "") + tokens[i];
    out += "\r\n";
    data = std::min(data, in.size());
    out += in.substr(0, data);
    in.remove_prefix(data);
  }
  out += in;
  return out;
}

std::string MaskBinary(std::string_view in, const std::vector<Mask>& masks) {
  std::string out;
  while (in.size() >= 24 && static_cast<unsigned char>(in[0]) == 0x81) {
    std::size_t length = 24 + BigEndian(in.substr(8, 4));
    if (in.size() < length) break;
    std::string packet(in.substr(0, length));
    in.remove_prefix(length);
    // Error responses carry CAS 0 on every server; only successful ones carry a real CAS.
    bool success = packet[6] == 0 && packet[7] == 0;
    if (Has(masks, Mask::kBinCas) && success) {
      std::fill(packet.begin() + 16, packet.begin() + 24, '\0');
    }
    if (Has(masks, Mask::kBinVersion) && packet[1] == 0x0b) {
      packet.resize(24);
      std::fill(packet.begin() + 8, packet.begin() + 12, '\0');
      packet += "<version>";
    }
    out += packet;
  }
  out += in;
  return out;
}

void Escape(std::string_view bytes, std::string* out) {
  char hex[5];
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\\') {
      *out += "\\\\";
    } else if (c == '\r') {
      *out += "\\r";
    } else if (c == '\n') {
      *out += "\\n";
    } else if (c == '\t') {
      *out += "\\t";
    } else if (u >= 0x20 && u < 0x7f) {
      *out += c;
    } else {
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      *out += hex;
    }
  }
}

std::string Escaped(std::string_view bytes) {
  std::string out;
  Escape(bytes, &out);
  return out;
}

// Request (0x80) or response (0x81) magic: scripts' sends are rendered as packets too.
bool IsPacketMagic(char c) {
  auto u = static_cast<unsigned char>(c);
  return u == 0x80 || u == 0x81;
}

std::string Hex(std::string_view bytes) {
  std::string out;
  char hex[3];
  for (char c : bytes) {
    std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned char>(c));
    out += hex;
  }
  return out;
}

std::string RenderPacket(std::string_view p) {
  std::size_t keylen = BigEndian(p.substr(2, 2));
  std::size_t extlen = static_cast<unsigned char>(p[4]);
  std::string out = Hex(p.substr(0, 1)) + " op=" + Hex(p.substr(1, 1)) +
                    " keylen=" + std::to_string(keylen) + " extlen=" + std::to_string(extlen) +
                    " type=" + Hex(p.substr(5, 1)) + " status=" + Hex(p.substr(6, 2)) +
                    " bodylen=" + std::to_string(BigEndian(p.substr(8, 4))) +
                    " opaque=" + Hex(p.substr(12, 4)) + " cas=" + Hex(p.substr(16, 8));
  std::string_view body = p.substr(24);
  if (extlen + keylen > body.size()) return out + " body=\"" + Escaped(body) + "\"";
  if (extlen > 0) out += " extras=" + Hex(body.substr(0, extlen));
  if (keylen > 0) out += " key=\"" + Escaped(body.substr(extlen, keylen)) + "\"";
  std::string_view value = body.substr(extlen + keylen);
  if (!value.empty()) out += " value=\"" + Escaped(value) + "\"";
  return out;
}

std::vector<std::string> RenderLines(std::string_view bytes, bool binary) {
  std::vector<std::string> lines;
  while (binary && bytes.size() >= 24 && IsPacketMagic(bytes[0])) {
    std::size_t length = 24 + BigEndian(bytes.substr(8, 4));
    if (bytes.size() < length) break;
    lines.push_back(RenderPacket(bytes.substr(0, length)));
    bytes.remove_prefix(length);
  }
  while (!bytes.empty()) {
    std::size_t eol = bytes.find('\n');
    std::size_t take = eol == std::string_view::npos ? bytes.size() : eol + 1;
    std::string line;
    Escape(bytes.substr(0, take), &line);
    lines.push_back(std::move(line));
    bytes.remove_prefix(take);
  }
  return lines;
}

std::string Clip(const std::string& line) {
  if (line.size() <= kMaxLine) return line;
  return line.substr(0, kMaxLine) + "... (" + std::to_string(line.size()) + " chars)";
}

void ShowSide(std::ostringstream& os, const char* label, const StepResult& result,
              const std::vector<std::string>& lines, std::size_t first_diff) {
  os << "  " << label << " (" << EndingName(result.ending) << ", " << result.reply.size()
     << " bytes" << (result.note.empty() ? "" : "; " + result.note) << "):\n";
  std::size_t from = first_diff > kContext ? first_diff - kContext : 0;
  if (from > 0) os << "      ... " << from << " equal lines\n";
  for (std::size_t i = from; i < lines.size() && i < from + kShownLines; ++i) {
    os << (i == first_diff ? "    > " : "    | ") << Clip(lines[i]) << "\n";
  }
  if (lines.size() > from + kShownLines) os << "      ... " << lines.size() << " lines in all\n";
  if (lines.empty()) os << "    (nothing)\n";
}

}  // namespace

std::uint64_t BigEndian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (char c : bytes.substr(0, 8)) value = value << 8 | static_cast<unsigned char>(c);
  return value;
}

std::string ApplyMasks(std::string_view reply, const std::vector<Mask>& masks, bool binary) {
  if (masks.empty()) return std::string(reply);
  return binary ? MaskBinary(reply, masks) : MaskText(reply, masks);
}

std::string Render(std::string_view bytes, bool binary) {
  std::string out;
  for (const std::string& line : RenderLines(bytes, binary)) out += line + "\n";
  return out;
}

std::string CompareTranscripts(const Script& script, const Transcript& reference,
                               const Transcript& candidate) {
  if (!reference.error.empty()) return "reference: " + reference.error + "\n";
  if (!candidate.error.empty()) return "candidate: " + candidate.error + "\n";
  std::ostringstream os;
  for (std::size_t i = 0; i < script.steps.size(); ++i) {
    const Step& step = script.steps[i];
    const StepResult& ref = reference.steps[i];
    const StepResult& got = candidate.steps[i];
    std::string ref_bytes = ApplyMasks(ref.reply, step.masks, script.binary);
    std::string got_bytes = ApplyMasks(got.reply, step.masks, script.binary);
    if (ref.ending == got.ending && ref_bytes == got_bytes && ref.note == got.note) continue;
    std::vector<std::string> ref_lines = RenderLines(ref_bytes, script.binary);
    std::vector<std::string> got_lines = RenderLines(got_bytes, script.binary);
    std::size_t first = 0;
    while (first < ref_lines.size() && first < got_lines.size() &&
           ref_lines[first] == got_lines[first]) {
      ++first;
    }
    os << "step " << i + 1 << " of " << script.steps.size() << " (" << script.name
       << ".mcs:" << step.line << ") differs\n  sent: ";
    std::string joined;
    for (const std::string& line : RenderLines(ref.sent, script.binary)) {
      joined += (joined.empty() ? "" : " / ") + line;
    }
    os << Clip(joined) << "\n";
    ShowSide(os, "reference", ref, ref_lines, first);
    ShowSide(os, "candidate", got, got_lines, first);
  }
  return os.str();
}

std::string CheckEndings(const Script& script, const Transcript& transcript) {
  if (!transcript.error.empty()) return transcript.error;
  for (std::size_t i = 0; i < script.steps.size(); ++i) {
    const StepResult& step = transcript.steps[i];
    const Ending expected = script.steps[i].collect == Collect::kSync   ? Ending::kSynced
                            : script.steps[i].collect == Collect::kIdle ? Ending::kIdle
                                                                        : Ending::kClosed;
    if (step.ending != expected || !step.note.empty()) {
      return "step " + std::to_string(i + 1) + " (line " + std::to_string(script.steps[i].line) +
             ") ended " + EndingName(step.ending) + (step.note.empty() ? "" : " " + step.note);
    }
  }
  return "";
}

ReferenceVerdict MatchReference(const Script& script, const Transcript& candidate,
                                const Endpoint& reference, const RunOptions& options) {
  ReferenceVerdict verdict;
  // A `fresh` script expects a new server: a second run would start from the first one's state.
  const int runs = script.fresh ? 1 : kReferenceRuns;
  for (int run = 0; run < runs; ++run) {
    const Transcript expected = RunScript(script, reference, options);
    verdict.broken = CheckEndings(script, expected);
    if (!verdict.broken.empty()) return verdict;
    std::string diff = CompareTranscripts(script, expected, candidate);
    if (diff.empty()) {
      verdict.diff.clear();
      return verdict;
    }
    if (run == 0) verdict.diff = std::move(diff);
  }
  return verdict;
}

}  // namespace mnemo::compat

#include "tools/capable/capable.h"

#include <charconv>
#include <sstream>
#include <vector>

#include "tools/capable/script.h"
#include "tools/capable/transcript.h"

namespace mnemo::compat {
namespace {

constexpr std::uint16_t kDefaultPort = 11211;

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string Indented(const std::string& text) {
  std::istringstream lines(text);
  std::string out;
  for (std::string line; std::getline(lines, line);) out += "    " + line + "\n";
  return out;
}

// The verdict on one script: empty when it passed, else the report (first line: the reason).
std::string Judge(const Script& script, const CapableOptions& options, const RunOptions& run) {
  Transcript candidate = RunScript(script, options.target, run);
  if (!options.reference) return CheckEndings(script, candidate);
  ReferenceVerdict verdict = MatchReference(script, candidate, *options.reference, run);
  if (!verdict.broken.empty()) {
    return "the reference did not run the script as written: " + verdict.broken;
  }
  return verdict.diff;
}

}  // namespace

Result<Endpoint> ParseEndpoint(const std::string& text) {
  Endpoint endpoint;
  std::string port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string::npos) return Error{"missing ] in " + text};
    endpoint.host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return Error{"expected :PORT after ] in " + text};
      port = text.substr(close + 2);
    }
  } else if (const std::size_t colon = text.rfind(':'); colon != std::string::npos) {
    if (text.find(':') != colon) return Error{"write IPv6 addresses as [ADDRESS]:PORT: " + text};
    endpoint.host = text.substr(0, colon);
    port = text.substr(colon + 1);
  } else {
    endpoint.host = text;
  }
  if (endpoint.host.empty()) return Error{"no host in " + text};
  endpoint.port = kDefaultPort;
  if (!port.empty() || text.ends_with(':')) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return Error{"bad port in " + text};
    }
    endpoint.port = static_cast<std::uint16_t>(value);
  }
  return endpoint;
}

Result<CapableSummary> RunCapable(const CapableOptions& options, std::ostream& out) {
  std::vector<std::string> paths = FindScripts(options.scripts_dir);
  if (paths.empty()) return Error{"no .mcs scripts under " + options.scripts_dir};
  RunOptions run;
  run.step_timeout = options.step_timeout;
  CapableSummary summary;
  for (const std::string& path : paths) {
    Result<Script> script = LoadScript(options.scripts_dir, path);
    const std::string name = script ? script->name : path;
    if (!options.filter.empty() && name.find(options.filter) == std::string::npos) continue;
    if (!script) {
      ++summary.failed;
      out << "FAIL  " << name << ": " << script.error().message << "\n";
      continue;
    }
    if (script->fresh && !options.run_fresh) {
      ++summary.skipped;
      out << "SKIP  " << name << ": flushes or changes settings (--fresh runs it)\n";
      continue;
    }
    const std::string report = Judge(*script, options, run);
    if (report.empty()) {
      ++summary.passed;
      out << "PASS  " << name << "\n";
      continue;
    }
    ++summary.failed;
    out << "FAIL  " << name << ": " << FirstLine(report) << "\n";
    if (options.verbose) out << Indented(report);
    out.flush();
  }
  out << summary.passed << " passed, " << summary.failed << " failed";
  if (summary.skipped > 0) out << ", " << summary.skipped << " skipped";
  out << "\n";
  return summary;
}

}  // namespace mnemo::compat
